#!/usr/bin/env python3
"""The cross-state adoption dev benchmark: billdiff's search on SYNTHETIC state adoptions of
real model acts (bench/adoptgen.py, seeded) and on the real labelled pairs we hold.

It builds an index (a temporary file, deleted afterwards) of the model acts, their adoptions
and the unrelated background (optionally plus N statute sections), runs ``index.search`` for
every adoption and every model act (top k = the largest family + 10) and prints the five
measures of issue 8:

- listed: share of same-act (query, other) pairs where ``other`` is among the hits at all
  (a verified hit or one marked ``related``);
- R-precision: share of the top R hits that are same-act, R = the number of other same-act
  documents (mean over queries);
- MRR: mean reciprocal rank of the first same-act hit;
- substantive recall: of same-act pairs that share a passage of >= 12 words when compared
  directly (``billdiff.compare``), the share that search calls substantive (``hit.substantive``
  and not related);
- precision of the substantive calls (right when same act).

Plus the pairwise ROC AUC over all (query, document) pairs: billdiff's pair score
(``hit.probability`` where the hit has one, else ``hit.score``; 0 when not a hit) against a
plain TF-IDF cosine (scikit-learn, on the normalized words) from the same run.

The real-pairs section (a second index of the real wa-bills, facial-recognition and
other-states texts) reports listed / substantive recall on the labelled positive pairs
(versions, companions, other states reusing RCW 43.386) and the substantive calls on the
labelled pairs (negatives: HB 1638 / SB 5841, HB 1196 / SB 5139, Virginia).

Usage: python bench/adoptions.py [--seed 0] [--acts 10] [--big-act-adoptions 20]
       [--background 250] [--background-statutes N] [--json FILE] [--dump-pairs FILE.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import adoptgen  # noqa: E402

MIN_WORDS = 12


def hit_fields(hit) -> dict:
    """The fields of a SearchHit that the pair dump and the measures use (works with and
    without the newer ``related`` / ``probability`` / ``features`` attributes)."""
    rep = hit.report
    out = {
        "score": float(hit.score),
        "coverage_a": float(getattr(rep, "coverage_a", 0.0)),
        "coverage_b": float(getattr(rep, "coverage_b", 0.0)),
        "substantive": bool(hit.substantive),
        "related": bool(getattr(hit, "related", False)),
    }
    prob = getattr(hit, "probability", None)
    if prob is not None:
        out["probability"] = float(prob)
    feats = getattr(hit, "features", None)
    if isinstance(feats, dict):
        out["features"] = {k: (float(v) if isinstance(v, int | float) else v) for k, v in feats.items()}  # fmt: skip
    return out


def pair_score(f: dict) -> float:
    return f["probability"] if "probability" in f else f["score"]


def shingles12(doc) -> set:
    from billdiff import tokenize

    w = tokenize(doc).words
    return {hash(w[i : i + MIN_WORDS]) for i in range(len(w) - MIN_WORDS + 1)}


def has_long_passage(a, b) -> bool:
    import billdiff

    rep = billdiff.compare(a, b)
    return any(p.a_words >= MIN_WORDS for p in rep.passages)


ALIGNED: list[int] = []  # candidates aligned per search (the candidate reduction)


def run_searches(index, queries, top: int) -> tuple[dict, float]:
    """{query id: [(other id, fields), ...] best first}, seconds."""
    t0 = time.perf_counter()
    out = {}
    ALIGNED.clear()
    for d in queries:
        res = index.search(d, top=top)
        ALIGNED.append(getattr(res, "aligned", res.candidates_considered))
        out[d.meta.id] = [(h.doc.meta.id, hit_fields(h)) for h in res.hits if h.doc.meta.id != d.meta.id]  # fmt: skip
    return out, time.perf_counter() - t0


def settings_from(args):
    """The billdiff Settings the bench's index uses (defaults unless --min-identity etc.)."""
    from billdiff.settings import Settings

    kw = {}
    for name in ("min_identity", "max_gap"):
        v = getattr(args, name, None)
        if v is not None:
            kw[name] = v
    return Settings(**kw)


