"""Functions and classes: the scope stacks, the torch layer a class derives from, class rewrites and the train()
override decorator."""

from __future__ import annotations

import libcst as cst

from ..arguments import ClassContext, UnsupportedUse, keyword_rules
from ..runtime import is_runtime_target
from ..rewrites.module_train import decorate_train_override, overrides_train
from ..rewrites import CALL_REWRITES, CLASS_REWRITES
from ..tables import ApiEntry


class Definitions:
    """Functions and classes: the scope stacks, the torch layer a class derives from, class rewrites and the
    train() override decorator."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._function_nodes.append(node)
        self._claim_decorators(node)
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
        self._claim_decorators(node)
        is_module = False
        for base in node.bases:
            qualified = self.qualify(base.value)
            if qualified and (qualified.startswith("torch.nn.") or getattr(
                    self.tables.apis.get(qualified), "target", None) == "paddle.nn.Layer"):  # torch.jit.ScriptModule
                is_module = True
            elif isinstance(base.value, cst.Name) and base.value.value in self._module_classes:
                is_module = True
        if any(is_runtime_target(getattr(self.resolve_entry(b.value), "target", None)) for b in node.bases):
            # its base is torch's API written out in the run-time module (torch.optim.Optimizer): its instances'
            # torch attributes (opt.param_groups) are right as written
            self._torch_api_classes.add(node.name.value)
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
            try:
                with self._attempt():
                    converted = CLASS_REWRITES[entry.rewrite](ClassContext(entry, updated, self.output.render))
            except UnsupportedUse as exc:  # the base stays in torch form, spelled out, with the reason
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
