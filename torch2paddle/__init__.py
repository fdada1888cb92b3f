"""torch2paddle: convert PyTorch projects to idiomatic PaddlePaddle and prove the port.

Library API (the conversion path never imports torch or paddle):

* ``convert_source(code, filename=None)`` -> ``ConversionResult``
* ``convert_tree(src, out, ...)`` -> ``TreeReport``
* ``verify(out_dir, steps=..., ...)`` (imports both frameworks; see ``torch2paddle.verify``)
"""

from .convert import SourceError, convert_source
from .report import ApiUse, ConversionResult, TreeReport

__version__ = "0.1.0"
__all__ = ["convert_source", "convert_tree", "SourceError", "ApiUse", "ConversionResult", "TreeReport", "verify"]


def convert_tree(*args, **kwargs):
    from .tree import convert_tree as _convert_tree

    return _convert_tree(*args, **kwargs)


def verify(*args, **kwargs):
    from .verify import verify as _verify

    return _verify(*args, **kwargs)
