"""The speed-ups give the same result as libcst's own machinery: the read-only walk (scan), the lazy
start positions, the cached dispatch with whitespace pruning, the statement-only import pass, and the
cheap gates in front of libcst's parser."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import PositionProvider

from torch2paddle import convert_source
from torch2paddle.convert import import_rewriter_for, default_tables, needs_python_parse, torch_roots_of
from torch2paddle.fastwalk import FastDispatch, _FieldRecorder, child_fields
from torch2paddle.import_rewriter import ImportRewriter, plan_output_names
from torch2paddle.imports import ImportScanner, scan_imports
from torch2paddle.positions import start_positions
from torch2paddle.transform.constants import fold_constants
from torch2paddle.transformer import TorchToPaddle

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "examples").rglob("*.py")) + sorted((ROOT / "tests" / "fixtures").rglob("*.py"))
TRICKY = '''\
# -*- coding: utf-8 -*-
"""Module docstring naming torch.nn.Conv2d."""
import os, torch
import torch.nn as nn
from torch.nn import functional as F, Linear
from torch import *  # star

x = torch.zeros(2, 3); y = F.relu(x)  # two statements
s = f"{torch.ones(1)!r:>10} and {x.view(-1)=}"
z = (torch
     .cat([x, x], dim=0)
     .sum())
lam = lambda t=torch.float32: torch.ones(2, dtype=t)
w = [nn.Linear(i, i) for i in range(3) if i]
if (n := torch.numel(x)) > 2:
    pass


@torch.no_grad()
class Net(nn.Module, metaclass=type):
    def __init__(self, nn=None, *args, act=nn.ReLU, **kw):
        global x
        super().__init__()
        self.fc = Linear(4, 2)
        import torch.nn.functional as G
        self.g = G.relu

    async def go(self, data):
        async with data as d, open("f") as g:
            async for item in d:
                await item
        try:
            import torch.optim as optim
        except (ImportError, ValueError) as exc:
            raise RuntimeError("torch") from exc
        finally:
            del d
        match data:
            case {"k": [1, *rest]} if rest:
                return torch.tensor(rest)
            case nn.Linear(in_features=4) | None:
                return nn
        while False:
            continue
        else:
            return x[0, ..., ::2].T @ x
'''


def _modules():
    yield "tricky", cst.parse_module(TRICKY)
    for path in SOURCES:
        yield path.name, cst.parse_module(path.read_text(encoding="utf-8"))


class _Ref(TorchToPaddle):
    """The transformer with libcst's own dispatch (no caching, no pruning)."""

    on_visit = cst.CSTTransformer.on_visit
    on_leave = cst.CSTTransformer.on_leave
    on_visit_attribute = cst.CSTTransformer.on_visit_attribute
    on_leave_attribute = cst.CSTTransformer.on_leave_attribute


def _scan_summary(result):
    return (result.aliases, result.function_aliases,
            [(i.local, i.qualified, id(i.statement), i.is_from, i.has_asname, i.scope) for i in result.imports],
            [(id(n), m) for n, m in result.star_imports], result.function_locals,
            {k: [id(v) for v in vs] for k, vs in result.bound_values.items()})


def test_field_order_is_libcsts_for_every_node():
    class Check(cst.CSTVisitor):
        def on_visit(self, node):
            recorder = _FieldRecorder(node)
            node._visit_and_replace_children(recorder)
            order = child_fields(node)
            assert [f for f in order if f in recorder.fields] == recorder.fields, type(node).__name__
            return True

    for _, module in _modules():
        module.visit(Check())


def test_fast_scan_equals_libcst_visit():
    roots = default_tables().roots
    for name, module in _modules():
        reference = ImportScanner(roots)
        module.visit(reference)
        assert _scan_summary(scan_imports(module, roots)) == _scan_summary(reference.result), name


