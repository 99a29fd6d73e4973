"""search: a new bill against every indexed bill — candidates by LSH, then verified.

1. The query's passage windows are sketched with a finer step than the index's
   (``query_step``), and their band keys are looked up in the index: every indexed document
   sharing a bucket is a candidate, ranked by how many band keys it shares (an *estimate*).
2. The best candidates (at least 20, or 3 × ``top``) are re-aligned against the query with the
   aligner (``compare_docs``): only verified passages are reported.
3. Every passage gets its ``boilerplate_share`` from the corpus statistics; a hit's score is
   the number of words of the new bill inside identical stretches of its passages and outside
   common (boilerplate) shingles, each counted once even when the indexed bill repeats the
   text; stock phrases count zero. Hits are ranked by that score, then by coverage of the new
   bill, then by coverage of the indexed bill.
"""

from __future__ import annotations

from dataclasses import replace

from ._version import __version__
from .model import DocSummary, Document, PairReport, SearchHit, SearchResult
from .pairwise import compare_docs
from .settings import Settings


def query_score(passages, common) -> float:
    """Words of the new bill inside identical stretches of the passages and outside common
    (boilerplate) shingles of the new bill, each counted once: a passage of the indexed bill
    that repeats text already matched adds nothing, and where a passage happens to start or
    end changes nothing. Stock phrases count zero. ``common``: bool per word of the new bill
    (``Boilerplate.common_words``)."""
    import numpy as np

    hit = np.zeros(len(common), dtype=bool)
    for p in passages:
        if p.stock_phrase:
            continue
        for op in p.ops:
            if op.tag == "equal":
                hit[op.a_start : op.a_end] = True
    return float((hit & ~common).sum())


def passage_weight(p) -> float:
    """Verified identical words, discounted by how common the passage's text is."""
    if p.stock_phrase:
        return 0.0
    return p.identical_words * (1.0 - p.boilerplate_share)


def reason(rep: PairReport, subst_words: int) -> str:
    n = len(rep.passages)
    head = f"{n} shared passage{'s' if n != 1 else ''}, longest {rep.longest} words"
    cov = (
        f"{rep.coverage_a:.0%} of the new bill and {rep.coverage_b:.0%} of "
        f"{rep.b.meta.label} are shared text"
    )
    if not rep.substantive:
        return f"{head}; boilerplate only (stock or common language); {cov}"
    return f"{head}; {subst_words} substantive words; {cov}"


def search(
    index,
    doc,
    *,
    top: int = 10,
    min_words: int | None = None,
    fail_on_match: bool = False,
    settings: Settings | None = None,
    **read_kw,
) -> SearchResult:
    from .index.prepare import content_sha
    from .index.sketch import sketch_words, unpack
    from .normalize import tokenize

    settings = settings or index.settings
    if min_words is not None:
        settings = settings.replace(min_words=min_words)
    if not isinstance(doc, Document):
        from .ingest import read

        doc = read(doc, **read_kw)
    tq = tokenize(doc, keep_deleted=settings.keep_deleted)
    params = index.params
    sk = sketch_words(tq.words, params, step=params.query_step)
    qkeys = unpack(sk.keys)
    found = index.probe(qkeys)
    # rank by the rarity-weighted number of shared windows (rare shared text first)
    ranked = sorted(found.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))
    n_verify = max(3 * top, 20)
    bp = index.boilerplate()
    qsha = None
    found_reps = []
    for rid, (n_keys, _weight) in ranked[:n_verify]:
        d = index.doc_by_rid(rid)
        if d.id == doc.id:
            qsha = qsha or content_sha(doc)
            if content_sha(d) == qsha:
                continue  # the query itself is indexed
        td = tokenize(d, keep_deleted=settings.keep_deleted)
        rep = compare_docs(doc, d, tq, td, settings=settings)
        if rep.passages:
            found_reps.append((rep, n_keys, len(td)))
    ranges = [(p.a_start, p.a_end) for rep, _n, _w in found_reps for p in rep.passages]
    bp.prefetch(tq, ranges)
    common = bp.common_words(tq, ranges)
    hits = []
    for rep, n_keys, n_words in found_reps:
        d = rep.b
        ps = tuple(
            replace(
                p,
                boilerplate_share=max(
                    p.boilerplate_share, round(bp.share(tq, p.a_start, p.a_end), 4)
                ),
            )
            for p in rep.passages
        )
        rep = replace(rep, passages=ps)
        words = sum(p.identical_words for p in ps)
        weighted = sum(passage_weight(p) for p in ps)
        bshare = 1.0 - weighted / words if words else 0.0
        score = query_score(ps, common)
        subst = int(round(sum(p.identical_words for p in rep.substantive)))
        est = min(1.0, n_keys / max(1, len(qkeys)))
        hits.append(
            SearchHit(
                DocSummary(d.meta, n_words),
                round(score, 3),
                round(est, 4),
                rep,
                round(bshare, 4),
                reason(rep, subst),
            )
        )
    hits.sort(key=lambda h: (-h.score, -h.report.coverage_a, -h.report.coverage_b, h.doc.meta.id))
    return SearchResult(
        DocSummary(doc.meta, len(tq)),
        tuple(hits[:top]),
        len(found),
        len(index),
        {**settings.to_dict(), "index": params.to_dict()},
        __version__,
        fail_on_match,
    )
