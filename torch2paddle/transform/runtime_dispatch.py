"""Calls decided when the code runs: keywords through **kwargs translated by the generated run-time module, bound
names that may hold a torch class, layer factories."""

from __future__ import annotations

from dataclasses import replace
import libcst as cst

from ..arguments import UnsupportedUse, fix_commas, map_arguments, source_of
from ..refusal_scope import runtime_call
from ..runtime import (DISPATCH as RUNTIME_DISPATCH, FUNCTION as RUNTIME_FUNCTION, MODULE as RUNTIME_MODULE,
                       PLACEHOLDER as RUNTIME_PLACEHOLDER,
                       RUNTIME_REASON, spec_of)
from ..rewrites import CALL_REWRITES, NAME_CONVERTS, VALUE_REWRITES
from ..tables import ApiEntry
from .support import _same_plain_args, _through_kwargs_for, _with_args


class RuntimeDispatch:
    """Calls decided when the code runs: keywords through **kwargs translated by the generated run-time module,
    bound names that may hold a torch class, layer factories."""

    def _note_runtime(self, entry: ApiEntry) -> None:
        """``entry``'s keywords are translated at run time by the call being converted (its attempt's, when
        open: a refused rewrite does not need the adapter)."""
        (self._attempts[-1].runtime_apis if self._attempts else self._pending_runtime).add(entry.name)

    def _commit_runtime(self, recorded: bool) -> None:
        """A call converted with ``_pending_runtime`` entries: the module needs the run-time adapter, and the
        use just recorded (where one was) says in the report that its keywords are translated at run time."""
        if self._pending_runtime and recorded:
            self.uses[-1] = replace(self.uses[-1], reason=RUNTIME_REASON)
        self.runtime_apis |= self._pending_runtime
        self._pending_runtime = set()

    def _runtime_keywords(self, entry: ApiEntry, mapping: cst.BaseExpression,
                          defaults: list[cst.Arg]) -> cst.BaseExpression | None:
        """``runtime.kwargs("torch.x", mapping, **defaults)``: ``**mapping`` translated when the call runs."""
        if spec_of(entry) is None:
            return None
        self._note_runtime(entry)
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
        if self._attempts:
            self._attempts[-1].helpers_used = True
        else:
            self._helpers_used = True
        return cst.Attribute(value=cst.Name(RUNTIME_MODULE), attr=cst.Name(name))

    def _dispatching_keywords(self, callee: cst.BaseExpression):
        """``runtime.kwargs_for(callee, mapping)``: ``**mapping`` translated for the class ``callee`` holds when
        the call runs (left as it is for anything the tables do not map, such as a project class)."""
        def build(entry: ApiEntry, mapping: cst.BaseExpression, defaults: list[cst.Arg]) -> cst.BaseExpression | None:
            if defaults or spec_of(entry) is None:
                return None  # torch defaults to write out would depend on the class: refused
            self._note_runtime(entry)
            return cst.Call(func=cst.Attribute(value=cst.Name(RUNTIME_MODULE), attr=cst.Name(RUNTIME_DISPATCH)),
                            args=fix_commas([], [cst.Arg(callee), cst.Arg(mapping)]))
        return build

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
        if all(e.value_target for e in entries):
            return updated  # `Tensor = torch.FloatTensor`: the name holds the run-time class, which takes torch's call
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
        dispatch = foreign or len({e.name for e in entries}) > 1  # which class it holds is known at run time
        if dispatch and not with_defaults:
            new = self._dispatched_call(updated, entries)
            if new is not None:
                self._record(original, label, None)
                self.uses[-1] = replace(self.uses[-1], reason=RUNTIME_REASON)
                return new
        try:
            with self._attempt() as attempt:
                runtime = self._dispatching_keywords(original.func) if dispatch else self._runtime_keywords
                results = [self._named_call_args(e, original, updated) if e.rewrite in NAME_CONVERTS else
                           map_arguments(e, updated.args, VALUE_REWRITES, with_defaults=with_defaults,
                                         runtime=runtime)
                           for e in entries]
                new = _with_args(updated, results[0])
                unchanged = new.deep_equals(updated)
                if not unchanged and len({tuple(source_of(a) for a in args) for args in results}) > 1:
                    raise UnsupportedUse("the classes it may hold map these arguments differently")
                if not unchanged and foreign and not (attempt.runtime_apis
                                                      and _same_plain_args(updated.args, results[0])):
                    raise UnsupportedUse(f"`{name}` may also hold non-torch callables")
        except UnsupportedUse as exc:
            self._unsupported(original, label, str(exc))
            return updated
        if unchanged:
            return updated
        self._record(original, label, None)
        self._commit_runtime(recorded=True)
        return new

    def _torch_members(self, module: str) -> None:
        """Write the tables' data for every member of ``module`` into the run-time module."""
        prefix = module + "."
        self.runtime_apis.update(name for name in self.tables.apis
                                 if name.startswith(prefix) and "." not in name[len(prefix):])

    def _torch_namespace(self, original: cst.BaseExpression, module: str) -> cst.BaseExpression:
        """``torchvision.models.__dict__`` (the ImageNet example's ``models.__dict__[args.arch]()``): the
        run-time ``torch_namespace``, a dict of the module's members the tables map, each taking torch's
        arguments (``torch_attr``)."""
        self._torch_members(module)
        self._record(original, f"{module}.__dict__", None)
        self.uses[-1] = replace(self.uses[-1], reason=RUNTIME_REASON)
        return cst.Call(func=self._runtime_helper("torch_namespace"), args=[cst.Arg(cst.SimpleString(repr(module)))])

    def _torch_attr_call(self, original: cst.Call, updated: cst.Call, module: str) -> cst.BaseExpression:
        """``getattr(nn, rnn_type)(...)``: a torch class or function chosen by name when the code runs.  The
        run-time ``torch_attr`` looks the name up in the tables' data for ``module`` (written into the run-time
        module: every member of it the tables map) and translates the call's torch arguments, or raises
        naming the class where data cannot convert it.  A getattr with a default stays a refusal."""
        lookup = updated.func
        label = f"getattr({module}, ...)(...)"
        if len(lookup.args) != 2 or any(a.keyword is not None or a.star for a in lookup.args):
            self._unsupported(original, label, "a torch class chosen by name when the code runs, with a default: "
                                               "call the classes by name")
            self._placeholders.add(id(original))  # calling it raises, naming the use: never Paddle's class blind
            written = cst.Module([]).code_for_node(original.func)  # kept in the placeholder: nothing lost
            return updated.with_changes(func=runtime_call(RUNTIME_PLACEHOLDER, written, self.uses[-1].reason or ""))
        self._torch_members(module)
        self._record(original, label, None)
        self.uses[-1] = replace(self.uses[-1], reason=RUNTIME_REASON)
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        chooser = cst.Call(func=self._runtime_helper("torch_attr"), args=[
            cst.Arg(lookup.args[0].value, comma=comma), cst.Arg(lookup.args[1].value, comma=comma),
            cst.Arg(cst.SimpleString(repr(module)))])
        return updated.with_changes(func=chooser)
