"""A read-only walk of a libcst tree that calls a ``CSTVisitor``'s hooks cheaply.

``node.visit(visitor)`` rebuilds every node of the tree on the way up, even
for a read-only ``CSTVisitor`` (libcst has no non-replacing traversal), and
pays two attribute hooks per field; on a whole repository that is most of the
cost of a scan.  ``walk(root, visitor)`` calls the same ``visit_<Type>`` /
``leave_<Type>`` methods in the same order (children in the order libcst's
own ``_visit_and_replace_children`` visits them, learnt once per node type),
honours ``visit_<Type>`` returning False, and never builds a node.  Subtrees
that can hold only whitespace and punctuation are not entered unless the
visitor has a hook for them.  Attribute hooks (``visit_<Type>_<field>``) and
``on_visit``/``on_leave`` overrides are not supported: use ``node.visit``.
"""

from __future__ import annotations

import ast
import re
import inspect
import textwrap
from typing import Any

import libcst as cst

# node types that hold only whitespace, comments and punctuation
_TRIVIA_BASES: tuple[type, ...] = (
    cst.BaseParenthesizableWhitespace, cst.EmptyLine, cst.TrailingWhitespace, cst.Newline, cst.Comment,
    cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
    cst.RightCurlyBrace, cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.BaseBinaryOp,
    cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp, cst.ImportStar, cst.Asynchronous,
)

_FIELD_ORDER: dict[type, tuple[str, ...]] = {}
_SENTINEL = cst.MaybeSentinel.DEFAULT


class _FieldRecorder(cst.CSTVisitor):
    """Records the fields ``_visit_and_replace_children`` visits, without descending."""

    def __init__(self, root: cst.CSTNode):
        self.root = root
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        pass

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if node is self.root and attribute not in self.fields:
            self.fields.append(attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


def _fields_from_source(cls: type) -> tuple[str, ...] | None:
    """The ``visit_*(self, "field", ...)`` calls of ``cls._visit_and_replace_children``, in source order."""
    try:
        source = textwrap.dedent(inspect.getsource(cls._visit_and_replace_children))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None
    calls = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("visit_")
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
        ):
            calls.append((node.lineno, node.col_offset, node.args[1].value))
    fields: list[str] = []
    for _, _, name in sorted(calls):
        if name not in fields:
            fields.append(name)
    return tuple(fields)


def child_fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The node-holding fields of ``type(node)`` in libcst's visiting order.

    Read from the source of the type's ``_visit_and_replace_children`` (some
    fields are visited only when set, so one instance may not show them all);
    where the source is not available, recorded from this instance.
    """
    cls = type(node)
    fields = _FIELD_ORDER.get(cls)
    if fields is None:
        fields = _fields_from_source(cls)
        if not fields:
            recorder = _FieldRecorder(node)
            node._visit_and_replace_children(recorder)
            fields = tuple(recorder.fields)
        _FIELD_ORDER[cls] = fields
    return fields


def walk(root: cst.CSTNode, visitor: Any) -> None:
    """Call ``visitor``'s ``visit_<Type>``/``leave_<Type>`` hooks over ``root`` as ``root.visit`` would."""
    hooks: dict[type, tuple | None] = {}

    def hooks_of(node: cst.CSTNode) -> tuple | None:
        cls = type(node)
        name = cls.__name__
        visit = getattr(visitor, "visit_" + name, None)
        leave = getattr(visitor, "leave_" + name, None)
        if visit is None and leave is None and issubclass(cls, _TRIVIA_BASES):
            found = None
        else:
            found = (visit, leave, child_fields(node))
        hooks[cls] = found
        return found

    def go(node: cst.CSTNode) -> None:
        cls = type(node)
        found = hooks[cls] if cls in hooks else hooks_of(node)
        if found is None:
            return
        visit, leave, fields = found
        if visit is None or visit(node) is not False:
            for name in fields:
                value = getattr(node, name)
                kind = type(value)
                if kind is tuple or kind is list:
                    for child in value:
                        go(child)
                elif value is not None and value is not _SENTINEL:
                    go(value)
        if leave is not None:
            leave(node)

    go(root)


_ATTRIBUTE_HOOK = re.compile(r"^(visit|leave)_[A-Z][A-Za-z]*_[A-Za-z_]+$")


class FastDispatch:
    """Mixin for a ``CSTVisitor``/``CSTTransformer``: cheaper hook dispatch, same behaviour.

    libcst looks every hook up by formatting its name for each node, and calls
    two attribute hooks per field of every node.  This caches the
    ``visit_<Type>``/``leave_<Type>`` lookups per node type and skips the
    attribute hooks when the class defines none (``visit_<Type>_<field>``).
    Put it first in the bases: ``class T(FastDispatch, cst.CSTTransformer)``.
    """

    _has_attribute_hooks: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._has_attribute_hooks = any(  # libcst's own base classes define no-op stubs for every hook
            _ATTRIBUTE_HOOK.match(name)
            for klass in cls.__mro__
            if not klass.__module__.startswith("libcst")
            for name in vars(klass)
        )

    def _hooks(self, cls: type) -> tuple:
        cache = self.__dict__.get("_fast_hooks")
        if cache is None:
            cache = self.__dict__["_fast_hooks"] = {}
        name = cls.__name__
        found = cache[cls] = (getattr(self, "visit_" + name, None), getattr(self, "leave_" + name, None))
        return found

    def on_visit(self, node: cst.CSTNode) -> bool:
        cache = self.__dict__.get("_fast_hooks")
        found = cache.get(type(node)) if cache is not None else None
        if found is None:
            found = self._hooks(type(node))
        visit = found[0]
        if visit is None:
            return True
        return visit(node) is not False

    def on_leave(self, original_node, *updated):
        found = self.__dict__["_fast_hooks"].get(type(original_node)) or self._hooks(type(original_node))
        leave = found[1]
        if updated:  # CSTTransformer.on_leave(original, updated)
            return updated[0] if leave is None else leave(original_node, updated[0])
        if leave is not None:  # CSTVisitor.on_leave(original)
            leave(original_node)
        return None

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if self._has_attribute_hooks:
            super().on_visit_attribute(node, attribute)  # type: ignore[misc]

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if self._has_attribute_hooks:
            super().on_leave_attribute(original_node, attribute)  # type: ignore[misc]
