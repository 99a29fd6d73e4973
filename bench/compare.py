#!/usr/bin/env python3
"""Benchmark `billdiff compare` against alignment peers, in the same run.

Pairs: 117-hr2008 ih~eh and 116-hr2002 ih~eh (GPO .txt, and .pdf when billdiff reads PDF),
and the synthetic 10k-word pair of ../shared/peers/data (real statute text, ~5% word edits,
three blocks moved far away; its provenance file gives the true alignment).

For each pair and tool: whole-process wall time (../shared/peers/wholeproc.py, runs
interleaved with the rapidfuzz peer so machine drift cancels in the ratio) and the share of
the shorter text covered by passages of >= 10 words:
  * peers: maximal runs of identical aligned words (peer_align_cli.py / bench_align.py);
  * billdiff "passages": the union of its passages (edits inside a passage included);
  * billdiff "runs": identical runs of >= 10 words inside its passages (the peers' measure).
Also: in-process alignment time vs rapidfuzz Indel.opcodes on the same word lists, and
`billdiff --help` vs `python -c pass`.

Peers run from their own virtualenv (../shared/peers/README.md):
    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install -r ../shared/peers/requirements.txt
    .venv/bin/python bench/compare.py [--runs 7] [--peers-python /tmp/peers/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BILLDIFF_SHARED", ROOT.parent / "shared")).resolve()
PEERS = SHARED / "peers"
CORPUS = SHARED / "corpus"
MIN = 10

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(PEERS))
from wholeproc import measure  # noqa: E402  (public helper of ../shared/peers)

BILLDIFF = [str(Path(sys.executable).parent / "billdiff")]
if not Path(BILLDIFF[0]).exists():
    BILLDIFF = [sys.executable, "-m", "billdiff"]


# ----------------------------------------------------------------------------- coverage


def _union(spans) -> int:
    total, end = 0, -1
    for s, e in sorted(spans):
        if e > end:
            total += e - max(s, end)
            end = e
    return total


def billdiff_run(a: Path, b: Path) -> dict:
    r = subprocess.run(
        [*BILLDIFF, "compare", str(a), str(b), "--min-words", str(MIN), "--json"],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["?"])[-1]}
    d = json.loads(r.stdout)
    side = "a" if d["a"]["words"] <= d["b"]["words"] else "b"
    n = d[side]["words"]
    col = 1 if side == "a" else 3
    runs = [
        (o[col], o[col + 1])
        for p in d["passages"]
        for o in p["ops"]
        if o[0] == "equal" and o[col + 1] - o[col] >= MIN
    ]
    return {
        "cov": _union(tuple(p[side]["words"]) for p in d["passages"]) / n,
        "cov_runs": _union(runs) / n,
        "passages": len(d["passages"]),
        "json": d,
    }


def peer_run(py: str, tool: str, a: Path, b: Path) -> dict:
    r = subprocess.run(
        [py, str(PEERS / "peer_align_cli.py"), tool, str(a), str(b), "--min", str(MIN)],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["?"])[-1]}
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    summ, ps = lines[-1], lines[:-1]
    side = "a" if summ["words_a"] <= summ["words_b"] else "b"
    n = summ[f"words_{side}"]
    return {"cov": _union(tuple(p[side]) for p in ps) / n, "passages": len(ps)}


def synthetic_truth(d: dict, prov_path: Path) -> dict:
    """How much of the true unedited alignment (runs >= MIN in B) billdiff recovered exactly."""
    prov = json.loads(prov_path.read_text())["prov"]
    true = [False] * len(prov)
    j = 0
    while j < len(prov):
        if prov[j] < 0:
            j += 1
            continue
        s = j
        while j + 1 < len(prov) and prov[j + 1] == prov[j] + 1:
            j += 1
        if j - s + 1 >= MIN:
            true[s : j + 1] = [True] * (j - s + 1)
        j += 1
    got = [False] * len(prov)
    for p in d["passages"]:
        for tag, a0, _a1, b0, b1 in p["ops"]:
            if tag == "equal":
                for k in range(b1 - b0):
                    if prov[b0 + k] == a0 + k:
                        got[b0 + k] = True
    n_true = sum(true)
    return {
        "true_cov_b": n_true / len(prov),
        "recovered": sum(1 for t, g in zip(true, got, strict=True) if t and g) / max(n_true, 1),
        "right_word_cov_b": sum(got) / len(prov),
    }


# ----------------------------------------------------------------------------- timing


def inprocess(a: Path, b: Path, reps: int) -> dict:
    from rapidfuzz.distance import Indel

    from billdiff.aligner import align
    from billdiff.ingest import read
    from billdiff.normalize import tokenize
    from billdiff.settings import Settings

    s = Settings(min_words=MIN)
    ta, tb = tokenize(read(str(a))), tokenize(read(str(b)))
    vocab: dict[str, int] = {}
    ia = [vocab.setdefault(w, len(vocab)) for w in ta.words]
    ib = [vocab.setdefault(w, len(vocab)) for w in tb.words]
    tb_, tr = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        align(ta, tb, settings=s)
        t1 = time.perf_counter()
        Indel.opcodes(ia, ib)
        t2 = time.perf_counter()
        tb_.append(t1 - t0)
        tr.append(t2 - t1)
    return {
        "billdiff_s": statistics.median(tb_),
        "rapidfuzz_s": statistics.median(tr),
        "ratio": statistics.median(x / y for x, y in zip(tb_, tr, strict=True)),
    }


def text_matcher_cmd(py: str, a: Path, b: Path) -> list[str]:
    return [str(Path(py).parent / "text-matcher"), str(a), str(b), "-l", os.devnull]


def ensure_nltk(tmp: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_align", PEERS / "bench_align.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    os.environ["NLTK_DATA"] = str(mod.ensure_nltk_stopwords(tmp / "nltk_data"))


def text_matcher_coverage(py: str, tmp: Path) -> dict:
    """text-matcher's coverage per pair, from the peers' own bench_align.py (in-process)."""
    r = subprocess.run(
        [
            py,
            str(PEERS / "bench_align.py"),
            "--pairs",
            "117-hr2008,116-hr2002,synthetic-10k",
            "--sw-budget",
            "0.5",
            "--dump",
            str(tmp / "synth"),
        ],
        capture_output=True,
        text=True,
    )
    out: dict = {}
    for line in r.stdout.splitlines():
        d = json.loads(line)
        if d.get("tool") == "text-matcher" and "coverage_shorter" in d:
            key = d["pair"].split(" ")[0].split("-10k")[0]
            label = "last-match fix" if "last-match fix" in d["op"] else "as released"
            out.setdefault(key, {})[label] = d["coverage_shorter"]
    return out


# ----------------------------------------------------------------------------- main


def pairs() -> list[tuple[str, Path, Path, Path | None]]:
    us = CORPUS / "us-congress"
    out = []
    for ext in ("txt", "pdf"):
        for c, bill in (("117", "hr2008"), ("116", "hr2002")):
            out.append(
                (
                    f"{c}-{bill} ih~eh .{ext}",
                    us / f"us-{c}-{bill}-ih.{ext}",
                    us / f"us-{c}-{bill}-eh.{ext}",
                    None,
                )
            )
    d = PEERS / "data"
    out.append(
        (
            "synthetic-10k",
            d / "synthetic-10k-a.txt",
            d / "synthetic-10k-b.txt",
            d / "synthetic-10k-prov.json",
        )
    )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=7, help="timed whole-process runs per command")
    ap.add_argument("--slow-runs", type=int, default=3, help="runs for biopython, text-matcher")
    ap.add_argument("--peers-python", default="/tmp/peers/bin/python")
    ap.add_argument("--json", action="store_true", help="also print one JSON line per figure")
    ap.add_argument(
        "--no-text-matcher-cov",
        action="store_true",
        help="skip bench_align.py (~45 s), which gives text-matcher's coverage",
    )
    args = ap.parse_args()
    py = args.peers_python if Path(args.peers_python).exists() else None
    if py is None:
        print(
            f"note: peers venv {args.peers_python} missing; billdiff figures only "
            "(see ../shared/peers/README.md)"
        )
    tmp = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    if py:
        ensure_nltk(tmp)
    rows: list[dict] = []
    tm_cov = text_matcher_coverage(py, tmp) if py and not args.no_text_matcher_cov else {}

    def row(**kw):
        rows.append(kw)
        if args.json:
            print(json.dumps(kw), flush=True)

    for name, a, b, prov in pairs():
        if not (a.exists() and b.exists()):
            print(f"skip {name}: inputs missing")
            continue
        bd = billdiff_run(a, b)
        if "error" in bd:
            print(f"skip {name}: billdiff cannot read it yet ({bd['error']})")
            continue
        cmd = [*BILLDIFF, "compare", str(a), str(b), "--min-words", str(MIN)]
        peer_cmd = (
            [py, str(PEERS / "peer_align_cli.py"), "rapidfuzz", str(a), str(b)]
            if py
            else [sys.executable, "-c", "pass"]
        )
        m = measure(cmd, peer_cmd, runs=args.runs)
        extra = synthetic_truth(bd["json"], prov) if prov else {}
        row(
            pair=name,
            tool="billdiff compare",
            wall_s=m["wall_s"]["median"],
            vs_rapidfuzz=m["ratio_a_over_b"]["median"] if py else None,
            cov=bd["cov"],
            cov_runs=bd["cov_runs"],
            passages=bd["passages"],
            **extra,
        )
        mj = measure([*cmd, "--json"], peer_cmd, runs=args.runs)
        row(
            pair=name,
            tool="billdiff compare --json",
            wall_s=mj["wall_s"]["median"],
            vs_rapidfuzz=mj["ratio_a_over_b"]["median"] if py else None,
            cov=bd["cov"],
            cov_runs=bd["cov_runs"],
            passages=bd["passages"],
        )
        ip = inprocess(a, b, reps=max(5, args.runs))
        row(
            pair=name,
            tool="billdiff align (in-process)",
            wall_s=ip["billdiff_s"],
            vs_rapidfuzz=ip["ratio"],
            note=f"Indel.opcodes {ip['rapidfuzz_s'] * 1e3:.2f} ms",
        )
        if not py or a.suffix != ".txt":
            continue
        row(
            pair=name,
            tool="rapidfuzz (peer cli)",
            wall_s=m["vs"]["wall_s"]["median"],
            vs_rapidfuzz=1.0,
            **_cov(peer_run(py, "rapidfuzz", a, b)),
        )
        for tool, runs in (("difflib", args.runs), ("biopython", args.slow_runs)):
            mt = measure(
                [py, str(PEERS / "peer_align_cli.py"), tool, str(a), str(b)], peer_cmd, runs=runs
            )
            row(
                pair=name,
                tool=f"{tool} (peer cli)",
                wall_s=mt["wall_s"]["median"],
                vs_rapidfuzz=mt["ratio_a_over_b"]["median"],
                **_cov(peer_run(py, tool, a, b)),
            )
        mt = measure(text_matcher_cmd(py, a, b), peer_cmd, runs=args.slow_runs)
        tm = tm_cov.get(name.split(" ")[0] if "synthetic" not in name else "synthetic", {})
        row(
            pair=name,
            tool="text-matcher (cli)",
            wall_s=mt["wall_s"]["median"],
            vs_rapidfuzz=mt["ratio_a_over_b"]["median"],
            cov=tm.get("as released"),
            note=(
                f"coverage from bench_align.py in-process; with its last-match fix "
                f"{tm['last-match fix']:.3f}"
                if "last-match fix" in tm
                else ""
            ),
        )

    mh = measure([*BILLDIFF, "--help"], [sys.executable, "-c", "pass"], runs=args.runs)
    row(
        pair="-",
        tool="billdiff --help",
        wall_s=mh["wall_s"]["median"],
        note=f"python -c pass {mh['vs']['wall_s']['median']:.3f} s",
    )
    _table(rows)
    return 0


def _cov(r: dict) -> dict:
    return (
        {"cov": r.get("cov"), "passages": r.get("passages")}
        if "cov" in r
        else {"note": r.get("error", "")}
    )


def _table(rows: list[dict]) -> None:
    def f(x, fmt):
        return "" if x is None else format(x, fmt)

    print()
    print(
        f"{'pair':<22} {'tool':<28} {'wall s':>8} {'÷ rapidfuzz':>11} {'cov':>7} "
        f"{'cov runs':>8} {'passages':>8}  note"
    )
    for r in rows:
        note = r.get("note", "")
        if "recovered" in r:
            note = (
                f"true cov {r['true_cov_b']:.3f}; recovered {r['recovered']:.3f} of it; "
                f"right-word cov {r['right_word_cov_b']:.3f}"
            )
        print(
            f"{r['pair']:<22} {r['tool']:<28} {f(r.get('wall_s'), '8.3f')} "
            f"{f(r.get('vs_rapidfuzz'), '11.2f')} {f(r.get('cov'), '7.3f')} "
            f"{f(r.get('cov_runs'), '8.3f')} {f(r.get('passages'), '8d')}  {note}"
        )
    print(
        "\ncov = share of the shorter text inside passages of >= 10 words (billdiff: union of"
        " its passages; peers: identical runs); cov runs = billdiff's identical runs >= 10."
    )


if __name__ == "__main__":
    sys.exit(main())
