"""The Spark engine's faults and set-up errors (issue 10): unreadable documents, a worker
killed partway through, no PySpark, no Java, a wrong master, a quiet terminal.

The bills here are SYNTHETIC (random words, not legislation), written by the tests.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

import pytest

from billdiff.errors import InputError
from billdiff.lineage_graph import lineage
from billdiff.report.lineage_json import dumps

# --- SYNTHETIC bills for the fault tests ------------------------------------------------------

_WORDS = (
    "agency board record data image template service vendor contract report notice hearing "
    "review audit warrant court officer resident license permit fee fund grant program plan "
    "policy rule standard shall may must within after before upon unless public private "
    "written reasonable collect retain disclose transfer verify notify publish approve deny"
).split()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)) + "."


def _synthetic(folder: Path) -> None:
    """SYNTHETIC: syn-model; syn-copy holds 80 of its words verbatim; syn-other and
    syn-victim share nothing with them."""
    rng = random.Random(10)
    shared = _text(rng, 80)
    files = {
        "syn-model": f"SYNTHETIC model act. {_text(rng, 60)} {shared} {_text(rng, 40)}",
        "syn-copy": f"SYNTHETIC state bill. {_text(rng, 50)} {shared} {_text(rng, 50)}",
        "syn-other": f"SYNTHETIC unrelated bill. {_text(rng, 150)}",
        "syn-victim": f"SYNTHETIC bill whose reading kills its worker. {_text(rng, 150)}",
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")


def _edge_ids(graph) -> set[tuple[str, str]]:
    return {tuple(sorted((e.source, e.target))) for e in graph.edges}


def _documents(graph) -> set[str]:
    return {n.id for n in graph.nodes if not n.inferred}


def _verified(graph):
    """Edges between two documents (inferred-ancestor edges are drawn on the driver)."""
    docs = _documents(graph)
    return [e for e in graph.edges if e.source in docs and e.target in docs]


def test_unreadable_documents_are_listed_and_the_job_goes_on(spark, tmp_path):
    _synthetic(tmp_path / "bills")
    (tmp_path / "bills" / "syn-broken.pdf").write_bytes(b"SYNTHETIC: not a PDF at all")
    graph = lineage([str(tmp_path / "bills")], engine="spark", spark=spark)
    assert [i for i, _ in graph.failed] == ["syn-broken"]
    assert "not a readable PDF" in graph.failed[0][1]
    assert _documents(graph) == {"syn-model", "syn-copy", "syn-other", "syn-victim"}
    assert ("syn-copy", "syn-model") in _edge_ids(graph)
    assert json.loads(dumps(graph))["failed"][0]["id"] == "syn-broken"


def test_a_document_that_kills_its_worker_fails_alone(spark, tmp_path):
    from billdiff.spark.lineage import lineage_spark

    _synthetic(tmp_path / "bills")
    want = lineage([str(tmp_path / "bills")])
    graph = lineage_spark(
        [str(tmp_path / "bills")], spark=spark, evidence_dir=tmp_path / "ev", _kill_on="syn-victim"
    )
    assert [i for i, _ in graph.failed] == ["syn-victim"]
    assert "died" in graph.failed[0][1]
    assert _documents(graph) == {"syn-model", "syn-copy", "syn-other"}
    assert _edge_ids(graph) == {k for k in _edge_ids(want) if "syn-victim" not in k}
    assert ("syn-copy", "syn-model") in _edge_ids(graph)


def test_nothing_readable_is_an_input_error(spark, tmp_path):
    (tmp_path / "syn-a.pdf").write_bytes(b"SYNTHETIC: not a PDF")
    (tmp_path / "syn-b.pdf").write_bytes(b"SYNTHETIC: not a PDF either")
    with pytest.raises(InputError, match="no document could be read"):
        lineage([str(tmp_path)], engine="spark", spark=spark)


def test_evidence_rows_are_parquet_and_json_lines(spark, tmp_path):
    _synthetic(tmp_path / "bills")
    graph = lineage(
        [str(tmp_path / "bills")], engine="spark", spark=spark, evidence_dir=tmp_path / "ev"
    )
    parquet = spark.read.parquet(str(tmp_path / "ev" / "evidence.parquet"))
    assert parquet.count() == len(_verified(graph)) > 0
    lines = [
        json.loads(x)
        for f in sorted((tmp_path / "ev" / "evidence.jsonl").glob("part-*"))
        for x in f.read_text(encoding="utf-8").splitlines()
    ]
    assert {(r["source"], r["target"], r["type"]) for r in lines} == {
        (e.source, e.target, e.type) for e in _verified(graph)
    }
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (tmp_path / "bills").glob("*.txt")}
    for r in lines:
        a, b = sorted((r["source"], r["target"]))
        for p in json.loads(r["passages"]):  # offsets point into the documents' own text
            assert texts[a][p["a_char_start"] : p["a_char_end"]] == p["a_text"]
            assert texts[b][p["b_char_start"] : p["b_char_end"]] == p["b_text"]


# --- set-up errors (no Spark needed) ---------------------------------------------------------


def test_without_pyspark_the_cli_says_how_to_install_it(cli, tmp_path):
    (tmp_path / "pyspark").mkdir()
    (tmp_path / "pyspark" / "__init__.py").write_text("raise ImportError('hidden by a test')\n")
    r = cli(
        "lineage",
        "--engine",
        "spark",
        str(tmp_path),
        env={"PYTHONPATH": str(tmp_path)},
    )
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("error:")
    assert "pip install 'billdiff[spark]'" in err


def test_a_wrong_master_is_one_error_line(cli, tmp_path):
    pytest.importorskip("pyspark")
    r = cli("lineage", "--engine", "spark", "--master", "nowhere:7077", str(tmp_path))
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert err.count("\n") == 1 and "unknown Spark master 'nowhere:7077'" in err
    assert "spark://HOST:PORT" in err


def test_missing_java_is_one_error_line(cli, tmp_path):
    pytest.importorskip("pyspark")
    r = cli(
        "lineage",
        "--engine",
        "spark",
        str(tmp_path),
        env={"JAVA_HOME": str(tmp_path / "no-java"), "PATH": os.path.dirname(sys.executable)},
    )
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert err.count("\n") == 1 and "Java 17" in err and "openjdk-17-jre-headless" in err


def test_the_default_engine_never_imports_pyspark(tmp_path):
    import subprocess

    code = (
        "import sys\n"
        "from billdiff.cli import main\n"
        "from billdiff.lineage_graph import lineage\n"
        f"lineage([{str(tmp_path)!r}])\n"
        "assert 'pyspark' not in sys.modules, 'pyspark imported'\n"
        "sys.argv = ['billdiff', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'pyspark' not in sys.modules, 'pyspark imported'\n"
    )
    _synthetic(tmp_path)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()


def test_cli_counts_unreadable_documents_and_keeps_spark_quiet(cli, spark, tmp_path):
    _synthetic(tmp_path / "bills")
    (tmp_path / "bills" / "syn-broken.pdf").write_bytes(b"SYNTHETIC: not a PDF")
    r = cli(
        "lineage",
        "--engine",
        "spark",
        "--master",
        "local[2]",
        "--json",
        str(tmp_path / "bills"),
    )
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert json.loads(r.stdout)["failed"][0]["id"] == "syn-broken"
    assert err.strip().splitlines() == [
        next(
            x
            for x in err.splitlines()
            if x.startswith("not in this lineage: 1 document could not be read (syn-broken)")
        )
    ]
