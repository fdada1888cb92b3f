"""``torch.save(*args, **kwargs)``: forward star arguments unchanged.

Why a rewrite: the generic pipeline refuses ``**kwargs`` for entries that
rename or drop keywords, because the mapping may hold torch-only names.  For
``torch.save`` -> ``paddle.save`` the positions agree (object, then path) and
Paddle rejects every keyword it does not know with an error, so forwarding
``*args, **kwargs`` (the usual ``save_on_master(*args, **kwargs)`` helper)
can fail loudly but never silently differs.  Calls without ``**`` go through
the normal mapping (``f=`` -> ``path=``, pickle options refused).

Paddle's save/load take a path or a BytesIO only, and refuse a whole layer (``torch.save(model, path)``,
the word-language-model and super-resolution examples).  So a call that may involve either goes through
the run-time ``save`` / ``load``: a file object (``torch.save(obj, open(path, "wb"))``, ``with open(path,
"rb") as f: torch.load(f)``), an object that may hold a layer (anything but ``x.state_dict()`` or a dict
display), a load that may read one (any but ``weights_only=True``).  They hand Paddle a BytesIO, and pickle
a layer with its parameters kept parameters.  ``paddle.save(model.state_dict(), path)`` stays as it is.
"""

from __future__ import annotations

import libcst as cst

from . import NAME_CONVERTS, call_rewrite


def _file_argument(ctx, position: int, name: str) -> bool:
    """The call passes a file object (not a path) as torch's argument ``name`` at ``position``."""
    positional = [a for a in ctx.call.args if a.keyword is None and not a.star]
    given = [a.value for a in ctx.call.args if a.keyword is not None and a.keyword.value == name]
    if len(positional) > position:
        given.append(positional[position].value)
    return any(ctx.file_object(value) for value in given)


def _argument(ctx, position: int, name: str) -> cst.BaseExpression | None:
    positional = [a for a in ctx.call.args if a.keyword is None and not a.star]
    named = [a.value for a in ctx.call.args if a.keyword is not None and a.keyword.value == name]
    return named[0] if named else positional[position].value if len(positional) > position else None


def _plain_state(node: cst.BaseExpression | None) -> bool:
    """``x.state_dict()`` or a dict display: what paddle.save takes (a layer inside a dict display is rare)."""
    if isinstance(node, cst.Dict):
        return True
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "state_dict")


@call_rewrite("forward_star_args")
def forward_star_args(ctx) -> cst.BaseExpression:
    use_helper = ctx.helper is not None and not any(a.star for a in ctx.call.args) and (
        _file_argument(ctx, 1, "f") or not _plain_state(_argument(ctx, 0, "obj")))
    func = ctx.helper("save") if use_helper else ctx.render(ctx.entry.target)
    if any(a.star == "**" for a in ctx.call.args):
        if any(a.keyword is not None for a in ctx.call.args):
            raise ctx.unsupported("keywords next to **kwargs: pass them positionally or inside kwargs")
        return ctx.call.with_changes(func=func)
    return ctx.call.with_changes(func=func, args=ctx.map_args())


NAME_CONVERTS.add("load_file_object")  # `loader = torch.load` is paddle.load for paths


@call_rewrite("load_file_object")
def load_file_object(ctx) -> cst.BaseExpression:
    """torch.load that may read a file object or a whole layer goes through the run-time ``load``."""
    weights_only = _argument(ctx, 3, "weights_only")
    use_helper = ctx.helper is not None and not any(a.star for a in ctx.call.args) and (
        _file_argument(ctx, 0, "f") or not (isinstance(weights_only, cst.Name) and weights_only.value == "True"))
    func = ctx.helper("load") if use_helper else ctx.render(ctx.entry.target)
    return ctx.call.with_changes(func=func, args=ctx.map_args())