def test_start_positions_equal_position_provider():
    class Collect(cst.CSTVisitor):
        def __init__(self):
            self.nodes = []

        def on_visit(self, node):
            self.nodes.append(node)
            return True

    for name, module in _modules():
        collect = Collect()
        module.visit(collect)
        expected = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        got = start_positions(module, collect.nodes)
        for node in collect.nodes:
            if node in expected:  # a few whitespace nodes generate no code, and have no position either way
                assert got[id(node)] == (expected[node].start.line, expected[node].start.column), (name, node)
        some = [n for n in collect.nodes[len(collect.nodes) // 3::97] if n in expected]  # exercises the early stop
        got = start_positions(module, some)
        assert all(got[id(n)] == (expected[n].start.line, expected[n].start.column) for n in some)
    assert start_positions(cst.parse_module("x = 1\n"), [cst.Name("elsewhere")]) == {}


def _convert_reference(module: cst.Module):
    tables = default_tables()
    roots = torch_roots_of(tables)
    scanner = ImportScanner(tables.roots)
    module.visit(scanner)
    scan = scanner.result
    if not any(i.qualified.split(".", 1)[0] in roots for i in scan.imports):
        return module.code, []
    output, forms = plan_output_names(scan, tables, roots)
    transformer = _Ref(tables, scan, output, roots)
    converted = fold_constants(module.visit(transformer), transformer.constants)
    positions = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    uses = [replace(u, line=positions[n].start.line, column=positions[n].start.column) if n in positions else u
            for u, n in zip(transformer.uses, transformer._use_nodes)]
    rewriter = import_rewriter_for(scan, forms, output, transformer, roots, None)
    rewriter.on_visit = lambda node: cst.CSTTransformer.on_visit(rewriter, node)  # no pruning
    rewriter.on_leave = lambda o, u: cst.CSTTransformer.on_leave(rewriter, o, u)
    return converted.visit(rewriter).code, sorted(uses, key=lambda u: (u.line, u.column))


def test_conversion_equals_libcsts_own_machinery():
    roots = torch_roots_of(default_tables())
    compared = 0
    for name, module in _modules():
        code = module.code
        if not any(root in code for root in roots):
            continue
        try:
            expected = _convert_reference(module)
        except Exception as exc:  # the same failure both ways
            with pytest.raises(type(exc)):
                convert_source(code, name)
            continue
        result = convert_source(code, name)
        assert (result.code, result.uses) == expected, name
        compared += 1
    assert compared > 10


def test_dispatch_mixin_flags():
    class WithAttributeHook(FastDispatch, cst.CSTTransformer):
        def visit_Call_func(self, node):
            pass

    class WithWhitespaceHook(FastDispatch, cst.CSTVisitor):
        def leave_Comment(self, node):
            pass

    assert TorchToPaddle._prune_trivia and not TorchToPaddle._has_attribute_hooks
    assert ImportRewriter._prune_trivia
    assert WithAttributeHook._has_attribute_hooks and WithAttributeHook._prune_trivia
    assert not WithWhitespaceHook._prune_trivia
    seen = []

    class Comments(FastDispatch, cst.CSTVisitor):
        def visit_Comment(self, node):
            seen.append(node.value)

    cst.parse_module("x = 1  # one\n# two\n").visit(Comments())
    assert seen == ["# one", "# two"]


@pytest.mark.parametrize("code, risky", [
    ("import torch\nx = torch.zeros(1)\n", False),
    ("x = " + "(" * 101 + "1" + ")" * 101 + "\n", True),
    ("x = (1 +\n" + "    1 +\n" * 400 + "    1)\n", True),  # one logical line of 4000 characters
    ("x = 1 + \\\n" * 300 + "1\n", True),  # backslash-continued
    ("s = ')'\n", True),  # unbalanced in a string: answers yes, to be safe
    ("data = {\n" + "    'k': 1,\n" * 100 + "}\n", False),
    ("", False),
])
def test_needs_python_parse(code, risky):
    assert needs_python_parse(code) is risky


def test_import_gate_never_misses_an_import():
    for code in ("import os, \\\n    torch\nx = torch.zeros(1)\n", "x = 1; import torch.nn as nn\nnn.ReLU()\n",
                 "if True: from torch import nn\nnn.ReLU()\n", "from torch.nn import (\n    ReLU,\n)\nReLU()\n"):
        assert convert_source(code).uses, code  # it reached the converter
