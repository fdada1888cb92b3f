"""Uses and markers: recording each converted or refused torch use and the marker comments a refused one leaves
on its line."""

from __future__ import annotations

import libcst as cst

from ..report import ApiUse, marker_text
from .support import _EMPTY_MODULE, _probe


class UseReports:
    """Uses and markers: recording each converted or refused torch use and the marker comments a refused one
    leaves on its line."""

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

    def _torch_only_use(self, node: cst.CSTNode, attribute: cst.Attribute) -> None:
        """``x.addcmul_(a, b)`` / ``x.H`` with no table entry, where ``x`` may be a tensor: Paddle's Tensor has
        no such name (tables.torch_only_tensor_names), so it is marked rather than passed through."""
        if self.qualify(attribute.value) is not None or self._receiver_kind(attribute.value) in ("other", "module"):
            return
        name = attribute.attr.value
        self._unsupported(node, f"torch.Tensor.{name}", f"Paddle's Tensor has no `{name}` and no table entry "
                                                        "converts it (the receiver may be a tensor)")
