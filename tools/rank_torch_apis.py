"""Rank torch APIs by how often real code uses them (developer tool).

Converts a corpus with torch2paddle (into a temporary folder) and counts every
torch API use it finds, converted or not.  The default corpus is the
installed torchvision package (models, ops, transforms: ~60,000 lines of real
PyTorch) plus examples/mobilenetv3_ref.  The ranking is written as JSON;
tests/test_ranking_coverage.py checks that every API used at least twice is
mapped or marked unsupported with a reason.

    python tools/rank_torch_apis.py [--out tests/data/torchvision_api_ranking.json] [CORPUS ...]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

from torch2paddle import convert_tree

REPO = Path(__file__).resolve().parent.parent


def default_corpus() -> list[Path]:
    import importlib.util

    spec = importlib.util.find_spec("torchvision")  # located, not imported (no torch import)
    corpus = [REPO / "examples" / "mobilenetv3_ref"]
    if spec and spec.submodule_search_locations:
        corpus.insert(0, Path(list(spec.submodule_search_locations)[0]))
    return corpus


def rank(corpus: list[Path]) -> Counter:
    counts: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, folder in enumerate(corpus):
            report = convert_tree(folder, Path(tmp) / str(i), jobs=None)
            for f in report.files:
                for use in f.uses:
                    if "(...)" not in use.api:  # calls through bound names are not APIs
                        counts[use.api] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=REPO / "tests" / "data" / "torchvision_api_ranking.json")
    args = parser.parse_args()
    corpus = args.corpus or default_corpus()
    counts = rank(corpus)
    ranking = [{"api": api, "uses": n} for api, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"corpus": [p.name for p in corpus], "ranking": ranking}, indent=1) + "\n")
    print(f"{len(ranking)} APIs, {sum(r['uses'] >= 2 for r in ranking)} used at least twice -> {args.out}")


if __name__ == "__main__":
    main()
