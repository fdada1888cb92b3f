"""Where a refused torch use leaves ``import torch``: only in the code path that holds it.

A refusal has a cost, and it must stay local: a module with one refused use in
one function still imports without torch, and only that function (that branch)
needs it.  This mixin of the transformer decides, per refused use, what the
use costs:

* in a function body: ``import torch`` as the first statement of the innermost
  block holding it (``if self.fused_attn:``);
* in the body of a module-level ``if``/``for``/``while``/``with``: the same, in
  that block (``if _has_ops(): torch.library...``): the module imports when the
  branch is not taken;
* a refused name read at import time (a registry of layer classes, a default
  value): a placeholder that raises, naming the API, when it is used;
* a refused class base: a placeholder base (the class is defined, creating an
  instance raises);
* a refused decorator of a definition run at import time: a placeholder
  decorator (the function is defined, calling it raises);
* a module- or class-level assignment whose value holds a refused call: the
  value becomes a placeholder (the name is bound, using it raises).

Everything else at import time (a bare module-level call) keeps ``import torch``
at module top, and the report names the file as needing torch to import.
"""

from __future__ import annotations

import libcst as cst

from .report import MARKER
from .runtime import MODULE as RUNTIME_MODULE, PLACEHOLDER as RUNTIME_PLACEHOLDER

