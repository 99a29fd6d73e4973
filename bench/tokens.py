#!/usr/bin/env python3
"""Benchmark tokenizing and word hashing on real text: old (reference) vs new, and end to end.

Document sets (read from ../shared/corpus, nothing written anywhere):

- ``congress-txt``: the us-congress GPO text files, through ``billdiff.read``;
- ``congress-pdf``: the same bills as PDFs (page furniture and line numbers as skip spans);
- ``background``: SYNTHETIC bill-sized documents composed of real RCW/WAC sections from
  ../shared/corpus/background (``--sections`` sections, ``--per-doc`` per document, each as
  "NEW SECTION. Sec. n." paragraphs).

For each set it prints words/s of

- ``tokenize``: ``normalize._tokenize_reference`` (the former implementation, kept as the
  oracle) vs ``normalize.tokenize`` — and checks that they return identical Tokens;
- ``word_hashes``: the former generator over ``dict.get`` vs ``sketch.word_hashes``, with a
  cold cache (emptied before each pass) and a warm one — and checks the values are equal;
- ``prepare_doc`` (tokenize + sketch + blobs + checksum: what a pool worker does per document
  in ``billdiff index add``) with the new code, with a breakdown, and with the old tokenize
  and word hashes patched in.

Every figure is the best of ``--repeat`` passes over the whole set, in one process.

Usage: python bench/tokens.py [--sections 3000] [--per-doc 12] [--repeat 3] [--no-pdf]
Prints one JSON object per measurement and a summary table.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import billdiff  # noqa: E402
from billdiff import normalize  # noqa: E402
from billdiff.index import prepare as prep_mod  # noqa: E402
from billdiff.index import sketch as sketch_mod  # noqa: E402
from billdiff.index.presets import PRESETS  # noqa: E402
from billdiff.model import Document, Metadata  # noqa: E402

CORPUS = SHARED / "corpus"


def emit(**kw):
    print(json.dumps(kw), flush=True)


# the former word_hashes, verbatim but for its own cache
_OLD_CACHE: dict[str, int] = {}


def _old_word_hash(w: str) -> int:
    h = int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")
    if len(_OLD_CACHE) < 1 << 21:
        _OLD_CACHE[w] = h
    return h


def old_word_hashes(words) -> np.ndarray:
    get = _OLD_CACHE.get
    return np.fromiter(
        (get(w) or _old_word_hash(w) for w in words), dtype=np.uint64, count=len(words)
    )


def load_sets(n_sections: int, per_doc: int, pdf: bool) -> dict[str, list[Document]]:
    cong = sorted((CORPUS / "us-congress").glob("*.txt"))
    sets = {"congress-txt": [billdiff.read(str(p)) for p in cong]}
    if pdf:
        sets["congress-pdf"] = [
            billdiff.read(str(p)) for p in sorted((CORPUS / "us-congress").glob("*.pdf"))
        ]
    sections: list[str] = []
    for name in ("rcw-sections.jsonl.gz", "wac-sections.jsonl.gz"):
        with gzip.open(CORPUS / "background" / name, "rt", encoding="utf-8") as f:
            for line in f:
                if len(sections) >= n_sections:
                    break
                t = json.loads(line).get("text") or ""
                if t.strip():
                    sections.append(t)
    docs = []
    for i in range(0, len(sections), per_doc):
        parts = [f"SYNTHETIC BILL {i // per_doc} (composed of statute sections)"]
        for j, s in enumerate(sections[i : i + per_doc], 1):
            parts.append(f"NEW SECTION. Sec. {j}. {s}")
        docs.append(Document("\n\n".join(parts), Metadata(id=f"synthetic-{i // per_doc}")))
    sets["background"] = docs
    return sets


def best(fn, repeat: int, before=None) -> float:
    out = float("inf")
    for _ in range(repeat):
        if before:
            before()
        t = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t)
    return out


def run_set(name: str, docs: list[Document], repeat: int) -> dict:
    params = PRESETS["standard"]
    toks = [normalize.tokenize(d) for d in docs]
    same = all(normalize._tokenize_reference(d) == t for d, t in zip(docs, toks, strict=True))
    words = sum(len(t) for t in toks)
    chars = sum(len(d.text) for d in docs)
    row = {"set": name, "docs": len(docs), "words": words, "chars": chars, "identical": same}

    def tok_old():
        for d in docs:
            normalize._tokenize_reference(d)

    def tok_new():
        for d in docs:
            normalize.tokenize(d)

    row["tokenize_old_wps"] = words / best(tok_old, repeat)
    row["tokenize_new_wps"] = words / best(tok_new, repeat)

    wl = [t.words for t in toks]
    same_h = all(np.array_equal(old_word_hashes(w), sketch_mod.word_hashes(w)) for w in wl)
    row["hashes_identical"] = same_h

    def wh_old():
        for w in wl:
            old_word_hashes(w)

    def wh_new():
        for w in wl:
            sketch_mod.word_hashes(w)

    row["hash_old_cold_wps"] = words / best(wh_old, repeat, _OLD_CACHE.clear)
    row["hash_new_cold_wps"] = words / best(wh_new, repeat, sketch_mod._WORD_CACHE.clear)
    row["hash_old_warm_wps"] = words / best(wh_old, repeat)
    row["hash_new_warm_wps"] = words / best(wh_new, repeat)

    # prepare_doc end to end (warm word cache), and its parts
    def prep():
        for d in docs:
            prep_mod.prepare_doc(d, params, False)

    row["prepare_new_wps"] = words / best(prep, repeat)
    row["part_sketch_s"] = best(lambda: [sketch_mod.sketch_words(w, params) for w in wl], repeat)
    row["part_tokenize_s"] = words / row["tokenize_new_wps"]
    row["part_blobs_sha_s"] = best(
        lambda: [
            (prep_mod.text_blob(d), prep_mod.spans_blob(d), prep_mod.content_sha(d)) for d in docs
        ],
        repeat,
    )
    saved = normalize.tokenize, sketch_mod.word_hashes
    try:
        normalize.tokenize = normalize._tokenize_reference
        sketch_mod.word_hashes = old_word_hashes
        row["prepare_old_wps"] = words / best(prep, repeat)
    finally:
        normalize.tokenize, sketch_mod.word_hashes = saved
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", type=int, default=3000, help="background sections to use")
    ap.add_argument("--per-doc", type=int, default=12, help="sections per composed document")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-pdf", action="store_true", help="leave out the PDF set (slow to read)")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        print(f"error: corpus not found at {CORPUS} — set BILLDIFF_SHARED", file=sys.stderr)
        return 2
    sets = load_sets(args.sections, args.per_doc, not args.no_pdf)
    rows = []
    for name, docs in sets.items():
        row = run_set(name, docs, args.repeat)
        emit(**{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()})
        rows.append(row)

    def k(v):
        return f"{v / 1e3:,.0f}k"

    print()
    print(
        f"{'set':<14}{'words':>9}  {'tokenize old':>12} {'new':>7} {'x':>5}  "
        f"{'hash cold old':>13} {'new':>7}  {'warm old':>8} {'new':>7}  "
        f"{'prepare_doc old':>15} {'new':>7} {'x':>5}  same"
    )
    for r in rows:
        print(
            f"{r['set']:<14}{r['words']:>9,}  {k(r['tokenize_old_wps']):>12} "
            f"{k(r['tokenize_new_wps']):>7} "
            f"{r['tokenize_new_wps'] / r['tokenize_old_wps']:>5.1f}  "
            f"{k(r['hash_old_cold_wps']):>13} {k(r['hash_new_cold_wps']):>7}  "
            f"{k(r['hash_old_warm_wps']):>8} {k(r['hash_new_warm_wps']):>7}  "
            f"{k(r['prepare_old_wps']):>15} {k(r['prepare_new_wps']):>7} "
            f"{r['prepare_new_wps'] / r['prepare_old_wps']:>5.1f}  "
            f"{'yes' if r['identical'] and r['hashes_identical'] else 'NO'}"
        )
    print("(words/s, best of", args.repeat, "passes; prepare_doc with the standard preset)")
    print()
    print("prepare_doc parts, seconds per pass (new code):")
    for r in rows:
        print(
            f"  {r['set']:<14} tokenize {r['part_tokenize_s']:.3f}  sketch {r['part_sketch_s']:.3f}"
            f"  blobs+sha {r['part_blobs_sha_s']:.3f}  total {r['words'] / r['prepare_new_wps']:.3f}"
        )
    return 0 if all(r["identical"] and r["hashes_identical"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
