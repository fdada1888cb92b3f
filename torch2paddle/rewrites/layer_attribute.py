"""A torch layer attribute Paddle keeps privately: ``m.out_channels`` -> ``layer_attr(m, "out_channels")``.

Why a rewrite: Paddle's layers keep ``in_channels``, ``out_channels``,
``num_features``, ... as ``_in_channels``, ``_out_channels``, ... (Linear keeps
no ``in_features`` at all: its weight is ``[in, out]``), while the same names
are everyday attributes of a project's own classes (``self.out_channels =
out_chs``).  Which one a receiver is is known only when the code runs, so a read
becomes a call of the generated run-time helper ``layer_attr``: the object's
own attribute when it has one, else the Paddle layer's counterpart.  In a class
deriving from a torch layer, ``self.<name>`` is the layer's: the same helper.
Reads through ``self`` elsewhere are the project's own and stay; assignments
stay as written.
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite


def _is_self(ctx) -> bool:
    return isinstance(ctx.receiver, cst.Name) and ctx.receiver.value == "self"


@access_rewrite("layer_attribute_of_layers")
def layer_attribute_of_layers(ctx):
    """The same for names every kind of object uses (``eps``, ``momentum``, ``padding``: an argparse
    namespace's ``args.momentum``): only on receivers known to be layers (``self`` in a subclass of a torch
    layer, a name assigned a layer), where the name cannot be anything else."""
    known = ctx.self_is_layer if _is_self(ctx) else ctx.receiver_kind == "module"
    return layer_attribute(ctx) if known else None


@access_rewrite("layer_attribute")
def layer_attribute(ctx):
    if ctx.receiver is None or ctx.runtime is None:
        raise ctx.unsupported("needs a receiver and the run-time helper module")
    name = ctx.entry.method_name
    if ctx.value is not None or ctx.loop is not None:  # an assignment (a project object's own attribute)
        return None  # left as written
    if isinstance(ctx.receiver, cst.Name) and ctx.receiver.value == "self" and not ctx.self_is_layer:
        return None  # the project class's own attribute
    if ctx.receiver_kind == "other":
        return None  # known to be no layer (`cnf: InvertedResidualConfig`, a plain class of the file)
    access = cst.Call(func=ctx.runtime("layer_attr"),
                      args=[cst.Arg(ctx.receiver, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                            cst.Arg(cst.SimpleString(f'"{name}"'))])
    for index in ctx.subscripts:
        access = cst.Subscript(value=access, slice=[cst.SubscriptElement(slice=cst.Index(value=index))])
    return access
