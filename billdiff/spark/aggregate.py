"""Spark aggregations of the lineage job: candidate pairs and the common shingles.

Each document's gram or shingle hashes leave the Python workers as Arrow batches
(``mapInArrow``); grouping, self-joins and counts run in Spark SQL. The limits are the
single-machine path's own functions (``max_df``, ``grams_needed``, ``boiler_limits``,
``join_kin`` in billdiff/lineage_graph/corpus.py), so the results are the same sets.
"""

from __future__ import annotations

from ..settings import Settings

# --- 2. candidate pairs ---------------------------------------------------------------------


def candidates(docs, n: int, settings: Settings) -> set[tuple[int, int]]:
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


def common_shingles(spark, docs, n_groups: int, settings: Settings):
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