def shares_wording(sources: dict, others: list, n: int = 20) -> dict:
    """{act: ids of the unlabelled documents that share a verbatim ``n``-word run with the act's
    source text}: the act's own law (its codified sections, the sections it amends) in the
    background. Checked with exact word n-grams, independently of billdiff's search. By the
    issue's rule, a substantive call on such a pair is right (one topic, really shared
    wording); they are not required for recall."""
    from billdiff import tokenize

    def grams(doc):
        w = tokenize(doc).words
        return {hash(w[i : i + n]) for i in range(len(w) - n + 1)}

    src = {act: grams(d) for act, d in sources.items()}
    out: dict = {act: set() for act in sources}
    for d in others:
        g = grams(d)
        for act, sg in src.items():
            if g & sg:
                out[act].add(d.meta.id)
    return out


def measures(results: dict, label: dict, long_pairs: set, dump=None, law=None) -> dict:
    """The five measures for queries with an act label (``label``: doc id → act or None).
    ``law``: {act: ids of background documents that share wording with the act} (right when
    called substantive, see ``shares_wording``)."""
    law = law or {}
    listed = listed_n = 0
    rprec, rr = [], []
    subst_found = subst_n = 0
    calls = right = law_calls = 0
    for q, hits in results.items():
        act = label.get(q)
        if act is None:
            continue
        same = {d for d, a in label.items() if a == act and d != q}
        got = {d: f for d, f in hits}
        listed += len(same & got.keys())
        listed_n += len(same)
        r = len(same)
        top_r = [d for d, _ in hits[:r]]
        rprec.append(sum(d in same for d in top_r) / r if r else 0.0)
        first = next((i for i, (d, _) in enumerate(hits, 1) if d in same), None)
        rr.append(1.0 / first if first else 0.0)
        for d in same:
            if frozenset((q, d)) in long_pairs:
                subst_n += 1
                f = got.get(d)
                subst_found += bool(f and f["substantive"] and not f["related"])
        for d, f in hits:
            if f["substantive"] and not f["related"]:
                calls += 1
                right += d in same or d in law.get(act, ())
                law_calls += d in law.get(act, ())
        if dump is not None:
            for rank, (d, f) in enumerate(hits, 1):
                dump.write(json.dumps({"query": q, "other": d, "label": int(d in same), "rank": rank, **f}) + "\n")  # fmt: skip
            for d in sorted(same - got.keys()):
                dump.write(json.dumps({"query": q, "other": d, "label": 1, "rank": None}) + "\n")
    return {
        "listed": listed / listed_n if listed_n else 0.0,
        "r_precision": sum(rprec) / len(rprec) if rprec else 0.0,
        "mrr": sum(rr) / len(rr) if rr else 0.0,
        "substantive_recall": subst_found / subst_n if subst_n else 0.0,
        "substantive_precision": right / calls if calls else 0.0,
        "pairs_same_act": listed_n,
        "pairs_with_12_word_passage": subst_n,
        "substantive_calls": calls,
        "substantive_calls_on_the_acts_own_law": law_calls,
        "queries": len(rr),
    }


