"""The transformer's parts: one mixin per concern, combined by ``TorchToPaddle`` (transformer.py).

Each reads the shared state set up in ``TorchToPaddle.__init__`` and the facts of the import scan and
the project pass; ``support.py`` holds the small node helpers they share.
"""
