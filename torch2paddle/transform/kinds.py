"""What a value may be (tensor, layer, numpy array, plain Python value, layer factory), read off the file:
receivers' kinds decide which rewrites apply."""

from __future__ import annotations

import libcst as cst

from ..imports import dotted_name
from ..runtime import MODULE as RUNTIME_MODULE
from ..call_sites import call_sites, parameter_holds_layer_weight
from .support import _NON_TENSOR_RESULTS, _is_plain_python


class ValueKinds:
    """What a value may be (tensor, layer, numpy array, plain Python value, layer factory), read off the file:
    receivers' kinds decide which rewrites apply."""

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
            if values and all(_is_plain_python(v) or (isinstance(v, cst.Call) and isinstance(v.func, cst.Name)
                                                      and v.func.value in self._torch_api_classes) for v in values):
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
        """A name an import binds to another library's module (numpy, paddle) or to something from paddle, or the
        generated run-time module (a file converted twice: `_torch2paddle_runtime.fmod(a, b)` is no Tensor.fmod)."""
        return name in self.scan.foreign_modules or name in self.scan.paddle_names or name == RUNTIME_MODULE
