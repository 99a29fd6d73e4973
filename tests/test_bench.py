"""The index benchmark runs end to end at a small N in CI (the full runs, N = 10,000 and
100,000, are by hand: see docs/index.md). It composes SYNTHETIC bills from the real statute
sections in ../shared/corpus/background and plants passages in them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_index_bench_small(corpus, tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "index.py"),
            *("--n", "300", "--more", "50", "--queries", "8", "--no-peer"),
            *("--keep", str(tmp_path / "b")),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=str(ROOT),
    )
    assert r.returncode == 0, r.stderr[-3000:]
    steps = {}
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            rec = json.loads(line)
            steps[rec["step"]] = rec
    assert steps["build"]["docs"] == 300 and steps["build"]["bytes_on_disk"] > 0
    assert steps["add_50"]["ok"] is True
    for direction in ("forward", "reverse"):
        rec = steps["lsh_recall_all_plants"][direction]
        assert rec["100"]["candidates"] >= 0.95 and rec["300"]["candidates"] >= 0.95, rec
    pairs = steps["candidate_pairs"]["by_min_weight"]["0.0"]
    assert pairs["reduction"] > 1 and pairs["planted_pair_recall"]["300"] >= 0.95
    st = steps["sketch_throughput"]
    assert st["billdiff_words_per_s"] > 0 and st["billdiff_from_word_hashes_words_per_s"] > 0
