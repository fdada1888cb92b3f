"""``torch.hub._get_torch_home()`` -> the same folder, computed with ``os`` as torch computes it.

Why a rewrite: Paddle has no counterpart (its caches live under ``~/.cache/paddle``),
but code asking for torch's home wants the folder where its files already are
(datasets under ``$TORCH_HOME/datasets``, downloaded weights): the faithful
conversion is torch's own rule, ``$TORCH_HOME``, else ``$XDG_CACHE_HOME/torch``,
else ``~/.cache/torch``, written out with ``os`` so the converted module needs
neither torch nor a helper.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("torch_home")
def torch_home(ctx) -> cst.BaseExpression:
    """``torch.hub._get_torch_home()`` -> ``os.path.expanduser(os.getenv("TORCH_HOME", os.path.join(
    os.getenv("XDG_CACHE_HOME", "~/.cache"), "torch")))``: torch's rule, environment read at call time."""
    if ctx.call.args:
        raise ctx.unsupported("takes no arguments")
    expanduser, getenv, join = (ctx.render(name) for name in ("os.path.expanduser", "os.getenv", "os.path.join"))
    source = cst.Module(body=[])
    return cst.parse_expression(
        f'{source.code_for_node(expanduser)}({source.code_for_node(getenv)}("TORCH_HOME", '
        f'{source.code_for_node(join)}({source.code_for_node(getenv)}("XDG_CACHE_HOME", "~/.cache"), "torch")))')
