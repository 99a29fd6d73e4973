"""`billdiff lineage` through the real entry point (python -m billdiff)."""

from __future__ import annotations

import json


def test_lineage_on_a_folder_prints_the_tree_and_writes_the_report(cli, corpus, tmp_path):
    out = tmp_path / "fr"
    r = cli("lineage", str(corpus / "facial-recognition"), "--out", str(out))
    assert r.returncode == 0, r.stderr.decode()
    text = r.stdout.decode()
    assert "family F1" in text and "version-of" in text and "report:" in text
    for name in ("index.html", "lineage.json", "edges.csv", "lineage.dot"):
        assert (out / name).is_file(), name
    data = json.loads((out / "lineage.json").read_text())
    assert data["schema"].startswith("billdiff.lineage/")
    ids = {n["id"] for n in data["nodes"]}
    assert "wa-2020-sb6280-introduced" in ids


def test_lineage_json_output(cli, corpus):
    r = cli("lineage", str(corpus / "facial-recognition"), "--json", "--min-words", "15")
    assert r.returncode == 0, r.stderr.decode()
    data = json.loads(r.stdout)
    assert data["settings"]["min_words"] == 15
    assert any(e["type"] == "version-of" and not e["reduced"] for e in data["edges"])


def test_bad_input_is_one_line_and_exit_2(cli, tmp_path):
    r = cli("lineage", str(tmp_path / "missing.txt"))
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert err.startswith("error:") and "\n" not in err and "Traceback" not in err
    r = cli("lineage", "--db", str(tmp_path / "no.sqlite"))
    assert r.returncode == 2 and "no such index" in r.stderr.decode()
    (tmp_path / "empty").mkdir()
    r = cli("lineage", str(tmp_path / "empty"))
    assert r.returncode == 2 and "holds no" in r.stderr.decode()
    r = cli("lineage", str(tmp_path), "--db", str(tmp_path / "x.sqlite"))
    assert r.returncode == 2


def test_lineage_over_an_index_gives_the_version_chain(cli, corpus, tmp_path):
    from billdiff.index import Index
    from billdiff.lineage_graph import lineage

    folder = corpus / "facial-recognition"
    files = [str(p) for p in sorted(folder.glob("*.htm"))]
    files.append(str(folder / "wa-2020-sb6280-rcw43.386-codified.txt"))
    db = tmp_path / "fr.sqlite"
    with Index(db) as ix:
        ix.add(files)
        g = lineage(ix)
    drawn = {(e.source, e.target) for e in g.drawn_edges if e.type == "version-of"}
    assert ("wa-2020-sb6280-introduced", "wa-2020-sb6280-substitute") in drawn
    assert ("wa-2020-sb6280-substitute", "wa-2020-sb6280-engrossed-substitute") in drawn
    assert ("wa-2020-sb6280-engrossed-substitute", "wa-2020-sb6280-rcw43.386-codified") in drawn
    r = cli("lineage", "--db", str(db), "--json")
    assert r.returncode == 0, r.stderr.decode()
    data = json.loads(r.stdout)
    assert {
        (e["source"], e["target"])
        for e in data["edges"]
        if e["type"] == "version-of" and not e["reduced"]
    } == drawn


def test_lineage_over_a_manifest_from_the_mirror(cli, corpus, tmp_path):
    r = cli(
        "lineage",
        "--manifest",
        "facial-recognition",
        "--mirror",
        str(corpus),
        "--offline",
        "--json",
        env={"BILLDIFF_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert r.returncode == 0, r.stderr.decode()
    data = json.loads(r.stdout)
    assert data["summary"]["documents"] >= 5 and data["families"]
    assert any(e["type"] == "version-of" and not e["reduced"] for e in data["edges"])
