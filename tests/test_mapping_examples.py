"""Every example in the mapping tables is a differential test (torch vs converted Paddle).

The runner lives in ``mapping_examples.py``; one test per (entry, example),
with ids like ``nn_layers.yaml::torch.nn.Conv2d[0]``.
"""

from __future__ import annotations

import pytest

import mapping_examples as mx

CASES = mx.cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_example(case: mx.ExampleCase) -> None:
    try:
        mx.run_case(case)
        failure = None
    except mx.ExampleFailure as exc:
        failure = str(exc)
    if failure is not None:  # outside the except block: no chained "during handling" noise
        pytest.fail(failure, pytrace=False)


def test_every_entry_has_an_example() -> None:
    missing = [f"{e.table}: {e.name}" for e in mx.entries() if not e.examples]
    assert not missing, f"{len(missing)} entries have no example:\n  " + "\n  ".join(missing)


def test_every_target_exists_in_paddle() -> None:
    mx.frameworks()  # paddle imported once, as for the examples
    missing = []
    for entry in mx.entries():
        for target in mx.paddle_targets(entry):
            if entry.kind == "attribute" and not target.startswith("_torch2paddle_runtime."):
                # an instance attribute (BatchNorm's _mean is made in __init__): its class must
                # exist; the attribute itself is read by the entry's examples (a run-time function that
                # computes the attribute, x.mH, must exist itself)
                target = target.rpartition(".")[0]
            try:
                mx.resolve(target)
            except (ImportError, AttributeError) as exc:
                missing.append(f"{entry.name} -> {target} ({type(exc).__name__}: {exc})")
    assert not missing, f"{len(missing)} targets do not exist in the installed Paddle:\n  " + "\n  ".join(missing)


def test_emitted_keywords_exist_in_paddle_signatures() -> None:
    """Every keyword a converted call can pass must be a parameter of the Paddle target.

    Covers renamed/kept torch arguments (minus ``drop``, minus arguments that are
    always unsupported or whose allowed no-op values are dropped), written-out
    ``defaults`` and ``add``.  Targets whose
    signature cannot be inspected, or that take ``**kwargs``, are skipped.
    """
    import inspect

    mx.frameworks()
    problems = []
    for entry in mx.entries():
        # tensor_size, partial: call no target with keywords; pointwise_fused writes operators
        if not entry.target or entry.kind != "callable" or entry.rewrite in ("tensor_size", "partial", "pointwise_fused"):
            continue
        torch_args = list(entry.args[1:] if entry.rewrite == "apply_initializer" else entry.args)
        emitted = []
        for arg in torch_args:
            spec = entry.unsupported_args.get(arg)
            if arg in entry.drop or arg in entry.then_to:  # then_to: passed to `.to(...)` of the result
                continue
            if spec is not None and not spec["deny"]:
                mapped = arg in entry.rename or arg in entry.values
                if not spec["allow"] or not mapped:
                    continue  # never reaches Paddle: refused, or its allowed no-op value is dropped
            emitted.append(entry.paddle_name(arg))
        emitted += [entry.paddle_name(a) for a in entry.defaults] + list(entry.add)
        for target in mx.paddle_targets(entry):
            try:
                params = inspect.signature(mx.resolve(target)).parameters
            except (TypeError, ValueError, ImportError, AttributeError):
                continue
            if any(p.kind == p.VAR_KEYWORD for p in params.values()):
                continue
            missing = [name for name in dict.fromkeys(emitted) if name not in params]
            if missing:
                problems.append(f"{entry.name} -> {target}: {', '.join(missing)}")
    assert not problems, (
        f"{len(problems)} entries can emit keywords their Paddle target does not accept "
        "(drop them, or make them unsupported):\n  " + "\n  ".join(problems)
    )


def test_module_targets_exist_in_paddle() -> None:
    mx.frameworks()
    missing = []
    for torch_module, paddle_module in sorted(mx.tables().modules.items()):
        try:
            mx.resolve(paddle_module)
        except (ImportError, AttributeError) as exc:
            missing.append(f"{torch_module} -> {paddle_module} ({type(exc).__name__})")
    assert not missing, "module targets missing from the installed Paddle:\n  " + "\n  ".join(missing)


