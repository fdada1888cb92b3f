"""``torch.numel(x)`` -> ``paddle.numel(x).item()`` (also ``torch.equal`` / ``torch.allclose``).

torch returns a Python int/bool where Paddle returns a 0-D tensor; ``.item()``
gives the same Python value (it prints, formats and hashes like torch's).
The call itself goes through the generic argument pipeline.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("function_then_item")
def function_then_item(ctx) -> cst.BaseExpression:
    call = cst.Call(func=ctx.target(), args=ctx.map_args())
    return cst.Call(func=cst.Attribute(value=call, attr=cst.Name("item")), args=[])
