"""Verification: the alignment chain between original and converted code.

Importing this package is cheap; torch and paddle are imported only when a
chain runs.
"""


def verify(*args, **kwargs):
    from .runner import verify as run

    return run(*args, **kwargs)