def auc(results: dict, label: dict, docs: dict) -> dict:
    """Pairwise ROC AUC over (query, document) pairs: billdiff's score vs TF-IDF cosine."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import roc_auc_score
    from sklearn.metrics.pairwise import linear_kernel

    from billdiff import tokenize

    ids = list(docs)
    pos = {d: i for i, d in enumerate(ids)}
    texts = [" ".join(tokenize(docs[d]).words) for d in ids]
    tf = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    y, ours, base = [], [], []
    for q, hits in results.items():
        if label.get(q) is None:
            continue
        got = {d: pair_score(f) for d, f in hits}
        sims = linear_kernel(tf[pos[q]], tf).ravel()
        for d in ids:
            if d == q:
                continue
            y.append(int(label.get(d) == label[q]))
            ours.append(got.get(d, 0.0))
            base.append(float(sims[pos[d]]))
    a_ours = float(roc_auc_score(y, ours))
    a_base = float(roc_auc_score(y, base))
    return {"billdiff": a_ours, "tfidf": a_base, "ratio": a_ours / a_base, "pairs": len(y)}


def synthetic_run(args, tmp: Path, dump) -> dict:
    import billdiff

    t0 = time.perf_counter()
    corpus = adoptgen.generate(
        seed=args.seed,
        acts=args.acts,
        big_act_adoptions=args.big_act_adoptions,
        background=args.background,
    )
    docs = [g.doc for g in corpus.docs]
    extra = []
    if args.background_statutes:
        extra = adoptgen.statute_documents(
            args.background_statutes,
            seed=args.seed,
            exclude=corpus.reserved_statutes | {g.source_id for g in corpus.docs},
        )
    t_gen = time.perf_counter() - t0
    label = {g.id: g.act for g in corpus.docs}
    for d in extra:
        label.setdefault(d.meta.id, None)
    fam = corpus.by_act()
    top = max(len(v) for v in fam.values()) + 10
    t0 = time.perf_counter()
    index = billdiff.Index(tmp / "adoptions.db", settings=settings_from(args))
    index.add(docs + extra)
    t_build = time.perf_counter() - t0
    queries = [g.doc for g in corpus.docs if g.act is not None]
    results, t_search = run_searches(index, queries, top)
    aligned = sum(ALIGNED) / max(1, len(ALIGNED))
    index.close()
    t0 = time.perf_counter()
    long_pairs = set()
    for members in fam.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if has_long_passage(a.doc, b.doc):
                    long_pairs.add(frozenset((a.id, b.id)))
    t_compare = time.perf_counter() - t0
    sh = {g.id: shingles12(g.doc) for v in fam.values() for g in v}
    no_verbatim = sum(
        not (sh[a.id] & sh[b.id]) for v in fam.values() for i, a in enumerate(v) for b in v[i + 1 :]
    )
    sources = {g.act: g.doc for g in corpus.docs if g.kind == "source"}
    law = shares_wording(sources, [d for d in docs + extra if label.get(d.meta.id) is None])
    m = measures(results, label, long_pairs, dump, law)
    m["background_sharing_wording_with_an_act"] = {a: len(v) for a, v in law.items()}
    t0 = time.perf_counter()
    m["auc"] = auc(results, label, {d.meta.id: d for d in docs + extra})
    t_auc = time.perf_counter() - t0
    m["families"] = {a: len(v) for a, v in fam.items()}
    m["intensities"] = {
        k: sum(g.intensity == k for g in corpus.docs) for k in adoptgen.INTENSITY_WEIGHTS
    }
    m["same_act_pairs_without_12_word_passage"] = sum(
        len(v) * (len(v) - 1) // 2 for v in fam.values()
    ) - len(long_pairs)
    m["same_act_pairs_without_verbatim_12_words"] = no_verbatim
    m["documents"] = len(docs) + len(extra)
    m["background_statutes"] = len(extra)
    m["top"] = top
    m["candidates_aligned_per_query"] = round(aligned, 1)
    m["seconds"] = {
        "generate": round(t_gen, 2),
        "build": round(t_build, 2),
        "search_all": round(t_search, 2),
        "search_per_query": round(t_search / max(1, len(queries)), 3),
        "compare_pairs": round(t_compare, 2),
        "auc": round(t_auc, 2),
    }
    return m


def _pair_auc(results: dict, pairs, byid) -> dict:
    """ROC AUC over the labelled real pairs (versions, companions, other states' reuse against
    same-topic drafts, amends-the-same-law, the Virginia control): billdiff's pair score (the
    larger of the two directions, 0 when not listed) against TF-IDF cosine (scikit-learn) on
    the same documents. Here TF-IDF meets same-topic negatives, as on the held-out set."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import roc_auc_score
    from sklearn.metrics.pairwise import cosine_similarity

    from billdiff import tokenize

    ids = sorted(byid)
    pos = {d: i for i, d in enumerate(ids)}
    tf = TfidfVectorizer(sublinear_tf=True).fit_transform(
        [" ".join(tokenize(byid[d]).words) for d in ids]
    )
    y, ours, base = [], [], []
    for a, b, lab, _why in pairs:
        sa = dict(results.get(a, ())).get(b)
        sb = dict(results.get(b, ())).get(a)
        y.append(int(lab == 1))
        ours.append(max(pair_score(f) if f else 0.0 for f in (sa, sb)))
        base.append(float(cosine_similarity(tf[pos[a]], tf[pos[b]])[0, 0]))
    if len(set(y)) < 2:
        return {}
    a_ours, a_base = float(roc_auc_score(y, ours)), float(roc_auc_score(y, base))
    return {"billdiff": a_ours, "tfidf": a_base, "pairs": len(y)}


