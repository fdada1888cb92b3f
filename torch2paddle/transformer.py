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

from typing import Sequence

import libcst as cst

from .arguments import (AccessContext, CallContext, ClassContext, DirectiveContext, InitContext, UnsupportedUse,
                        append_args, fix_commas, keyword_rules, map_arguments, source_of)
from .fastwalk import FastDispatch
from .imports import ScanResult, build_dotted, dotted_name, opens_file
from .call_sites import CallSites, call_sites, parameter_holds_layer_weight
from .positions import start_positions
from .refusal_scope import RefusalScopes, runtime_call
from .report import ApiUse, marker_text
from .runtime import (LAYER_FACTORIES, DISPATCH as RUNTIME_DISPATCH, FUNCTION as RUNTIME_FUNCTION, MODULE as RUNTIME_MODULE,
                      PLACEHOLDER as RUNTIME_PLACEHOLDER, PLACEHOLDERS, RUNTIME_REASON, spec_of)
from .rewrites.module_train import decorate_train_override, overrides_train
from .rewrites import (ACCESS_REWRITES, BASES_ONLY, CALL_REWRITES, CLASS_REWRITES, DIRECTIVE_REWRITES, INIT_REWRITES,
                       NAME_CONVERTS, VALUE_REWRITES)
from .rewrites._removal import kept_lines, without_decorators, without_lines, without_self_assignments
from .rewrites._support import keyword
from .tables import ApiEntry, Tables, torch_only_dtype_names, torch_only_tensor_methods, torch_only_tensor_names

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


@dataclass
class OutputNames:
    """Local names the converted file binds to Paddle modules/objects, per scope, and which got used.

    Scope 0 is the module; a function's own imports (scope ``id(FunctionDef)``)
    are usable only while the transformer is inside that function (``active``).
    """

    scopes: dict[int, dict[str, str]]  # scope -> {local -> paddle qualified name}
    used: set[tuple[int, str]] = field(default_factory=set)
    needs_paddle_root: bool = False
    modules: set[str] = field(default_factory=set)  # roots of non-paddle targets rendered (typing, functools)
    active: list[int] = field(default_factory=list)  # the functions being transformed, outermost first

    def _lookups(self):
        for scope in [*reversed(self.active), 0]:
            aliases = self.scopes.get(scope)
            if aliases:
                yield scope, aliases

    def marks(self) -> tuple[frozenset, bool, frozenset]:
        return frozenset(self.used), self.needs_paddle_root, frozenset(self.modules)

    def restore(self, marks: tuple[frozenset, bool, frozenset]) -> None:
        self.used, self.needs_paddle_root, self.modules = set(marks[0]), marks[1], set(marks[2])

    def render(self, qualified: str) -> cst.BaseExpression:
        if not qualified.startswith("paddle.") and qualified != "paddle":
            if "." in qualified:  # typing.Final: the output must import typing (a plain name is a builtin)
                self.modules.add(qualified.split(".", 1)[0])
            return build_dotted(qualified)  # builtins or stdlib targets
        for scope, aliases in self._lookups():
            for local, target in aliases.items():
                if target == qualified:
                    self.used.add((scope, local))
                    return cst.Name(local)
        best: tuple[int, int, str, str] | None = None  # longest module prefix, innermost scope first
        for scope, aliases in self._lookups():
            for local, module in aliases.items():
                if qualified.startswith(module + ".") and (best is None or len(module) > best[0]):
                    best = (len(module), scope, local, module)
        if best is not None:
            _, scope, local, module = best
            self.used.add((scope, local))
            return build_dotted(local + qualified[len(module):])
        self.needs_paddle_root = True
        return build_dotted(qualified)


