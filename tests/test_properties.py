"""Property-based: generated programs that use torch APIs in varied forms (import styles, aliases,
positional and keyword arguments, attribute chains, nested calls, comments and strings naming torch,
shadowed names) convert without a crash into code that parses, converting again changes nothing,
comments and strings survive, and no torch API is left in torch form unless it is reported."""

from __future__ import annotations

import ast
import io
import tokenize

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from torch2paddle import convert_source
from torch2paddle.convert import default_tables

TABLES = default_tables()

# (module alias kind, template): {t} torch, {nn} torch.nn, {F} torch.nn.functional; {x} a tensor variable
CALLS = [
    ("t", "{t}.zeros(2, 3)", "torch.zeros"),
    ("t", "{t}.ones((4,), dtype={t}.float32)", "torch.ones"),
    ("t", "{t}.cat([{t}.zeros(2), {t}.ones(2)], dim=0)", "torch.cat"),
    ("t", "{t}.cat([{t}.zeros(2), {t}.ones(2)], 0)", "torch.cat"),
    ("t", "{t}.stack(tensors=[{x}, {x}], dim=1)", "torch.stack"),
    ("t", "{t}.matmul({x}, {t}.flatten({x}, 1))", "torch.matmul"),
    ("t", "{t}.flatten({x}, start_dim=1)", "torch.flatten"),
    ("t", "{t}.sigmoid({t}.matmul({x}, {x}))", "torch.sigmoid"),
    ("t", "{t}.arange(0, 10, 2)", "torch.arange"),
    ("t", "{t}.tensor([1.0, 2.0])", "torch.tensor"),
    ("t", "{t}.nn.Linear(8, 4)", "torch.nn.Linear"),
    ("t", "{t}.nn.functional.relu({x})", "torch.nn.functional.relu"),
    ("t", "{t}.no_such_api({x})", "torch.no_such_api"),
    ("t", "{t}.max({x}, 1).values", "torch.max"),
    ("t", "{t}.sort({x}, 0)[1]", "torch.sort"),
    ("t", "1 if not {t}.jit.is_scripting() and {x} is not None else 0", "torch.jit.is_scripting"),
    ("nn", "{nn}.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)", "torch.nn.Conv2d"),
    ("nn", "{nn}.Conv2d(in_channels=3, out_channels=8, kernel_size=3)", "torch.nn.Conv2d"),
    ("nn", "{nn}.Linear(16, 4)", "torch.nn.Linear"),
    ("nn", "{nn}.BatchNorm2d(8, eps=1e-3, momentum=0.01)", "torch.nn.BatchNorm2d"),
    ("nn", "{nn}.ReLU(inplace=True)", "torch.nn.ReLU"),
    ("nn", "{nn}.Dropout(p=0.2)", "torch.nn.Dropout"),
    ("nn", "{nn}.Sequential({nn}.Linear(4, 4), {nn}.ReLU())", "torch.nn.Sequential"),
    ("nn", "{nn}.functional.relu({x})", "torch.nn.functional.relu"),
    ("F", "{F}.relu({x})", "torch.nn.functional.relu"),
    ("F", "{F}.dropout({x}, p=0.5, training=True)", "torch.nn.functional.dropout"),
    ("F", "{F}.interpolate({x}, scale_factor=2, mode='nearest')", "torch.nn.functional.interpolate"),
]
CALLS = [c for c in CALLS if c[2] in TABLES.apis or c[2].endswith("no_such_api")]
METHOD_CHAINS = ["{x}.view(-1)", "{x}.view({x}.size(0), -1)", "{x}.sum(dim=1).mean()", "{x}.permute(0, 2, 1)",
                 "{x}.detach().cpu()", "{x}.float()", "{x}.eq({x}).sum()", "{x}.max(1)[0]", "{x}.numel()"]
IMPORTS = {
    "t": ["import torch", "import torch as T"],
    "nn": ["import torch.nn as nn", "from torch import nn", "import torch.nn as tnn"],
    "F": ["import torch.nn.functional as F", "from torch.nn import functional as F"],
}
COMMENTS = ["# torch.nn.Conv2d(3, 8) in a comment", "# uses torch.zeros, nn.Linear", "# plain comment"]
STRINGS = ['"torch.zeros(2, 3)"', "'nn.Conv2d(3, 8, 3)'", '"""docstring: torch.cat([a, b])"""', "f'{1} torch'"]


def _local(statement: str) -> str:
    """The local name an import statement binds."""
    node = ast.parse(statement).body[0]
    alias = node.names[0]
    return alias.asname or alias.name.split(".")[0]


