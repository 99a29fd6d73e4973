"""lineage(source) — candidate pairs → verified alignments → typed edges → reduced graph."""

from __future__ import annotations

from collections.abc import Callable

from .._version import __version__
from ..amend import LawSpans
from ..model import LineageEdge, LineageGraph, LineageNode
from ..settings import DEFAULT, Settings
from . import graph as g
from .classify import classify
from .corpus import LocalBoilerplate, _word_ids, candidate_pairs, load, same_bill_pairs
from .evidence import evidence

Progress = Callable[[int, int, str], None]
KIN_LOCAL_MAX = 2000  # documents; up to this many an index's boilerplate is checked for kin


def lineage(
    source,
    *,
    settings: Settings = DEFAULT,
    progress: Progress | None = None,
    engine: str = "default",
    master: str | None = None,
    spark=None,
    evidence_dir=None,
) -> LineageGraph:
    """Who copied whom in ``source`` (an Index, or a list of Documents or paths).

    ``progress(done, total, stage)`` is called while pairs are verified (stage ``align``).
    Every verified relation is an edge; edges explained by a longer path are kept with
    ``reduced=True``. Families are connected components over all but boilerplate-only edges.

    ``engine="spark"`` runs the same stages on Apache Spark (``master``: anything
    spark-submit takes, or ``spark``: a SparkSession to use; ``evidence_dir``: where the
    evidence rows are written), for a folder of bills, JSON Lines or Parquet — see
    docs/spark.md. The answer is the same graph.
    """
    if engine == "spark":
        from ..spark.lineage import lineage_spark

        return lineage_spark(
            source,
            settings=settings,
            progress=progress,
            master=master,
            spark=spark,
            evidence_dir=evidence_dir,
        )
    if engine != "default":
        from ..errors import SettingsError

        raise SettingsError(f"unknown engine {engine!r}", hint="use default or spark")
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

    return assemble(
        drafts,
        [d.meta for d in corpus.docs],
        [len(t) for t in corpus.tokens],
        corpus.info,
        settings=settings,
        failed=corpus.failed,
    )


def assemble(
    drafts, metas, words: list[int], info, *, settings: Settings, failed=()
) -> LineageGraph:
    """Typed edges (``drafts``, in candidate-pair order) → the reduced graph and families.
    ``metas``, ``words``, ``info``: each document's metadata, word count and bill facts, in
    corpus order. The one step both engines share after alignment."""
    g.fold_companions(drafts, info)
    g.common_sources(drafts, info)
    anc_nodes, anc_ids = g.infer_ancestors(
        drafts, info, [m.id for m in metas], min_words=2 * settings.min_shared_words
    )
    g.reduce(drafts)

    node_ids = {i: m.id for i, m in enumerate(metas)}
    node_ids.update({nid: n.id for nid, n in zip(anc_ids, anc_nodes, strict=False)})
    dates = {i: inf.when for i, inf in enumerate(info)}
    states = {i: inf.state for i, inf in enumerate(info)}
    fams = g.families(drafts, node_ids, dates, set(anc_ids), states)

    nodes = [LineageNode(m.id, m, n) for m, n in zip(metas, words, strict=True)]
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
        tuple(failed),
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
    return same_bill_pairs(corpus.info)
