"""Benchmark: billdiff lineage over 1k and 10k bill-sized documents with planted reuse.

The bench corpus is composed from real statute text (../shared/corpus/background, RCW and
WAC sections, read in place): each document is 3–6 sections drawn without replacement, with
a bill header and an enacting clause. Planted lineage: ~15% of documents copy 2–3 sections
of an earlier document (2% of words changed, sections reordered), ~10% get a later version
(same bill, 3% of words changed, one section added). Dates and bill numbers come from a seeded
generator, so every run builds the same corpus.

Each size runs in its own process (peak memory = that process's max RSS). Beside billdiff's
figure the same process times a peer pipeline on the same documents: datasketch MinHash LSH
over whole documents (5-word shingles, 128 permutations, threshold 0.05) then rapidfuzz
Indel.opcodes on every candidate pair — the plain "candidates + alignment" pipeline, without
boilerplate, typing, direction or reduction — up to 2,000 documents (its candidate pairs grow
with n²). Quote the ratio (the machine is shared).

    .venv/bin/python bench/lineage.py                 # 1k and 10k
    .venv/bin/python bench/lineage.py --sizes 1000    # one size
    .venv/bin/python bench/lineage.py --no-peer
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared"))
BACKGROUND = SHARED / "corpus" / "background"
PEER_MAX = 2000  # the peer's candidate count grows with n²: not run above this size
STATES = ("WA", "OR", "ID", "MT", "CA", "NV", "UT", "AZ", "CO", "NM")


def _sections(limit: int, seed: int) -> list[str]:
    texts = []
    for name in ("rcw-sections.jsonl.gz", "wac-sections.jsonl.gz"):
        with gzip.open(BACKGROUND / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                t = json.loads(line).get("text") or ""
                if 80 <= len(t.split()) <= 700:
                    texts.append(t)
    random.Random(seed).shuffle(texts)
    return texts[:limit]


def _cycle(pool: list[str], rng: random.Random):
    """Each section once as written; after that, with its words shuffled (so a second use
    shares vocabulary but no passages with the first)."""
    yield from pool
    while True:
        for text in pool:
            words = text.split()
            rng.shuffle(words)
            yield " ".join(words)


def _edit(text: str, rate: float, rng: random.Random) -> str:
    words = text.split()
    for k in range(len(words)):
        if rng.random() < rate:
            words[k] = rng.choice(("shall", "department", "may", "county", "board", "notice"))
    return " ".join(words)


def make_corpus(n: int, seed: int = 7, planted: list | None = None):
    """n Documents (about 10% of them later versions), deterministic. ``planted`` receives
    (source id, target id, "copy" | "version") for every planted relation."""
    from billdiff.model import Document, Metadata

    rng = random.Random(seed)
    pool = _sections(n * 6, seed)
    take = _cycle(pool, rng)
    docs, bodies, owners = [], [], []
    k = 0
    while len(docs) < n:
        state = rng.choice(STATES)
        year = rng.randint(2015, 2024)
        day = rng.randint(1, 300)
        body = [next(take) for _ in range(rng.randint(3, 6))]
        src_id = None
        if bodies and rng.random() < 0.15:  # planted copying from an earlier document
            pick = rng.randrange(len(bodies))
            src, src_id = bodies[pick], owners[pick]
            picked = rng.sample(src, min(len(src), rng.randint(2, 3)))
            body = [_edit(s, 0.02, rng) for s in picked] + body[:2]
            rng.shuffle(body)
        k += 1
        bill = f"{rng.choice(('HB', 'SB'))} {1000 + k}"
        docs.append(
            _doc(Document, Metadata, f"b{k:05d}", state, year, day, bill, "introduced", body)
        )
        bodies.append(body)
        owners.append(f"b{k:05d}")
        if planted is not None and src_id:
            planted.append((src_id, f"b{k:05d}", "copy"))
        if rng.random() < 0.10 and len(docs) < n:  # a later version of the same bill
            if planted is not None:
                planted.append((f"b{k:05d}", f"b{k:05d}-s", "version"))
            v2 = [_edit(s, 0.03, rng) for s in body] + [next(take)]
            docs.append(
                _doc(
                    Document,
                    Metadata,
                    f"b{k:05d}-s",
                    state,
                    year,
                    min(day + 20, 360),
                    "S" + bill,
                    "substitute",
                    v2,
                )
            )
    return docs


def _doc(Document, Metadata, ident, state, year, day, bill, version, body):
    import datetime

    date = (datetime.date(year, 1, 1) + datetime.timedelta(days=day)).isoformat()
    head = (
        f"BENCH DOCUMENT (composed from statute text) {state} {bill}\n"
        f"AN ACT Relating to bench item {ident}.\n"
        f"BE IT ENACTED BY THE LEGISLATURE OF THE STATE OF {state}:\n"
    )
    text = head + "\n".join(f"NEW SECTION. Sec. {i}. {s}" for i, s in enumerate(body, 1))
    meta = Metadata(
        id=ident,
        state=state,
        session=f"{year} regular session",
        bill=bill,
        version=version,
        date=date,
    )
    return Document(text=text, meta=meta)


def _peer(docs) -> tuple[float, int]:
    from datasketch import MinHash, MinHashLSH
    from rapidfuzz.distance import Indel

    from billdiff.normalize import tokenize

    t0 = time.perf_counter()
    toks = [tokenize(d).words for d in docs]
    lsh = MinHashLSH(threshold=0.05, num_perm=128)
    for i, w in enumerate(toks):
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([" ".join(w[j : j + 5]).encode() for j in range(max(len(w) - 4, 1))])
        lsh.insert(str(i), m)
        if i == 0:
            mins = []
        mins.append(m)
    pairs = set()
    for i, m in enumerate(mins):
        for j in lsh.query(m):
            j = int(j)
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(x, len(vocab)) for x in w] for w in toks]
    for i, j in sorted(pairs):
        Indel.opcodes(ids[i], ids[j])
    return time.perf_counter() - t0, len(pairs)


def planted_found(graph, planted) -> dict[str, str]:
    """'found/planted' per kind: a planted version must be an edge in its direction, a
    planted copy an edge either way (copied-from, version-of or shares-source-with)."""
    directed = {
        (e.source, e.target)
        for e in graph.edges
        if e.type in ("copied-from", "version-of", "shares-source-with")
    }
    undirected = directed | {(t, s) for s, t in directed}
    found = {kind: [0, 0] for kind in ("copy", "version")}
    for s, t, kind in planted:
        found[kind][1] += 1
        found[kind][0] += (s, t) in directed if kind == "version" else (s, t) in undirected
    return {k: f"{a}/{b}" for k, (a, b) in found.items()}


def one(n: int, peer: bool) -> dict:
    from billdiff.lineage_graph import lineage

    t0 = time.perf_counter()
    planted: list = []
    docs = make_corpus(n, planted=planted)
    t_make = time.perf_counter() - t0
    words = sum(len(d.text.split()) for d in docs)
    t0 = time.perf_counter()
    g = lineage(docs)
    t_lin = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB (Linux: KiB)
    types: dict[str, int] = {}
    for e in g.edges:
        if not e.reduced:
            types[e.type] = types.get(e.type, 0) + 1
    recall = planted_found(g, planted)
    out = {
        "docs": n,
        "words": words,
        "planted_found": recall,
        "build_corpus_s": round(t_make, 2),
        "lineage_s": round(t_lin, 2),
        "peak_rss_mb": round(rss),
        "edges": len(g.edges),
        "drawn_by_type": types,
        "families": len(g.families),
    }
    if peer and n <= PEER_MAX:
        t_peer, npairs = _peer(docs)
        out.update(
            peer_s=round(t_peer, 2),
            peer_pairs=npairs,
            ratio_billdiff_over_peer=round(t_lin / t_peer, 2) if t_peer else None,
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one, not a.no_peer)), flush=True)
        return
    if not BACKGROUND.is_dir():
        sys.exit(f"bench corpus source not found: {BACKGROUND} (../shared is absent)")
    rows = []
    for n in a.sizes:
        cmd = [sys.executable, __file__, "--one", str(n)] + (["--no-peer"] if a.no_peer else [])
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=str(ROOT))
        if r.returncode:
            sys.exit(r.stderr)
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    if len(rows) >= 2:
        a0, b0 = rows[0], rows[-1]
        print(
            f"growth {a0['docs']} → {b0['docs']} docs: time ×{b0['lineage_s'] / a0['lineage_s']:.1f}"
            f", peak memory ×{b0['peak_rss_mb'] / a0['peak_rss_mb']:.1f}"
            f" (target: ≤ 600 s at 10k; measured {b0['lineage_s']:.0f} s)"
        )


if __name__ == "__main__":
    main()
