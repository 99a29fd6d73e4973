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
