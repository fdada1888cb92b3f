"""``torch.save(*args, **kwargs)``: forward star arguments unchanged.

Why a rewrite: the generic pipeline refuses ``**kwargs`` for entries that
rename or drop keywords, because the mapping may hold torch-only names.  For
``torch.save`` -> ``paddle.save`` the positions agree (object, then path) and
Paddle rejects every keyword it does not know with an error, so forwarding
``*args, **kwargs`` (the usual ``save_on_master(*args, **kwargs)`` helper)
can fail loudly but never silently differs.  Calls without ``**`` go through
the normal mapping (``f=`` -> ``path=``, pickle options refused).

A file object (``torch.save(obj, open(path, "wb"))``, ``with open(path, "rb") as f: torch.load(f)``):
Paddle's save/load take a path or a BytesIO only, so such calls go through the run-time ``save`` /
``load``, which pass Paddle a BytesIO and write it to, or read it from, the file.
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


@call_rewrite("forward_star_args")
def forward_star_args(ctx) -> cst.BaseExpression:
    func = ctx.helper("save") if ctx.helper is not None and _file_argument(ctx, 1, "f") else ctx.render(ctx.entry.target)
    if any(a.star == "**" for a in ctx.call.args):
        if any(a.keyword is not None for a in ctx.call.args):
            raise ctx.unsupported("keywords next to **kwargs: pass them positionally or inside kwargs")
        return ctx.call.with_changes(func=func)
    return ctx.call.with_changes(func=func, args=ctx.map_args())


NAME_CONVERTS.add("load_file_object")  # `loader = torch.load` is paddle.load for paths


@call_rewrite("load_file_object")
def load_file_object(ctx) -> cst.BaseExpression:
    """torch.load from a file object goes through the run-time ``load`` (Paddle reads paths and BytesIO)."""
    use_helper = ctx.helper is not None and _file_argument(ctx, 0, "f")
    func = ctx.helper("load") if use_helper else ctx.render(ctx.entry.target)
    return ctx.call.with_changes(func=func, args=ctx.map_args())
