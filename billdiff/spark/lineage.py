"""Lineage on Spark: the same stages as ``lineage_graph.build.lineage``, distributed.

1. read: executors read, tokenise and hash each document (``read.prepare``); the driver
   keeps metadata, word counts and bill facts only, and numbers the documents by id;
2. candidates: each document's candidate grams (``doc_grams``) are exploded, grouped by
   Spark, buckets of 2..``max_df`` documents kept, pairs counted, ``grams_needed`` kept;
3. boilerplate: shingle → bill-group rows are aggregated by Spark: kin pairs
   (``boiler_limits``), families joined on the driver (``join_kin``), the shingles common
   across families collected and broadcast;
4. align: each candidate pair is joined with its two documents and verified and typed on
   an executor (``evidence``, ``classify``); evidence rows are written as Parquet and JSON
   Lines;
5. graph: the driver reads the evidence rows and builds the graph (``assemble``).
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import threading
from contextlib import contextmanager

from ..errors import EngineError, InputError
from ..settings import DEFAULT, Settings
from . import read as rd
from .session import start

ROWS_PER_BATCH = 64  # documents or pairs per Arrow batch out of the Python workers


def lineage_spark(
    source,
    *,
    settings: Settings = DEFAULT,
    progress=None,
    master: str | None = None,
    spark=None,
    evidence_dir=None,
    verbose: bool = False,
    _kill_on: str | None = None,
):
    """See ``billdiff.lineage(..., engine="spark")``. ``spark``: a session to use (left
    running); otherwise one is started on ``master`` and stopped at the end."""
    if hasattr(source, "candidate_pairs"):
        raise InputError(
            "the Spark engine reads bill folders, JSON Lines or Parquet, not an index",
            hint="run lineage on the index with the default engine, or export it to JSON Lines",
        )
    own = spark is None
    master = master or "local[*]"
    if own:
        spark = start(master, verbose=verbose)
    local = spark.sparkContext.master.startswith("local")
    if evidence_dir is None and not local:
        raise EngineError(
            "on a cluster the evidence rows need a folder every executor can write",
            hint="give --evidence hdfs://…, s3a://… or a shared path",
        )
    tmp = tempfile.mkdtemp(prefix="billdiff-evidence-") if evidence_dir is None else None
    try:
        return _run(spark, source, settings, progress, str(evidence_dir or tmp), _kill_on)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        if own:
            spark.stop()


def _run(spark, source, settings, progress, out_dir, kill_on):
    from pyspark import StorageLevel

    from ..lineage_graph.build import assemble
    from ..lineage_graph.corpus import same_bill_pairs

    sc = spark.sparkContext
    items = rd.source_items(spark, source)
    with _stage(sc, "read", progress):
        prepared = items.mapPartitions(
            lambda it: rd.read_partition(it, settings=settings, kill_on=kill_on)
        ).persist(StorageLevel.MEMORY_AND_DISK)
        rows = prepared.map(rd.light).collect()
    failed = sorted((r[1], r[2]) for r in rows if r[0] == "fail")
    ok = sorted((r for r in rows if r[0] == "ok"), key=lambda r: r[1].id)
    if not ok:
        prepared.unpersist()
        first = f" (first: {failed[0][0]}: {failed[0][1]})" if failed else ""
        raise InputError(
            f"no document could be read{first}",
            hint="check the input path and format: bill files, .jsonl or Parquet",
        )
    metas = [r[1] for r in ok]
    _check_ids(metas)
    words = [r[2] for r in ok]
    info = [r[3] for r in ok]
    n = len(metas)
    number = {m.id: i for i, m in enumerate(metas)}
    groups: dict[object, int] = {}
    group_of = [
        groups.setdefault(inf.key or ("doc", m.id), len(groups))
        for m, inf in zip(metas, info, strict=True)
    ]
    b_number = sc.broadcast(number)
    b_group = sc.broadcast(group_of)
    docs = spark.createDataFrame(
        prepared.filter(lambda r: r[0] == "ok").map(
            lambda r: _doc_row(r[1], b_number.value, b_group.value)
        ),
        "idx int, grp int, ids binary, rec binary",
    ).persist(StorageLevel.MEMORY_AND_DISK)
    with _stage(sc, "candidates", progress):
        docs.count()
        prepared.unpersist()
        pairs = _candidates(docs, n, settings)
        pairs |= same_bill_pairs(info)
    with _stage(sc, "boilerplate", progress):
        common = _common_shingles(spark, docs, len(groups), settings)
    b_common = sc.broadcast(common)
    b_info = sc.broadcast(info)
    with _stage(sc, "align", progress):
        path = _align(spark, docs, sorted(pairs), b_common, b_info, settings, out_dir)
    with _stage(sc, "graph", progress):
        drafts = []
        for row in spark.read.parquet(path).select("a", "b", "draft").collect():
            drafts.append((row.a, row.b, pickle.loads(row.draft)))
        drafts.sort(key=lambda x: (x[0], x[1]))
        docs.unpersist()
        for b in (b_number, b_group, b_common, b_info):
            b.unpersist()
        return assemble(
            [d for _, _, d in drafts], metas, words, info, settings=settings, failed=failed
        )


def _check_ids(metas) -> None:
    seen: set[str] = set()
    for m in metas:
        if not m.id:
            raise InputError(
                "a document has no id",
                path=m.source or None,
                hint="give every document an id (the file stem is the default)",
            )
        if m.id in seen:
            raise InputError(
                f"two documents have the id {m.id!r}",
                hint="give each document a distinct id, or drop the duplicate",
            )
        seen.add(m.id)


def _doc_row(p: rd.Prepared, number: dict, group_of: list):
    i = number[p.doc.id]
    return (i, group_of[i], p.ids.tobytes(), pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL))


# --- 2. candidate pairs ---------------------------------------------------------------------


def _candidates(docs, n: int, settings: Settings) -> set[tuple[int, int]]:
    from pyspark.sql import functions as F

    from ..lineage_graph.corpus import grams_needed, max_df

    top, need = max_df(n, settings), grams_needed(n, settings)

    def grams(batches):
        import numpy as np
        import pyarrow as pa

        from ..lineage_graph.corpus import doc_grams

        for b in batches:
            hs, ds = [], []
            for i, ids in zip(
                b.column("idx").to_pylist(), b.column("ids").to_pylist(), strict=True
            ):
                h = doc_grams(np.frombuffer(ids, dtype=np.uint64), n)
                hs.append(h.view(np.int64))
                ds.append(np.full(len(h), i, dtype=np.int32))
            if hs:
                yield pa.RecordBatch.from_arrays(
                    [pa.array(np.concatenate(hs)), pa.array(np.concatenate(ds))], names=["g", "d"]
                )

    g = docs.select("idx", "ids").mapInArrow(grams, "g long, d int")
    sizes = g.groupBy("g").count().filter((F.col("count") >= 2) & (F.col("count") <= top))
    kept = g.join(sizes.select("g"), "g")
    x, y = kept.alias("x"), kept.alias("y")
    counted = (
        x.join(y, (F.col("x.g") == F.col("y.g")) & (F.col("x.d") < F.col("y.d")))
        .groupBy(F.col("x.d").alias("a"), F.col("y.d").alias("b"))
        .count()
        .filter(F.col("count") >= need)
    )
    return {(r.a, r.b) for r in counted.select("a", "b").collect()}


# --- 3. boilerplate ---------------------------------------------------------------------------


def _common_shingles(spark, docs, n_groups: int, settings: Settings):
    """The shingle hashes LocalBoilerplate calls common, by Spark aggregation."""
    import numpy as np
    from pyspark.sql import functions as F

    from ..lineage_graph.corpus import boiler_limits, join_kin

    k = settings.shingle_words

    def shingles(batches):
        import pyarrow as pa

        from ..lineage_graph.corpus import _gram_hashes

        for b in batches:
            hs, gs = [], []
            for grp, ids in zip(
                b.column("grp").to_pylist(), b.column("ids").to_pylist(), strict=True
            ):
                h = np.unique(_gram_hashes(np.frombuffer(ids, dtype=np.uint64), k))
                hs.append(h.view(np.int64))
                gs.append(np.full(len(h), grp, dtype=np.int32))
            if hs:
                yield pa.RecordBatch.from_arrays(
                    [pa.array(np.concatenate(hs)), pa.array(np.concatenate(gs))], names=["s", "grp"]
                )

    sh = docs.select("grp", "ids").mapInArrow(shingles, "s long, grp int").distinct().persist()
    z = sh.groupBy("s").agg(F.count("*").alias("z")).persist()
    lim = boiler_limits(n_groups, None, settings=settings)
    kin: list[tuple[int, int]] = []
    if lim.kin_cap >= 2 and n_groups > 1:
        few = sh.join(z.filter((F.col("z") >= 2) & (F.col("z") <= lim.kin_cap)), "s")
        x, y = few.alias("x"), few.alias("y")
        kin_rows = (
            x.join(y, (F.col("x.s") == F.col("y.s")) & (F.col("x.grp") < F.col("y.grp")))
            .groupBy(F.col("x.grp").alias("a"), F.col("y.grp").alias("b"))
            .count()
            .filter(F.col("count") >= lim.kin_min)
            .select("a", "b")
        )
        kin = [(r.a, r.b) for r in kin_rows.collect()]
    fam = join_kin(n_groups, kin)
    lim = boiler_limits(n_groups, len(set(fam)), settings=settings)
    fam_df = spark.createDataFrame(list(enumerate(fam)), "grp int, fam int")
    nf = sh.join(F.broadcast(fam_df), "grp").select("s", "fam").distinct().groupBy("s").count()
    common_rows = (
        nf.join(z, "s")
        .filter((F.col("count") >= lim.family_limit) | (F.col("z") >= lim.most))
        .select("s")
    )
    common = np.array([r.s for r in common_rows.collect()], dtype=np.int64)
    sh.unpersist()
    z.unpersist()
    return np.sort(common.view(np.uint64))


# --- 4. align -------------------------------------------------------------------------------


def _align(spark, docs, pairs, b_common, b_info, settings: Settings, out_dir: str) -> str:
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
            rep = replace(ev.report, a_tokens=None, b_tokens=None)
            ev.report = rep  # the tokens stay here: the graph step needs spans and texts
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


# --- progress ------------------------------------------------------------------------------


@contextmanager
def _stage(sc, name: str, progress):
    """Spark jobs run in the job group ``name``; ``progress(done, total, name)`` is called
    with the tasks done and known so far (polled from Spark's status tracker)."""
    sc.setJobGroup(f"billdiff-{name}", f"billdiff {name}")
    stop = threading.Event()
    thread = None
    if progress is not None:
        progress(0, 0, name)

        def poll() -> None:
            tracker = sc.statusTracker()
            while not stop.wait(0.5):
                done = total = 0
                for job in tracker.getJobIdsForGroup(f"billdiff-{name}"):
                    info = tracker.getJobInfo(job)
                    for sid in info.stageIds if info else ():
                        st = tracker.getStageInfo(sid)
                        if st:
                            done += st.numCompletedTasks
                            total += st.numTasks
                if total:
                    progress(done, total, name)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
    try:
        yield
    finally:
        stop.set()
        if thread is not None:
            thread.join()
            progress(1, 1, name)