@st.composite
def programs(draw) -> str:
    kinds = draw(st.sets(st.sampled_from(sorted(IMPORTS)), min_size=1))
    names, lines = {}, []
    for kind in sorted(kinds):
        statement = draw(st.sampled_from(IMPORTS[kind]))
        lines.append(statement)
        names[kind] = _local(statement)
    if "t" not in names:
        lines.append("import torch")
        names["t"] = "torch"
    lines.append("")
    usable = [c for c in CALLS if c[0] in names]
    body = []
    for i in range(draw(st.integers(1, 6))):
        kind, template, _ = draw(st.sampled_from(usable))
        expr = template.format(t=names["t"], nn=names.get("nn", "nn"), F=names.get("F", "F"), x="x")
        if draw(st.booleans()):
            expr = draw(st.sampled_from(METHOD_CHAINS)).format(x=f"({expr})")
        comment = draw(st.sampled_from(["", *COMMENTS]))
        body.append(f"v{i} = {expr}" + (f"  {comment}" if comment else ""))
    for _ in range(draw(st.integers(0, 2))):
        body.append(f"s{len(body)} = {draw(st.sampled_from(STRINGS))}")
    lines.append(f"x = {names['t']}.zeros(2, 3)")
    lines.extend(body)
    if "nn" in names and draw(st.booleans()):
        nn = names["nn"]
        lines += ["", "", f"class Block({nn}.Module):", '    """A block: torch.nn.Module in a docstring."""', "",
                  "    def __init__(self, width=8):", "        super().__init__()",
                  f"        self.conv = {nn}.Conv2d(width, width, 3)  # conv", "",
                  "    def forward(self, x):", "        return self.conv(x).view(-1)"]
    if draw(st.booleans()):  # a parameter shadowing an import: its uses are not torch's
        shadow = draw(st.sampled_from(sorted(names.values())))
        lines += ["", "", f"def shadowed({shadow}):", f"    return {shadow}.Conv2d(1) + {shadow}.zeros(2)"]
    return "\n".join(lines) + "\n"


def _tokens(code: str, kind: int) -> list[str]:
    return [t.string for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type == kind]


def _strings(code: str) -> list[str]:
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            out.append(tok.string)
    return out


def _torch_references(code: str, roots: frozenset[str]) -> set[str]:
    """Dotted names in ``code`` that resolve to a torch import (outside functions shadowing the name)."""
    tree = ast.parse(code)
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in roots:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] in roots:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    found: set[str] = set()

    def visit(node: ast.AST, shadowed: frozenset[str]) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            params = {a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]}
            shadowed = shadowed | params
        if isinstance(node, (ast.Attribute, ast.Name)):
            parts, inner = [], node
            while isinstance(inner, ast.Attribute):
                parts.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id in aliases and inner.id not in shadowed:
                found.add(".".join([aliases[inner.id], *reversed(parts)]))
                return
        for child in ast.iter_child_nodes(node):
            visit(child, shadowed)

    visit(tree, frozenset())
    return found


ROOTS = frozenset(name.split(".")[0] for name in TABLES.modules)


@settings(max_examples=60, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_generated_programs(code: str) -> None:
    ast.parse(code)
    result = convert_source(code, "generated.py")
    out = result.code
    ast.parse(out)  # the output parses
    assert convert_source(out, "generated.py").code == out  # converting again changes nothing
    for string in _strings(code):  # strings are never altered
        assert string in _strings(out), string
    out_comments = _tokens(out, tokenize.COMMENT)
    for comment in _tokens(code, tokenize.COMMENT):  # comments are kept (a marker may be appended)
        assert any(c.startswith(comment) for c in out_comments), comment
    reported = {u.api for u in result.unsupported}
    for ref in _torch_references(out, ROOTS):  # torch left in the output only where reported
        assert any(ref == api or ref.startswith(api + ".") or api.startswith(ref + ".") for api in reported), (
            f"{ref} is left in torch form but not reported:\n{out}"
        )


@settings(max_examples=25, derandomize=True, database=None, deadline=None)
@given(st.text(alphabet="abcxyz_ ()[]{}.,:=+-*#'\"\n0123456789", max_size=120))
def test_arbitrary_text_never_crashes(text: str) -> None:
    """Any text mentioning torch either converts or raises SourceError, never anything else."""
    from torch2paddle import SourceError

    code = "import torch\n" + text
    try:
        result = convert_source(code)
    except SourceError:
        return
    ast.parse(result.code)


def test_a_program_without_torch_is_returned_unchanged() -> None:
    code = "import numpy as np\n\n# torch.nn.Conv2d\nx = np.zeros(3)  # torch\ns = 'torch.cat'\n"
    assert convert_source(code).code == code and not convert_source(code).changed
