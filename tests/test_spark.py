"""The Spark engine (issue 10) gives the default engine's lineage: real bills, JSONL, Parquet.

One SparkSession (local[2], the ``spark`` fixture) serves the module. Real bills are read in
place from ../shared/corpus; the input-format test writes SYNTHETIC bills.
"""

from __future__ import annotations

import json

import pytest
from test_spark_faults import _synthetic

from billdiff.lineage_graph import lineage
from billdiff.report.lineage_json import dumps

# --- same answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["facial-recognition", "wa-bills", "us-congress"])
def test_spark_lineage_is_the_default_engines(spark, corpus, folder):
    path = str(corpus / folder)
    want = lineage([path])
    got = lineage([path], engine="spark", spark=spark)
    assert got.edges, "the corpus folder should give edges (else this test proves little)"
    assert got.failed == ()
    assert dumps(got) == dumps(want)  # nodes, edges, types, directions, passages, families


def test_jsonl_and_parquet_inputs_give_the_folders_lineage(spark, tmp_path):
    _synthetic(tmp_path / "bills")
    recs = [
        {"id": p.stem, "text": p.read_text(encoding="utf-8")}
        for p in sorted((tmp_path / "bills").glob("*.txt"))
    ]
    (tmp_path / "bills.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8"
    )
    spark.createDataFrame(recs).write.parquet(str(tmp_path / "bills.parquet"))
    edges = [
        {(e.source, e.target, e.type, e.shared_words) for e in g.edges}
        for g in (
            lineage([str(tmp_path / "bills")], engine="spark", spark=spark),
            lineage([str(tmp_path / "bills.jsonl")], engine="spark", spark=spark),
            lineage([str(tmp_path / "bills.parquet")], engine="spark", spark=spark),
        )
    ]
    assert edges[0] and edges[0] == edges[1] == edges[2]
