#!/usr/bin/env python3
"""Benchmark a watch round: V new bill versions from a local Open States-shaped server
against an index of N bill-like documents; then a round with nothing new.

The index: N SYNTHETIC bills composed of real RCW/WAC sections from
../shared/corpus/background (bench/index.py's composer; written to a temporary directory,
deleted afterwards) plus the real Washington bills of ../shared/corpus/wa-bills. The new
versions: real bill texts from ../shared/corpus (wa-bills, facial-recognition, other-states,
us-congress; .htm or .txt), each served under its own URL by tests/watch_server.py (which
also answers one 429 and one 500 on the way), cycled until there are V of them.

Each round is a `billdiff watch --config watch.toml` child process (the real entry point;
the progress bar is on when stderr is a terminal). Prints one JSON object per figure.

Usage: python bench/watch.py --n 10000 --versions 500 [--jobs 4] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def emit(**kw):
    print(json.dumps(kw), flush=True)


def bench_index_module():
    spec = importlib.util.spec_from_file_location("bench_index", ROOT / "bench" / "index.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def compose(n: int, d: Path, seed: int) -> int:
    bi = bench_index_module()
    rng = random.Random(seed)
    comp = bi.Composer(bi.load_sections(SHARED), rng)
    words = 0
    for i in range(n):
        t = comp.bill(i, bi.doc_size(rng))
        words += len(t.split())
        (d / f"b{i:06d}.txt").write_text(t, encoding="utf-8")
    return words


def real_texts() -> list[Path]:
    c = SHARED / "corpus"
    out = sorted((c / "wa-bills").glob("*.htm")) + sorted((c / "facial-recognition").glob("*.htm"))
    out += sorted((c / "other-states").glob("*.txt")) + sorted((c / "us-congress").glob("*.txt"))
    return [p for p in out if p.stat().st_size > 2000]


def run(cmd, env=None) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0, r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10000, help="composed bills in the index")
    ap.add_argument("--versions", type=int, default=500, help="new versions in the round")
    ap.add_argument("--jobs", type=int, default=None, help="index add workers")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, default=None, help="keep the work folder here")
    a = ap.parse_args()
    if not (SHARED / "corpus").is_dir():
        sys.exit(f"bench/watch.py: ../shared/corpus not found at {SHARED}")
    from watch_server import KEY, Server

    work = a.keep or Path(tempfile.mkdtemp(prefix="billdiff-watch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bills.db"
    try:
        if not db.exists():
            docs = work / "docs"
            docs.mkdir(exist_ok=True)
            t0 = time.perf_counter()
            words = compose(a.n, docs, a.seed)
            emit(step="compose", docs=a.n, words=words, seconds=round(time.perf_counter() - t0, 1))
            cmd = [sys.executable, "-m", "billdiff", "index", "add", str(docs),
                   str(SHARED / "corpus" / "wa-bills"), "--db", str(db), "-q"]  # fmt: skip
            if a.jobs:
                cmd += ["--jobs", str(a.jobs)]
            secs, r = run(cmd)
            emit(step="index add", seconds=round(secs, 1), rc=r.returncode)
            shutil.rmtree(docs)
        srv = Server()
        texts = real_texts()
        updated = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        for i in range(a.versions):
            p = texts[i % len(texts)]
            ctype = "text/html" if p.suffix == ".htm" else "text/plain"
            url = srv.add_file(f"v{i:04d}-{p.name}", p.read_bytes(), ctype)
            # updated now: after the cursor a kept index's earlier run left
            srv.add_bill(f"HB {5000 + i}", "2025-2026", updated, [("Introduced", "2026-01-01",
                                                                   url, ctype)])  # fmt: skip
        cfg = work / "watch.toml"
        cfg.write_text(
            f'index = "{db}"\n[openstates]\nurl = "{srv.url}"\nper_page = 20\nmax_pages = 1000\n'
            '[[openstates.query]]\njurisdiction = "wa"\n'
            '[fetch]\nmin_interval = 0\ncache_dir = "cache"\n'
            '[alerts]\njsonl = "alerts.jsonl"\ndigest = "digest.md"\n'
        )
        env = {"OPENSTATES_API_KEY": KEY}
        watch = [sys.executable, "-m", "billdiff", "watch", "--config", str(cfg)]
        secs, r = run(watch, env)
        jsonl = work / "alerts.jsonl"
        lines = [json.loads(x) for x in jsonl.read_text().splitlines()] if jsonl.exists() else []
        lines = [x for x in lines if x["url"].startswith(srv.url)]  # this run's
        emit(
            step="round with new versions",
            versions=a.versions,
            index_docs=a.n,
            seconds=round(secs, 1),
            per_version_ms=round(1000 * secs / max(1, a.versions)),
            checked=len(lines),
            reuse=sum(1 for x in lines if x["status"] == "reuse"),
            failed=sum(1 for x in lines if x["status"] == "failed"),
            rc=r.returncode,
            target_seconds=300,
        )
        secs, r = run(watch + ["-q"], env)
        emit(step="round with nothing new", seconds=round(secs, 2), rc=r.returncode,
             target_seconds=2)  # fmt: skip
        srv.close()
    finally:
        if a.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
