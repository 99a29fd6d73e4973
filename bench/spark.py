"""Benchmark: lineage on the default engine vs Spark local[1] and local[2], side by side.

The corpus is bench/lineage.py's (bill-sized documents composed from the statute text in
../shared/corpus/background, with planted copies and later versions, seeded). It is written
once as JSON Lines; every run gets the same documents: the default engine in memory (as
bench/lineage.py runs it), Spark from the JSON Lines file (its executors read and parse it).

Each run is its own process. Reported per run: wall time of the lineage call (Spark: without
the session start, given apart), peak memory — the driver process, and for Spark the JVM and
its Python workers (sampled every 0.2 s from /proc) — and the planted relations found, which
must be the same for every engine — and a hash of the lineage JSON, which is.

    .venv/bin/python bench/spark.py                         # 10k documents
    .venv/bin/python bench/spark.py --sizes 3000 10000 30000
    .venv/bin/python bench/spark.py --engines default local[2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lineage import BACKGROUND, make_corpus, planted_found  # noqa: E402  (bench/lineage.py)


def _write_corpus(n: int, folder: Path) -> Path:
    planted: list = []
    docs = make_corpus(n, planted=planted)
    path = folder / f"bench-{n}.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for d in docs:
            m = d.meta
            rec = {"id": m.id, "text": d.text, "state": m.state, "session": m.session}
            rec.update(bill=m.bill, version=m.version, date=m.date)
            fh.write(json.dumps(rec) + "\n")
    (folder / f"bench-{n}.planted.json").write_text(json.dumps(planted))
    return path


def _docs(path: Path):
    from billdiff.ingest.jsonl import read_jsonl

    return list(read_jsonl(path))


class _TreeMemory:
    """Peak resident memory of this process's children (the JVM) and their children (the
    Python workers), sampled from /proc."""

    def __init__(self) -> None:
        self.jvm = self.workers = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.2):
            kids: dict[int, list[int]] = {}
            rss: dict[int, int] = {}
            for p in os.listdir("/proc"):
                if not p.isdigit():
                    continue
                try:
                    with open(f"/proc/{p}/stat") as fh:
                        parts = fh.read().rsplit(")", 1)[1].split()
                    kids.setdefault(int(parts[1]), []).append(int(p))
                    rss[int(p)] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
                except (OSError, IndexError, ValueError):
                    continue
            jvm = workers = 0
            for child in kids.get(me, []):
                jvm += rss.get(child, 0)
                stack = list(kids.get(child, []))
                while stack:
                    q = stack.pop()
                    workers += rss.get(q, 0)
                    stack.extend(kids.get(q, []))
            self.jvm, self.workers = max(self.jvm, jvm), max(self.workers, workers)


def one(engine: str, path: Path) -> dict:
    from billdiff.lineage_graph import lineage

    planted = json.loads(path.with_name(path.name.replace(".jsonl", ".planted.json")).read_text())
    out: dict = {"engine": engine}
    if engine == "default":
        docs = _docs(path)
        t0 = time.perf_counter()
        g = lineage(docs)
        out["lineage_s"] = round(time.perf_counter() - t0, 1)
        mem = None
    else:
        from billdiff.spark.session import start

        with _TreeMemory() as mem:
            t0 = time.perf_counter()
            spark = start(engine)
            out["session_start_s"] = round(time.perf_counter() - t0, 1)
            t0 = time.perf_counter()
            began: dict[str, float] = {}

            def stage(_done: int, _total: int, name: str) -> None:
                began.setdefault(name, time.perf_counter() - t0)

            g = lineage([str(path)], engine="spark", spark=spark, progress=stage)
            out["lineage_s"] = round(time.perf_counter() - t0, 1)
            ends = [*list(began.values())[1:], out["lineage_s"]]
            out["stage_s"] = {
                k: round(e - b, 1) for (k, b), e in zip(began.items(), ends, strict=True)
            }
            spark.stop()
    out["driver_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if mem is not None:
        out["jvm_peak_mb"] = round(mem.jvm / 2**20)
        out["python_workers_peak_mb"] = round(mem.workers / 2**20)
    from billdiff.report.lineage_json import dumps

    out.update(
        graph_sha256=hashlib.sha256(dumps(g).encode()).hexdigest()[:16],
        docs=sum(1 for n in g.nodes if not n.inferred),
        edges=len(g.edges),
        failed=len(g.failed),
        planted_found=planted_found(g, planted),
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000])
    ap.add_argument("--engines", nargs="+", default=["default", "local[1]", "local[2]"])
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one[0], Path(a.one[1]))), flush=True)
        return
    if not BACKGROUND.is_dir():
        sys.exit(f"bench corpus source not found: {BACKGROUND} (../shared is absent)")
    print(f"cores: {os.cpu_count()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="billdiff-bench-spark-") as tmp:
        for n in a.sizes:
            path = _write_corpus(n, Path(tmp))
            rows = []
            for engine in a.engines:
                cmd = [sys.executable, __file__, "--one", engine, str(path)]
                r = subprocess.run(cmd, capture_output=True, text=True, cwd=str(ROOT))
                if r.returncode:
                    sys.exit(r.stderr[-3000:])
                rows.append({"size": n, **json.loads(r.stdout.strip().splitlines()[-1])})
                print(json.dumps(rows[-1]), flush=True)
            by = {r["engine"]: r for r in rows}
            same = len({json.dumps(r["planted_found"]) for r in rows}) == 1
            graph = len({r["graph_sha256"] for r in rows}) == 1
            line = (
                f"size {n}: planted found the same on every engine: {same}; "
                f"the same lineage JSON: {graph}"
            )
            if "default" in by and "local[2]" in by:
                line += f"; local[2]/default time ×{by['local[2]']['lineage_s'] / by['default']['lineage_s']:.2f}"
            if "local[1]" in by and "local[2]" in by:
                line += f"; local[1]→local[2] speed-up ×{by['local[1]']['lineage_s'] / by['local[2]']['lineage_s']:.2f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