def test_aliases_collected_once() -> None:
    seen = [id(e) for e in mx.entries()]
    assert len(seen) == len(set(seen))
    ids = [c.id for c in CASES]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate example ids: {duplicates}"


# --------------------------------------------------------------------------- the runner's own comparison rules


def _cmp(t, p):
    return mx.compare_values(t, p, rtol=1e-5, atol=1e-6, name="v")


def test_runner_comparison_rules() -> None:
    np, torch, paddle = mx.frameworks()
    a = np.arange(6, dtype="float32").reshape(2, 3)
    assert _cmp(torch.from_numpy(a), paddle.to_tensor(a)) is None
    assert "shape" in _cmp(torch.from_numpy(a[:, :1]), paddle.to_tensor(a[:, :1].reshape(2)))  # never broadcast
    assert "shape" in _cmp(torch.from_numpy(a), paddle.to_tensor(a.T.copy()))  # never transpose
    assert "dtype" in _cmp(torch.from_numpy(a), paddle.to_tensor(a.astype("float64")))
    assert "dtype" in _cmp(torch.zeros(2, dtype=torch.int32), paddle.zeros([2], dtype="int64"))
    assert "max abs diff" in _cmp(torch.from_numpy(a), paddle.to_tensor(a + 1e-3))
    assert _cmp(torch.tensor(1.5), paddle.to_tensor(1.5)) is None  # 0-d vs 0-d
    assert _cmp(torch.tensor(1.5), 1.5) is not None  # 0-d tensor vs python number
    assert _cmp(3, 3) is None and _cmp(3, 4) is not None
    assert _cmp(True, True) is None and _cmp(True, 1) is not None
    assert _cmp(torch.Size([2, 3]), [2, 3]) is None  # torch.Size vs Paddle's list shape
    assert _cmp((1, [2.0, 3]), [1, (2.0, 3)]) is None
    assert _cmp([1, 2], [1, 2, 3]) is not None
    assert _cmp(["", "body"], ["", "body"]) is None and _cmp(["a"], ["b"]) is not None
    assert _cmp(torch.float32, paddle.float32) is None and _cmp(torch.float32, paddle.float64) is not None
    nan = np.array([np.nan, 1.0], dtype="float32")
    assert _cmp(torch.from_numpy(nan), paddle.to_tensor(nan)) is None  # equal NaN
    assert "non-finite" in _cmp(torch.from_numpy(nan), paddle.to_tensor(np.array([0.0, 1.0], dtype="float32")))
    assert _cmp(float("nan"), 1.0) is not None
    assert _cmp(None, None) is None and _cmp(None, 0) is not None


def test_runner_failure_message_names_everything() -> None:
    from torch2paddle.tables import ApiEntry, Example

    example = Example(
        code="import torch\nout = x.view(-1)\n",
        compare=("out",),
        inputs={"x": "rng.standard_normal((2, 3)).astype('float32')"},
    )
    entry = ApiEntry(name="torch.Tensor.view", table="selftest.yaml", section="methods", target="paddle.Tensor.reshape",
                     examples=(example,))
    mx.run_case(mx.ExampleCase(entry, 0))  # passes as written
    # strings are not converted: the Paddle run keeps x's [2, 3] shape, the torch run flattens it
    bad = Example(code="import torch\nout = x.view(-1) if type(x).__module__.startswith('torch') else x\n",
                  compare=("out",), inputs=example.inputs)
    entry = ApiEntry(name="torch.Tensor.view", table="selftest.yaml", section="methods", target="paddle.Tensor.reshape",
                     examples=(bad,))
    with pytest.raises(mx.ExampleFailure) as info:
        mx.run_case(mx.ExampleCase(entry, 0))
    message = str(info.value)
    for part in ("selftest.yaml::torch.Tensor.view[0]", "torch code:", "converted code:", "out:", "shape=[6]",
                 "shape=[2, 3]", "dtype=float32"):
        assert part in message, f"{part!r} missing from:\n{message}"
