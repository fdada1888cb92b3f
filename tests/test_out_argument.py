"""``out=``: torch writes the result into the given tensor(s); the converted call writes Paddle's result there.

A plain name or attribute as ``out`` gets ``paddle.assign(result.astype(out.dtype), output=out)`` written out; a
tuple of tensors (``torch.max(x, 1, out=(values, indices))``) or an expression (``out=torch.empty(3)``, read
once) goes through the run-time ``write_out``. Each case runs in both frameworks (the mapping examples' runner).
"""

from __future__ import annotations

import pytest

import mapping_examples as mx
from torch2paddle.tables import ApiEntry, Example

X = "rng.standard_normal((3, 4)).astype('float32')"
CASES = {
    "a name": ("import torch\no = torch.empty(3, 4)\nr = torch.add(x, y, out=o)\nsame = r is o\n",
               ["o", "r", "same"]),
    "an expression, resized": ("import torch\nr = torch.matmul(x, y.T, out=torch.empty(2))\n", ["r"]),
    "a tuple of tensors": ("import torch\nv, i = torch.empty(3), torch.empty(3, dtype=torch.long)\n"
                           "r = torch.max(x, 1, out=(v, i))\nfirst = r[0]\n", ["v", "i", "first"]),
    "a tuple, sort": ("import torch\nv, i = torch.empty(0), torch.empty(0, dtype=torch.long)\n"
                      "torch.sort(x, 1, descending=True, out=(v, i))\n", ["v", "i"]),
    "cast to out's dtype": ("import torch\no = torch.zeros(3, 4, dtype=torch.float64)\n"
                            "torch.cat([x[:1], y[1:]], out=o)\n", ["o"]),
    "a creation function": ("import torch\no = torch.empty(5, dtype=torch.float64)\n"
                            "torch.linspace(0, 1, 5, out=o)\nb = torch.arange(4, out=torch.empty(4))\n", ["o", "b"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_out_argument_runs_as_in_torch(name):
    code, compare = CASES[name]
    entry = ApiEntry(name=f"out= ({name})", table="out_argument", section="apis", examples=(
        Example(code=code, compare=tuple(compare), inputs={"x": X, "y": X}),))
    mx.run_case(mx.ExampleCase(entry, 0))