def real_run(args, tmp: Path) -> dict:
    import billdiff

    docs, pairs = adoptgen.real_pairs()
    byid = {d.meta.id: d for d in docs}
    t0 = time.perf_counter()
    index = billdiff.Index(tmp / "real.db")
    index.add(docs)
    t_build = time.perf_counter() - t0
    qids = sorted({p[0] for p in pairs} | {p[1] for p in pairs})
    results, t_search = run_searches(index, [byid[q] for q in qids], 20)
    index.close()
    lab = {frozenset((a, b)): (y, why) for a, b, y, why in pairs}
    listed = listed_n = sub = sub_n = calls = right = 0
    wrong, missed, not_called = [], [], []
    for a, b, y, why in pairs:
        if y != 1:
            continue
        long = has_long_passage(byid[a], byid[b])
        for q, o in ((a, b), (b, a)):
            got = dict(results[q])
            listed_n += 1
            listed += o in got
            if o not in got:
                missed.append(f"{q} -> {o} ({why})")
            if long:
                sub_n += 1
                f = got.get(o)
                ok = bool(f and f["substantive"] and not f["related"])
                sub += ok
                if not ok:
                    p = f.get("probability") if f else None
                    not_called.append(f"{q} -> {o} ({why}; probability {p})")
    for q, hits in results.items():
        for o, f in hits:
            key = frozenset((q, o))
            if key in lab and f["substantive"] and not f["related"]:
                calls += 1
                right += lab[key][0] == 1
                if lab[key][0] == 0:
                    wrong.append(f"{q} -> {o} ({lab[key][1]})")
    return {
        "auc_labelled_pairs": _pair_auc(results, pairs, byid),
        "documents": len(docs),
        "pairs_positive": sum(p[2] == 1 for p in pairs),
        "pairs_negative": sum(p[2] == 0 for p in pairs),
        "listed": listed / listed_n if listed_n else 0.0,
        "substantive_recall": sub / sub_n if sub_n else 0.0,
        "substantive_precision": right / calls if calls else 0.0,
        "labelled_substantive_calls": calls,
        "negatives_called_substantive": wrong,
        "positives_not_listed": missed,
        "positives_not_called_substantive": not_called,
        "seconds": {"build": round(t_build, 2), "search_all": round(t_search, 2)},
    }


ROWS = (
    ("listed", "same-act pairs listed at all", "0.60", ">= 0.95"),
    ("r_precision", "R-precision", "0.53", ">= 0.85"),
    ("mrr", "mean reciprocal rank", "0.80", ">= 0.95"),
    (
        "substantive_recall",
        "pairs with a >=12-word passage called substantive",
        "0.44",
        ">= 0.95",
    ),  # fmt: skip
    ("substantive_precision", "precision of the substantive calls", "0.90", ">= 0.98"),
)


