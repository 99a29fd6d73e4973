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


def reason(rep: PairReport, subst_words: int, prob: float, substantive: bool) -> str:
    n = len(rep.passages)
    head = f"{n} shared passage{'s' if n != 1 else ''}, longest {rep.longest} words"
    cov = (
        f"{rep.coverage_a:.0%} of the new bill and {rep.coverage_b:.0%} of "
        f"{rep.b.meta.label} are shared text"
    )
    if not rep.substantive:
        if any(p.stock_phrase == "amended-law" for p in rep.passages):
            return (
                f"{head}; both amend the same statute section: the shared text is the existing "
                f"law they quote, not copying; {cov}"
            )
        return f"{head}; boilerplate only (stock or common language); {cov}"
    if not substantive:
        return (
            f"{head}; {subst_words} words outside stock language, but reuse is unlikely "
            f"(probability {prob:.2f}); {cov}"
        )
    return f"{head}; {subst_words} substantive words (probability of reuse {prob:.2f}); {cov}"


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
    self_indexed = False
    verified = []  # (Document, Tokens, PairReport, shared band keys)
    pool = [(rid, n_keys) for rid, (n_keys, _w) in ranked[:n_verify]]
    # the second shortlist: topic neighbours by tf-idf that LSH did not bring (an adoption
    # reworded in places, a bill that took a few sections); aligned like the LSH candidates
    topic = index.topic_scores(tq.words)
    in_pool = {rid for rid, _ in pool}
    shortlist = [
        rid
        for rid, sim in sorted(topic.items(), key=lambda kv: (-kv[1], kv[0]))
        if rid not in in_pool and sim >= settings.related_similarity
    ][: max(top, TOPIC_SHORTLIST)]
    for rid, n_keys in pool + [(rid, 0) for rid in shortlist]:
        d = index.doc_by_rid(rid)
        if d.id == doc.id:
            qsha = qsha or content_sha(doc)
            if content_sha(d) == qsha:
                self_indexed = True
                continue  # the query itself is indexed
        td = tokenize(d, keep_deleted=settings.keep_deleted)
        verified.append((rid, d, td, compare_docs(doc, d, tq, td, settings=settings), n_keys))
    from .amend import LawSpans, mark_amended_law

    law_q = LawSpans.of(doc)
    verified = [(r, d, td, mark_amended_law(rep, law_q), n) for r, d, td, rep, n in verified]
    reps = [v[3] for v in verified if v[3].passages]
    ranges = [(p.a_start, p.a_end) for rep in reps for p in rep.passages]
    bp.prefetch(tq, ranges)
    family = family_cover(tq, reps, doc.meta if self_indexed else None)
    common = bp.common_words(tq, ranges, family=family)
    hits = []
    for rid, d, td, rep, n_keys in verified:
        est = min(1.0, n_keys / max(1, len(qkeys)))
        cos = min(1.0, topic.get(rid, 0.0))
        if not rep.passages:
            if cos >= settings.related_similarity:
                hits.append(_related(d, len(td), est, cos, doc, tq, settings))
            continue
        hits.append(_hit(rep, bp, tq, common, family, est, cos, len(td)))
    hits.sort(key=_rank)
    return SearchResult(
        DocSummary(doc.meta, len(tq)),
        tuple(hits[:top]),
        len(found),
        len(index),
        {**settings.to_dict(), "index": params.to_dict()},
        __version__,
        fail_on_match,
        aligned=len(verified),
        topic_shortlist=len(shortlist),
    )


# documents the tf-idf topic shortlist adds (at most; ``top`` when larger); they need the
# topic similarity of a "related" bill (Settings.related_similarity): below it a bill is no
# topic neighbour, and aligning it cost a first-pass search 40% on unrelated corpora
TOPIC_SHORTLIST = 10


def _rank(h: SearchHit):
    """Verified reuse first (by probability, then the score), then related bills by cosine."""
    if h.related:
        return (1, -h.features.get("topic_similarity", 0.0), h.doc.meta.id)
    return (0, -h.probability, -h.score, -h.report.coverage_a, -h.report.coverage_b, h.doc.meta.id)


def _hit(rep: PairReport, bp, tq, common, family, est: float, cos: float, n_words: int):
    from .calibrate import boilerplate_share, pair_features, probability, threshold

    ps = tuple(
        replace(
            p,
            boilerplate_share=max(
                p.boilerplate_share, round(bp.share(tq, p.a_start, p.a_end, family=family), 4)
            ),
        )
        for p in rep.passages
    )
    rep = replace(rep, passages=ps)
    bshare = boilerplate_share(ps)
    score = query_score(ps, common)
    feats = pair_features(
        rep, subst_words=score, boilerplate_share=bshare, estimate=est, cosine=cos
    )
    prob = probability(feats)
    subst_words = int(round(sum(p.identical_words for p in rep.substantive)))
    substantive = bool(rep.substantive) and prob >= threshold()
    return SearchHit(
        DocSummary(rep.b.meta, n_words),
        round(score, 3),
        round(est, 4),
        rep,
        round(bshare, 4),
        reason(rep, subst_words, prob, substantive),
        probability=round(prob, 4),
        substantive=substantive,
        features={k: round(v, 4) for k, v in feats.items()},
    )


def _related(d: Document, n_words: int, est: float, cos: float, doc, tq, settings) -> SearchHit:
    """A topic neighbour: close in tf-idf space, no verified passage. Never substantive."""
    rep = PairReport(
        DocSummary(doc.meta, len(tq)),
        DocSummary(d.meta, n_words),
        (),
        0.0,
        0.0,
        settings.to_dict(),
        __version__,
        a_doc=doc,
        b_doc=d,
    )
    feats = {"topic_similarity": round(cos, 4), "estimate": round(est, 4)}
    why = (
        f"related: close in topic (tf-idf similarity {cos:.2f}) but no verified shared passage of "
        f"{settings.min_words} or more words"
    )
    return SearchHit(
        DocSummary(d.meta, n_words),
        0.0,
        round(est, 4),
        rep,
        0.0,
        why,
        probability=0.0,
        substantive=False,
        related=True,
        features=feats,
    )


def family_cover(tq, reps, query_meta=None):
    """For each word of the query: how many distinct bills of the query's *family* contain it
    in an identical stretch. The family: the verified hits sharing at least ``FAMILY_WORDS``
    identical words outside stock phrases with the query (and the query itself when it is
    indexed). Text shared within a family of adoptions is its signal, so a shingle's corpus
    count is taken net of the family (``Boilerplate.common_words(family=...)``): boilerplate
    is text common across *unrelated* bills."""
    import numpy as np

    from .index.store import bill_key

    cover = np.zeros(len(tq), dtype=np.int32)
    seen: set[str] = set()
    if query_meta is not None:
        cover += 1
        seen.add(bill_key(query_meta) or "\0query")
    for rep in reps:
        if sum(p.identical_words for p in rep.passages if not p.stock_phrase) < FAMILY_WORDS:
            continue
        key = bill_key(rep.b.meta) or rep.b.meta.id
        if key in seen:
            continue
        seen.add(key)
        hit = np.zeros(len(tq), dtype=bool)
        for p in rep.passages:
            if p.stock_phrase:
                continue
            for op in p.ops:
                if op.tag == "equal":
                    hit[op.a_start : op.a_end] = True
        cover += hit
    return cover


# identical non-stock words a verified hit shares with the query to count as its family
FAMILY_WORDS = 60
