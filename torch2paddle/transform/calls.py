"""Calls of torch APIs and methods: the entry's rewrite or the argument pipeline, out=, super().__init__ of layer
subclasses, feature probes, refusals."""

from __future__ import annotations

import libcst as cst

from ..arguments import (AccessContext, CallContext, InitContext, UnsupportedUse, append_args, fix_commas, spliced_stars,
                         map_arguments)
from ..imports import opens_file
from ..rewrites import (ACCESS_REWRITES, CALL_REWRITES, CLASS_REWRITES, DIRECTIVE_REWRITES, INIT_REWRITES,
                        VALUE_REWRITES)
from ..rewrites._support import assign_into, keyword
from ..tables import ApiEntry
from .support import _LIST_RESULTS, _out_keyword, _without_none_out, owner_of, _with_args, _keep_parentheses


_TENSOR_KEYWORDS = frozenset({"dim", "keepdim"})  # keywords of torch.Tensor methods only


def _then_to(entry: ApiEntry, call: cst.Call) -> tuple[list[cst.Arg], list[cst.Arg]]:
    """``call``'s arguments split into those the entry applies with ``.to(...)`` on its result (``then_to``, as
    keywords; each is the last of torch's positional parameters it has, so leaving one out moves no other) and
    the rest.  A ``*``/``**`` argument leaves them all in place: the run-time adapter meets them."""
    if not entry.then_to or any(arg.star for arg in call.args):
        return [], list(call.args)
    given, kept = [], []
    for i, arg in enumerate(call.args):
        name = arg.keyword.value if arg.keyword is not None else (entry.args[i] if i < len(entry.args) else None)
        if name in entry.then_to:
            given.append(arg if arg.keyword is not None else keyword(name, arg.value))
        else:
            kept.append(arg)
    return given, kept


