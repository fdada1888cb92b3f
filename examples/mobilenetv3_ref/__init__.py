"""MobileNetV3 image-classification reference project (PyTorch).

A small, self-contained re-implementation of torchvision's MobileNetV3 models
(``torchvision/models/mobilenetv3.py``) together with a training recipe modelled
on torchvision's ``references/classification``:

* :mod:`mobilenetv3_ref.models`  -- ``MobileNetV3``, ``mobilenet_v3_small``, ``mobilenet_v3_large``
* :mod:`mobilenetv3_ref.presets` -- train / eval transform presets
* :mod:`mobilenetv3_ref.metric`  -- top-k accuracy
* :mod:`mobilenetv3_ref.utils`   -- logging and distributed helpers
* :mod:`mobilenetv3_ref.dataset` -- a tiny, deterministic ImageFolder generator
* :mod:`mobilenetv3_ref.train`   -- the training / evaluation script

Run the training script with ``python -m mobilenetv3_ref.train --help`` from the
directory that contains this package.
"""

__version__ = "0.1.0"
