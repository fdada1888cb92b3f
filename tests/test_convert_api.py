"""The library API of the conversion path."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from torch2paddle import SourceError, convert_source


def test_uses_carry_positions_targets_and_reasons():
    code = textwrap.dedent("""\
        import torch
        import torch.nn as nn

        layer = nn.Conv2d(3, 8, 3)
        weird = torch.no_such_function(1)
    """)
    result = convert_source(code, "model.py")
    conv = next(u for u in result.uses if u.api == "torch.nn.Conv2d")
    assert (conv.line, conv.column, conv.converted, conv.target) == (4, 8, True, "paddle.nn.Conv2D")
    missing = next(u for u in result.unsupported if u.api == "torch.no_such_function")
    assert (missing.line, missing.column, missing.reason) == (5, 8, "no mapping")
    assert missing.location("model.py") == "model.py:5:9"
    assert result.changed and "nn.Conv2D(3, 8, 3)" in result.code
    # a refused value at import time: a placeholder raising when used, the torch code kept as a comment above
    assert ('# torch2paddle: was: weird = torch.no_such_function(1)\n'
            'weird = _torch2paddle_runtime.unsupported("torch.no_such_function", \'no mapping\')  '
            '# torch2paddle: unsupported torch.no_such_function (no mapping)\n') in result.code


def test_code_without_torch_is_returned_as_is():
    code = "import numpy as np\n\nx = np.zeros(3)  # torch.nn.Conv2d in a comment\n"
    result = convert_source(code)
    assert result.code == code and result.uses == [] and not result.changed


def test_syntax_error_names_the_line():
    with pytest.raises(SourceError) as info:
        convert_source("import torch\n\ndef f(:\n    pass\n")
    assert info.value.line == 3


def test_conversion_never_imports_torch_or_paddle(tmp_path):
    (tmp_path / "m.py").write_text("import torch.nn as nn\nlayer = nn.Linear(2, 3)\n")
    probe = (
        "import sys, torch2paddle\n"
        "from torch2paddle.cli import main\n"
        f"code = main(['convert', {str(tmp_path / 'm.py')!r}, {str(tmp_path / 'out')!r}, '-q'])\n"
        "heavy = sorted(m for m in ('torch', 'paddle', 'torchvision', 'numpy') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "0 []"
    assert "nn.Linear(2, 3)" in (tmp_path / "out" / "m.py").read_text()
