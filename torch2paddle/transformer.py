"""The libcst transformer: torch API uses in one module -> Paddle, driven by the tables.

It rewrites calls (generic argument pipeline or a named rewrite), references
that are not calls (``isinstance(m, nn.Conv2d)``, base classes, annotations,
default values), method calls whose receiver is or may be a tensor/layer, and
calls through names that only ever hold torch layer classes.  A use that
cannot be converted safely is left in its torch form, written out in full
(``torch.x.y``) so it still resolves, with a marker comment on its line.
Imports are rewritten last (``import_rewriter``), from what the output really uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import libcst as cst

from .arguments import keyword_rules
from .fastwalk import FastDispatch
from .imports import ScanResult, build_dotted, dotted_name
from .call_sites import CallSites
from .positions import start_positions
from .refusal_scope import RefusalScopes
from .report import ApiUse
from .runtime import LAYER_FACTORIES, PLACEHOLDERS
from .rewrites._removal import without_lines
from .tables import ApiEntry, Tables, torch_only_dtype_names, torch_only_tensor_methods, torch_only_tensor_names
from .transform.support import _is_super_init
from .transform.reports import UseReports
from .transform.runtime_dispatch import RuntimeDispatch
from .transform.directives import Directives
from .transform.accesses import Accesses
from .transform.calls import ApiCalls
from .transform.kinds import ValueKinds
from .transform.references import References
from .transform.definitions import Definitions
from .transform.statements import Statements
from .transform.attempts import Attempts
from .transform.facts import SyntaxFacts, syntax_facts


@dataclass
class _Rendered:
    """Names one attempt rendered (see transform/attempts.py): counted only if it commits."""

    used: set[tuple[int, str]] = field(default_factory=set)
    needs_paddle_root: bool = False
    modules: set[str] = field(default_factory=set)


@dataclass
class OutputNames:
    """Local names the converted file binds to Paddle modules/objects, per scope, and which got used.

    Scope 0 is the module; a function's own imports (scope ``id(FunctionDef)``)
    are usable only while the transformer is inside that function (``active``).
    What a rewrite renders counts only once its attempt commits (``begin``/``end``).
    """

    scopes: dict[int, dict[str, str]]  # scope -> {local -> paddle qualified name}
    used: set[tuple[int, str]] = field(default_factory=set)
    needs_paddle_root: bool = False
    modules: set[str] = field(default_factory=set)  # roots of non-paddle targets rendered (typing, functools)
    active: list[int] = field(default_factory=list)  # the functions being transformed, outermost first
    _open: list[_Rendered] = field(default_factory=list)  # the attempts in progress, innermost last

    def begin(self) -> None:
        self._open.append(_Rendered())

    def end(self, commit: bool) -> None:
        rendered = self._open.pop()
        if commit:
            into = self._open[-1] if self._open else self
            into.used |= rendered.used
            into.needs_paddle_root = into.needs_paddle_root or rendered.needs_paddle_root
            into.modules |= rendered.modules

    def _lookups(self):
        for scope in [*reversed(self.active), 0]:
            aliases = self.scopes.get(scope)
            if aliases:
                yield scope, aliases

    def render(self, qualified: str) -> cst.BaseExpression:
        record = self._open[-1] if self._open else self
        if not qualified.startswith("paddle.") and qualified != "paddle":
            if "." in qualified:  # typing.Final: the output must import typing (a plain name is a builtin)
                record.modules.add(qualified.split(".", 1)[0])
            return build_dotted(qualified)  # builtins or stdlib targets
        for scope, aliases in self._lookups():
            for local, target in aliases.items():
                if target == qualified:
                    record.used.add((scope, local))
                    return cst.Name(local)
        best: tuple[int, int, str, str] | None = None  # longest module prefix, innermost scope first
        for scope, aliases in self._lookups():
            for local, module in aliases.items():
                if qualified.startswith(module + ".") and (best is None or len(module) > best[0]):
                    best = (len(module), scope, local, module)
        if best is not None:
            _, scope, local, module = best
            record.used.add((scope, local))
            return build_dotted(local + qualified[len(module):])
        record.needs_paddle_root = True
        return build_dotted(qualified)


class TorchToPaddle(FastDispatch, Attempts, RefusalScopes, UseReports, RuntimeDispatch, Directives, Accesses,
                    ApiCalls, ValueKinds, References, Definitions, Statements, cst.CSTTransformer):
    """One file's conversion: the shared state (set up here), the scope bookkeeping and the dispatch of calls.

    Each concern is a mixin of its own module under ``transform/`` (references, calls, accesses, run-time
    dispatch, value kinds, directives, definitions, statements, reports), and
    ``refusal_scope.py`` places what a refused use still needs.
    """

    def __init__(self, tables: Tables, scan: ScanResult, output: OutputNames, torch_roots: frozenset[str],
                 torch_init: bool = False, layer_calls: dict[str, str] | None = None,
                 outside_names: frozenset[str] | None = None):
        super().__init__()
        self.tables = tables
        # project classes deriving from a torch layer without their own __init__ -> that layer (project facts)
        self.layer_calls = dict(layer_calls or {})
        self.torch_init = torch_init  # write torch's default initialisation on layers (entries' torch_init)
        self.scan = scan
        self.output = output
        self.torch_roots = torch_roots
        self.uses: list[ApiUse] = []  # line/column filled in by resolve_positions() after the visit
        self._use_nodes: list[cst.CSTNode] = []  # the original node of each use
        self.leftover_roots: set[str] = set()  # torch roots that unsupported uses at import time still need
        # A refusal costs only its own code path (refusal_scope.py)
        self._init_refusal_scopes()
        self.runtime_apis: set[str] = set()  # entries whose **kwargs the run-time adapter translates
        self._pending_runtime: set[str] = set()  # ... for the call being converted (committed on success)
        self._layer_bases: list[ApiEntry | None] = []  # per class: the torch layer it derives from
        self._plain_classes: set[str] = set()  # classes of this file with no torch base (config records)
        self._module: cst.Module | None = None  # the module as written (call-site facts are read off it)
        self._function_nodes: list[cst.FunctionDef] = []  # the definitions being converted, outermost first
        self._call_sites: CallSites | None = None  # read on first need (call_sites.py)
        # names of this module other project modules import (None: unknown, e.g. one file converted alone)
        self.outside_names = outside_names
        self._torch_only = torch_only_tensor_names()  # torch.Tensor names Paddle lacks
        self._torch_only_methods = torch_only_tensor_methods()  # ... of which methods: only their calls count
        self._dtype_only = torch_only_dtype_names()  # torch.dtype names Paddle's dtypes lack
        self._value_layers: set[str] = set()
        self.value_layers: frozenset[str] = frozenset()  # set at the end: reported for the package's factories  # torch layer classes the file uses as values (not called)
        self._factory_calls = 0  # calls of parameters annotated Callable[..., nn.Module], translated at run time
        self._helpers_used = False  # an access rewrite wrote a call of a run-time helper
        self._gone: set[int] = set()  # uses inside arguments that a call dropped
        self.import_nodes: set[int] = set()
        self._scopes: list[frozenset[str]] = []
        self._markers: list[list[tuple[str, int, str | None]]] = []  # per statement: (text, use index, probe)
        self._classes: list[bool] = []
        self._module_classes: set[str] = set()
        self._torch_api_classes: set[str] = set()  # classes of this file deriving from a run-time torch API class
        self._types: list[dict[str, str]] = [{}]  # per function: local name -> "tensor" | "module"
        self._tuple_names: list[dict[str, tuple[str, ...]]] = [{}]  # per function: `r = x.max(1)` -> r's fields
        self._layer_attributes: set[str] = set()  # self.<name> assigned a torch layer somewhere in the file
        self._self_layer_classes: dict[str, str] = {}  # self.<name> -> the torch layer class it was assigned
        self._bound_cache: dict[str, tuple[list[ApiEntry], bool]] = {}
        # statement-level context for rewrites (see CallContext / AccessContext)
        self._after: list[list[cst.BaseSmallStatement]] = []  # per statement line: statements to add after it
        self._assigned: dict[int, cst.BaseExpression] = {}  # id(call) -> `x` of a `x = call(...)` line
        self._scope_state: list[dict] = [{}]  # per function: scratch space of the rewrites
        self._attempts: list = []  # the rewrites in progress and what they asked for (transform/attempts.py)
        # True/False literals a constant rewrite produced (not the user's), for the folding pass
        # (transform/constants.py); held so that their ids stay theirs
        self.constants: dict[int, cst.CSTNode] = {}
        self._method_uses: set[int] = set()  # unsupported uses left as `x.method(...)`: no torch import needed
        # converted calls whose torch result is a named tuple: id(original call) -> its field names
        self._tuple_results: dict[int, tuple[str, ...]] = {}
        # compiler directives used as a decorator or a statement: id(node) -> (site, entry, qualified name)
        self._directive_sites: dict[int, tuple[str, ApiEntry, str]] = {}
        self._removed_lines: dict[int, list[cst.EmptyLine]] = {}  # id(placeholder line) -> comment lines it leaves
        self._unwrapped: set[int] = set()  # directive calls replaced by their argument: `m = torch.compile(m)` goes
        self._attribute_methods = {
            name for name, es in tables.methods.items() if any(e.kind == "attribute" for e in es)
        }
        self._read_facts(SyntaxFacts())  # the file's own, from the facts pass, when the visit starts
        self._tensor_attributes = {  # ... of tensors only (`x.mH`), never a layer's buffer such as `running_var`
            name for name, es in tables.methods.items()
            if all(e.kind == "attribute" and e.name.startswith("torch.Tensor.") for e in es)
        }

    # -- name resolution -----------------------------------------------------
    def qualify(self, node: cst.BaseExpression) -> str | None:
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        qualified = None
        for function in reversed(self.output.active):  # a function's own imports first
            qualified = self.scan.function_aliases.get(function, {}).get(head)
            if qualified is not None:
                break
        if qualified is None:
            qualified = self.scan.aliases.get(head)
            if qualified is None or any(head in scope for scope in self._scopes):
                return None
        return f"{qualified}.{rest}" if rest else qualified

    def is_torch(self, qualified: str) -> bool:
        return qualified.split(".", 1)[0] in self.torch_roots

    def lookup(self, qualified: str) -> tuple[ApiEntry | None, str]:
        """The entry for ``qualified`` or for its longest prefix (returning the rest)."""
        entry = self.tables.apis.get(qualified)
        if entry is not None:
            return entry, ""
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            if prefix in self.tables.modules:
                return None, ""
            entry = self.tables.apis.get(prefix)
            if entry is not None:
                return entry, ".".join(parts[cut:])
        return None, ""

    def resolve_entry(self, node: cst.BaseExpression) -> ApiEntry | None:
        qualified = self.qualify(node)
        return self.tables.apis.get(qualified) if qualified else None

    # -- bookkeeping ---------------------------------------------------------
    def resolve_positions(self, module: cst.Module) -> None:
        """Fill in each use's line and column from the original module (0, 0 for a node not in it).

        Positions are computed once, after the visit, for the reported nodes only
        (see ``positions``): cheaper than libcst's PositionProvider over every node.
        """
        starts = start_positions(module, self._use_nodes)
        self.uses = [
            replace(use, line=pos[0], column=pos[1]) if (pos := starts.get(id(node))) else use
            for use, node in zip(self.uses, self._use_nodes)
        ]

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        if self._removed_lines:
            updated = without_lines(updated, self._removed_lines)
        self.leftover_roots |= self._torch_roots_needed(None)
        if self._factory_calls:  # their keywords are translated for whichever value layer they get
            self.runtime_apis |= self._value_layers | {LAYER_FACTORIES}
        self.value_layers = frozenset(self._value_layers)
        if self._helpers_used or any(id(node) in self._placeholders
                                     for i, node in enumerate(self._use_nodes) if i not in self._gone):
            self.runtime_apis.add(PLACEHOLDERS)
        if self._gone:
            keep = [i for i in range(len(self.uses)) if i not in self._gone]
            self.uses = [self.uses[i] for i in keep]
            self._use_nodes = [self._use_nodes[i] for i in keep]
            self._use_function = {}
            self._use_block = {}
        return updated

    def _is_method_use(self, node: cst.CSTNode) -> bool:
        """``x.split(n)`` / ``bn.num_batches_tracked``: left as written, it needs no torch import."""
        func = node.func if isinstance(node, cst.Call) else node
        while isinstance(func, cst.Subscript):
            func = func.value
        return isinstance(func, cst.Attribute) and self.qualify(func.value) is None and \
            self.qualify(func) is None

    # -- skip sets: names that are not references -----------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:
        self.import_nodes.add(id(updated))
        return updated

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        self.import_nodes.add(id(updated))
        return updated

    # -- scopes and statements (markers attach to the statement's line) -------
    def visit_Module(self, node: cst.Module) -> None:
        self._module = node
        self._read_facts(syntax_facts(node, self._attribute_methods))  # the read-only facts pass

    def _read_facts(self, facts: SyntaxFacts) -> None:
        """Node roles from the facts pass (transform/facts.py), read under the names the mixins use."""
        self._skip, self._inner, self._call_funcs, self._chained = (facts.skip, facts.inner, facts.call_funcs,
                                                                     facts.chained)
        self._store, self._claimed, self._access_roots, self._loop_iters = (facts.store, facts.claimed,
                                                                             facts.access_roots, facts.loop_iters)
        self._decorators, self._class_bases = facts.decorators, facts.class_bases  # (decorators never placeholders)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = original.func
        qualified = self.qualify(func)
        if qualified is not None:
            return self._api_call(original, updated, qualified)
        looked_up = self._torch_lookup(func)
        if looked_up is not None:
            return self._torch_attr_call(original, updated, looked_up)
        if isinstance(func, cst.Attribute) and func.attr.value in self._attribute_methods:
            new_func = self._method_access(func, updated.func)  # e.g. ddp.module(x): the attribute, then called
            if new_func is not None:
                return updated.with_changes(func=new_func)
        if isinstance(func, cst.Attribute) and func.attr.value in self.tables.methods:
            return self._method_call(original, updated)
        if isinstance(func, cst.Attribute) and func.attr.value in self._torch_only:
            self._torch_only_use(original, func)
            return updated
        if (isinstance(func, cst.Name) and self._types[-1].get(func.value) == "layer_factory"
                and not self._bound_entries(func.value)[0]):
            return self._layer_factory_call(original, updated, func.value)
        if isinstance(func, cst.Name) and func.value in self.scan.bound_values:
            return self._bound_name_call(original, updated, func.value)
        if isinstance(func, cst.Name) and func.value == "hasattr":
            return self._feature_probe(original, updated)
        if isinstance(func, cst.Name) and func.value == "next":
            return self._next_of_list(original, updated)
        if self._layer_bases and self._layer_bases[-1] is not None and _is_super_init(func):
            return self._super_init(original, updated, self._layer_bases[-1])
        if isinstance(func, cst.Name) and func.value in self.layer_calls and not any(
                func.value in scope for scope in self._scopes):
            entry = self.tables.apis.get(self.layer_calls[func.value])
            if entry is not None and not entry.unsupported and entry.rewrite is None and keyword_rules(entry):
                return self._super_init(original, updated, entry, label=f"{func.value}(...) -> {entry.name}")
        return updated