RUNTIME_BASE = "unsupported_base"  # the runtime module's placeholder base class factory
RUNTIME_DECORATOR = "unsupported_decorator"  # ... and its placeholder decorator factory
_EMPTY = cst.Module(body=[])
_WAS = "# torch2paddle: was:"
_COMMENT = "# torch2paddle: torch is imported here only, for the unsupported use below"


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def runtime_call(function: str, api: str, reason: str) -> cst.Call:
    """``_torch2paddle_runtime.<function>("api", "reason")``."""
    return cst.Call(func=cst.Attribute(value=cst.Name(RUNTIME_MODULE), attr=cst.Name(function)),
                    args=[cst.Arg(cst.SimpleString(f'"{api}"'),
                                  comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                          cst.Arg(cst.SimpleString(repr(reason)))])


def _node_ids(node: cst.CSTNode) -> set[int]:
    ids, stack = set(), [node]
    while stack:
        current = stack.pop()
        ids.add(id(current))
        stack.extend(current.children)
    return ids


_BUILTINS = frozenset({"int", "float", "str", "bool", "len", "repr", "format", "round", "abs", "hash"})


def _parents(node: cst.CSTNode) -> dict[int, cst.CSTNode]:
    parents, stack = {}, [node]
    while stack:
        current = stack.pop()
        for child in current.children:
            parents[id(child)] = current
            stack.append(child)
    return parents


class RefusalScopes:
    """Mixin of ``TorchToPaddle`` (see the module docstring).  It reads the transformer's ``uses``,
    ``_use_nodes``, ``_gone``, ``_method_uses``, ``_class_bases``, ``_decorators``, ``_store``,
    ``_directive_sites``, ``torch_roots`` and ``is_torch``."""

    def _init_refusal_scopes(self) -> None:
        self._function_bodies: dict[int, int] = {}  # id(body block) -> id(function)
        self._in_body: list[int] = []  # functions whose body is being visited, innermost last
        self._use_function: dict[int, int] = {}  # use index -> id(function or guarded block holding it)
        self._use_block: dict[int, int] = {}  # use index -> id(innermost block holding it)
        self._blocks: list[int] = []  # blocks being visited inside function bodies, innermost last
        self._guard_bodies: set[int] = set()  # bodies of module-level if/elif/else/for/while/with
        self._in_guard: list[int] = []  # those being visited (outside any function), innermost last
        self._import_time_uses: list[list[int]] = []  # per open import-time decorator/assignment: its refusals
        self.kept_function_imports: set[tuple[int, str]] = set()  # (scope, root): its own import stays
        self._placeholders: set[int] = set()  # refused uses written as run-time placeholders
        self._placeholder_written: dict[int, cst.CSTNode] = {}  # use index -> the placeholder written for it
        self._replaced_source: list[str] = []  # torch code a placeholder replaced, for the statement's comments

    def _locate_refusal(self, index: int) -> None:
        """Note where the refused use ``index`` sits (called when it is recorded)."""
        if self._in_body:
            self._use_function[index] = self._in_body[-1]
            self._use_block[index] = self._blocks[-1]
        elif self._in_guard:
            self._use_function[index] = self._use_block[index] = self._in_guard[-1]
        if self._import_time_uses:
            self._import_time_uses[-1].append(index)

    def _needs_torch(self, index: int) -> bool:
        use, node = self.uses[index], self._use_nodes[index]
        return (not use.converted and index not in self._gone and use.api.split(".", 1)[0] in self.torch_roots
                and id(node) not in self._method_uses and id(node) not in self._placeholders)

    def _torch_roots_needed(self, function: int | None, block: int | None = None) -> set[str]:
        """Torch roots that the refused uses left in ``function``'s body (None: run at import) still need;
        with ``block``, only those directly in that block of the function."""
        return {self.uses[i].api.split(".", 1)[0] for i in range(len(self.uses))
                if self._use_function.get(i) == function and (block is None or self._use_block.get(i) == block)
                and self._needs_torch(i)}

    # -- blocks: import torch where a refusal needs it -------------------------
    def _import_in_block(self, original, updated, owner: int, scope: int):
        """``import torch`` as the first statement (after a function's docstring) of the innermost block of
        ``owner`` (a function, or a guarded module-level block) that keeps a refused torch use.  ``scope``:
        the import's scope as the import scanner sees it (0 at module level), for idempotency."""
        roots = self._torch_roots_needed(owner, id(original))
        statements = list(updated.body)
        present = {alias.name.value for stmt in statements if isinstance(stmt, cst.SimpleStatementLine)
                   for small in stmt.body if isinstance(small, cst.Import) for alias in small.names
                   if isinstance(alias.name, cst.Name) and alias.asname is None}
        present |= {alias.name.value for small in statements if isinstance(small, cst.Import)
                    for alias in small.names if isinstance(alias.name, cst.Name) and alias.asname is None}
        for root in [r for r in roots if r in present]:  # converted before: its import is already there
            self.kept_function_imports.add((scope, root))
            roots.discard(root)
        if not roots:
            return updated
        imports = [cst.Import(names=[cst.ImportAlias(name=cst.Name(root))]) for root in sorted(roots)]
        if isinstance(updated, cst.SimpleStatementSuite):
            semi = cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" "))
            return updated.with_changes(body=[*(i.with_changes(semicolon=semi) for i in imports), *statements])
        at = self._first_needing(original, statements, owner)
        comment = cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(_COMMENT))
        lines = [cst.SimpleStatementLine(body=[i], trailing_whitespace=comment) for i in imports]
        return updated.with_changes(body=[*statements[:at], *lines, *statements[at:]])

    def _first_needing(self, original, statements: list, owner: int) -> int:
        """Where the import goes: before the first statement of the block that holds one of its refused uses
        (found by the use's marker comment), so the code before it runs without torch (``if not
        _has_ops(): return -1`` first); the block's top (after a docstring) when no marker shows."""
        markers = {f"{MARKER} {self.uses[i].api} (" for i in range(len(self.uses))
                   if self._use_function.get(i) == owner and self._use_block.get(i) == id(original)
                   and self._needs_torch(i)}
        top = 1 if id(original) in self._function_bodies and statements and _is_docstring(statements[0]) else 0
        for index, statement in enumerate(statements[top:], top):
            code = _EMPTY.code_for_node(statement)
            if any(marker in code for marker in markers):
                return index
        return top

    def _guard_compound(self, node) -> None:
        """A module-level ``if``/``for``/``while``/``with``: its blocks may hold their own torch import
        (``try`` is left out: its handlers decide what a failed import means)."""
        if self._in_body or isinstance(node, (cst.Try, cst.TryStar)):
            return
        self._guard_bodies.add(id(node.body))
        orelse = getattr(node, "orelse", None)
        if isinstance(orelse, cst.Else):
            self._guard_bodies.add(id(orelse.body))

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        function = self._function_bodies.get(id(node))
        if function is not None:
            self._in_body.append(function)
        if self._in_body:
            self._blocks.append(id(node))
        elif id(node) in self._guard_bodies:
            self._in_guard.append(id(node))

    def _leave_block(self, original, updated):
        if self._in_body:
            updated = self._import_in_block(original, updated, self._in_body[-1], self._in_body[-1])
            self._blocks.pop()
        elif self._in_guard and self._in_guard[-1] == id(original):
            updated = self._import_in_block(original, updated, id(original), 0)
            self._in_guard.pop()
        if id(original) in self._function_bodies:
            self._in_body.pop()
        return updated

    visit_SimpleStatementSuite = visit_IndentedBlock

    def leave_SimpleStatementSuite(self, original, updated):
        return self._leave_block(original, updated)

    # -- import time: placeholders ----------------------------------------------
    def _import_time_value(self, node: cst.BaseExpression) -> bool:
        """Read as a value when the module is imported: not in a function body, not a decorator, class base
        or assignment target (those keep torch's form)."""
        key = id(node)
        return not (self._in_body or key in self._class_bases or key in self._decorators or key in self._store)

    def _refused_reference(self, original: cst.BaseExpression, qualified: str, reason: str) -> cst.BaseExpression:
        """A refused torch name used as a value.  Where it is evaluated at import time (a module-level
        registry of layer classes, a default value) it becomes a placeholder that raises, naming the API
        and the reason, when used: the module imports without torch and only the code path that uses the
        name fails.  Elsewhere (in a function body, a decorator, a class base) it stays in torch form."""
        self._unsupported(original, qualified, reason)
        return self._refused_form(original, qualified, reason)

    def _refused_base(self, original: cst.BaseExpression, qualified: str, reason: str) -> cst.BaseExpression:
        """A refused torch base class of a class defined at import time: a placeholder base, so the module
        imports and only using the class (instantiating it, ``F.apply(...)``) raises, naming the API."""
        if self._in_body or not self.is_torch(qualified):
            return self._torch_form(qualified)
        self._placeholders.add(id(original))
        return runtime_call(RUNTIME_BASE, qualified, reason)

    def _refused_form(self, original: cst.BaseExpression, qualified: str, reason: str) -> cst.BaseExpression:
        if id(original) in self._class_bases and not self._in_body:
            return self._refused_base(original, qualified, reason)
        if not self._import_time_value(original) or not self.is_torch(qualified):
            return self._torch_form(qualified)
        self._placeholders.add(id(original))  # the module imports the runtime if one survives (leave_Module)
        written = runtime_call(RUNTIME_PLACEHOLDER, qualified, reason)
        if self.uses and self._use_nodes[-1] is original:
            self._placeholder_written[len(self.uses) - 1] = written
        return written

    def _open_import_time(self) -> None:
        if not self._in_body:
            self._import_time_uses.append([])

    def _close_import_time(self, within: cst.CSTNode, written: cst.CSTNode | None = None) -> tuple[str, str] | None:
        """The first refused use still needing torch in ``within`` (the decorator or assigned value being
        left), which then becomes a placeholder (its refusals need no torch any more); None when there is
        none, or when a refusal elsewhere in the statement (an annotation, a target) still needs torch."""
        if self._in_body:
            return None
        indices = self._import_time_uses.pop()
        pending = [i for i in indices if self._needs_torch(i)]
        if written is not None and any(self._placeholder_written.get(i) for i in indices):
            present = _node_ids(written)  # a rewrite may have dropped it (hasattr(torch.compiler, ...) -> False)
            pending += [i for i in indices if i not in pending and id(self._placeholder_written.get(i)) in present
                        and self._computed_with(i, within)]
        if not pending:
            return None
        inside = _node_ids(within)
        if any(id(self._use_nodes[i]) not in inside for i in pending):
            return None
        self._placeholders.update(id(self._use_nodes[i]) for i in pending)
        first = self.uses[pending[0]]
        return first.api, first.reason or "refused"

    def _computed_with(self, index: int, within: cst.CSTNode) -> bool:
        """A refused name already written as a placeholder, but computed with at import time
        (``int(torch.__version__[0]) > 1``): indexed, an attribute read, called, an operand, or converted by
        a builtin (``int``, ``str``, ``len`` ...).  The value as a whole then becomes a placeholder, since the
        computation would fail, or go wrong, before anything uses it.  One only carried (the value itself,
        an item of a list or dict, an argument of ``dict(...)`` or another call: a registry of classes), or
        computed only on a path the value may not take (the right side of ``and``/``or``, a branch of ``x if c
        else y``), stays an item placeholder: it raises where, and only if, that path runs."""
        node = self._use_nodes[index]
        if id(node) not in self._placeholders or self.uses[index].converted:
            return False
        parents = _parents(within)
        computed = False
        while node is not within:
            parent = parents.get(id(node))
            if parent is None:
                return False  # not in this value (an annotation, a target)
            if isinstance(parent, cst.BooleanOperation) and parent.right is node:
                return False  # evaluated only when the left side lets it (`args.mps and torch.backends.mps...()`)
            if isinstance(parent, cst.IfExp) and parent.test is not node:
                return False  # a branch: evaluated only when taken
            if not computed:
                if isinstance(parent, (cst.BinaryOperation, cst.UnaryOperation, cst.Comparison, cst.BooleanOperation)):
                    computed = True
                elif isinstance(parent, (cst.Subscript, cst.Attribute)) and parent.value is node:
                    computed = True
                elif isinstance(parent, cst.Call):
                    if parent.func is not node:
                        return False
                    computed = True
                elif isinstance(parent, cst.Arg):
                    call = parents.get(id(parent))
                    if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value in _BUILTINS):
                        return False
                    computed = True
            node = parent
        return computed

    def visit_Decorator(self, node: cst.Decorator) -> None:
        self._open_import_time()

    def leave_Decorator(self, original: cst.Decorator, updated: cst.Decorator) -> cst.Decorator:
        """``@torch.onnx.symbolic_helper.parse_args("v")`` on a module-level def: a placeholder decorator."""
        if id(original.decorator) in self._directive_sites:  # a directive rewrite decides (leave_FunctionDef)
            if not self._in_body:
                self._import_time_uses.pop()
            return updated
        refused = self._close_import_time(original.decorator)
        if refused is None:
            return updated
        self._replaced_source.append("@" + _EMPTY.code_for_node(original.decorator))
        return updated.with_changes(decorator=runtime_call(RUNTIME_DECORATOR, *refused),
                                    leading_lines=[*updated.leading_lines, *self._source_comments()])

    def _source_comments(self) -> list[cst.EmptyLine]:
        """``# torch2paddle: was: <torch code>`` lines for the code placeholders replaced (nothing is lost)."""
        lines = [line for text in self._replaced_source for line in text.splitlines()]
        self._replaced_source.clear()
        return [cst.EmptyLine(comment=cst.Comment(f"{_WAS} {line.rstrip()}" if line.strip() else _WAS.rstrip(":")))
                for line in lines]

    def _import_time_assignment(self, original, updated):
        """``X = <value with a refused call>`` run at import time: ``X = <placeholder>``."""
        if not isinstance(updated, (cst.Assign, cst.AnnAssign)):  # an access rewrite replaced the statement
            if not self._in_body:
                self._import_time_uses.pop()
            return updated
        refused = self._close_import_time(original.value, updated.value) if original.value is not None else None
        if refused is None:
            return updated
        self._replaced_source.append(_EMPTY.code_for_node(original))
        return updated.with_changes(value=runtime_call(RUNTIME_PLACEHOLDER, *refused))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._open_import_time()

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
        if original.value is None and not self._in_body:
            self._import_time_uses.pop()
            return updated
        return self._import_time_assignment(original, updated)
