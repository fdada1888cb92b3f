"""What a file's own call sites say about a module-level function's parameters (read-only, on demand).

``shifted_window_attention(x, qkv_weight, ...)`` calls ``F.linear(x, qkv_weight)``:
the weight's layout depends on what the callers pass.  When every call in the
file passes a converted ``nn.Linear``'s own weight (``self.qkv.weight``), the
parameter holds Paddle's layout and the call converts as it is.  That is only
known when nothing else can call the function: no other module of the project
imports it (project facts), the file never passes it around as a value, and
the function does not rebind the parameter.  The facts are gathered by one
walk of the file, the first time a rewrite asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from .fastwalk import walk


@dataclass
class CallSites:
    calls: dict[str, list[cst.Call]] = field(default_factory=dict)  # function name -> calls of it by name
    values: set[str] = field(default_factory=set)  # names read other than as a call's callee
    self_layers: dict[str, list[cst.Call]] = field(default_factory=dict)  # self.<attr> = <call> (every one)
    rebound: dict[str, set[str]] = field(default_factory=dict)  # function -> names its body assigns


class _Collector(cst.CSTVisitor):
    def __init__(self, functions: set[str]):
        super().__init__()
        self.functions = functions
        self.sites = CallSites()
        self._callees: set[int] = set()  # Name nodes that are callees (or a def's own name)
        self._in: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._in.append(node.name.value)
        self._callees.add(id(node.name))  # its own name in `def f(...)` is no use of it

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._in.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in self.functions:
            self._callees.add(id(node.func))
            self.sites.calls.setdefault(node.func.value, []).append(node)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.functions and id(node) not in self._callees:
            self.sites.values.add(node.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and self._in:
            self.sites.rebound.setdefault(self._in[0], set()).add(target.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            t = target.target
            if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == "self":
                if isinstance(node.value, cst.Call):
                    self.sites.self_layers.setdefault(t.attr.value, []).append(node.value)
                else:
                    self.sites.self_layers.setdefault(t.attr.value, []).append(None)  # something else too


def call_sites(module: cst.Module) -> CallSites:
    functions = {stmt.name.value for stmt in module.body if isinstance(stmt, cst.FunctionDef)}
    collector = _Collector(functions)
    walk(module, collector)
    return collector.sites


def _bound_argument(call: cst.Call, position: int | None, name: str) -> cst.BaseExpression | None:
    """The argument ``call`` binds to the parameter (``position`` among the positional ones, or ``name``)."""
    positional = 0
    for arg in call.args:
        if arg.star:
            return None  # *args / **kwargs may bind it
        if arg.keyword is None:
            if positional == position:
                return arg.value
            positional += 1
        elif arg.keyword.value == name:
            return arg.value
    return None


def parameter_holds_layer_weight(module: cst.Module, function: cst.FunctionDef, parameter: str,
                                 outside_names: frozenset[str] | None, sites: CallSites,
                                 is_layer: Callable[[cst.Call], bool]) -> bool:
    """Whether every call of the module-level ``function`` in the file passes, for ``parameter``, the
    ``.weight`` of a ``self.<attr>`` only ever assigned a layer ``is_layer`` accepts (see the module doc)."""
    name = function.name.value
    if outside_names is None or name in outside_names or name in sites.values or function not in module.body:
        return False
    if parameter in sites.rebound.get(name, set()):
        return False
    params = [*function.params.posonly_params, *function.params.params]
    position = next((i for i, p in enumerate(params) if p.name.value == parameter), None)
    if position is None and parameter not in {p.name.value for p in function.params.kwonly_params}:
        return False
    calls = sites.calls.get(name, [])
    if not calls:
        return False
    for call in calls:
        value = _bound_argument(call, position, parameter)
        if not (isinstance(value, cst.Attribute) and value.attr.value == "weight"
                and isinstance(value.value, cst.Attribute) and isinstance(value.value.value, cst.Name)
                and value.value.value.value == "self"):
            return False
        assigned = sites.self_layers.get(value.value.attr.value, [])
        if not assigned or not all(c is not None and is_layer(c) for c in assigned):
            return False
    return True
