"""lineage(source) — candidate pairs → verified alignments → typed edges → reduced graph."""

from __future__ import annotations

from collections.abc import Callable

from .._version import __version__
from ..amend import LawSpans
from ..model import LineageEdge, LineageGraph, LineageNode
from ..settings import DEFAULT, Settings
from . import graph as g
from .classify import classify
from .corpus import LocalBoilerplate, _word_ids, candidate_pairs, load
from .evidence import evidence

Progress = Callable[[int, int, str], None]
KIN_LOCAL_MAX = 2000  # documents; up to this many an index's boilerplate is checked for kin


def lineage(
    source, *, settings: Settings = DEFAULT, progress: Progress | None = None
) -> LineageGraph:
    """Who copied whom in ``source`` (an Index, or a list of Documents or paths).

    ``progress(done, total, stage)`` is called while pairs are verified (stage ``align``).
    Every verified relation is an edge; edges explained by a longer path are kept with
    ``reduced=True``. Families are connected components over all but boilerplate-only edges.
    """
    corpus, pairs, index_bp = load(source, settings=settings)
    ids = None
    kin_local = index_bp is None or len(corpus.docs) <= KIN_LOCAL_MAX
    if pairs is None or kin_local:
        ids = _word_ids(corpus)
    if pairs is None:
        pairs = candidate_pairs(corpus, ids, settings=settings)
    elif kin_local:  # a small index: its LSH misses short copies (a sentence, a definition)
        pairs |= candidate_pairs(corpus, ids, settings=settings)
    else:  # the index does not know bills: add every pair of versions of one bill
        pairs |= candidate_pairs_same_bill(corpus)
    local = LocalBoilerplate(corpus, ids, settings=settings) if kin_local else None
    if index_bp is not None and local is not None:
        # common only when the index's model and the kin-aware count over these same bills
        # agree: wording only adoptions of one act share is their lineage, not boilerplate

        def share(doc: int, tokens, s: int, e: int) -> float:
            return min(index_bp.share(tokens, s, e), local.share(doc, s, e))
    elif index_bp is not None:

        def share(doc: int, tokens, s: int, e: int) -> float:
            return index_bp.share(tokens, s, e)
    else:

        def share(doc: int, tokens, s: int, e: int) -> float:
            return local.share(doc, s, e)

    law = [LawSpans.of(d) for d in corpus.docs]
    drafts = []
    ordered = sorted(pairs)
    parallel = index_bp is None  # an index's SQLite handle must not cross a fork
    for n, ev in enumerate(_verified(corpus, ordered, law, share, settings, parallel), 1):
        d = classify(ev, corpus.info, settings=settings)
        if d is not None:
            drafts.append(d)
        if progress is not None:
            progress(n, len(ordered), "align")

    g.fold_companions(drafts, corpus.info)
    g.common_sources(drafts, corpus.info)
    anc_nodes, anc_ids = g.infer_ancestors(
        drafts, corpus.info, corpus.docs, min_words=2 * settings.min_shared_words
    )
    g.reduce(drafts)

    node_ids = {i: d.id for i, d in enumerate(corpus.docs)}
    node_ids.update({nid: n.id for nid, n in zip(anc_ids, anc_nodes, strict=False)})
    dates = {i: inf.when for i, inf in enumerate(corpus.info)}
    states = {i: inf.state for i, inf in enumerate(corpus.info)}
    fams = g.families(drafts, node_ids, dates, set(anc_ids), states)

    nodes = [
        LineageNode(d.id, d.meta, len(t)) for d, t in zip(corpus.docs, corpus.tokens, strict=False)
    ]
    nodes += anc_nodes
    nodes.sort(key=lambda n: n.id)
    edges = [
        LineageEdge(
            node_ids[d.source],
            node_ids[d.target],
            d.type,
            d.directed,
            d.confidence,
            d.shared_words,
            round(d.coverage_source, 4),
            round(d.coverage_target, 4),
            d.passages,
            d.reason,
            d.direction_basis,
            d.reduced,
            d.report,
            *_probability(d.report),
        )
        for d in drafts
    ]
    edges.sort(key=lambda e: (e.source, e.target, e.type))
    return LineageGraph(
        tuple(nodes),
        tuple(edges),
        tuple(fams),
        settings.to_dict(),
        __version__,
        failed=tuple(corpus.failed),
    )


def _probability(report) -> tuple[float | None, dict]:
    """The calibrated probability of reuse of an edge's verified pair, and its features."""
    if report is None:
        return None, {}
    from ..calibrate import pair_probability

    prob, feats = pair_probability(report)
    return round(prob, 4), {k: round(v, 4) for k, v in feats.items()}


PARALLEL_MIN = 500  # pairs; below this, aligning in one process is faster (1,246 pairs of
# the 1,000-bill bench: 2 forked workers 3.8 s, one process 4.9 s)
_STATE: tuple | None = None  # what forked workers inherit (corpus, law, share, settings)


def _workers() -> int:
    import multiprocessing
    import os

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def _verified(corpus, ordered, law, share, settings, parallel: bool):
    """Evidence for every pair, in order; on several cores, in forked worker processes
    (each returns the evidence without document texts, re-attached here)."""
    workers = _workers() if parallel else 1
    if workers <= 1 or len(ordered) < PARALLEL_MIN:
        for i, j in ordered:
            yield evidence(corpus, i, j, law=law, boiler_share=share, settings=settings)
        return
    import multiprocessing
    from dataclasses import replace

    global _STATE
    _STATE = (corpus, law, share, settings)
    chunks = [ordered[k : k + 200] for k in range(0, len(ordered), 200)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for batch in pool.imap(_work, chunks):
                for ev in batch:
                    ev.report = replace(
                        ev.report,
                        a_doc=corpus.docs[ev.i],
                        b_doc=corpus.docs[ev.j],
                        a_tokens=corpus.tokens[ev.i],
                        b_tokens=corpus.tokens[ev.j],
                    )
                    yield ev
    finally:
        _STATE = None


def _work(chunk):
    from dataclasses import replace

    corpus, law, share, settings = _STATE
    out = []
    for i, j in chunk:
        ev = evidence(corpus, i, j, law=law, boiler_share=share, settings=settings)
        ev.report = replace(ev.report, a_doc=None, b_doc=None, a_tokens=None, b_tokens=None)
        out.append(ev)
    return out


def candidate_pairs_same_bill(corpus) -> set[tuple[int, int]]:
    by_bill: dict[object, list[int]] = {}
    for i, inf in enumerate(corpus.info):
        if inf.key:
            by_bill.setdefault(inf.key, []).append(i)
    return {(x, y) for ms in by_bill.values() for x in ms for y in ms if x < y}
