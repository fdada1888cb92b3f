"""Small helpers and constants the transformer's parts share (nodes, names, markers)."""

from __future__ import annotations

from typing import Sequence
import libcst as cst

from ..arguments import fix_commas, source_of
from ..imports import dotted_name
from ..runtime import DISPATCH as RUNTIME_DISPATCH, MODULE as RUNTIME_MODULE
from ..tables import ApiEntry


_OWNER_BY_PREFIX = {"torch.Tensor.": "tensor", "torch.nn.Module.": "module", "torch.optim.Optimizer.": "optimizer"}


_LITERAL_TYPES = (
    cst.Dict, cst.List, cst.Set, cst.Tuple, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString,
    cst.Integer, cst.Float, cst.DictComp, cst.ListComp, cst.SetComp,
)


_NON_TENSOR_RESULTS = {"item", "tolist", "size", "dim", "numel", "numpy", "nelement", "element_size", "data_ptr",
                       "is_contiguous", "is_floating_point", "stride", "storage_offset", "get_device", "type"}


_ARRAY_LIBRARIES = {"np", "numpy", "pd", "pandas", "cv2", "PIL", "Image"}


_NON_TENSOR_FACTORIES = {"dict", "list", "set", "tuple", "str", "int", "float", "OrderedDict", "defaultdict", "deque"}


def _same_plain_args(before: Sequence[cst.Arg], after: Sequence[cst.Arg]) -> bool:
    """The arguments other than ``**mapping`` are unchanged: the call suits any callee."""
    plain = lambda args: [source_of(a).rstrip(", ") for a in args if a.star != "**"]  # noqa: E731
    return plain(before) == plain(after)


# Paddle Layer methods returning lists where torch's return generators (next() of them needs iter())
_LIST_RESULTS = {"parameters", "buffers", "sublayers"}


def _through_kwargs_for(call: cst.Call, positional: list[cst.Arg], keywords: list[cst.Arg],
                        extra: Sequence[cst.Arg] = ()) -> cst.Call:
    """``callee(*positional, **_torch2paddle_runtime.kwargs_for(callee, {keywords...}, *extra))``."""
    elements = [cst.StarredDictElement(a.value) if a.star == "**" else
                cst.DictElement(cst.SimpleString(f'"{a.keyword.value}"'), a.value) for a in keywords]
    mapping = cst.Call(func=cst.Attribute(value=cst.Name(RUNTIME_MODULE), attr=cst.Name(RUNTIME_DISPATCH)),
                       args=fix_commas([], [cst.Arg(call.func), cst.Arg(cst.Dict(elements)), *extra]))
    return _with_args(call, fix_commas(list(call.args), [*positional, cst.Arg(mapping, star="**")]))


def _without_none_out(entry: ApiEntry, call: cst.Call) -> cst.Call:
    """The call without an ``out=None`` keyword (torch's default: no output tensor) where the entry does not
    name ``out`` itself: Paddle's functions take no ``out``."""
    if "out" in entry.args or "out" in entry.rename or "out" in entry.unsupported_args:
        return call
    kept = [a for a in call.args if not (a.keyword is not None and a.keyword.value == "out"
                                         and isinstance(a.value, cst.Name) and a.value.value == "None")]
    return call if len(kept) == len(call.args) else call.with_changes(args=fix_commas(list(call.args), kept))


def _out_keyword(entry: ApiEntry, call: cst.Call) -> cst.Arg | None:
    """The call's ``out=`` argument (not None) when the entry gives it no Paddle counterpart: torch writes the
    result into it, Paddle returns a new tensor (see TorchToPaddle._call_with_out)."""
    if "out" in entry.rename or (entry.target_args is not None and "out" in entry.target_args):
        return None
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == "out"
                 and not (isinstance(a.value, cst.Name) and a.value.value == "None")), None)


def _is_super_init(func: cst.BaseExpression) -> bool:
    """``super().__init__`` or ``super(Cls, self).__init__``."""
    return (isinstance(func, cst.Attribute) and func.attr.value == "__init__" and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name) and func.value.func.value == "super")


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def owner_of(entry: ApiEntry) -> str:
    for prefix, owner in _OWNER_BY_PREFIX.items():
        if entry.name.startswith(prefix):
            return owner
    return "any"


_EMPTY_MODULE = cst.Module(body=[])


def _probe(api: str) -> str | None:
    """Text that is in the output while an unsupported use is still there (None: always kept)."""
    if "(...)" in api:
        return None
    for prefix in (*_OWNER_BY_PREFIX, "torch.dtype."):  # x.dtype.itemsize: the attribute name is in the output
        if api.startswith(prefix):
            return "." + api[len(prefix):]
    return api


def _with_args(call: cst.Call, args: list[cst.Arg], **changes) -> cst.Call:
    """The call with new arguments; with none left, no whitespace stays inside the parentheses."""
    if not args:
        changes["whitespace_before_args"] = cst.SimpleWhitespace("")
    return call.with_changes(args=args, **changes)


def _tuple_field(value: cst.BaseExpression, fields: tuple[str, ...], position: int) -> cst.BaseExpression:
    """Element ``position`` of a converted call's result: the element itself when the conversion wrote the
    tuple out (``(paddle.max(x, 1), paddle.argmax(x, 1))``), else ``value[position]``."""
    if isinstance(value, cst.Tuple) and len(value.elements) == len(fields):
        return value.elements[position].value
    return cst.Subscript(value=value, slice=[cst.SubscriptElement(slice=cst.Index(value=cst.Integer(str(position))))])


def _keep_parentheses(old: cst.CSTNode, new):
    """A rewrite's new expression keeps the parentheses around the old one (they may hold line breaks)."""
    lpar = getattr(old, "lpar", None)
    if lpar and isinstance(new, cst.BaseExpression) and not new.lpar:
        return new.with_changes(lpar=lpar, rpar=old.rpar)
    return new


def _is_plain_python(node: cst.BaseExpression) -> bool:
    """Literals, builtin containers and numpy/pandas values: receivers whose methods are never torch's."""
    if isinstance(node, _LITERAL_TYPES):
        return True
    if isinstance(node, cst.Call):
        name = dotted_name(node.func)
        if name is not None:
            return name in _NON_TENSOR_FACTORIES or name.split(".", 1)[0] in _ARRAY_LIBRARIES
        if isinstance(node.func, cst.Attribute):  # np.arange(6).reshape(2, 3)
            return _is_plain_python(node.func.value)
    return False


def _with_markers(whitespace: cst.TrailingWhitespace, markers: list[str]) -> cst.TrailingWhitespace:
    existing = whitespace.comment.value if whitespace.comment is not None else ""
    new = [m for m in dict.fromkeys(markers) if m not in existing]
    if not new:
        return whitespace
    text = "  ".join(new)
    if whitespace.comment is None:
        return whitespace.with_changes(whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment("# " + text))
    return whitespace.with_changes(comment=cst.Comment(existing + "  # " + text))