class TorchToPaddle(FastDispatch, RefusalScopes, cst.CSTTransformer):
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
        self._decorators: set[int] = set()  # decorator expressions (evaluated at definition: never placeholders)
        self._gone: set[int] = set()  # uses inside arguments that a call dropped
        self.import_nodes: set[int] = set()
        self._skip: set[int] = set()
        self._inner: set[int] = set()
        self._call_funcs: set[int] = set()
        self._scopes: list[frozenset[str]] = []
        self._markers: list[list[tuple[str, int, str | None]]] = []  # per statement: (text, use index, probe)
        self._classes: list[bool] = []
        self._module_classes: set[str] = set()
        self._types: list[dict[str, str]] = [{}]  # per function: local name -> "tensor" | "module"
        self._tuple_names: list[dict[str, tuple[str, ...]]] = [{}]  # per function: `r = x.max(1)` -> r's fields
        self._layer_attributes: set[str] = set()  # self.<name> assigned a torch layer somewhere in the file
        self._self_layer_classes: dict[str, str] = {}  # self.<name> -> the torch layer class it was assigned
        self._bound_cache: dict[str, tuple[list[ApiEntry], bool]] = {}
        # statement-level context for rewrites (see CallContext / AccessContext)
        self._after: list[list[cst.BaseSmallStatement]] = []  # per statement line: statements to add after it
        self._assigned: dict[int, cst.BaseExpression] = {}  # id(call) -> `x` of a `x = call(...)` line
        self._scope_state: list[dict] = [{}]  # per function: scratch space of the rewrites
        self._store: dict[int, bool] = {}  # id(assignment target) -> augmented assignment?
        self._access_roots: set[int] = set()  # outermost subscripts of method-attribute accesses
        self._claimed: set[int] = set()  # their inner parts, rewritten as a whole
        self._chained: dict[int, str] = {}  # id(call) -> the method called on its result
        # True/False literals a constant rewrite produced (not the user's), held so that their ids stay theirs
        self._constants: dict[int, cst.CSTNode] = {}
        self._class_bases: set[int] = set()  # base-class expressions: one with a class rewrite waits for its class
        self._method_uses: set[int] = set()  # unsupported uses left as `x.method(...)`: no torch import needed
        self._loop_iters: set[int] = set()  # `for x in obj.attr:` iterables of method-attribute entries
        # converted calls whose torch result is a named tuple: id(original call) -> its field names
        self._tuple_results: dict[int, tuple[str, ...]] = {}
        # compiler directives used as a decorator or a statement: id(node) -> (site, entry, qualified name)
        self._directive_sites: dict[int, tuple[str, ApiEntry, str]] = {}
        self._removed_lines: dict[int, list[cst.EmptyLine]] = {}  # id(placeholder line) -> comment lines it leaves
        self._unwrapped: set[int] = set()  # directive calls replaced by their argument: `m = torch.compile(m)` goes
        self._attribute_methods = {
            name for name, es in tables.methods.items() if any(e.kind == "attribute" for e in es)
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

    def _add_use(self, node: cst.CSTNode, use: ApiUse) -> None:
        self.uses.append(use)
        self._use_nodes.append(node)

    def _record(self, node: cst.CSTNode, api: str, target: str | None) -> None:
        self._add_use(node, ApiUse(api, 0, 0, True, target))
        if isinstance(node, cst.Call):
            entry = self.tables.apis.get(api) or next(
                (e for e in self.tables.lookup_method(api.rsplit(".", 1)[-1]) if e.name == api), None)
            if entry is not None and entry.result_fields:
                self._tuple_results[id(node)] = entry.result_fields

    def _unsupported(self, node: cst.CSTNode, api: str, reason: str) -> None:
        self._add_use(node, ApiUse(api, 0, 0, False, None, reason))
        self._locate_refusal(len(self.uses) - 1)
        if self._is_method_use(node):  # decided here, while the node's scope is the current one
            self._method_uses.add(id(node))
        if self._markers:
            marker = marker_text(api, reason, documented=self.tables.entry(api) is not None)  # a long reason cut
            self._markers[-1].append((marker, len(self.uses) - 1, _probe(api)))

    def _kept_markers(self, statement: cst.CSTNode, markers: list) -> list[str]:
        """Marker texts of the uses still in the statement; a use inside an argument a call
        dropped (``layout=torch.strided``) is gone, and so is its report."""
        code = None
        kept = []
        for text, index, probe in markers:
            if probe is not None:
                code = code if code is not None else _EMPTY_MODULE.code_for_node(statement)
                if probe not in code:
                    self._gone.add(index)
                    continue
            kept.append(text)
        return kept

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

    def _commit_runtime(self, recorded: bool) -> None:
        """A call converted with ``_pending_runtime`` entries: the module needs the run-time adapter, and the
        use just recorded (where one was) says in the report that its keywords are translated at run time."""
        if self._pending_runtime and recorded:
            self.uses[-1] = replace(self.uses[-1], reason=RUNTIME_REASON)
        self.runtime_apis |= self._pending_runtime

    def _runtime_keywords(self, entry: ApiEntry, mapping: cst.BaseExpression,
                          defaults: list[cst.Arg]) -> cst.BaseExpression | None:
        """``runtime.kwargs("torch.x", mapping, **defaults)``: ``**mapping`` translated when the call runs."""
        if spec_of(entry) is None:
            return None
        self._pending_runtime.add(entry.name)
        args = [cst.Arg(cst.SimpleString(f'"{entry.name}"')), cst.Arg(mapping), *defaults]
        return cst.Call(func=cst.Attribute(value=cst.Name(RUNTIME_MODULE), attr=cst.Name(RUNTIME_FUNCTION)),
                        args=fix_commas([], args))

    def _dispatched_call(self, updated: cst.Call, entries: list[ApiEntry]) -> cst.Call | None:
        """``act_layer(inplace=True)`` where ``act_layer`` may hold a torch layer class or anything else:
        positional arguments as written, every keyword through ``kwargs_for``, which translates them for the
        class the name holds when the call runs (and passes them unchanged to anything else).  None when a
        positional argument's meaning differs in Paddle or an entry's keywords cannot run as data."""
        positional = [a for a in updated.args if not a.star and a.keyword is None]
        keywords = [a for a in updated.args if a not in positional]
        if not keywords or any(a.star == "*" for a in keywords):
            return None
        for entry in entries:
            if spec_of(entry) is None:
                return None
            fixed = entry.args[:len(positional)]
            if len(fixed) < len(positional) or entry.paddle_positions()[:len(fixed)] != fixed or any(
                    name in entry.drop or name in entry.values or name in entry.unsupported_args for name in fixed):
                return None
        self.runtime_apis.update(e.name for e in entries)
        return _through_kwargs_for(updated, positional, keywords)

    def _runtime_helper(self, name: str) -> cst.BaseExpression:
        """``_torch2paddle_runtime.<name>``: the file then imports the generated run-time module."""
        self._helpers_used = True
        return cst.Attribute(value=cst.Name(RUNTIME_MODULE), attr=cst.Name(name))

    def _dispatching_keywords(self, callee: cst.BaseExpression):
        """``runtime.kwargs_for(callee, mapping)``: ``**mapping`` translated for the class ``callee`` holds when
        the call runs (left as it is for anything the tables do not map, such as a project class)."""
        def build(entry: ApiEntry, mapping: cst.BaseExpression, defaults: list[cst.Arg]) -> cst.BaseExpression | None:
            if defaults or spec_of(entry) is None:
                return None  # torch defaults to write out would depend on the class: refused
            self._pending_runtime.add(entry.name)
            return cst.Call(func=cst.Attribute(value=cst.Name(RUNTIME_MODULE), attr=cst.Name(RUNTIME_DISPATCH)),
                            args=fix_commas([], [cst.Arg(callee), cst.Arg(mapping)]))
        return build

    def _is_method_use(self, node: cst.CSTNode) -> bool:
        """``x.split(n)`` / ``bn.num_batches_tracked``: left as written, it needs no torch import."""
        func = node.func if isinstance(node, cst.Call) else node
        while isinstance(func, cst.Subscript):
            func = func.value
        return isinstance(func, cst.Attribute) and self.qualify(func.value) is None and \
            self.qualify(func) is None

    def _torch_form(self, qualified: str) -> cst.BaseExpression:
        return build_dotted(qualified)

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

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.attr))
        self._inner.add(id(node.value))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip.add(id(node.keyword))

    def visit_Param(self, node: cst.Param) -> None:
        self._skip.add(id(node.name))

    def visit_Call(self, node: cst.Call) -> None:
        self._call_funcs.add(id(node.func))
        if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call):
            self._chained[id(node.func.value)] = node.func.attr.value  # x.numel().item(): "item"

    # -- scopes and statements (markers attach to the statement's line) -------
    def visit_Module(self, node: cst.Module) -> None:
        self._module = node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._function_nodes.append(node)
        self._decorators.update(id(d.decorator) for d in node.decorators)
        self._claim_decorators(node)
        self._skip.add(id(node.name))
        self._scopes.append(self.scan.function_locals.get(id(node), frozenset()))
        self._markers.append([])
        self._types.append(self._parameter_types(node))
        self._tuple_names.append({})
        self._scope_state.append({})
        self.output.active.append(id(node))
        self._function_bodies[id(node.body)] = id(node)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self._function_nodes.pop()
        self._scopes.pop()
        self._types.pop()
        self._tuple_names.pop()
        self._scope_state.pop()
        self.output.active.pop()
        updated = self._directive_decorators(original, updated, "function")
        return self._attach_block(updated)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._decorators.update(id(d.decorator) for d in node.decorators)
        self._claim_decorators(node)
        self._skip.add(id(node.name))
        self._class_bases.update(id(base.value) for base in node.bases)
        is_module = False
        for base in node.bases:
            qualified = self.qualify(base.value)
            if qualified and (qualified.startswith("torch.nn.") or getattr(
                    self.tables.apis.get(qualified), "target", None) == "paddle.nn.Layer"):  # torch.jit.ScriptModule
                is_module = True
            elif isinstance(base.value, cst.Name) and base.value.value in self._module_classes:
                is_module = True
        if is_module:
            self._module_classes.add(node.name.value)
        elif not any(self.qualify(b.value) for b in node.bases):
            self._plain_classes.add(node.name.value)  # no torch base: its instances are no layers, no tensors
        self._classes.append(is_module)
        self._layer_bases.append(self._layer_base(node))
        self._markers.append([])

    def _layer_base(self, node: cst.ClassDef) -> ApiEntry | None:
        """The entry of a torch layer class this class derives from directly (``class BNAct(nn.BatchNorm2d)``),
        whose ``super().__init__(...)`` takes torch's arguments; None for anything else."""
        for base in node.bases:
            qualified = self.qualify(base.value) if base.keyword is None else None
            entry = self.tables.apis.get(qualified) if qualified else None
            if (entry is not None and not entry.unsupported and entry.target and entry.kind == "callable"
                    and entry.target.rsplit(".", 1)[-1][:1].isupper()
                    and (entry.rewrite is None or entry.rewrite in CALL_REWRITES)
                    and entry.name != "torch.nn.Module" and (keyword_rules(entry) or entry.rewrite)):
                return entry
        return None

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        if overrides_train(updated, is_layer=self._classes.pop()):
            updated = decorate_train_override(updated, self._runtime_helper)
        self._layer_bases.pop()
        for i, base in enumerate(original.bases):
            qualified = self.qualify(base.value) if base.keyword is None else None
            entry = self.lookup(qualified)[0] if qualified else None
            if entry is None or entry.unsupported or entry.rewrite not in CLASS_REWRITES:
                continue
            marks = self.output.marks()  # names a refused rewrite rendered must not count as used
            try:
                converted = CLASS_REWRITES[entry.rewrite](ClassContext(entry, updated, self.output.render))
            except UnsupportedUse as exc:  # the base stays in torch form, spelled out, with the reason
                self.output.restore(marks)
                self._unsupported(base.value, qualified, str(exc))
                bases = list(updated.bases)
                bases[i] = bases[i].with_changes(value=self._refused_base(base.value, qualified, str(exc)))
                updated = updated.with_changes(bases=bases)
                continue
            bases = list(converted.bases)
            bases[i] = bases[i].with_changes(value=self.output.render(entry.target))
            updated = converted.with_changes(bases=bases)
            self._record(base.value, qualified, entry.target)
        return self._attach_block(self._directive_decorators(original, updated, "class"))

    # -- compiler directives (DIRECTIVE_REWRITES): decorators, statements, calls ----------------------
    def _directive_entry(self, func: cst.BaseExpression) -> tuple[ApiEntry, str] | None:
        qualified = self.qualify(func)
        entry = self.tables.apis.get(qualified) if qualified else None
        if entry is None or entry.unsupported or entry.rewrite not in DIRECTIVE_REWRITES:
            return None
        return entry, qualified

    def _claim(self, node: cst.BaseExpression, site: str) -> None:
        found = self._directive_entry(node.func if isinstance(node, cst.Call) else node)
        if found is not None:
            self._directive_sites[id(node)] = (site, *found)

    def _claim_decorators(self, node) -> None:
        for decorator in node.decorators:
            self._claim(decorator.decorator, "decorator")

    def _directive(self, entry: ApiEntry, qualified: str, original, updated, site: str, definition=None):
        """Run the entry's directive rewrite: REMOVE, the new expression, or the torch form when refused."""
        context = DirectiveContext(entry, site, updated, self.output.render,
                                   not self.output.active and not self._classes, definition)
        marks = self.output.marks()  # names a refused rewrite rendered must not count as used
        try:
            new = DIRECTIVE_REWRITES[entry.rewrite](context)
            if new is None and site == "call":
                raise UnsupportedUse("a call cannot be removed")
        except UnsupportedUse as exc:
            self.output.restore(marks)
            self._unsupported(original, qualified, str(exc))
            if isinstance(updated, cst.Call):
                return updated.with_changes(func=self._torch_form(qualified))
            return self._torch_form(qualified)
        self._record(original, qualified, None)  # nothing of Paddle's is written
        if site == "call":
            self._unwrapped.add(id(original))
        if new is None or isinstance(new, cst.BaseSmallStatement):  # removed, or a statement of its own
            return cst.RemovalSentinel.REMOVE if new is None else new
        return _keep_parentheses(updated, new)

    def _directive_decorators(self, original, updated, definition: str):
        """The definition without the directive decorators their rewrites remove (their comments kept)."""
        claims = [(i, self._directive_sites.get(id(d.decorator))) for i, d in enumerate(original.decorators)]
        if not any(claim for _, claim in claims):
            return updated
        decorators, drop = list(updated.decorators), set()
        for i, claim in claims:
            if claim is not None:
                site, entry, qualified = claim
                new = self._directive(entry, qualified, original.decorators[i].decorator, decorators[i].decorator,
                                      site, definition)
                if new is cst.RemovalSentinel.REMOVE:
                    drop.add(i)
                else:
                    decorators[i] = decorators[i].with_changes(decorator=new)
        return without_decorators(updated.with_changes(decorators=decorators), drop)

    def leave_Expr(self, original: cst.Expr, updated: cst.Expr):
        claim = self._directive_sites.get(id(original.value))
        if claim is None or claim[0] != "statement":
            return updated
        new = self._directive(claim[1], claim[2], original.value, updated.value, "statement")
        if new is cst.RemovalSentinel.REMOVE or isinstance(new, cst.BaseSmallStatement):
            return new
        return updated.with_changes(value=new)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._markers.append([])
        self._after.append([])
        for small in node.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.value, cst.Call):
                self._assigned[id(small.value)] = small.targets[0].target
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                self._claim(small.value, "statement")  # torch.fx.wrap("f")

    def leave_SimpleStatementLine(self, original, updated: cst.SimpleStatementLine):
        markers = self._kept_markers(updated, self._markers.pop())
        after = self._after.pop()
        if self._replaced_source:  # placeholders stand where torch code was: keep that code, as comments
            updated = updated.with_changes(leading_lines=[*updated.leading_lines, *self._source_comments()])
        if self._unwrapped:
            updated = without_self_assignments(original, updated, self._unwrapped)
        if not updated.body and not after:  # every statement of the line was removed (torch.fx.wrap("f"))
            lines = kept_lines(updated.leading_lines, updated.trailing_whitespace)
            if not lines:
                return cst.RemovalSentinel.REMOVE
            placeholder = updated.with_changes(body=[cst.Pass()])  # dropped by its block, comments kept
            self._removed_lines[id(placeholder)] = lines
            return placeholder
        if markers:
            updated = updated.with_changes(trailing_whitespace=_with_markers(updated.trailing_whitespace, markers))
        if after:  # statements a rewrite added (e.g. optimizer.set_lr_scheduler(scheduler))
            return cst.FlattenSentinel([updated, *(cst.SimpleStatementLine(body=[s]) for s in after)])
        return updated

    def _visit_compound(self, node) -> None:
        self._markers.append([])
        self._guard_compound(node)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        updated = self._leave_block(original, updated)
        if self._removed_lines:
            return without_lines(updated, self._removed_lines)
        return updated

    def _attach_block(self, updated):
        markers = [text for text, _, _ in self._markers.pop()]
        if not markers:
            return updated
        body = updated.body
        if isinstance(body, cst.IndentedBlock):
            return updated.with_changes(body=body.with_changes(header=_with_markers(body.header, markers)))
        if isinstance(body, cst.SimpleStatementSuite):
            return updated.with_changes(
                body=body.with_changes(trailing_whitespace=_with_markers(body.trailing_whitespace, markers))
            )
        return updated

    visit_If = visit_While = visit_With = visit_Try = _visit_compound

    def leave_If(self, original, updated):
        return self._attach_block(updated)

    leave_While = leave_With = leave_Try = leave_If

    def visit_For(self, node: cst.For) -> None:
        self._visit_compound(node)
        it = node.iter
        if isinstance(it, cst.Attribute) and it.attr.value in self._attribute_methods:
            # `for g in optimizer.param_groups: ...`: the loop as a whole goes to the access rewrite
            self._claimed.add(id(it))
            self._loop_iters.add(id(it))

    def leave_For(self, original: cst.For, updated: cst.For):
        if id(original.iter) in self._loop_iters and self.qualify(original.iter.value) is None \
                and self._receiver_kind(original.iter.value) != "other":
            it = updated.iter
            entries = [e for e in self.tables.lookup_method(it.attr.value) if e.kind == "attribute"]
            context = AccessContext(entries[0], it, self.output.render, receiver=it.value, loop=updated,
                                    resolve=self.resolve_entry, bound_values=self._bound_values)
            new = self._access(original.iter, entries[0].name, context)
            if isinstance(new, cst.SimpleStatementLine):
                markers = [text for text, _, _ in self._markers.pop()]
                new = new.with_changes(leading_lines=[*updated.leading_lines, *new.leading_lines])
                if markers:
                    new = new.with_changes(trailing_whitespace=_with_markers(new.trailing_whitespace, markers))
                return new
        return self._attach_block(updated)

    # -- references ----------------------------------------------------------
    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        key = id(original)
        if key in self._skip or key in self._inner or key in self._call_funcs:
            return updated
        return self._reference(original, updated)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        key = id(original)
        fields = self._tuple_results.get(id(original.value), ())
        if not fields and isinstance(original.value, cst.Name):
            fields = self._tuple_names[-1].get(original.value.value, ())  # r = torch.max(x, 1); r.values
        if original.attr.value in fields and key not in self._call_funcs and key not in self._store:
            # torch.max(x, 1).values: Paddle returns a plain tuple, in the same order
            return _tuple_field(updated.value, fields, fields.index(original.attr.value))
        if key in self._inner or key in self._call_funcs or key in self._claimed:
            return updated
        if original.attr.value in self._attribute_methods and key not in self._store:
            new = self._method_access(original, updated)
            if new is not None:
                return new
        if (original.attr.value in self._dtype_only and key not in self._store and key not in self._call_funcs
                and isinstance(original.value, cst.Attribute) and original.value.attr.value == "dtype"
                and self.qualify(original) is None):
            self._unsupported(original, f"torch.dtype.{original.attr.value}",
                              f"Paddle's dtypes have no `{original.attr.value}`")  # x.dtype.itemsize
            return updated
        if (original.attr.value in self._torch_only and key not in self._store and self.qualify(original) is None
                and (key in self._call_funcs or original.attr.value not in self._torch_only_methods)):
            self._torch_only_use(original, original)  # x.H on a value, not torch.x.H: no entry converted it
            return updated
        return self._reference(original, updated)

    def _torch_only_use(self, node: cst.CSTNode, attribute: cst.Attribute) -> None:
        """``x.addcmul_(a, b)`` / ``x.H`` with no table entry, where ``x`` may be a tensor: Paddle's Tensor has
        no such name (tables.torch_only_tensor_names), so it is marked rather than passed through."""
        if self.qualify(attribute.value) is not None or self._receiver_kind(attribute.value) in ("other", "module"):
            return
        name = attribute.attr.value
        self._unsupported(node, f"torch.Tensor.{name}", f"Paddle's Tensor has no `{name}` and no table entry "
                                                        "converts it (the receiver may be a tensor)")

    def _reference(self, original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
        if id(original) in self._directive_sites:
            return updated  # a decorator: converted with its definition
        qualified = self.qualify(original)
        if qualified is None:
            return updated
        if qualified in self.tables.modules:
            return self.output.render(self.tables.modules[qualified])
        entry, rest = self.lookup(qualified)
        if entry is None:
            if self.is_torch(qualified):
                return self._refused_reference(original, qualified, "no mapping")
            return updated
        if entry.unsupported:
            return self._refused_reference(original, qualified, entry.unsupported)
        if entry.rewrite in CLASS_REWRITES and id(original) in self._class_bases:
            return updated  # converted with its class (leave_ClassDef), or left with a marker
        if entry.rewrite in BASES_ONLY:
            return self._refused_reference(original, qualified, BASES_ONLY[entry.rewrite])
        if entry.rewrite in ACCESS_REWRITES:
            if id(original) in self._store:
                return updated  # rewritten with its assignment (leave_Assign)
            new = self._access(original, qualified, AccessContext(entry, updated, self.output.render, rest=rest))
            if new is None:  # refused (and recorded) by the access rewrite
                reason = self.uses[-1].reason if self.uses and not self.uses[-1].converted else "refused"
                return self._refused_form(original, qualified, reason or "refused")
            return new
        if entry.target is None:  # a directive that is removed where it stands (registries.yaml)
            return self._refused_reference(original, qualified, f"used as a value, but only its uses the "
                                                                f"{entry.rewrite!r} rewrite removes convert")
        if not rest and entry.kind == "callable" and self.is_torch(qualified):
            torch_class = qualified.rsplit(".", 1)[-1][:1].isupper()
            paddle_class = entry.target.rsplit(".", 1)[-1][:1].isupper()
            if torch_class and not paddle_class:
                return self._refused_reference(original, qualified, f"used as a value, but only its calls convert "
                                                                    f"({entry.target} is a function, not a class)")
            if not torch_class and ((entry.rewrite in CALL_REWRITES and entry.rewrite not in NAME_CONVERTS)
                                    or entry.rewrite in DIRECTIVE_REWRITES):
                self._unsupported(original, qualified, f"passed as a function value, but its calls need the "
                                                       f"{entry.rewrite!r} rewrite")
                return self._torch_form(qualified)
        if rest and rest.split(".", 1)[0] in self._dtype_only and entry.kind == "attribute":
            return self._refused_reference(original, qualified, f"Paddle's dtypes have no `{rest.split('.', 1)[0]}`")
        target = entry.target + ("." + rest if rest else "")
        if self.is_torch(qualified):
            self._record(original, qualified, target)
            if (not rest and id(original) not in self._call_funcs and spec_of(entry) is not None
                    and entry.name != "torch.nn.Module"):
                self._value_layers.add(entry.name)  # `activation = nn.ReLU`: may reach a layer factory's call
        return self.output.render(target)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = original.func
        qualified = self.qualify(func)
        if qualified is not None:
            return self._api_call(original, updated, qualified)
        looked_up = self._torch_lookup(func)
        if looked_up is not None:
            self._unsupported(original, f"getattr({looked_up}, ...)(...)", "a torch class or function chosen by name when "
                              "the code runs: torch's and Paddle's arguments differ for some (nn.LSTM's batch_first "
                              "is Paddle's time_major, inverted), so the call cannot be converted blind; call the "
                              "classes by name (a dict of them converts)")
            self._placeholders.add(id(original))  # calling it raises, naming the use: never Paddle's class blind
            written = cst.Module([]).code_for_node(original.func)  # kept in the placeholder: nothing lost
            return updated.with_changes(func=runtime_call(RUNTIME_PLACEHOLDER, written, self.uses[-1].reason or ""))
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

    def _torch_lookup(self, func: cst.BaseExpression) -> str | None:
        """``getattr(nn, rnn_type)`` with a name that is no literal: the torch module it looks in (with a literal,
        ``getattr(nn, "LSTM")``, Python reads it as ``nn.LSTM`` and so does the converter's reference pass)."""
        if not (isinstance(func, cst.Call) and isinstance(func.func, cst.Name) and func.func.value == "getattr"
                and len(func.args) in (2, 3) and not isinstance(func.args[1].value, cst.SimpleString)):
            return None
        module = self.qualify(func.args[0].value)
        return module if module is not None and module in self.tables.modules and self.is_torch(module) else None

    def _super_init(self, original: cst.Call, updated: cst.Call, entry: ApiEntry,
                    label: str | None = None) -> cst.BaseExpression:
        """``super().__init__(num_features, eps=eps, momentum=m)`` in a subclass of a torch layer, or a call of
        a project class deriving from one without an ``__init__`` of its own (``Linear(a, b, bias=False)``
        with timm's ``class Linear(nn.Linear)``): the arguments map exactly as a call of the layer does."""
        label = label or f"super().__init__(...) -> {entry.name}"
        marks = self.output.marks()
        try:
            self._pending_runtime = set()
            if entry.rewrite:  # the layer's call rewrite (pool checks, conv padding): its arguments, if a plain call
                call = CALL_REWRITES[entry.rewrite](self._context(entry, original, updated, runtime=True))
                if not (isinstance(call, cst.Call) and call.func.deep_equals(self.output.render(entry.target))):
                    raise UnsupportedUse(f"{entry.name}'s conversion is more than its class called with other "
                                         "arguments, which super().__init__ cannot take")
                args = list(call.args)
            else:
                args = map_arguments(entry, updated.args, VALUE_REWRITES, runtime=self._runtime_keywords)
        except UnsupportedUse as exc:
            self.output.restore(marks)
            self._unsupported(original, label, str(exc))
            return updated
        new = _with_args(updated, args)
        changed = not new.deep_equals(updated)
        if changed:
            self._record(original, label, f"{entry.target}.__init__")
        self._commit_runtime(recorded=changed)
        return new

    def _feature_probe(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        """``hasattr(torch.compiler, "is_exporting")``: a probe of torch's API asks whether the converted code
        can use that name; it answers True exactly when ``torch.compiler.is_exporting`` converts, so the
        guarded path is taken only where it runs in Paddle."""
        if len(original.args) != 2 or any(a.star or a.keyword for a in original.args):
            return updated
        module, name = original.args[0].value, original.args[1].value
        qualified = self.qualify(module)
        if qualified is None or not self.is_torch(qualified) or not isinstance(name, cst.SimpleString):
            return updated
        if any("hasattr" in scope for scope in self._scopes) or "hasattr" in self.scan.bound_values:
            return updated  # not the builtin
        probed = f"{qualified}.{name.evaluated_value}"
        entry = self.tables.apis.get(probed)
        converts = probed in self.tables.modules or (entry is not None and not entry.unsupported
                                                     and entry.target is not None)
        answer = cst.Name("True" if converts else "False")
        self._constants[id(answer)] = answer  # folded by the boolean operators around it
        self._record(original, probed, answer.value)
        return _keep_parentheses(updated, answer)

    def _next_of_list(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        """``next(model.parameters())``: torch's ``parameters()``, ``buffers()`` and ``modules()`` are
        generators, Paddle's ``parameters()``, ``buffers()`` and ``sublayers()`` lists, and ``next`` of a list
        raises; ``next(iter(...))`` is right for both."""
        if len(updated.args) not in (1, 2) or updated.args[0].star or "next" in self.scan.bound_values:
            return updated
        inner = updated.args[0].value
        if not (isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute)
                and inner.func.attr.value in _LIST_RESULTS):
            return updated
        if self._receiver_kind(original.args[0].value.func.value) in ("other", "tensor"):
            return updated
        wrapped = cst.Call(func=cst.Name("iter"), args=[cst.Arg(inner)])
        return updated.with_changes(args=[updated.args[0].with_changes(value=wrapped), *updated.args[1:]])

    def _context(self, entry, original, updated, receiver=None, runtime: bool = False) -> CallContext:
        target = self._assigned.get(id(original))
        return CallContext(
            entry, updated, original, self.output.render, self.resolve_entry, VALUE_REWRITES, receiver,
            assigned_to=target,
            add_statement=self._after[-1].append if target is not None and self._after else None,
            bound_values=self._bound_values,
            scope_state=self._scope_state[-1],
            chained=self._chained.get(id(original)),
            runtime=self._runtime_keywords if runtime else None,
            helper=self._runtime_helper,
            layer_of=self._layer_of,
            holds_linear_weight=self._holds_linear_weight,
            file_object=lambda node: opens_file(node) or (isinstance(node, cst.Name)
                                                          and node.value in self.scan.opened_files),
        )

    def _holds_linear_weight(self, node: cst.BaseExpression) -> bool:
        """``qkv_weight`` in a module-level function every call of which passes a converted ``nn.Linear``'s
        own weight (``self.qkv.weight``): see call_sites.py.  Not known converting one file alone."""
        if not isinstance(node, cst.Name) or len(self._function_nodes) != 1 or self._module is None:
            return False
        if self._call_sites is None:
            self._call_sites = call_sites(self._module)
        is_linear = lambda call: getattr(self.resolve_entry(call.func), "name", None) in (  # noqa: E731
            "torch.nn.Linear", "torch.nn.modules.linear.Linear")
        return parameter_holds_layer_weight(self._module, self._function_nodes[0], node.value, self.outside_names,
                                            self._call_sites, is_linear)

    def _layer_of(self, node: cst.BaseExpression) -> str | None:
        """The torch layer class ``node`` holds, where the file says: ``self`` in a subclass of a layer,
        ``self.fc`` assigned ``nn.Linear(...)``."""
        if isinstance(node, cst.Name) and node.value == "self" and self._layer_bases and self._layer_bases[-1]:
            return self._layer_bases[-1].name
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
            return self._self_layer_classes.get(node.attr.value)
        return None

    def _bound_values(self, node: cst.BaseExpression) -> list[cst.BaseExpression]:
        """What a plain name is assigned anywhere in the file (conditional expressions split, None left out)."""
        if not isinstance(node, cst.Name):
            return []
        out: list[cst.BaseExpression] = []
        stack = list(self.scan.bound_values.get(node.value, []))
        while stack:
            value = stack.pop()
            if isinstance(value, cst.IfExp):
                stack += [value.body, value.orelse]
            elif isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
                stack += [value.left, value.right]  # `act_layer = act_layer or nn.ReLU`
            elif not (isinstance(value, cst.Name) and value.value == "None"):
                out.append(value)
        return out

    # -- attribute accesses with an access rewrite (reads and assignments) ----
    def visit_Assign(self, node: cst.Assign) -> None:
        self._open_import_time()
        for target in node.targets:
            if isinstance(target.target, (cst.Attribute, cst.Subscript)):
                self._store[id(target.target)] = False

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, (cst.Attribute, cst.Subscript)):
            self._store[id(node.target)] = True

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) in self._claimed or not self._attribute_methods:
            return
        base, inner = node.value, []
        while isinstance(base, cst.Subscript):
            inner.append(base)
            base = base.value
        if isinstance(base, cst.Attribute) and base.attr.value in self._attribute_methods:
            self._claimed.update(id(n) for n in (*inner, base))
            self._access_roots.add(id(node))

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        key = id(original)
        if key in self._access_roots and key not in self._claimed and key not in self._store:
            new = self._method_access(original, updated)
            if new is not None:
                return new
        fields = self._tuple_results.get(id(original.value), ())
        if fields and isinstance(updated.value, cst.Tuple) and key not in self._store \
                and len(updated.slice) == 1 and isinstance(updated.slice[0].slice, cst.Index):
            index = updated.slice[0].slice.value
            if isinstance(index, cst.Integer) and int(index.evaluated_value) < len(fields):
                return _tuple_field(updated.value, fields, int(index.evaluated_value))  # torch.max(x, 1)[0]
        return updated

    def leave_AugAssign(self, original: cst.AugAssign, updated: cst.AugAssign):
        return self._assignment(original.target, updated.target, updated.value, True) or updated

    def _assignment(self, target_o, target_u, value, augmented: bool):
        """The statement replacing ``target = value`` when the target has an access rewrite, else None."""
        if id(target_o) not in self._store:
            return None
        if id(target_o) in self._access_roots or (
            isinstance(target_o, cst.Attribute) and target_o.attr.value in self._attribute_methods
        ):
            return self._method_access(target_o, target_u, value, augmented)
        qualified = self.qualify(target_o)
        if qualified is None:
            return None
        entry, rest = self.lookup(qualified)
        if entry is None or entry.unsupported or entry.rewrite not in ACCESS_REWRITES:
            return None
        return self._access(target_o, qualified, AccessContext(
            entry, target_u, self.output.render, rest=rest, value=value, augmented=augmented))

    def _method_access(self, original, updated, value=None, augmented=False):
        """``obj.attr[i][j]`` (or an assignment to it) where ``attr`` is a method-section attribute entry."""
        subscripts = []
        base = updated
        while isinstance(base, cst.Subscript):
            index = base.slice[0].slice if len(base.slice) == 1 else None
            subscripts.append(index.value if isinstance(index, cst.Index) else None)
            base = base.value
        if not isinstance(base, cst.Attribute) or self.qualify(base.value) is not None:
            return None
        if self._receiver_kind(base.value) == "other":
            return None
        entries = [e for e in self.tables.lookup_method(base.attr.value) if e.kind == "attribute"]
        context = AccessContext(entries[0], updated, self.output.render, receiver=base.value,
                                subscripts=tuple(reversed(subscripts)), value=value, augmented=augmented,
                                resolve=self.resolve_entry, bound_values=self._bound_values,
                                runtime=self._runtime_helper,
                                self_is_layer=bool(self._layer_bases and self._layer_bases[-1] is not None),
                                receiver_kind=self._receiver_kind(base.value))
        return self._access(original, entries[0].name, context)

    def _access(self, original, api: str, ctx: AccessContext):
        """Run the entry's access rewrite; None (and a marker) when the use is unsupported."""
        entry = ctx.entry
        marks = self.output.marks()  # names a refused rewrite rendered must not count as used
        try:
            if entry.unsupported:
                raise UnsupportedUse(entry.unsupported)
            new = ACCESS_REWRITES[entry.rewrite](ctx)
        except UnsupportedUse as exc:
            self.output.restore(marks)
            self._unsupported(original, api, str(exc))
            return None
        if new is not None:
            self._record(original, api, entry.target)
        return _keep_parentheses(ctx.node, new) if isinstance(new, cst.BaseExpression) else new

    def _api_call(self, original: cst.Call, updated: cst.Call, qualified: str) -> cst.BaseExpression:
        if qualified in self.tables.modules:
            return updated.with_changes(func=self.output.render(self.tables.modules[qualified]))
        entry, rest = self.lookup(qualified)
        torch_use = self.is_torch(qualified)
        if entry is None:
            if torch_use:
                return self._refused_call(original, updated, qualified, "no mapping")
            return updated
        if entry.rewrite in DIRECTIVE_REWRITES and not entry.unsupported and not rest:
            if id(original) in self._directive_sites:
                return updated  # a decorator or a statement: converted there
            return self._directive(entry, qualified, original, updated, "call")
        if entry.rewrite in ACCESS_REWRITES and not entry.unsupported:  # a call of an attribute entry
            func = self._access(original.func, qualified, AccessContext(entry, updated.func, self.output.render, rest=rest))
            return updated.with_changes(func=self._torch_form(qualified) if func is None else func)
        if rest:  # an attribute of a mapped class, e.g. nn.Module.__init__(self)
            target = f"{entry.target}.{rest}" if entry.target else None
            if target is None:
                return self._refused_call(original, updated, qualified, entry.unsupported or "no mapping")
            if torch_use:
                self._record(original, qualified, target)
            return updated.with_changes(func=self.output.render(target))
        if entry.unsupported or entry.rewrite in CLASS_REWRITES:
            reason = entry.unsupported or "only classes deriving from it convert, not direct instances"
            return self._refused_call(original, updated, qualified, reason)
        out = _out_keyword(entry, updated) if torch_use else None
        if out is not None:
            return self._call_with_out(original, updated, qualified, entry, out)
        new = self._entry_call(original, updated, qualified, entry)
        if new is None:
            return updated.with_changes(func=self._torch_form(qualified)) if torch_use else updated
        if torch_use:
            self._record(original, qualified, entry.target)
        self._commit_runtime(recorded=torch_use)
        if self.torch_init and entry.torch_init and isinstance(new, cst.Call):
            new = self._with_torch_init(entry, updated, new)
        if entry.rewrite == "constant":
            self._constants[id(new)] = new  # folded by the boolean operators around it
        return new

    def _refused_call(self, original: cst.Call, updated: cst.Call, qualified: str, reason: str) -> cst.Call:
        """A call of a refused torch API.  In a value evaluated at import time (an assignment, a decorator), its
        callee is a placeholder (the value as a whole becomes one unless the call sits on a path the value may
        not take: ``args.mps and torch.backends.mps.is_available()``); elsewhere it stays in torch form."""
        if self._import_time_uses and self._import_time_value(original) and self.is_torch(qualified):
            self._unsupported(original.func, qualified, reason)
            return updated.with_changes(func=self._refused_form(original.func, qualified, reason))
        self._unsupported(original, qualified, reason)
        return updated.with_changes(func=self._torch_form(qualified))

    def _entry_call(self, original: cst.Call, updated: cst.Call, qualified: str, entry: ApiEntry,
                    label: str | None = None) -> cst.BaseExpression | None:
        """The call converted by the entry's rewrite or the argument pipeline; None when refused (recorded,
        under ``label`` when the call does not spell the API out)."""
        marks = self.output.marks()  # names a refused rewrite rendered must not count as used
        try:
            self._pending_runtime = set()
            if entry.rewrite:
                return _keep_parentheses(updated, CALL_REWRITES[entry.rewrite](
                    self._context(entry, original, updated, runtime=True)))
            args = map_arguments(entry, updated.args, VALUE_REWRITES, runtime=self._runtime_keywords)
            return _with_args(updated, args, func=self.output.render(entry.target))
        except UnsupportedUse as exc:
            self.output.restore(marks)
            self._unsupported(original, label or qualified, str(exc))  # also functools.partial of a torch API
            return None

    def _call_with_out(self, original: cst.Call, updated: cst.Call, qualified: str, entry: ApiEntry,
                       out: cst.Arg) -> cst.BaseExpression:
        """``torch.add(x, y, out=buf)`` -> ``paddle.assign((x + y).astype(buf.dtype), output=buf)``: Paddle
        returns a new tensor, so the result is written into ``out`` in place (cast to its dtype, resized to the
        result's shape, and returned) as torch does.  Refused for a class, a result that is a tuple
        (``torch.max(x, 1, out=(v, i))``), or an ``out`` that is not a plain name or attribute (read twice)."""
        torch_form = updated.with_changes(func=self._torch_form(qualified))
        target_is_class = entry.target.rsplit(".", 1)[-1][:1].isupper()
        if entry.kind != "callable" or target_is_class or entry.result_fields or not isinstance(
                out.value, (cst.Name, cst.Attribute)):
            self._unsupported(original, qualified, f"out=: Paddle's {entry.target} returns a new tensor: assign the "
                                                   "result instead (`out = ...` or paddle.assign(result, output=out))")
            return torch_form
        stripped = updated.with_changes(args=fix_commas(list(updated.args), [a for a in updated.args if a is not out]))
        call = self._entry_call(original, stripped, qualified, entry)
        if call is None:
            return torch_form
        if isinstance(call, cst.Tuple):
            self._unsupported(original, qualified, "out=: the Paddle form returns several tensors: assign them")
            return torch_form
        if not isinstance(call, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) and not call.lpar:
            call = call.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        cast = cst.Call(func=cst.Attribute(value=call, attr=cst.Name("astype")),
                        args=[cst.Arg(cst.Attribute(value=out.value, attr=cst.Name("dtype")))])
        self._record(original, qualified, entry.target)
        self._commit_runtime(recorded=True)
        return cst.Call(func=self.output.render("paddle.assign"), args=[
            cst.Arg(cast, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(out.value, keyword=cst.Name("output"), equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))])

    # -- literals a constant rewrite produced (torch.jit.is_scripting() -> False) -------------------
    def _is_constant(self, node: cst.CSTNode) -> bool:
        return self._constants.get(id(node)) is node

    def leave_UnaryOperation(self, original, updated) -> cst.BaseExpression:
        if isinstance(updated.operator, cst.Not) and self._is_constant(updated.expression):
            folded = cst.Name("True" if updated.expression.value == "False" else "False")
            self._constants[id(folded)] = folded
            return _keep_parentheses(updated, folded)
        return updated

    def leave_IfExp(self, original, updated) -> cst.BaseExpression:
        if self._is_constant(updated.test):  # `a if torch.jit.is_scripting() else b` -> b
            return _keep_parentheses(updated, updated.body if updated.test.value == "True" else updated.orelse)
        return updated

    def leave_BooleanOperation(self, original, updated) -> cst.BaseExpression:
        """``False and x`` -> ``False``, ``True and x`` -> ``x``, ``True or x`` -> ``True``, ``False or x``
        -> ``x`` for a left operand the converter made constant (the right one is never evaluated or is
        the value); a constant on the right is left alone: ``x and True`` is not ``x``."""
        left = updated.left
        if not self._is_constant(left):
            return updated
        truth = left.value == "True"
        keep_left = (not truth) if isinstance(updated.operator, cst.And) else truth
        result = left if keep_left else updated.right
        if keep_left:
            self._constants[id(result)] = result
        return _keep_parentheses(updated, result)

    def _with_torch_init(self, entry: ApiEntry, updated: cst.Call, new: cst.Call) -> cst.Call:
        """The converted layer call with torch's default initialisation written out (``torch_init``)."""
        bound: dict[str, cst.BaseExpression] = {}
        for i, arg in enumerate(updated.args):
            if arg.star:
                return new  # cannot tell which arguments are given
            name = arg.keyword.value if arg.keyword is not None else (entry.args[i] if i < len(entry.args) else None)
            if name is not None:
                bound[name] = arg.value
        given = {a.keyword.value for a in new.args if a.keyword is not None}
        extra = INIT_REWRITES[entry.torch_init](InitContext(entry, bound, self.output.render))
        # the init rewrite's bias_attr replaces the mapped bias flag (it keeps `bias=False` meaning no bias)
        kept = [a for a in new.args if not (a.keyword is not None and a.keyword.value == "bias_attr"
                                            and "bias_attr" in extra)]
        if len(kept) != len(new.args):
            new = new.with_changes(args=fix_commas(list(new.args), kept))
        added = [keyword(name, value) for name, value in extra.items()
                 if value is not None and (name == "bias_attr" or name not in given)]
        return append_args(new, added)

    # -- light type inference for method receivers ---------------------------
    def _parameter_types(self, node: cst.FunctionDef) -> dict[str, str]:
        """Tensors a function receives: forward()'s inputs in a Module subclass, parameters annotated Tensor."""
        types: dict[str, str] = {}
        params = [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]
        in_module = bool(self._classes) and self._classes[-1]
        for i, param in enumerate(params):
            annotation = param.annotation.annotation if param.annotation is not None else None
            if annotation is not None and self.qualify(annotation) == "torch.Tensor":
                types[param.name.value] = "tensor"
            elif isinstance(annotation, cst.Name) and annotation.value in self._plain_classes:
                types[param.name.value] = "other"  # `cnf: InvertedResidualConfig`: a plain class of this file
            elif (isinstance(annotation, cst.Subscript) and isinstance(annotation.value, cst.Name)
                  and annotation.value.value in ("List", "list", "Sequence", "Tuple", "tuple")
                  and any(isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Name)
                          and e.slice.value.value in self._plain_classes for e in annotation.slice)):
                types[param.name.value] = "other_items"  # List[InvertedResidualConfig]: its items are plain
            elif annotation is not None and self._annotates_layer_factory(annotation):
                types[param.name.value] = "layer_factory"  # Callable[..., nn.Module]: torch layer keywords
            elif in_module and node.name.value == "forward" and i > 0 and annotation is None and param.default is None:
                types[param.name.value] = "tensor"
        return types

    def _annotates_layer_factory(self, annotation: cst.BaseExpression) -> bool:
        """``Callable[..., nn.Module]`` or ``Type[nn.Module]`` (inside ``Optional[...]`` too): a torch layer
        class or a callable returning a torch layer."""
        while (isinstance(annotation, cst.Subscript) and dotted_name(annotation.value) in ("Optional", "typing.Optional")
               and len(annotation.slice) == 1 and isinstance(annotation.slice[0].slice, cst.Index)):
            annotation = annotation.slice[0].slice.value
        if (isinstance(annotation, cst.Subscript) and dotted_name(annotation.value) in ("Type", "type", "typing.Type")
                and len(annotation.slice) == 1 and isinstance(annotation.slice[0].slice, cst.Index)):
            return self.qualify(annotation.slice[0].slice.value) == "torch.nn.Module"  # Type[nn.Module]
        if not (isinstance(annotation, cst.Subscript) and dotted_name(annotation.value) in (
                "Callable", "typing.Callable", "collections.abc.Callable") and len(annotation.slice) == 2):
            return False
        result = annotation.slice[1].slice
        return isinstance(result, cst.Index) and self.qualify(result.value) == "torch.nn.Module"

    def _layer_factory_call(self, original: cst.Call, updated: cst.Call, name: str) -> cst.BaseExpression:
        """``activation_layer(inplace=True)`` where the parameter is annotated ``Callable[..., nn.Module]``:
        the keywords are torch's, for whatever layer class the caller passes.  They go through ``kwargs_for``
        (translated for the torch layer classes this file uses as values, passed unchanged to a project
        class); with more than one positional argument, ``kwargs_for`` also checks that they mean the same in
        Paddle for the class it gets (a project class takes them as they are)."""
        positional = [a for a in updated.args if not a.star and a.keyword is None]
        keywords = [a for a in updated.args if a not in positional]
        if not keywords and len(positional) <= 1:
            return updated  # the first positional argument means the same for the layers (channels, features)
        if any(a.star == "*" for a in keywords):
            self._unsupported(original, f"{name}(...)", f"`{name}` is annotated as a torch layer factory: *args may "
                                                       "hold arguments whose meaning differs in Paddle")
            return updated
        extra = [cst.Arg(cst.Integer(str(len(positional))), keyword=cst.Name("positional"),
                         equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                               whitespace_after=cst.SimpleWhitespace("")))] if len(positional) > 1 else []
        new = _through_kwargs_for(updated, positional, keywords, extra)
        self._factory_calls += 1
        self._record(original, f"{name}(...) -> torch layer factory", None)
        self.uses[-1] = replace(self.uses[-1], reason=RUNTIME_REASON)
        return new

    def _expression_kind(self, node: cst.BaseExpression) -> str | None:
        """'tensor' or 'module' when the original expression visibly produces one."""
        if isinstance(node, cst.Name):
            return self._types[-1].get(node.value)
        if isinstance(node, cst.BinaryOperation):
            if "tensor" in (self._expression_kind(node.left), self._expression_kind(node.right)):
                return "tensor"
            return None
        if isinstance(node, cst.Call):
            entry = self.resolve_entry(node.func)
            if entry is not None and entry.target and self.is_torch(entry.name):
                last = entry.name.rsplit(".", 1)[-1]
                if last[:1].isupper():
                    if entry.target.rsplit(".", 1)[-1][:1].islower():
                        return "tensor"  # nn.Parameter(...) -> paddle.create_parameter(...): a tensor
                    return "module" if entry.name.startswith("torch.nn.") and entry.name.count(".") == 2 else None
                return "tensor" if entry.kind == "callable" else None
            if isinstance(node.func, cst.Attribute) and self._expression_kind(node.func.value) == "tensor":
                method = node.func.attr.value
                if method in _NON_TENSOR_RESULTS and not (method == "type" and node.args):
                    return None
                return "tensor"
            if self._is_layer_call(node.func):
                return "tensor"  # self.fc(x) in a Module: a layer's output
        if isinstance(node, (cst.UnaryOperation, cst.Subscript)):
            inner = node.expression if isinstance(node, cst.UnaryOperation) else node.value
            return "tensor" if self._expression_kind(inner) == "tensor" else None
        if isinstance(node, cst.Comparison):
            return "tensor" if self._expression_kind(node.left) == "tensor" else None
        return None

    def _is_layer_call(self, func: cst.BaseExpression) -> bool:
        """``self.<layer>(...)`` inside an nn.Module subclass whose ``<layer>`` is assigned a torch layer."""
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"):
            return False
        if not (self._classes and self._classes[-1]):
            return False
        return func.attr.value in self._layer_attributes

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        if len(original.targets) == 1 and isinstance(original.targets[0].target, cst.Name):
            name = original.targets[0].target.value
            fields = self._tuple_results.get(id(original.value))
            if fields:
                self._tuple_names[-1][name] = fields
            else:
                self._tuple_names[-1].pop(name, None)  # rebound to something else
            kind = self._expression_kind(original.value)
            if kind:
                self._types[-1][name] = kind
            else:
                self._types[-1].pop(name, None)  # rebound to something else
        elif len(original.targets) == 1 and isinstance(original.targets[0].target, (cst.Tuple, cst.List)):
            # a, b = x.chunk(2) / values, idx = x.max(1): the parts of a tensor result are tensors
            kind = "tensor" if self._expression_kind(original.value) == "tensor" else None
            for element in original.targets[0].target.elements:
                if isinstance(element.value, cst.Name):
                    if kind:
                        self._types[-1][element.value.value] = kind
                    else:
                        self._types[-1].pop(element.value.value, None)
        for target in original.targets:  # self.fc = nn.Linear(...): calls of self.fc give tensors
            t = target.target
            if (isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == "self"
                    and self._expression_kind(original.value) == "module"):
                self._layer_attributes.add(t.attr.value)
                called = self.resolve_entry(original.value.func) if isinstance(original.value, cst.Call) else None
                if called is not None:
                    self._self_layer_classes[t.attr.value] = called.name
        if len(original.targets) == 1:
            updated = self._assignment(original.targets[0].target, updated.targets[0].target, updated.value,
                                       False) or updated
        return self._import_time_assignment(original, updated)

    def _receiver_kind(self, receiver: cst.BaseExpression) -> str | None:
        """'module', 'tensor', 'other' (known not torch) or None (unknown)."""
        if (isinstance(receiver, cst.Subscript) and isinstance(receiver.value, cst.Name)
                and self._types[-1].get(receiver.value.value) == "other_items"):
            return "other"
        if isinstance(receiver, cst.Name) and self._types[-1].get(receiver.value) == "other_items":
            return "other"
        if isinstance(receiver, cst.Name):
            if receiver.value == "self" and self._classes:
                return "module" if self._classes[-1] else "other"  # self of a plain class is no tensor
            known = self._types[-1].get(receiver.value)
            if known:
                return known
            if self._foreign_name(receiver.value):
                return "other"  # paddle.matmul(...) in a file converted twice is no Tensor.matmul
            values = self.scan.bound_values.get(receiver.value)
            if values and all(_is_plain_python(v) for v in values):
                return "other"
            return None
        if _is_plain_python(receiver):
            return "other"
        if isinstance(receiver, cst.Attribute):  # nn.functional / np.random: a module's attribute, no tensor
            root = receiver
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name) and self._foreign_name(root.value):
                return "other"
        if isinstance(receiver, cst.Call):
            name = dotted_name(receiver.func)
            if name is not None and name.split(".", 1)[0] in self.scan.paddle_names:
                return "other"  # nn.Conv2D(...) from paddle (a second conversion): already Paddle's
        return self._expression_kind(receiver)

    def _foreign_name(self, name: str) -> bool:
        """A name an import binds to another library's module (numpy, paddle) or to something from paddle."""
        return name in self.scan.foreign_modules or name in self.scan.paddle_names

    def _method_call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = original.func
        assert isinstance(func, cst.Attribute)
        if self.qualify(func.value) is not None:
            return updated  # a module attribute like torch.nn.functional.x: not a method
        kind = self._receiver_kind(func.value)
        if kind == "other":
            return updated
        entries = [e for e in self.tables.lookup_method(func.attr.value) if e.kind != "attribute"]
        if kind is None:
            chosen = [e for e in entries if e.receiver == "any"]
        else:
            # a known layer or tensor takes its own class's methods only (self.softmax(x) is a sub-layer call)
            chosen = [e for e in entries if owner_of(e) == kind]
        if not chosen:
            return updated
        entry = chosen[0]
        if len({(e.target, e.rewrite, e.unsupported) for e in chosen}) > 1:
            return updated  # the receiver's type decides, and it is unknown
        receiver = updated.func.value if isinstance(updated.func, cst.Attribute) else func.value
        if entry.unsupported:
            self._unsupported(original, entry.name, entry.unsupported)
            return updated
        marks = self.output.marks()  # names a refused rewrite rendered must not count as used
        try:
            if entry.rewrite:
                new = _keep_parentheses(
                    updated, CALL_REWRITES[entry.rewrite](self._context(entry, original, updated, receiver)))
            else:
                args = map_arguments(entry, updated.args, VALUE_REWRITES)
                new = _with_args(updated, args, func=updated.func.with_changes(attr=cst.Name(entry.target_method)))
        except UnsupportedUse as exc:
            self.output.restore(marks)
            self._unsupported(original, entry.name, str(exc))
            return updated
        if not new.deep_equals(updated):
            self._record(original, entry.name, entry.target)
        elif entry.result_fields:  # x.topk(2) is the same call in Paddle, but .indices is not
            self._tuple_results[id(original)] = entry.result_fields
        return new

    def _bound_entries(self, name: str) -> tuple[list[tuple[ApiEntry, bool]], bool]:
        """Torch callables a plain name is bound to anywhere in the file (each with whether it came
        through functools.partial), and whether the name holds other callables too."""
        cached = self._bound_cache.get(name)
        if cached is None:
            entries: list[tuple[ApiEntry, bool]] = []
            foreign = False
            stack = list(self.scan.bound_values.get(name, []))
            while stack:
                value = stack.pop()
                if isinstance(value, cst.IfExp):
                    stack += [value.body, value.orelse]
                    continue
                if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
                    stack += [value.left, value.right]  # `act_layer = act_layer or nn.ReLU`
                    continue
                if isinstance(value, cst.Name) and value.value in ("None", name):
                    continue
                entry, via_partial = self.resolve_entry(value), False
                if entry is None and isinstance(value, cst.Call) and value.args:
                    wrapper = self.resolve_entry(value.func)
                    if wrapper is not None and wrapper.rewrite == "partial":
                        entry, via_partial = self.resolve_entry(value.args[0].value), True
                if entry is not None and self.is_torch(entry.name):
                    entries.append((entry, via_partial))
                elif isinstance(value, cst.Name) and value.value in self.scan.bound_values:
                    continue  # another bound name: its own values are checked where it is called
                else:
                    foreign = True
            cached = self._bound_cache[name] = (entries, foreign)
        return cached

    def _call_by_identity(self, original: cst.Call, updated: cst.Call, name: str,
                          bound: list[tuple[ApiEntry, bool]]) -> cst.BaseExpression | None:
        """``pool = avg_pool_fn(2, s, count_include_pad=False)`` where ``avg_pool_fn`` holds ``nn.AvgPool2d`` (whose
        calls need a rewrite) or something else (a project class taking torch's arguments): the class is
        told apart when the call runs, ``(nn.AvgPool2D(2, s, exclusive=True) if avg_pool_fn is nn.AvgPool2D
        else avg_pool_fn(2, s, count_include_pad=False))``; only the branch taken evaluates the arguments.
        None when the name may hold several torch classes or one through functools.partial; the call as it
        is when the rewrite refuses it (recorded, with the rewrite's reason)."""
        if len({entry.name for entry, _ in bound}) != 1 or any(via for _, via in bound):
            return None
        entry = bound[0][0]
        if not entry.target or entry.kind != "callable" or not entry.target.rsplit(".", 1)[-1][:1].isupper():
            return None
        direct = updated.with_changes(func=self.output.render(entry.target))
        converted = self._entry_call(original, direct, entry.name, entry, label=f"{name}(...) -> {entry.name}")
        if converted is None:
            return updated  # the rewrite refused it, with its reason (recorded)
        self._record(original, f"{name}(...) -> {entry.name}", entry.target)
        test = cst.Comparison(left=cst.Name(name), comparisons=[cst.ComparisonTarget(
            operator=cst.Is(), comparator=self.output.render(entry.target))])
        return cst.IfExp(test=test, body=converted, orelse=updated,
                         lpar=[cst.LeftParen()], rpar=[cst.RightParen()])

    def _named_call_args(self, entry: ApiEntry, original: cst.Call, updated: cst.Call) -> list[cst.Arg]:
        """The arguments the entry's NAME_CONVERTS rewrite gives a call of it (it leaves the callee alone)."""
        call = CALL_REWRITES[entry.rewrite](self._context(entry, original, updated, runtime=True))
        if not (isinstance(call, cst.Call) and call.func.deep_equals(self.output.render(entry.target))):
            raise UnsupportedUse(f"{entry.name}'s conversion of these arguments is more than a call")
        return list(call.args)

    def _bound_name_call(self, original: cst.Call, updated: cst.Call, name: str) -> cst.BaseExpression:
        bound, foreign = self._bound_entries(name)
        if not bound:
            return updated
        entries = [entry for entry, _ in bound]
        label = f"{name}(...) -> " + "|".join(sorted({e.name for e in entries}))
        rewritten = sorted({e.name for e in entries if e.rewrite in CALL_REWRITES and e.rewrite not in NAME_CONVERTS})
        if rewritten:
            chosen = self._call_by_identity(original, updated, name, bound)
            if chosen is not None:
                return chosen
            self._unsupported(original, label, f"`{name}` may hold {', '.join(rewritten)}, whose calls need a "
                                               "rewrite: call the class directly")
            return updated
        with_defaults = any(e.defaults or e.add for e in entries)
        if with_defaults and (name in self.scan.param_names or any(via for _, via in bound)):
            # the value may come from elsewhere, already carrying (or lacking) Paddle's arguments
            self._unsupported(original, label, f"torch defaults of {', '.join(sorted({e.name for e in entries}))} "
                                               f"must be written out, and `{name}` may be bound elsewhere: pass them explicitly")
            return updated
        marks = self.output.marks()  # names a refused rewrite rendered must not count as used
        dispatch = foreign or len({e.name for e in entries}) > 1  # which class it holds is known at run time
        if dispatch and not with_defaults:
            new = self._dispatched_call(updated, entries)
            if new is not None:
                self._record(original, label, None)
                self.uses[-1] = replace(self.uses[-1], reason=RUNTIME_REASON)
                return new
        try:
            self._pending_runtime = set()
            runtime = self._dispatching_keywords(original.func) if dispatch else self._runtime_keywords
            results = [self._named_call_args(e, original, updated) if e.rewrite in NAME_CONVERTS else
                       map_arguments(e, updated.args, VALUE_REWRITES, with_defaults=with_defaults, runtime=runtime)
                       for e in entries]
        except UnsupportedUse as exc:
            self.output.restore(marks)
            self._unsupported(original, label, str(exc))
            return updated
        codes = {tuple(source_of(a) for a in args) for args in results}
        new = _with_args(updated, results[0])
        if new.deep_equals(updated):
            return updated
        if len(codes) > 1:
            self._unsupported(original, label, "the classes it may hold map these arguments differently")
            return updated
        if foreign and not (self._pending_runtime and _same_plain_args(updated.args, results[0])):
            self._unsupported(original, label, f"`{name}` may also hold non-torch callables")
            return updated
        self._record(original, label, None)
        self._commit_runtime(recorded=True)
        return new


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