def table(m: dict, real: dict | None) -> str:
    lines = [
        f"{'measure':<52} {'dev set':>8} {'real pairs':>10} {'held-out today':>15} {'target':>8}",
    ]
    for key, name, today, target in ROWS:
        rv = f"{real[key]:.3f}" if real and key in real else ""
        lines.append(f"{name:<52} {m[key]:>8.3f} {rv:>10} {today:>15} {target:>8}")
    a = m["auc"]
    lines.append(
        f"{'pairwise ROC AUC: billdiff / TF-IDF cosine (ratio)':<52} "
        f"{a['billdiff']:.3f} / {a['tfidf']:.3f} ({a['ratio']:.2f})"
    )
    law = m.get("background_sharing_wording_with_an_act")
    if law is not None:
        lines.append(
            f"substantive calls {m['substantive_calls']}, of which on an act's own law in the "
            f"background {m['substantive_calls_on_the_acts_own_law']} (counted right: "
            f"{sum(law.values())} background documents share a verbatim 20-word run with an act)"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--acts", type=int, default=len(adoptgen.ACTS))
    ap.add_argument("--big-act-adoptions", type=int, default=20)
    ap.add_argument("--background", type=int, default=250)
    ap.add_argument("--background-statutes", type=int, default=0)
    ap.add_argument("--no-real", action="store_true", help="skip the real-pairs section")
    ap.add_argument("--min-identity", type=float, help="billdiff Settings.min_identity")
    ap.add_argument("--max-gap", type=int, help="billdiff Settings.max_gap")
    ap.add_argument("--json", type=Path, help="write all figures and parameters here")
    ap.add_argument("--dump-pairs", type=Path, help="one JSON line per (query, hit) pair")
    args = ap.parse_args(argv)
    if not adoptgen.CORPUS.is_dir():
        print(f"error: the real-bill corpus is not at {adoptgen.CORPUS}", file=sys.stderr)
        return 2
    import billdiff

    t_all = time.perf_counter()
    dump = args.dump_pairs.open("w", encoding="utf-8") if args.dump_pairs else None
    try:
        with tempfile.TemporaryDirectory(prefix="billdiff-adoptions-") as tmp:
            m = synthetic_run(args, Path(tmp), dump)
            real = None if args.no_real else real_run(args, Path(tmp))
    finally:
        if dump is not None:
            dump.close()
    s = m["seconds"]
    print(
        f"dev set: {m['documents']} documents ({m['background_statutes']} extra statute "
        f"sections), families {m['families']}, intensities {m['intensities']}"
    )
    print(
        f"same-act pairs {m['pairs_same_act'] // 2}, of which with a >=12-word passage "
        f"{m['pairs_with_12_word_passage'] // 2}, sharing no verbatim 12-word run "
        f"{m['same_act_pairs_without_verbatim_12_words']}; top k = {m['top']}"
    )
    print(
        f"wall time: generate {s['generate']} s, build {s['build']} s, all searches "
        f"{s['search_all']} s ({s['search_per_query']} s/query), compare {s['compare_pairs']} s"
    )
    print(
        f"candidates aligned per query: {m['candidates_aligned_per_query']} of "
        f"{m['documents']} indexed documents"
    )
    print(table(m, real))
    if real:
        print(
            f"real pairs: {real['pairs_positive']} positive, {real['pairs_negative']} negative; "
            f"build {real['seconds']['build']} s, searches {real['seconds']['search_all']} s"
        )
        a = real.get("auc_labelled_pairs") or {}
        if a:
            print(
                f"  ROC AUC over the {a['pairs']} labelled real pairs: billdiff "
                f"{a['billdiff']:.3f} / TF-IDF cosine {a['tfidf']:.3f}"
            )
        for w in real["negatives_called_substantive"]:
            print(f"  negative called substantive: {w}")
        for w in real["positives_not_listed"]:
            print(f"  positive not listed: {w}")
        for w in real["positives_not_called_substantive"]:
            print(f"  positive (with a 12-word passage) not called substantive: {w}")
    total = time.perf_counter() - t_all
    print(f"total {total:.1f} s")
    if args.json:
        out = {
            "bench": "adoptions",
            "billdiff_version": billdiff.__version__,
            "parameters": {
                k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
            },  # fmt: skip
            "synthetic": m,
            "real": real,
            "total_seconds": round(total, 2),
        }
        args.json.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
