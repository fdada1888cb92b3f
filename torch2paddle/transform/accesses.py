"""Attribute entries read, assigned and looped over (``optimizer.param_groups[0]["lr"]``,
``x.requires_grad = ...``), and the statements that carry them."""

from __future__ import annotations

import libcst as cst

from ..arguments import AccessContext, UnsupportedUse
from ..rewrites import ACCESS_REWRITES
from .support import _tuple_field, _keep_parentheses, _with_markers


class Accesses:
    """Attribute entries read, assigned and looped over (``optimizer.param_groups[0]["lr"]``,
    ``x.requires_grad = ...``), and the statements that carry them."""

    def visit_For(self, node: cst.For) -> None:
        self._visit_compound(node)

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

    # -- attribute accesses with an access rewrite (reads and assignments) ----
    def visit_Assign(self, node: cst.Assign) -> None:
        self._open_import_time()

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
        refused = entry.unsupported if entry is not None else None  # no mapping: the reference pass marks it
        if refused and not augmented:  # `cudnn.deterministic = True` with a refused entry: marked, torch's form
            self._unsupported(target_o, qualified, refused)
            return cst.Assign(targets=[cst.AssignTarget(self._torch_form(qualified))], value=value)
        if entry is None or entry.unsupported or entry.rewrite not in ACCESS_REWRITES:
            return None
        return self._access(target_o, qualified, AccessContext(
            entry, target_u, self.output.render, rest=rest, value=value, augmented=augmented,
            runtime=self._runtime_helper))

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
        try:
            if entry.unsupported:
                raise UnsupportedUse(entry.unsupported)
            with self._attempt():
                new = ACCESS_REWRITES[entry.rewrite](ctx)
        except UnsupportedUse as exc:
            self._unsupported(original, api, str(exc))
            return None
        if new is not None:
            self._record(original, api, entry.target)
        return _keep_parentheses(ctx.node, new) if isinstance(new, cst.BaseExpression) else new

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
