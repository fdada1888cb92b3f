"""Names and attributes that refer to torch objects: module references, mapped names, refused ones."""

from __future__ import annotations

import libcst as cst

from ..arguments import AccessContext
from ..imports import build_dotted
from ..runtime import spec_of
from ..rewrites import (ACCESS_REWRITES, BASES_ONLY, CALL_REWRITES, CLASS_REWRITES, DIRECTIVE_REWRITES,
                        NAME_CONVERTS)
from .support import _tuple_field

# torch.dtype facts of a tensor's dtype (`x.dtype.itemsize`) that Paddle asks the tensor itself for
_TENSOR_DTYPE_FACTS = {"itemsize": "element_size", "is_floating_point": "is_floating_point",
                       "is_complex": "is_complex"}


class References:
    """Names and attributes that refer to torch objects: module references, mapped names, refused ones."""

    def _torch_form(self, qualified: str) -> cst.BaseExpression:
        return build_dotted(qualified)

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
        if key in self._call_funcs or key in self._claimed:
            return updated
        # a tensor attribute entry is converted also where something is taken of it (`x.mH.sum(0)`); a torch
        # module path's inner parts (`torch.nn` of `torch.nn.Conv2d`) are left to the whole reference
        if original.attr.value in self._attribute_methods and key not in self._store and (
                key not in self._inner or original.attr.value in self._tensor_attributes):
            new = self._method_access(original, updated)
            if new is not None:
                return new
        if (original.attr.value in self._dtype_only and key not in self._store and key not in self._call_funcs
                and isinstance(original.value, cst.Attribute) and original.value.attr.value == "dtype"
                and self.qualify(original) is None):
            kind = self._receiver_kind(original.value.value)
            if kind == "other":
                return updated  # np.zeros(3).dtype.itemsize: numpy's dtype has it
            method = _TENSOR_DTYPE_FACTS.get(original.attr.value)
            if (method is not None and isinstance(updated.value, cst.Attribute)  # x.dtype.itemsize, x a tensor
                    and kind == "tensor"):  # (numpy's arr.dtype has them)
                self._record(original, f"torch.dtype.{original.attr.value}", f"paddle.Tensor.{method}")
                return cst.Call(func=updated.value.with_changes(attr=cst.Name(method)))  # x.element_size()
            self._unsupported(original, f"torch.dtype.{original.attr.value}",
                              f"Paddle's dtypes have no `{original.attr.value}`")
            return updated
        if (original.attr.value in self._torch_only and key not in self._store and self.qualify(original) is None
                and (key in self._call_funcs or original.attr.value not in self._torch_only_methods)):
            self._torch_only_use(original, original)  # x.H on a value, not torch.x.H: no entry converted it
            return updated
        if key in self._inner:
            return updated
        return self._reference(original, updated)

    def _reference(self, original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
        if id(original) in self._directive_sites:
            return updated  # a decorator: converted with its definition
        qualified = self.qualify(original)
        if qualified is None:
            return updated
        if qualified in self.tables.modules:
            return self.output.render(self.tables.modules[qualified])
        entry, rest = self.lookup(qualified)
        if entry is None and qualified.endswith(".__dict__") and qualified[:-len(".__dict__")] in self.tables.modules:
            return self._torch_namespace(original, qualified[:-len(".__dict__")])
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
            if torch_class and not paddle_class and entry.value_target:  # isinstance(x, torch.FloatTensor)
                self._record(original, qualified, entry.value_target)
                return self.output.render(entry.value_target)
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
