"""Align on Spark: candidate pairs joined with both documents, verified and typed on the
executors with ``evidence`` and ``classify``; evidence rows written as Parquet + JSON Lines."""

from __future__ import annotations

import os
import pickle

from ..settings import Settings
from . import excerpts
from . import read as rd

# --- 4. align -------------------------------------------------------------------------------


def align(spark, docs, pairs, b_common, b_info, settings: Settings, out_dir: str) -> str:
    from pyspark.sql import functions as F

    parts = max(spark.sparkContext.defaultParallelism * 4, 1)
    pdf = spark.createDataFrame(pairs or [(0, 0)], "a int, b int")
    if not pairs:
        pdf = pdf.limit(0)
    pdf = pdf.repartition(parts)
    da = docs.select(
        F.col("idx").alias("a"), F.col("ids").alias("ids_a"), F.col("rec").alias("rec_a")
    )
    db = docs.select(
        F.col("idx").alias("b"), F.col("ids").alias("ids_b"), F.col("rec").alias("rec_b")
    )
    joined = pdf.join(da, "a").join(db, "b").select("a", "b", "ids_a", "rec_a", "ids_b", "rec_b")

    def verify(batches):
        yield from align_batches(batches, b_common.value, b_info.value, settings)

    rows = joined.mapInArrow(verify, EVIDENCE_SCHEMA)
    path = os.path.join(out_dir, "evidence.parquet")
    rows.write.mode("overwrite").parquet(path)
    spark.read.parquet(path).drop("draft").write.mode("overwrite").json(
        os.path.join(out_dir, "evidence.jsonl")
    )
    return path


EVIDENCE_SCHEMA = (
    "a int, b int, source string, target string, type string, directed boolean, "
    "confidence double, shared_words int, coverage_source double, coverage_target double, "
    "reason string, passages string, draft binary"
)


def align_batches(batches, common, info, settings: Settings):
    """Executor side: joined (pair, two documents) rows → evidence rows (typed edges)."""
    import json
    from dataclasses import replace

    import pyarrow as pa

    from ..amend import LawSpans
    from ..lineage_graph.classify import classify
    from ..lineage_graph.corpus import _gram_hashes, coverage_sums, covered_share
    from ..lineage_graph.evidence import evidence

    cache: dict[int, tuple] = {}

    def doc(i: int, ids: bytes, rec: bytes):
        import numpy as np

        got = cache.get(i)
        if got is None:
            if len(cache) > 512:
                cache.clear()
            p: rd.Prepared = pickle.loads(rec)
            w = np.frombuffer(ids, dtype=np.uint64)
            cum = coverage_sums(
                _gram_hashes(w, settings.shingle_words), len(w), common, settings.shingle_words
            )
            got = cache[i] = (p, LawSpans.of(p.doc), cum)
        return got

    class Pair:  # what ``evidence`` reads of a corpus: docs[i], tokens[i]
        def __init__(self):
            self.docs, self.tokens = {}, {}

    names = [f.split()[0] for f in EVIDENCE_SCHEMA.split(", ")]
    for b in batches:
        out = {k: [] for k in names}
        cols = [b.column(c).to_pylist() for c in ("a", "b", "ids_a", "rec_a", "ids_b", "rec_b")]
        for i, j, ia, ra, ib, rb in zip(*cols, strict=True):
            pa_, la, ca = doc(i, ia, ra)
            pb_, lb, cb = doc(j, ib, rb)
            corpus = Pair()
            corpus.docs = {i: pa_.doc, j: pb_.doc}
            corpus.tokens = {i: pa_.tokens, j: pb_.tokens}
            cums = {i: ca, j: cb}

            def share(d, _tokens, s, e, cums=cums):
                return covered_share(cums[d], s, e)

            ev = evidence(corpus, i, j, law={i: la, j: lb}, boiler_share=share, settings=settings)
            d = classify(ev, info, settings=settings)
            if d is None:
                continue
            # the driver gets the passages' text, not the documents (billdiff/spark/excerpts.py)
            ps = rep0.passages if (rep0 := ev.report) else ()
            rep = replace(
                rep0,
                a_doc=excerpts.of(rep0.a_doc, [(p.a_char_start, p.a_char_end) for p in ps]),
                b_doc=excerpts.of(rep0.b_doc, [(p.b_char_start, p.b_char_end) for p in ps]),
                a_tokens=None,
                b_tokens=None,
            )
            ev.report = rep
            d.report = rep if d.report is not None else None
            d.ev = ev
            ids_ = {i: pa_.doc.id, j: pb_.doc.id}
            out["a"].append(i)
            out["b"].append(j)
            out["source"].append(ids_.get(d.source, ""))
            out["target"].append(ids_.get(d.target, ""))
            out["type"].append(d.type)
            out["directed"].append(d.directed)
            out["confidence"].append(float(d.confidence))
            out["shared_words"].append(int(d.shared_words))
            out["coverage_source"].append(float(d.coverage_source))
            out["coverage_target"].append(float(d.coverage_target))
            out["reason"].append(d.reason)
            out["passages"].append(json.dumps([_passage(p, rep) for p in rep.passages]))
            out["draft"].append(pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL))
        yield pa.RecordBatch.from_pydict(out, schema=_arrow_schema())


def _passage(p, rep) -> dict:
    return {
        "a_start": p.a_start,
        "a_end": p.a_end,
        "b_start": p.b_start,
        "b_end": p.b_end,
        "a_char_start": p.a_char_start,
        "a_char_end": p.a_char_end,
        "b_char_start": p.b_char_start,
        "b_char_end": p.b_char_end,
        "identical_words": p.identical_words,
        "boilerplate_share": round(p.boilerplate_share, 4),
        "stock_phrase": p.stock_phrase,
        "a_text": rep.a_doc.text[p.a_char_start : p.a_char_end] if rep.a_doc else "",
        "b_text": rep.b_doc.text[p.b_char_start : p.b_char_end] if rep.b_doc else "",
    }


def _arrow_schema():
    import pyarrow as pa

    t = {
        "int": pa.int32(),
        "string": pa.string(),
        "boolean": pa.bool_(),
        "double": pa.float64(),
        "binary": pa.binary(),
    }
    return pa.schema([(f.split()[0], t[f.split()[1]]) for f in EVIDENCE_SCHEMA.split(", ")])
