"""Jupyter notebooks through the installed command: code cells converted as one module, everything else
(markdown, outputs, execution counts, metadata, IPython magics) kept, uses reported with cell and line."""

from __future__ import annotations

import copy
import json

from test_cli_everyday import t2p
from trees import make_tree

KERNEL = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
          "language_info": {"name": "python"}}
OUTPUT = {"output_type": "execute_result", "execution_count": 2, "metadata": {},
          "data": {"text/plain": ["tensor([0., 0.])"]}}


def _notebook(cells: list[dict], metadata: dict | None = None) -> dict:
    return {"cells": cells, "metadata": metadata or KERNEL, "nbformat": 4, "nbformat_minor": 5}


def _code(source, count=None, outputs=(), **metadata) -> dict:
    return {"cell_type": "code", "execution_count": count, "metadata": metadata, "outputs": list(outputs),
            "source": source}


DEMO = _notebook([
    {"cell_type": "markdown", "metadata": {}, "source": ["# Training\n", "We `import torch` here."]},
    _code(["%matplotlib inline\n", "!pip install torch\n", "import torch\n", "import torch.nn as nn"], 1,
          tags=["setup"]),
    _code(["layer = nn.Conv2d(3, 8, 3)  # keep me\n", "files = !ls\n", "x = torch.zeros(2)\n", "torch.zeros?\n",
           "if True:\n", "    %time y = x.sum()\n", "z = torch.no_such_function(1)"], 2, [OUTPUT]),
    _code("%%bash\necho torch.zeros(1)\n", 3),
    _code(["%%time\n", "w = torch.ones(2)"], 4),
    {"cell_type": "raw", "metadata": {}, "source": "torch.zeros(1)"},
])


def test_a_notebook_is_converted_cell_by_cell(tmp_path):
    make_tree(tmp_path / "src", {"train.ipynb": json.dumps(DEMO, indent=1)})
    done = t2p("convert", "src", "out", "--report", "r.json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "out" / "train.ipynb").read_text())
    sources = [cell["source"] for cell in result["cells"]]
    assert sources[1][:2] == ["%matplotlib inline\n", "!pip install torch\n"]  # magics as they were
    assert "import paddle\n" in sources[1] and sources[1][-1] == "import paddle.nn as nn"
    assert not any("torch\n" in line for line in sources[1][2:])
    if "import _torch2paddle_runtime\n" in sources[1]:  # the notebook's folder is where Jupyter imports from
        assert (tmp_path / "out" / "_torch2paddle_runtime.py").is_file()
    cell = sources[2]
    assert cell[0] == "layer = nn.Conv2D(3, 8, 3)  # keep me\n"
    assert cell[1:6] == ["files = !ls\n", "x = paddle.zeros([2])\n", "torch.zeros?\n", "if True:\n",
                         "    %time y = x.sum()\n"]
    assert "torch2paddle: unsupported torch.no_such_function" in "".join(cell)
    assert sources[3] == "%%bash\necho torch.zeros(1)\n"  # not Python: as it was
    assert sources[4] == ["%%time\n", "w = paddle.ones([2])"]
    # everything but the code cells' source is exactly as it was
    expected = copy.deepcopy(DEMO)
    for before, after in zip(expected["cells"], result["cells"]):
        before["source"] = after["source"]
    assert result == expected
    assert [c["source"] for c in result["cells"] if c["cell_type"] != "code"] == \
        [c["source"] for c in DEMO["cells"] if c["cell_type"] != "code"]
    # the unsupported use names its cell (counted over all cells, from 1) and its line in that cell
    assert "train.ipynb:cell_3:7" in done.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    uses = next(f for f in report["files"] if f["path"] == "train.ipynb")["uses"]
    refused = [u for u in uses if not u["converted"]]
    assert [(u["api"], u["cell"], u["line"]) for u in refused] == [("torch.no_such_function", 3, 7)]
    try:
        import nbformat
    except ImportError:
        nbformat = None
    if nbformat is not None:
        nbformat.validate(nbformat.reads((tmp_path / "out" / "train.ipynb").read_text(), as_version=4))
    # converting the result again changes nothing
    again = t2p("convert", "out", "--check", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_notebook_cell_that_does_not_parse_is_named(tmp_path):
    nb = _notebook([{"cell_type": "markdown", "metadata": {}, "source": "x"},
                    _code("import torch\n"), _code("def f(:\n    pass\n")])
    raw = json.dumps(nb)
    make_tree(tmp_path / "src", {"bad.ipynb": raw})
    done = t2p("convert", "src", "out", "-q", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith("error bad.ipynb: cell 3, line 1:")
    assert (tmp_path / "out" / "bad.ipynb").read_text() == raw  # copied unchanged


def test_notebooks_left_as_they_are(tmp_path):
    raws = {
        "not_json.ipynb": "{not json",
        "other_language.ipynb": json.dumps(_notebook([_code("library(torch)\nx <- torch_zeros(2)\n")],
                                                     {"kernelspec": {"name": "ir", "language": "R"}})),
        "no_torch.ipynb": json.dumps(_notebook([_code("print(1)\n")])),
    }
    make_tree(tmp_path / "src", raws)
    done = t2p("convert", "src", "out", "-q", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith("error not_json.ipynb: not a notebook (JSON:")
    assert len(done.stdout.splitlines()) == 1
    for name, raw in raws.items():
        assert (tmp_path / "out" / name).read_text() == raw


def test_notebook_diff_and_check(tmp_path):
    make_tree(tmp_path / "src", {"nb.ipynb": json.dumps(DEMO, indent=1)})
    check = t2p("convert", "src", "--check", cwd=tmp_path)
    assert check.returncode == 1 and "would convert nb.ipynb" in check.stdout
    diff = t2p("convert", "src", "--diff", cwd=tmp_path)
    assert diff.returncode == 0
    assert "--- a/nb.ipynb" in diff.stdout and '+    "import paddle\\n",' in diff.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]
