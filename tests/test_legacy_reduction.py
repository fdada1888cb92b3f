"""The losses' legacy ``size_average``/``reduce`` flags: every combination folds to torch's own choice.

``legacy_reduction`` writes a literal string for literal flags and a conditional expression for flags
held in names; both are checked here against ``torch.nn._reduction.legacy_get_string``'s rule (restated,
the converter never imports torch) for every value the flags and ``reduction`` can take.
"""

from __future__ import annotations

import itertools

import pytest

from torch2paddle import convert_source

_VALUES = [None, True, False, 0, 1]
_REDUCTIONS = ["mean", "sum", "none"]


def _torch_rule(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _reduction_of(code: str, namespace: dict):
    """The value the converted call passes as reduction= (calls recorded by a stub)."""
    calls = []

    class Stub:
        def __getattr__(self, name):
            return lambda *args, **kwargs: calls.append(kwargs)

    exec(code.replace("import paddle.nn.functional as F\n", ""), {"F": Stub(), **namespace})
    assert len(calls) == 1, code
    return calls[0].get("reduction", "mean")


@pytest.mark.parametrize("how", ["literal", "name"])
@pytest.mark.parametrize("given", ["size_average", "reduce", "both"])
@pytest.mark.parametrize("reduction", [None, *_REDUCTIONS])
def test_every_combination_matches_torch(how, given, reduction):
    names = ["size_average", "reduce"] if given == "both" else [given]
    for values in itertools.product(_VALUES, repeat=len(names)):
        flags = dict(zip(names, values))
        if how == "literal":
            passed = ", ".join(f"{k}={v!r}" for k, v in flags.items())
            namespace = {}
        else:
            passed = ", ".join(f"{k}=cfg_{k}" for k in flags)
            namespace = {f"cfg_{k}": v for k, v in flags.items()}
        if reduction is not None:
            passed += f", reduction={reduction!r}"
        source = f"import torch.nn.functional as F\nloss = F.l1_loss(a, b, {passed})\n"
        result = convert_source(source, filename="legacy.py")
        assert all(u.converted for u in result.uses), (source, result.uses)
        expected = _torch_rule(flags.get("size_average"), flags.get("reduce"), reduction or "mean")
        assert _reduction_of(result.code, {"a": 1, "b": 2, **namespace}) == expected, (source, result.code)


def test_positional_flags_and_a_refused_expression():
    result = convert_source("import torch.nn.functional as F\nloss = F.nll_loss(x, y, w, False, 3, None)\n",
                            filename="legacy.py")
    assert "_torch2paddle_runtime.nll_loss(x, y, w, ignore_index=3, reduction=\"sum\")" in result.code
    refused = convert_source("import torch.nn.functional as F\nloss = F.mse_loss(a, b, size_average=cfg.get('avg'))\n",
                             filename="legacy.py")
    assert [u.converted for u in refused.uses] == [False]
    assert "not a literal or a plain name" in refused.uses[0].reason
