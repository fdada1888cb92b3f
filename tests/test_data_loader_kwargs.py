"""``DataLoader(ds, **kwargs)`` (pytorch/examples' MNIST): the mapping goes through the run-time keyword
adapter, which applies the DataLoader entry's rules when the call runs and raises, naming the keyword, for
anything that cannot be translated exactly (a sampler above all: Paddle's DataLoader has none)."""

from __future__ import annotations

import sys
import textwrap
import types

import pytest

from torch2paddle import convert_source
from torch2paddle.convert import default_tables
from torch2paddle.runtime import MODULE, module_source

API = "torch.utils.data.DataLoader"


@pytest.fixture(scope="module")
def adapter():
    namespace: dict = {}
    exec(module_source([default_tables().apis[API]]), namespace)
    return namespace["kwargs"]


def test_the_mnist_mapping_is_translated(adapter):
    given = {"batch_size": 64, "num_workers": 1, "persistent_workers": True, "pin_memory": True, "shuffle": True}
    assert adapter(API, given) == {"batch_size": 64, "num_workers": 1, "persistent_workers": True, "shuffle": True}
    assert adapter(API, {"shuffle": None, "prefetch_factor": None, "drop_last": True}) == {"drop_last": True}
    assert adapter(API, {"prefetch_factor": 4, "sampler": None, "generator": None, "in_order": True,
                         "pin_memory_device": "cuda", "multiprocessing_context": None}) == {"prefetch_factor": 4}


@pytest.mark.parametrize("given", [{"sampler": [0, 1, 2]}, {"batch_size": None}, {"generator": object()},
                                   {"multiprocessing_context": "spawn"}, {"in_order": False}])
def test_what_cannot_be_translated_raises_naming_the_keyword(adapter, given):
    name = next(iter(given))
    with pytest.raises(TypeError, match=f"{API}: {name}="):
        adapter(API, given)


def test_a_sampler_in_the_mapping_raises_when_the_converted_call_runs(monkeypatch):
    paddle = pytest.importorskip("paddle")
    source = textwrap.dedent("""\
        import torch
        ds = torch.utils.data.TensorDataset(x)
        kwargs = {'batch_size': 2, 'sampler': torch.utils.data.SequentialSampler(ds)}
        loader = torch.utils.data.DataLoader(ds, **kwargs)
    """)
    result = convert_source(source, filename="loader.py")
    assert not result.unsupported
    assert f'DataLoader(ds, **_torch2paddle_runtime.kwargs("{API}", kwargs))' in result.code
    module = types.ModuleType(MODULE)
    exec(module_source([default_tables().apis[e] for e in result.runtime_apis]), module.__dict__)
    monkeypatch.setitem(sys.modules, MODULE, module)
    with pytest.raises(TypeError, match="sampler=.*Paddle's DataLoader takes no sampler"):
        exec(result.code, {"x": paddle.ones([4, 2])})


@pytest.mark.parametrize("call, reason", [
    ("DataLoader(ds, sampler=s, **kw)", "sampler= next to **kwargs"),
    ("DataLoader(*a, **kw)", "*args cannot be matched"),
    ("DataLoader(ds, **kw, **more)", "more than one **mapping"),
    ("DataLoader(ds, batch_size=None, **kw)", "batch_size=None"),
])
def test_what_the_converter_cannot_translate_is_refused(call, reason):
    result = convert_source(f"from torch.utils.data import DataLoader\nloader = {call}\n", filename="loader.py")
    assert [u.reason for u in result.unsupported if not u.converted and reason in u.reason], result.unsupported


def test_written_keywords_stay_next_to_the_mapping():
    result = convert_source("from torch.utils.data import DataLoader\n"
                            "loader = DataLoader(ds, 4, sampler=None, pin_memory=True, **kw, drop_last=True)\n",
                            filename="loader.py")
    assert not result.unsupported
    assert (f'DataLoader(ds, batch_size=4, **_torch2paddle_runtime.kwargs("{API}", kw), drop_last=True)'
            in result.code)
