"""The read-only facts pass: what each node of a file is, syntactically, before anything is transformed.

One fast walk over the module as written (``fastwalk.walk``: no node is rebuilt) records, by node identity,
the roles the transformer asks about: names that are no references (attribute names, keywords, parameter
and definition names), the inner parts of dotted paths, the callees of calls and the method called on a
call's result, assignment targets, the parts of ``obj.attr[i][j]`` accesses of attribute entries that are
rewritten as a whole, decorators and base classes. The transformer only reads them; nothing is added while it
runs, so what a hook sees no longer depends on which hooks ran before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ..fastwalk import walk


@dataclass
class SyntaxFacts:
    """Node roles, by ``id()`` of the nodes of the module as written."""

    skip: set[int] = field(default_factory=set)  # names that are no references (x.<attr>, f(<kw>=...), def <f>)
    inner: set[int] = field(default_factory=set)  # values of attributes (`torch.nn` of `torch.nn.Conv2d`)
    call_funcs: set[int] = field(default_factory=set)  # callees
    chained: dict[int, str] = field(default_factory=dict)  # call -> the method called on its result (x.numel().item())
    store: dict[int, bool] = field(default_factory=dict)  # assignment targets -> augmented assignment?
    claimed: set[int] = field(default_factory=set)  # parts of attribute-entry accesses rewritten as a whole
    access_roots: set[int] = field(default_factory=set)  # ... their outermost subscripts
    loop_iters: set[int] = field(default_factory=set)  # `for x in obj.attr:` iterables of attribute entries
    decorators: set[int] = field(default_factory=set)  # decorator expressions
    class_bases: set[int] = field(default_factory=set)  # base-class expressions


class _FactsVisitor:
    """The hooks of the facts pass (called by ``fastwalk.walk`` as a ``CSTVisitor``'s would be)."""

    def __init__(self, attribute_methods: frozenset[str] | set[str]):
        self.facts = SyntaxFacts()
        self.attribute_methods = attribute_methods

    def visit_Import(self, node: cst.Import) -> bool:
        return False  # import statements are the import pass's

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.facts.skip.add(id(node.attr))
        self.facts.inner.add(id(node.value))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.facts.skip.add(id(node.keyword))

    def visit_Param(self, node: cst.Param) -> None:
        self.facts.skip.add(id(node.name))

    def visit_Call(self, node: cst.Call) -> None:
        self.facts.call_funcs.add(id(node.func))
        if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call):
            self.facts.chained[id(node.func.value)] = node.func.attr.value

    def _definition(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        self.facts.decorators.update(id(d.decorator) for d in node.decorators)
        self.facts.skip.add(id(node.name))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._definition(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._definition(node)
        self.facts.class_bases.update(id(base.value) for base in node.bases)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, (cst.Attribute, cst.Subscript)):
                self.facts.store[id(target.target)] = False

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, (cst.Attribute, cst.Subscript)):
            self.facts.store[id(node.target)] = True

    def visit_For(self, node: cst.For) -> None:
        it = node.iter
        if isinstance(it, cst.Attribute) and it.attr.value in self.attribute_methods:
            # `for g in optimizer.param_groups: ...`: the loop as a whole goes to the access rewrite
            self.facts.claimed.add(id(it))
            self.facts.loop_iters.add(id(it))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) in self.facts.claimed or not self.attribute_methods:
            return
        base, inner = node.value, []
        while isinstance(base, cst.Subscript):
            inner.append(base)
            base = base.value
        if isinstance(base, cst.Attribute) and base.attr.value in self.attribute_methods:
            self.facts.claimed.update(id(n) for n in (*inner, base))
            self.facts.access_roots.add(id(node))


def syntax_facts(module: cst.Module, attribute_methods: frozenset[str] | set[str]) -> SyntaxFacts:
    visitor = _FactsVisitor(attribute_methods)
    walk(module, visitor)
    return visitor.facts
