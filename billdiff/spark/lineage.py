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

import pickle
import shutil
import tempfile
import threading
from contextlib import contextmanager

from ..errors import EngineError, InputError
from ..settings import DEFAULT, Settings
from . import read as rd
from .aggregate import candidates, common_shingles
from .align import align
from .session import start


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
    from ..lineage_graph.corpus import check_ids, same_bill_pairs

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
    check_ids(metas)
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
        pairs = candidates(docs, n, settings)
        pairs |= same_bill_pairs(info)
    with _stage(sc, "boilerplate", progress):
        common = common_shingles(spark, docs, len(groups), settings)
    b_common = sc.broadcast(common)
    b_info = sc.broadcast(info)
    with _stage(sc, "align", progress):
        path = align(spark, docs, sorted(pairs), b_common, b_info, settings, out_dir)
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


def _doc_row(p: rd.Prepared, number: dict, group_of: list):
    i = number[p.doc.id]
    return (i, group_of[i], p.ids.tobytes(), pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL))


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
