#!/usr/bin/env python3
"""Benchmark the corpus index and watchdog search; the naive peer in the same run.

Builds N bill-sized SYNTHETIC documents by composing real RCW/WAC sections from
../shared/corpus/background (in a temporary directory, deleted afterwards, never committed):
an enacting clause, numbered sections, and for some bills stock severability / effective-date
clauses (realistic boilerplate). When the statute text runs out, sections are reused with half
of their words replaced (so reuse does not become accidental copying). Passages of 50, 100 and
300 words are taken from one bill (the source) and planted, with 0-10% of their words
replaced, into another (the target; a quarter of the targets are very long, 10,000-30,000
words). Then it measures, each through the real code path:

- build: `billdiff index add DIR` in a child process — wall time, peak RSS (largest process),
  size on disk;
- search latency, warm (one process, second pass) and cold (a fresh `billdiff search` process
  per query; the OS page cache is not dropped);
- recall of planted passages, searching with the source (forward) and with the target
  (reverse), by passage length: candidates (the other bill is among the LSH candidates),
  verified (… and the aligner finds a shared passage), in_top10 (… and it is in the top 10
  hits — the top 10 also holds bills sharing more text, e.g. repeated statute sections);
- candidate-pair reduction: all pairs / pairs sharing a bucket (Index.candidate_pairs);
- adding 1,000 more documents;
- sketching throughput: billdiff's windowed numpy sketch vs datasketch MinHash.bulk on the
  same shingles (whole documents, shingle prep not timed for the peer);
- the naive peer: datasketch MinHashLSH in memory over whole bills (threshold 0.5): recall of
  the planted passages, time, peak RSS — in its own child process.

Usage: python bench/index.py --n 10000 [--preset standard] [--queries 300] [--keep DIR]
Prints one JSON object per line and a summary table.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT))

STATES = ["WA", "OR", "CA", "ID", "MT", "CO", "AL", "MD", "SD", "TX", "NY", "FL", "OH", "MI"]
SEVERABILITY = (
    "If any provision of this act or its application to any person or circumstance "
    "is held invalid, the remainder of the act or the application of the provision "
    "to other persons or circumstances is not affected."
)
EFFECTIVE = (
    "This act is necessary for the immediate preservation of the public peace, health, "
    "or safety, or support of the state government and its existing public "
    "institutions, and takes effect immediately."
)
LENGTHS = (50, 100, 300)


def emit(**kw):
    print(json.dumps(kw), flush=True)


def load_sections(shared: Path) -> list[str]:
    out = []
    for name in ("rcw-sections.jsonl.gz", "wac-sections.jsonl.gz"):
        with gzip.open(shared / "corpus" / "background" / name, "rt", encoding="utf-8") as f:
            for line in f:
                t = json.loads(line)["text"]
                if len(t.split()) >= 20:
                    out.append(t)
    return out


class Composer:
    def __init__(self, sections: list[str], rng: random.Random):
        self.fresh = sections[:]
        rng.shuffle(self.fresh)
        self.used: list[str] = []
        self.rng = rng
        self.vocab = [w for s in sections[:3000] for w in s.split()]

    def section(self) -> str:
        if self.fresh:
            s = self.fresh.pop()
            self.used.append(s)
            return s
        s = self.rng.choice(self.used)  # reused: half the words replaced
        return " ".join(
            w if self.rng.random() < 0.5 else self.rng.choice(self.vocab) for w in s.split()
        )

    def bill(self, i: int, words: int) -> str:
        st = self.rng.choice(STATES)
        parts = [
            f"SYNTHETIC BILL {i} (composed of statute sections; not a real bill)",
            f"AN ACT Relating to synthetic matter number {i}.",
            f"BE IT ENACTED BY THE LEGISLATURE OF THE STATE OF {st}:",
        ]
        n = 0
        while n < words:
            s = self.section()
            parts.append(f"NEW SECTION. Sec. {len(parts) - 2}. {s}")
            n += len(s.split())
        if self.rng.random() < 0.4:
            parts.append(f"NEW SECTION. Sec. {len(parts) - 2}. {SEVERABILITY}")
        if self.rng.random() < 0.3:
            parts.append(f"NEW SECTION. Sec. {len(parts) - 2}. {EFFECTIVE}")
        return "\n\n".join(parts)


def doc_size(rng: random.Random) -> int:
    if rng.random() < 0.02:
        return rng.randrange(10000, 30000)
    return int(min(9000, max(150, rng.lognormvariate(6.7, 0.8))))  # median ~800 words


def edit(words: list[str], rate: float, rng: random.Random, vocab) -> list[str]:
    out = list(words)
    for i in rng.sample(range(len(out)), round(len(out) * rate)):
        out[i] = rng.choice(vocab)
    return out


def make_corpus(n: int, extra: int, seed: int, d: Path, plants_per_len: int):
    rng = random.Random(seed)
    comp = Composer(load_sections(SHARED), rng)
    texts = [comp.bill(i, doc_size(rng)) for i in range(n + extra)]
    long_ids = [i for i in range(n) if len(texts[i].split()) >= 10000]
    plants = []
    used_targets: set[int] = set()
    for length in LENGTHS:
        for j in range(plants_per_len):
            while True:
                src = rng.randrange(n)
                if len(texts[src].split()) >= length + 60:
                    break
            free_long = [x for x in long_ids if x not in used_targets and x != src]
            if j % 4 == 0 and free_long:
                tgt = rng.choice(free_long)
            else:
                while True:
                    tgt = rng.randrange(n)
                    if tgt != src and tgt not in used_targets:
                        break
            used_targets.add(tgt)
            ws = texts[src].split()
            start = rng.randrange(40, len(ws) - length)
            rate = rng.choice([0.0, 0.025, 0.05, 0.075, 0.10])
            passage = " ".join(edit(ws[start : start + length], rate, rng, comp.vocab))
            paras = texts[tgt].split("\n\n")
            at = rng.randrange(3, max(4, len(paras)))
            texts[tgt] = "\n\n".join(paras[:at] + [passage] + paras[at:])
            plants.append(
                dict(
                    src=f"b{src:06d}",
                    tgt=f"b{tgt:06d}",
                    length=length,
                    rate=rate,
                    tgt_words=len(texts[tgt].split()),
                )
            )
    main = d / "main"
    more = d / "more"
    main.mkdir(parents=True)
    more.mkdir()
    for i, t in enumerate(texts):
        (main if i < n else more).joinpath(f"b{i:06d}.txt").write_text(t, encoding="utf-8")
    return plants, sum(len(t.split()) for t in texts[:n])


def child_run(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run a command; (wall seconds, peak RSS MiB of its largest process, result)."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=str(ROOT))
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, rss, r


def disk(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")


def search_bench(db: Path, d: Path, plants, queries: int, rng: random.Random):
    from billdiff.index import Index

    ix = Index(db, create=False)
    sample = plants if len(plants) <= queries else rng.sample(plants, queries)
    res = {dr: {L: [0, 0, 0, 0] for L in LENGTHS} for dr in ("forward", "reverse")}
    lat_cold_pass, lat_warm = [], []
    for pass_no in (0, 1):
        for pl in sample:
            for direction, q, want in (
                ("forward", pl["src"], pl["tgt"]),
                ("reverse", pl["tgt"], pl["src"]),
            ):
                t0 = time.perf_counter()
                r = ix.search(str(d / "main" / f"{q}.txt"), top=10)
                dt = time.perf_counter() - t0
                (lat_warm if pass_no else lat_cold_pass).append(dt)
                if pass_no:
                    continue
                c = res[direction][pl["length"]]
                c[0] += 1
                cand = _in_candidates(ix, q, want, d)
                c[1] += cand
                c[2] += cand and _verified(ix, q, want, d)
                c[3] += any(h.doc.meta.id == want for h in r.hits)
        if pass_no == 0 and len(sample) > 60:
            sample = sample[:60]  # the warm pass only needs latencies
    ix.close()
    return res, lat_cold_pass, lat_warm


def lsh_recall_all(db: Path, d: Path, plants: list) -> dict:
    """Share of ALL planted passages whose other bill is among the LSH candidates of a
    search (probe only, no alignment: cheap enough for every plant, both directions)."""
    from billdiff.index import Index
    from billdiff.index.sketch import sketch_words, unpack
    from billdiff.ingest import read
    from billdiff.normalize import tokenize

    out = {dr: {L: [0, 0] for L in LENGTHS} for dr in ("forward", "reverse")}
    found: dict[str, dict] = {}
    with Index(db, create=False) as ix:
        for pl in plants:
            for dr, q, want in (
                ("forward", pl["src"], pl["tgt"]),
                ("reverse", pl["tgt"], pl["src"]),
            ):
                if q not in found:
                    found.clear()  # plants are grouped by source: keep one query's result
                    words = tokenize(read(str(d / "main" / f"{q}.txt"))).words
                    sk = sketch_words(words, ix.params, step=ix.params.query_step)
                    found[q] = ix.probe(unpack(sk.keys))
                c = out[dr][pl["length"]]
                c[0] += 1
                c[1] += ix.rid(want) in found[q]
    return {
        dr: {L: dict(n=n, candidates=round(k / max(1, n), 4)) for L, (n, k) in v.items()}
        for dr, v in out.items()
    }


def _in_candidates(ix, q: str, want: str, d: Path) -> bool:
    from billdiff.index.sketch import sketch_words, unpack
    from billdiff.ingest import read
    from billdiff.normalize import tokenize

    doc = read(str(d / "main" / f"{q}.txt"))
    sk = sketch_words(tokenize(doc).words, ix.params, step=ix.params.query_step)
    return ix.rid(want) in ix.probe(unpack(sk.keys))


def _verified(ix, q: str, want: str, d: Path) -> bool:
    """The aligner finds a shared passage (>= settings.min_words) between query and target."""
    from billdiff.ingest import read
    from billdiff.pairwise import compare_docs

    rep = compare_docs(read(str(d / "main" / f"{q}.txt")), ix.get(want), settings=ix.settings)
    return bool(rep.passages)


def sketch_throughput(d: Path, preset: str, max_words: int = 1_500_000):
    from billdiff.index.presets import PRESETS
    from billdiff.index.sketch import sketch_words
    from billdiff.ingest import read
    from billdiff.normalize import tokenize

    p = PRESETS[preset]
    docs, n = [], 0
    for f in sorted((d / "main").glob("*.txt")):
        w = list(tokenize(read(str(f))).words)
        docs.append(w)
        n += len(w)
        if n >= max_words:
            break

    def best(fn, reps=3):
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    ours = best(lambda: [sketch_words(w, p) for w in docs])
    # the same after the words are hashed (the issue: "hash word ids in bulk"; datasketch
    # below is also timed on prepared shingles)
    from billdiff.index.sketch import shingle_hashes, sketch_shingles, word_hashes

    whs = [word_hashes(w) for w in docs]
    ours_ids = best(lambda: [sketch_shingles(shingle_hashes(h, p.shingle_words), p) for h in whs])
    out = {
        "words": n,
        "billdiff_s": ours,
        "billdiff_words_per_s": n / ours,
        "billdiff_from_word_hashes_s": ours_ids,
        "billdiff_from_word_hashes_words_per_s": n / ours_ids,
        "note": "billdiff: words -> windowed sketches + band keys + df sample, end to end "
        "(and from word hashes); datasketch: MinHash.bulk on prepared shingle bytes (prep "
        "not timed), best of 3 each",
    }
    try:
        from datasketch import MinHash
    except ImportError:
        out["datasketch"] = "not installed (pip install -e '.[bench]')"
        return out
    k = p.shingle_words
    t0 = time.perf_counter()
    sh = [[" ".join(w[i : i + k]).encode() for i in range(max(1, len(w) - k + 1))] for w in docs]
    out["datasketch_prep_s"] = time.perf_counter() - t0
    for perm in sorted({p.num_perm, 128}):
        dt = best(lambda perm=perm: MinHash.bulk(sh, num_perm=perm))
        out[f"datasketch_bulk_{perm}_s"] = dt
        out[f"datasketch_bulk_{perm}_words_per_s"] = n / dt
    return out


def peer_child(d: Path, plants_file: Path, threshold: float):
    """datasketch MinHashLSH in memory over whole bills (the naive peer)."""
    import re

    from datasketch import MinHash, MinHashLSH

    word = re.compile(r"\w+")
    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    sigs = {}
    files = sorted((d / "main").glob("*.txt"))
    batch_ids, batch_sh = [], []

    def flush():
        for i, m in zip(batch_ids, MinHash.bulk(batch_sh, num_perm=128), strict=True):
            lsh.insert(i, m)
            sigs[i] = m
        batch_ids.clear()
        batch_sh.clear()

    for f in files:
        ws = [w.lower() for w in word.findall(f.read_text(encoding="utf-8"))]
        batch_ids.append(f.stem)
        batch_sh.append([" ".join(ws[i : i + 5]).encode() for i in range(max(1, len(ws) - 4))])
        if len(batch_ids) >= 500:
            flush()
    flush()
    build = time.perf_counter() - t0
    plants = json.loads(plants_file.read_text())
    rec = {L: [0, 0] for L in LENGTHS}
    t0 = time.perf_counter()
    for pl in plants:
        got = set(lsh.query(sigs[pl["src"]]))
        rec[pl["length"]][0] += 1
        rec[pl["length"]][1] += pl["tgt"] in got
    qt = (time.perf_counter() - t0) / max(1, len(plants))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "build_s": build,
                "query_s_mean": qt,
                "peak_rss_mib": rss,
                "recall": {str(k): v[1] / max(1, v[0]) for k, v in rec.items()},
            }
        )
    )


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--preset", default="standard")
    ap.add_argument("--queries", type=int, default=150, help="planted passages searched")
    ap.add_argument("--plants", type=int, default=None, help="plants per length")
    ap.add_argument("--more", type=int, default=1000, help="documents added to the built index")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, default=None, help="keep the corpus and index here")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--no-pairs", action="store_true", help="skip candidate-pair counting")
    ap.add_argument("--peer-child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.peer_child:
        peer_child(Path(a.peer_child[0]), Path(a.peer_child[1]), float(a.peer_child[2]))
        return
    base = a.keep or Path(tempfile.mkdtemp(prefix="billdiff-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    d = base / "corpus"
    db = base / "index.sqlite"
    try:
        plants_per_len = a.plants or max(20, min(200, a.n // 50))
        t0 = time.perf_counter()
        if not (d / "main").exists():
            plants, words = make_corpus(a.n, a.more, a.seed, d, plants_per_len)
            (base / "plants.json").write_text(json.dumps(plants))
        else:
            plants = json.loads((base / "plants.json").read_text())
            words = None
        emit(
            step="corpus",
            n=a.n,
            plants=len(plants),
            words=words,
            seconds=round(time.perf_counter() - t0, 1),
        )
        if db.exists():
            for f in base.glob("index.sqlite*"):
                f.unlink()
        bd = [sys.executable, "-m", "billdiff"]
        wall, rss, r = child_run(
            bd + ["index", "add", str(d / "main"), "--db", str(db), "-q", "--preset", a.preset]
        )
        if r.returncode:
            raise SystemExit(r.stderr)
        size = disk(db)
        from billdiff.index import Index

        with Index(db, create=False) as ix:
            st = ix.stats()
        emit(
            step="build",
            seconds=round(wall, 1),
            peak_rss_mib=round(rss),
            bytes_on_disk=size,
            words=st["words"],
            words_per_s=round(st["words"] / wall),
            docs=st["documents"],
            band_keys=st["band_keys"],
            shingles=st["shingles_counted"],
        )
        rng = random.Random(a.seed)
        rec, lat_first, lat_warm = search_bench(db, d, plants, a.queries, rng)
        emit(
            step="search",
            warm_p50_s=round(pct(lat_warm, 0.5), 3),
            warm_p95_s=round(pct(lat_warm, 0.95), 3),
            first_pass_p50_s=round(pct(lat_first, 0.5), 3),
            first_pass_p95_s=round(pct(lat_first, 0.95), 3),
            recall={
                dr: {
                    L: dict(
                        n=c[0],
                        candidates=round(c[1] / max(1, c[0]), 4),
                        verified=round(c[2] / max(1, c[0]), 4),
                        in_top10=round(c[3] / max(1, c[0]), 4),
                    )
                    for L, c in v.items()
                }
                for dr, v in rec.items()
            },
        )
        emit(step="lsh_recall_all_plants", **lsh_recall_all(db, d, plants))
        cold = []
        for pl in plants[:8]:
            w, _, r = child_run(
                bd + ["search", str(d / "main" / f"{pl['src']}.txt"), "--db", str(db), "--json"]
            )
            cold.append(w)
        emit(
            step="search_cold_process",
            p50_s=round(pct(cold, 0.5), 3),
            p95_s=round(pct(cold, 0.95), 3),
            n=len(cold),
        )
        if not a.no_pairs:
            import numpy as np

            t0 = time.perf_counter()
            with Index(db, create=False) as ix:
                ra, rb, _shared, weight = ix.pair_arrays()  # numpy: scales to 100k bills
                rid_of = dict(ix._con.execute("SELECT id, rid FROM documents"))
            pair_s = time.perf_counter() - t0
            codes = (ra << np.int64(32)) | rb
            planted: dict[int, list[int]] = {L: [] for L in LENGTHS}
            for pl in plants:
                x, y = sorted((rid_of[pl["src"]], rid_of[pl["tgt"]]))
                planted[pl["length"]].append((x << 32) | y)
            allp = a.n * (a.n - 1) // 2
            by_w = {}
            for m in (0.0, 0.2, 0.5, 1.0):
                sel = codes[weight >= m - 1e-9]
                by_w[str(m)] = dict(
                    pairs=int(len(sel)),
                    reduction=round(allp / max(1, len(sel)), 1),
                    planted_pair_recall={
                        L: round(float(np.isin(np.array(v, np.int64), sel).mean()), 4)
                        for L, v in planted.items()
                        if v
                    },
                )
            emit(
                step="candidate_pairs",
                all_pairs=allp,
                seconds=round(pair_s, 1),
                by_min_weight=by_w,
            )
        wall, rss2, r = child_run(bd + ["index", "add", str(d / "more"), "--db", str(db), "-q"])
        emit(
            step=f"add_{a.more}",
            seconds=round(wall, 1),
            ok=r.returncode == 0,
            bytes_on_disk=disk(db),
        )
        emit(
            step="sketch_throughput",
            **{
                k: round(v, 3) if isinstance(v, float) else v
                for k, v in sketch_throughput(d, a.preset).items()
            },
        )
        if not a.no_peer:
            pf = base / "plants.json"
            t0 = time.perf_counter()
            r = subprocess.run(
                [sys.executable, __file__, "--peer-child", str(d), str(pf), "0.5"],
                capture_output=True,
                text=True,
            )
            if r.returncode:
                emit(step="peer", error=r.stderr[-2000:])
            else:
                emit(
                    step="peer_datasketch_minhashlsh_whole_bills",
                    wall_s=round(time.perf_counter() - t0, 1),
                    **json.loads(r.stdout),
                )
    finally:
        if a.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