class ApiCalls:
    """Calls of torch APIs and methods: the entry's rewrite or the argument pipeline, out=, super().__init__ of
    layer subclasses, feature probes, refusals."""

    def _torch_lookup(self, func: cst.BaseExpression) -> str | None:
        """``getattr(nn, rnn_type)`` (or ``getattr(nn, "LSTM")``): the torch module it looks a name up in."""
        if not (isinstance(func, cst.Call) and isinstance(func.func, cst.Name) and func.func.value == "getattr"
                and len(func.args) in (2, 3)):
            return None
        module = self.qualify(func.args[0].value)
        return module if module is not None and module in self.tables.modules and self.is_torch(module) else None

    def _super_init(self, original: cst.Call, updated: cst.Call, entry: ApiEntry,
                    label: str | None = None) -> cst.BaseExpression:
        """``super().__init__(num_features, eps=eps, momentum=m)`` in a subclass of a torch layer, or a call of
        a project class deriving from one without an ``__init__`` of its own (``Linear(a, b, bias=False)``
        with timm's ``class Linear(nn.Linear)``): the arguments map exactly as a call of the layer does."""
        label = label or f"super().__init__(...) -> {entry.name}"
        try:
            with self._attempt():
                if entry.rewrite:  # the layer's call rewrite (pool checks, conv padding): its arguments, if a plain call
                    call = CALL_REWRITES[entry.rewrite](self._context(entry, original, updated, runtime=True))
                    if not (isinstance(call, cst.Call) and call.func.deep_equals(self.output.render(entry.target))):
                        raise UnsupportedUse(f"{entry.name}'s conversion is more than its class called with other "
                                             "arguments, which super().__init__ cannot take")
                    args = list(call.args)
                else:
                    args = map_arguments(entry, updated.args, VALUE_REWRITES, runtime=self._runtime_keywords)
        except UnsupportedUse as exc:
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
        self.constants[id(answer)] = answer  # folded by the folding pass (transform/constants.py)
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

    def _context(self, entry, original, updated, receiver=None, runtime: bool = False, site=None) -> CallContext:
        site = site or original  # the call as written (`original` may be its spliced reading, see _spliced_retry)
        target = self._assigned.get(id(site))
        chained = self._chained.get(id(site))
        attempt = self._attempts[-1]  # contexts are made inside an attempt: what the rewrite adds waits there
        return CallContext(
            entry, updated, original, self.output.render, self.resolve_entry, VALUE_REWRITES, receiver,
            assigned_to=target,
            add_statement=attempt.statements.append if target is not None and self._after else None,
            bound_values=self._bound_values,
            file_values=lambda: [value for values in self.scan.bound_values.values() for value in values],
            scope_state=attempt.scope_state,
            chained=chained,
            runtime=self._runtime_keywords if runtime else None,
            helper=self._runtime_helper,
            layer_of=self._layer_of,
            holds_linear_weight=self._holds_linear_weight,
            file_object=lambda node: opens_file(node) or (isinstance(node, cst.Name)
                                                          and node.value in self.scan.opened_files),
        )

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
        if torch_use:
            updated = _without_none_out(entry, updated)
        given, kept = _then_to(entry, updated) if torch_use else ([], [])
        applied = [a for a in given if not (isinstance(a.value, cst.Name) and a.value.value == "None")]
        if given:  # nn.Linear(3, 4, dtype=torch.float64) -> nn.Linear(3, 4).to(dtype=paddle.float64)
            updated = updated.with_changes(args=fix_commas(list(updated.args), kept))
        new = self._entry_call(original, updated, qualified, entry)
        if new is not None and applied:
            new = cst.Call(func=cst.Attribute(value=new, attr=cst.Name("to")), args=fix_commas([], [
                a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in applied]))
        if new is None:
            return updated.with_changes(func=self._torch_form(qualified)) if torch_use else updated
        if torch_use:
            self._record(original, qualified, entry.target)
        self._commit_runtime(recorded=torch_use)
        if self.torch_init and entry.torch_init and isinstance(new, cst.Call):
            new = self._with_torch_init(entry, updated, new)
        if entry.rewrite == "constant":
            self.constants[id(new)] = new  # folded by the folding pass (transform/constants.py)
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
        def convert(call: cst.Call, written: cst.Call, star_at_run_time: bool) -> cst.BaseExpression:
            with self._attempt():
                if entry.rewrite:
                    return _keep_parentheses(call, CALL_REWRITES[entry.rewrite](
                        self._context(entry, written, call, runtime=True, site=original)))
                args = map_arguments(entry, call.args, VALUE_REWRITES, runtime=self._runtime_keywords,
                                     star_at_run_time=star_at_run_time)
                return _with_args(call, args, func=self.output.render(entry.target))

        try:
            return self._spliced_retry(original, updated, convert)
        except UnsupportedUse as exc:
            self._unsupported(original, label or qualified, str(exc))  # also functools.partial of a torch API
            return None

    @staticmethod
    def _spliced_retry(original: cst.Call, updated: cst.Call, convert):
        """``convert(updated, original, star_at_run_time)``.  A call passing a starred list or tuple display
        (``nn.Conv2d(*[3, 8, 3])``) is converted as written where that needs no run-time binding of its
        positions (``nn.Sequential(*[...])`` keeps its layout), else read as ``nn.Conv2d(3, 8, 3)``."""
        spliced = spliced_stars(updated.args)
        if spliced is None:
            return convert(updated, original, True)
        try:
            return convert(updated, original, False)
        except UnsupportedUse:
            pass
        return convert(updated.with_changes(args=spliced), original.with_changes(args=spliced_stars(original.args)),
                       True)

    def _call_with_out(self, original: cst.Call, updated: cst.Call, qualified: str, entry: ApiEntry,
                       out: cst.Arg) -> cst.BaseExpression:
        """``torch.add(x, y, out=buf)`` -> ``paddle.assign((x + y).astype(buf.dtype), output=buf)``: Paddle
        returns a new tensor, so the result is written into ``out`` in place (cast to its dtype, resized to the
        result's shape, and returned) as torch does.  Refused for a class, a result that is a tuple
        (``torch.max(x, 1, out=(v, i))``), or an ``out`` that is not a plain name or attribute (read twice)."""
        torch_form = updated.with_changes(func=self._torch_form(qualified))
        target_is_class = entry.target.rsplit(".", 1)[-1][:1].isupper()
        if entry.kind != "callable" or target_is_class:
            self._unsupported(original, qualified, f"out=: Paddle's {entry.target} returns a new tensor: assign the "
                                                   "result instead (`out = ...` or paddle.assign(result, output=out))")
            return torch_form
        stripped = updated.with_changes(args=fix_commas(list(updated.args), [a for a in updated.args if a is not out]))
        call = self._entry_call(original, stripped, qualified, entry)
        if call is None:
            return torch_form
        if entry.result_fields or isinstance(call, cst.Tuple) or not isinstance(out.value, (cst.Name, cst.Attribute)):
            # several results (out=(values, indices)), or an out= expression that must be evaluated once
            self._record(original, qualified, entry.target)
            self._commit_runtime(recorded=True)
            return cst.Call(func=self._runtime_helper("write_out"), args=[
                cst.Arg(call, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Arg(out.value)])
        if not isinstance(call, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) and not call.lpar:
            call = call.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        self._record(original, qualified, entry.target)
        self._commit_runtime(recorded=True)
        return assign_into(self.output.render, call, out.value)

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
            marked = [e for e in entries if e.receiver == "may_be_tensor"]
            if not chosen and marked:  # df.where(c, y) or a tensor's: converting either way could be wrong
                self._unsupported(original, marked[0].name, "the receiver may be a tensor, whose "
                                  f"`{func.attr.value}` means something else in Paddle; it converts where the "
                                  "code shows a tensor (an annotation `x: torch.Tensor`, a torch call's result)")
                return updated
            keywords = {a.keyword.value for a in original.args if a.keyword is not None}
            if not chosen and keywords & _TENSOR_KEYWORDS:  # `x.split(n, dim=1)`: no str/list method takes dim=
                chosen = [e for e in entries if owner_of(e) == "tensor" and keywords <= set(e.args)]
        else:
            # a known layer or tensor takes its own class's methods only (self.softmax(x) is a sub-layer call)
            chosen = [e for e in entries if owner_of(e) == kind]
        if not chosen:
            if func.attr.value in self._torch_only:  # x.ipu(): only nn.Module's entry has the name
                self._torch_only_use(original, func)
            return updated
        entry = chosen[0]
        if len({(e.target, e.rewrite, e.unsupported) for e in chosen}) > 1:
            return updated  # the receiver's type decides, and it is unknown
        receiver = updated.func.value if isinstance(updated.func, cst.Attribute) else func.value
        if entry.unsupported:
            self._unsupported(original, entry.name, entry.unsupported)
            return updated
        if (entry.method_name.endswith("_") and isinstance(func.value, cst.Attribute) and func.value.attr.value == "grad"
                and isinstance(updated.func, cst.Attribute)):
            # p.grad.zero_(): Paddle refuses in-place ops on a gradient (a leaf that does not stop gradient); its
            # detached view shares the gradient's memory, so the op lands in the gradient as in torch
            receiver = cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name("detach")))
            updated = updated.with_changes(func=updated.func.with_changes(value=receiver))
        def convert(call: cst.Call, written: cst.Call, star_at_run_time: bool) -> cst.BaseExpression:
            with self._attempt():
                if entry.rewrite:
                    return _keep_parentheses(call, CALL_REWRITES[entry.rewrite](
                        self._context(entry, written, call, receiver, site=original)))
                args = map_arguments(entry, call.args, VALUE_REWRITES)
                return _with_args(call, args, func=call.func.with_changes(attr=cst.Name(entry.target_method)))

        try:
            new = self._spliced_retry(original, updated, convert)
        except UnsupportedUse as exc:
            self._unsupported(original, entry.name, str(exc))
            return updated
        if not new.deep_equals(updated):
            self._record(original, entry.name, entry.target)
        elif entry.result_fields:  # x.topk(2) is the same call in Paddle, but .indices is not
            self._tuple_results[id(original)] = entry.result_fields
        return new
