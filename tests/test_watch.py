"""billdiff watch over a folder: once per version, changed files checked again, --since,
model-bill tags, an index from before watch, the config file and its mistakes, status.
Real bills from ../shared/corpus; expected verdicts computed with billdiff.search."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from conftest import run_cli

from billdiff.errors import SettingsError
from billdiff.index import Index
from billdiff.watch import EXAMPLE, WatchConfig, load_config, rounds, run_round

NEW = [  # new bills dropped into the watched folder (never in the index)
    "facial-recognition/wa-2021-sb5104-introduced.txt",
    "wa-bills/wa-2020-hb2363-substitute.txt",
    "wa-bills/wa-2019-hb1002-introduced.txt",
    "facial-recognition/wa-2020-sb6280-substitute.txt",
]
MODEL = "facial-recognition/wa-2020-sb6280-rcw43.386-codified"


@pytest.fixture(scope="module")
def base_db(corpus, tmp_path_factory):
    new = {n.rsplit("/", 1)[1] for n in NEW}
    files = [p for p in sorted((corpus / "wa-bills").glob("*.txt")) if p.name not in new]
    db = tmp_path_factory.mktemp("watch") / "bills.db"
    r = run_cli("index", "add", *map(str, files), "--db", str(db), "-q")
    assert r.returncode == 0, r.stderr.decode()
    r = run_cli(
        "index", "add", str(corpus / f"{MODEL}.txt"), "--db", str(db), "-q", "--tag", "model-bill"
    )
    assert r.returncode == 0, r.stderr.decode()
    return db


@pytest.fixture
def db(base_db, tmp_path):
    d = tmp_path / "bills.db"
    shutil.copy(base_db, d)
    return d


@pytest.fixture
def folder(corpus, tmp_path):
    d = tmp_path / "incoming"
    d.mkdir()
    for rel in NEW:
        shutil.copy(corpus / rel, d)
    return d


def verdicts(db, folder) -> dict[str, set[str]]:
    """search --fail-on-match on each file: the ids of its substantive hits."""
    with Index(db) as ix:
        out = {}
        for p in sorted(folder.iterdir()):
            ids = {
                h.doc.meta.id for h in ix.search(str(p), fail_on_match=True).hits if h.substantive
            }
            out[p.name] = ids
    return out


def test_folder_twice_alerts_once(db, folder, tmp_path):
    want = verdicts(db, folder)
    assert any(want.values()) and not all(want.values())  # a copy and a bill that is not
    cfg = WatchConfig(db=str(db), folders=(str(folder),), jsonl=str(tmp_path / "a.jsonl"))
    first = run_round(cfg)
    got = {x["key"]: {c["id"] for c in x["copies"]} for x in first.checked}
    assert got == want
    assert first.exit_code == 1 and len(first.alerts) == sum(1 for v in want.values() if v)
    second = run_round(cfg)
    assert not second.checked and second.skipped == len(NEW) and second.exit_code == 0
    lines = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert sorted(x["key"] for x in lines) == sorted(want)  # each version once
    # a changed file is a new version: checked again; the others are not
    target = folder / "wa-2019-hb1002-introduced.txt"
    target.write_text(target.read_text() + "\nSYNTHETIC: a line added by the test.\n")
    third = run_round(cfg)
    assert [x["key"] for x in third.checked] == [target.name]
    # --since re-checks what was checked from that date on
    fourth = run_round(cfg, since=first.started[:10])
    assert sorted(x["key"] for x in fourth.checked) == sorted(want)
    rs = rounds(db)
    assert [r["round"] for r in rs] == [4, 3, 2, 1]
    assert [r["checked"] for r in rs] == [len(NEW), 1, 0, len(NEW)]


def test_only_tagged_documents_alert(db, folder, tmp_path):
    with Index(db) as ix:
        model = ix.tagged("model-bill")
    assert model == {MODEL.rsplit("/", 1)[1]}
    every = verdicts(db, folder)
    want = {k: v & model for k, v in every.items()}
    assert any(want.values()), "a new bill must copy the model bill, or this proves nothing"
    assert any(every[k] and not want[k] for k in want), "and one copy only untagged bills"
    res = run_round(WatchConfig(db=str(db), folders=(str(folder),), only_tags=("model-bill",)))
    got = {x["key"]: {c["id"] for c in x["copies"]} for x in res.checked}
    assert got == want
    assert res.exit_code == (1 if any(want.values()) else 0)
    # every check still carries the whole search result
    assert all(x["search"]["hits"] is not None for x in res.checked)


def test_index_from_before_watch_gains_the_tables(db, folder):
    con = sqlite3.connect(db)
    con.execute("DROP TABLE tags")  # as an index written before tags and watch existed
    con.commit()
    con.close()
    with Index(db) as ix:
        assert ix.tagged("model-bill") == frozenset() and len(ix) > 0
    res = run_round(WatchConfig(db=str(db), folders=(str(folder),)))
    assert len(res.checked) == len(NEW)
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")}
    assert {"watch_rounds", "watch_checked", "watch_cursor", "tags"} <= tables
    r = run_cli("index", "list", "--db", str(db))
    assert r.returncode == 0


def test_cli_folder_round_and_status(db, folder, tmp_path):
    digest = tmp_path / "d.html"
    r = run_cli("watch", "--folder", str(folder), "--db", str(db), "--digest", str(digest))
    out, err = r.stdout.decode(), r.stderr.decode()
    want = verdicts(db, folder)
    assert r.returncode == (1 if any(want.values()) else 0), err
    assert out.startswith(f"watch round 1: {len(NEW)} versions checked")
    assert digest.read_text().startswith("<!doctype html>")
    r = run_cli("watch", "--folder", str(folder), "--db", str(db), "--json")
    assert r.returncode == 0 and r.stdout == b""
    s = run_cli("watch", "status", "--db", str(db), "--json")
    rs = json.loads(s.stdout)
    assert [x["checked"] for x in rs] == [0, len(NEW)] and all(x["finished"] for x in rs)


def test_init_writes_a_config_that_loads(tmp_path, cli):
    r = cli("watch", "init", str(tmp_path / "watch.toml"))
    assert r.returncode == 0 and (tmp_path / "watch.toml").read_text() == EXAMPLE
    cfg = load_config(tmp_path / "watch.toml", environ={})
    assert cfg.db == str(tmp_path / "bills.db") and cfg.digest == str(tmp_path / "digest.md")
    again = cli("watch", "init", str(tmp_path / "watch.toml"))
    assert again.returncode == 2 and b"exists already" in again.stderr


@pytest.mark.parametrize(
    "text, words",
    [
        ("index = 'x.db'\n[search\ntop = 3\n", "not valid TOML"),
        ("index = 'x.db'\n[search]\ntop = 'ten'\n", "search.top must be int"),
        ("index = 'x.db'\n[alerts]\nmail = 'a@b'\n", "'mail' is not a known key"),
        ("[[openstates.query]]\nq = 'privacy'\n", "needs a jurisdiction"),
        ("[search]\ntop = 0\n", "top must be at least 1"),
    ],
)
def test_a_corrupt_config_is_one_error_line(tmp_path, cli, text, words):
    p = tmp_path / "watch.toml"
    p.write_text(text)
    with pytest.raises(SettingsError, match=words):
        load_config(p)
    r = cli("watch", "--config", str(p))
    err = r.stderr.decode()
    assert r.returncode == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    assert words in err


def test_key_from_environment_wins_and_is_never_shown(tmp_path):
    p = tmp_path / "watch.toml"
    p.write_text("[openstates]\napi_key = 'from-file'\n")
    assert load_config(p, environ={}).api_key == "from-file"
    cfg = load_config(p, environ={"OPENSTATES_API_KEY": "from-env"})
    assert cfg.api_key == "from-env" and "from-env" not in repr(cfg)


def test_nothing_to_watch_and_no_index(tmp_path, cli):
    r = cli("watch", "--db", str(tmp_path / "x.db"))
    assert r.returncode == 2 and b"nothing to watch" in r.stderr
    r = cli("watch", "--folder", str(tmp_path), "--db", str(tmp_path / "x.db"))
    assert r.returncode == 2 and b"no index at" in r.stderr and b"Traceback" not in r.stderr


def test_readme_watch_config_loads(tmp_path):
    """The watch config the README shows is a valid watch.toml."""
    import re

    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme.split("## Watch mode", 1)[1]
    block = re.search(r"```toml\n(.*?)```", part, re.S).group(1)
    (tmp_path / "watch.toml").write_text(block)
    cfg = load_config(tmp_path / "watch.toml", environ={"OPENSTATES_API_KEY": "k"})
    assert cfg.only_tags == ("model-bill",) and cfg.queries[0].jurisdiction == "wa"
    assert cfg.webhook and cfg.digest == str(tmp_path / "digest.md")


def test_manifest_tags_reach_the_index(corpus, tmp_path, cli):
    """`tags = [...]` in a corpus manifest entry tags that document on `index add --manifest`."""
    man = tmp_path / "m.toml"
    man.write_text(
        '[manifest]\nname = "m"\n'
        '[[doc]]\nid = "wa-2020-sb6280-rcw43.386-codified"\nstate = "WA"\nbill = "RCW 43.386"\n'
        'version = "codified"\ntags = ["model-bill", "wa-law"]\n'
        '[[doc.files]]\nurl = "https://app.leg.wa.gov/RCW/default.aspx?cite=43.386"\n'
        'format = "html"\n'
        '[[doc]]\nid = "wa-2020-sb6280-introduced"\nstate = "WA"\nbill = "SB 6280"\n'
        'version = "introduced"\n[[doc.files]]\nurl = "https://example.org/6280.htm"\n'
        'format = "html"\n'
    )
    fr = corpus / "facial-recognition"
    db = tmp_path / "t.db"
    src = [
        str(fr / "wa-2020-sb6280-rcw43.386-codified.txt"),
        str(fr / "wa-2020-sb6280-introduced.txt"),
    ]
    r = cli("index", "add", *src, "--db", str(db), "--manifest", str(man), "-q")
    assert r.returncode == 0, r.stderr.decode()
    with Index(db) as ix:
        assert ix.tagged("model-bill") == {"wa-2020-sb6280-rcw43.386-codified"}
        assert ix.tagged("wa-law") == {"wa-2020-sb6280-rcw43.386-codified"}


def test_notes_sidecars_and_the_rounds_own_files_in_the_folder_are_not_bills(
    db, folder, corpus, tmp_path
):
    """A README.md that quotes a bill, the digest and alerts a round writes into the folder,
    an index file beside them: none is checked as a bill; a .docx is (and fails, with why)."""
    (folder / "README.md").write_bytes((corpus / f"{MODEL}.txt").read_bytes())
    shutil.copy(db, folder / "copy.db")
    (folder / "saved.docx").write_bytes(b"PK\x03\x04SYNTHETIC")
    cfg = WatchConfig(
        db=str(db),
        folders=(str(folder),),
        jsonl=str(folder / "alerts.jsonl"),
        digest=str(folder / "digest.html"),  # .html: a bill format, skipped as the digest
    )
    first = run_round(cfg)
    keys = sorted(x["key"] for x in first.checked)
    assert keys == sorted([n.rsplit("/", 1)[1] for n in NEW] + ["saved.docx"])
    assert [x["key"] for x in first.failures] == ["saved.docx"]
    assert "unsupported file type" in first.failures[0]["error"]
    second = run_round(cfg)  # the digest and alerts written by the first are not new bills
    assert {x["key"] for x in second.checked} <= {"saved.docx"}
