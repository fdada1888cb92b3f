"""A read-only walk of a libcst tree that calls a ``CSTVisitor``'s hooks cheaply.

``node.visit(visitor)`` rebuilds every node of the tree on the way up, even
for a read-only ``CSTVisitor`` (libcst has no non-replacing traversal), and
pays two attribute hooks per field; on a whole repository that is most of the
cost of a scan.  ``walk(root, visitor)`` calls the same ``visit_<Type>`` /
``leave_<Type>`` methods in the same order (children in the order libcst's
own ``_visit_and_replace_children`` visits them, learnt once per node type),
honours ``visit_<Type>`` returning False, and never builds a node.  Subtrees
that can hold only whitespace and punctuation, and leaves (names, literals),
are not entered unless the visitor has a hook for them.  Attribute hooks
(``visit_<Type>_<field>``) and ``on_visit``/``on_leave`` overrides are not
supported: use ``node.visit``.

``FastDispatch`` is the same idea for a ``CSTTransformer`` (which must rebuild
what it changes): cached hook lookups, and no rebuilding of whitespace,
punctuation and leaves.  tests/test_fast_paths.py checks both against libcst.
"""

from __future__ import annotations

import ast
import inspect
import re
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
# nodes whose children can only be trivia (parentheses, whitespace, a semicolon)
_LEAVES: tuple[type, ...] = (
    cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.Ellipsis, cst.FormattedStringText,
    cst.Pass, cst.Break, cst.Continue,
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
    get = hooks.get
    missing = ()

    def hooks_of(node: cst.CSTNode) -> tuple | None:
        cls = type(node)
        name = cls.__name__
        visit = getattr(visitor, "visit_" + name, None)
        leave = getattr(visitor, "leave_" + name, None)
        if visit is None and leave is None and issubclass(cls, (*_TRIVIA_BASES, *_LEAVES)):
            found = None  # nothing to call in there
        else:
            found = (visit, leave, child_fields(node))
        hooks[cls] = found
        return found

    def go(node: cst.CSTNode, found: tuple) -> None:
        visit, leave, fields = found
        if visit is None or visit(node) is not False:
            for name in fields:
                value = getattr(node, name)
                kind = type(value)
                if kind is tuple or kind is list:
                    for child in value:
                        child_found = get(type(child), missing)
                        if child_found is missing:
                            child_found = hooks_of(child)
                        if child_found is not None:
                            go(child, child_found)
                elif value is not None and value is not _SENTINEL:
                    child_found = get(kind, missing)
                    if child_found is missing:
                        child_found = hooks_of(value)
                    if child_found is not None:
                        go(value, child_found)
        if leave is not None:
            leave(node)

    found = hooks_of(root)
    if found is not None:
        go(root, found)


_ATTRIBUTE_HOOK = re.compile(r"^(visit|leave)_[A-Z][A-Za-z]*_[A-Za-z_]+$")


def _subclass_names(bases: tuple[type, ...]) -> frozenset[str]:
    names, stack = set(), list(bases)
    while stack:  # __subclasses__ rather than issubclass over libcst's namespace: ABC checks are slow at import
        cls = stack.pop()
        names.add(cls.__name__)
        stack.extend(cls.__subclasses__())
    return frozenset(names)


_TRIVIA_NAMES = _subclass_names(_TRIVIA_BASES)



class FastDispatch:
    """Mixin for a ``CSTVisitor``/``CSTTransformer``: cheaper dispatch, same result.

    libcst looks every hook up by formatting its name for each node, calls two
    attribute hooks per field of every node, and rebuilds every node a
    transformer passes, whitespace and punctuation included (about two thirds
    of a tree).  This mixin caches the ``visit_<Type>``/``leave_<Type>``
    lookups per node type, skips the attribute hooks when the class defines
    none (``visit_<Type>_<field>``), and does not descend into whitespace and
    punctuation subtrees when the class has no hook for any of their types
    (they come back as they are instead of rebuilt; their text is unchanged).
    Put it first in the bases: ``class T(FastDispatch, cst.CSTTransformer)``.
    """

    _has_attribute_hooks: bool = False
    _prune_trivia: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [  # libcst's own base classes define no-op stubs for every hook
            name for klass in cls.__mro__ if not klass.__module__.startswith("libcst") for name in vars(klass)
        ]
        cls._has_attribute_hooks = any(_ATTRIBUTE_HOOK.match(name) for name in own)
        cls._prune_trivia = not any(
            name.partition("_")[2] in _TRIVIA_NAMES for name in own if name.startswith(("visit_", "leave_"))
        )

    def _hooks(self, cls: type) -> tuple:
        cache = self.__dict__.setdefault("_fast_hooks", {})
        per_class = type(self).__dict__.get("_fast_class_hooks")
        if per_class is None:  # hooks are looked up once per transformer class, then bound per instance
            per_class = {}
            setattr(type(self), "_fast_class_hooks", per_class)
        unbound = per_class.get(cls)
        if unbound is None:
            name = cls.__name__
            unbound = per_class[cls] = (getattr(type(self), "visit_" + name, None),
                                        getattr(type(self), "leave_" + name, None))
        visit = unbound[0].__get__(self) if unbound[0] is not None else None
        leave = unbound[1].__get__(self) if unbound[1] is not None else None
        # 1: do not descend (whitespace, punctuation); 2: call the visit hook, then do not descend (leaves
        # such as names and literals, whose only children are parentheses and whitespace)
        prune = 0
        if self._prune_trivia:
            prune = 1 if issubclass(cls, _TRIVIA_BASES) else 2 if issubclass(cls, _LEAVES) else 0
        found = cache[cls] = (visit, leave, prune)
        return found

    def on_visit(self, node: cst.CSTNode) -> bool:
        found = self.__dict__.get("_fast_hooks", _NO_HOOKS).get(type(node)) or self._hooks(type(node))
        visit, _, prune = found
        if prune == 1:
            return False
        if visit is None:
            return prune == 0
        return visit(node) is not False and prune == 0

    def on_leave(self, original_node, *updated):
        found = self.__dict__.get("_fast_hooks", _NO_HOOKS).get(type(original_node)) or self._hooks(
            type(original_node)
        )
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


_NO_HOOKS: dict = {}
