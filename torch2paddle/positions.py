"""Start positions of a few nodes, as libcst's ``PositionProvider`` would give them.

``PositionProvider`` generates the code of the whole module once and records a
range for every node (a ``CodePosition`` pair, a regular-expression split of
every token); on a whole repository it costs more than parsing.  The
converter only needs the start (line, column) of the nodes it reports, and
only once the transform is done, so ``start_positions`` generates code once
with a state that records just those nodes, counts lines in bulk when a
position is asked for, and stops as soon as the last wanted node is done.
The result is the same ``(line, column)`` (1-based line, 0-based column) that
``get_metadata(PositionProvider, node).start`` returns.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Iterable

import libcst as cst
from libcst._nodes.internal import CodegenState

_NULL = nullcontext()


class _Done(Exception):
    pass


class _Hoist:
    """Context for a ``record_syntactic_position(start_node=...)``: the start is the child's."""

    __slots__ = ("state", "node", "start_node")

    def __init__(self, state: "_StartState", node: cst.CSTNode, start_node: cst.CSTNode):
        self.state, self.node, self.start_node = state, node, start_node

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        start = self.state.syntactic.get(id(self.start_node)) or self.state.inclusive.get(id(self.start_node))
        if start is not None:
            self.state.syntactic[id(self.node)] = start


class _StartState(CodegenState):
    """A codegen state that records the start of the wanted nodes only."""

    def __init__(self, module: cst.Module, wanted: set[int]):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.wanted = wanted
        self.done: set[int] = set()
        self.syntactic: dict[int, tuple[int, int]] = {}
        self.inclusive: dict[int, tuple[int, int]] = {}
        self._line = 1
        self._column = 0
        self._consumed = 0

    def _here(self) -> tuple[int, int]:
        tokens = self.tokens
        if self._consumed < len(tokens):
            text = "".join(tokens[self._consumed:])
            self._consumed = len(tokens)
            newlines = text.count("\n") + text.count("\r") - text.count("\r\n")
            if newlines:
                self._line += newlines
                self._column = len(text) - max(text.rfind("\n"), text.rfind("\r")) - 1
            else:
                self._column += len(text)
        return self._line, self._column

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted:
            self.inclusive[id(node)] = self._here()

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.wanted and key not in self.done:
            self.done.add(key)
            if len(self.done) >= len(self.wanted):
                raise _Done

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        if id(node) not in self.wanted:
            return _NULL
        if start_node is not None:
            self.wanted.add(id(start_node))
            return _Hoist(self, node, start_node)
        self.syntactic[id(node)] = self._here()
        return _NULL


def start_positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, tuple[int, int]]:
    """``{id(node): (line, column)}`` for each of ``nodes`` found in ``module``; others are left out."""
    wanted = {id(n) for n in nodes}
    if not wanted:
        return {}
    state = _StartState(module, set(wanted))
    try:
        module._codegen(state)
    except _Done:
        pass
    out = {}
    for key in wanted:
        start = state.syntactic.get(key) or state.inclusive.get(key)
        if start is not None:
            out[key] = start
    return out
