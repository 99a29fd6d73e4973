"""A damaged or half-created index is safe and named (issue: hostile and huge input).

A real index (63 Washington and other states' bills from ../shared/corpus) is damaged in two
ways: bytes overwritten at the start of pages in the middle of the file (b-tree and overflow
pages: SQLite says "malformed", values come back as garbage), and compressed blobs rewritten
through SQLite so zlib fails (one document's text, the runs' block directories). Every index
command then ends with one line naming the file and exit 2; ``index check`` says what is
wrong; ``index rebuild`` gets back every readable document and keeps the damaged file.
Two ``index add`` runs creating the same new file together both succeed.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from conftest import ROOT

from billdiff.errors import IndexDamagedError
from billdiff.index import Index

VICTIM = "wa-2020-sb6280-introduced"  # the document whose text the blob damage hits
DAMAGED = re.compile(
    r"^error: the index file (?P<path>.+) is damaged \((?P<cause>.+)\) — run billdiff index "
    r"check, or rebuild it with billdiff index rebuild$"
)


@pytest.fixture(scope="module")
def sound(corpus, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("sound") / "bills.db"
    dirs = [corpus / d for d in ("facial-recognition", "wa-bills", "other-states")]
    with Index(db) as ix:
        res = ix.add([str(d) for d in dirs], workers=1)
    assert len(res.added) > 50 and not res.failed
    assert not Path(f"{db}-wal").exists()  # everything is in the one file we copy
    return db


def _damage_pages(src: Path, dst: Path) -> None:
    """64 random bytes at the start of every other page from 1/8 to 7/8 of the file."""
    data = bytearray(src.read_bytes())
    size = int.from_bytes(data[16:18], "big")  # page size, from the file header
    pages = len(data) // size
    rng = random.Random(2024)
    for page in range(pages // 8, pages * 7 // 8, 2):
        data[page * size : page * size + 64] = rng.randbytes(64)
    dst.write_bytes(data)


def _damage_blobs(src: Path, dst: Path) -> None:
    """Rewrite, through SQLite, compressed blobs that zlib can no longer read: the text of
    VICTIM and the block directory of every run."""
    shutil.copyfile(src, dst)
    con = sqlite3.connect(dst)
    (rid,) = con.execute("SELECT rid FROM documents WHERE id=?", (VICTIM,)).fetchone()
    (text,) = con.execute("SELECT text FROM texts WHERE rid=?", (rid,)).fetchone()
    blobs = [("texts", "text", "rid", rid, text)]
    blobs += [("runs", "dir", "run", r, d) for r, d in con.execute("SELECT run, dir FROM runs")]
    for table, col, key, value, blob in blobs:
        b = bytearray(blob)
        at = 2 if table == "runs" else len(b) // 2
        b[at : at + 16] = b"\xff" * 16
        with pytest.raises(zlib.error):  # the premise: zlib fails on it
            zlib.decompress(bytes(b))
        con.execute(f"UPDATE {table} SET {col}=? WHERE {key}=?", (bytes(b), value))
    con.commit()
    con.close()
    assert not Path(f"{dst}-wal").exists()


@pytest.fixture(scope="module", params=["pages", "blobs"])
def damaged(request, sound, tmp_path_factory) -> tuple[str, Path]:
    """(how, a damaged copy of ``sound``): never changed by a test, copy it first."""
    db = tmp_path_factory.mktemp(f"damaged-{request.param}") / "bills.db"
    (_damage_pages if request.param == "pages" else _damage_blobs)(sound, db)
    return request.param, db


def _copy(src: Path, tmp_path: Path) -> Path:
    db = tmp_path / "bills.db"
    shutil.copyfile(src, db)
    return db


def _ids(cli, db: Path) -> list[str]:
    r = cli("index", "list", "--db", str(db), "--json")
    assert r.returncode == 0, r.stderr
    return [d["id"] for d in json.loads(r.stdout)]


COMMANDS = {
    "list": lambda c: ["index", "list"],
    "stats": lambda c: ["index", "stats"],
    "optimize": lambda c: ["index", "optimize"],
    "remove": lambda c: ["index", "remove", VICTIM],
    "add": lambda c: ["index", "add", str(c / "us-congress" / "us-117-hr2008-ih.txt"), "-j", "1"],
    "search": lambda c: ["search", str(c / "facial-recognition" / f"{VICTIM}.txt")],
    "lineage": lambda c: ["lineage"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_names_a_damaged_index(cli, corpus, damaged, tmp_path, command):
    how, src = damaged
    db = _copy(src, tmp_path)
    r = cli(*COMMANDS[command](corpus), "--db", str(db))
    err = r.stderr.decode()
    if command == "list" and how == "blobs":
        # `index list` reads metadata only, which this damage leaves whole: it still lists
        assert r.returncode == 0 and err == "" and VICTIM in r.stdout.decode()
        return
    assert r.returncode == 2, (r.returncode, err)
    assert "Traceback" not in err and "internal error" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    m = DAMAGED.match(lines[0])
    assert m, lines[0]
    assert m["path"] == str(db)


def test_the_library_names_the_file(damaged, tmp_path):
    db = _copy(damaged[1], tmp_path)
    with pytest.raises(IndexDamagedError) as exc:
        with Index(db, create=False) as ix:
            ix.stats()
            for doc_id in ix.ids():
                ix.get(doc_id)
    assert exc.value.index_path == str(db)


def test_check_says_sound_or_damaged(cli, sound, damaged, tmp_path):
    r = cli("index", "check", "--db", str(sound))
    assert r.returncode == 0, r.stderr
    assert b"the index is sound" in r.stdout and b"problem" not in r.stdout
    how, src = damaged
    db = _copy(src, tmp_path)
    before = db.read_bytes()
    r = cli("index", "check", "--db", str(db))
    err = r.stderr.decode()
    assert r.returncode == 2 and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: the index file {db} is damaged (")
    assert "problem: " in r.stdout.decode()
    if how == "blobs":
        assert f"document {VICTIM}: its stored text cannot be decoded" in r.stdout.decode()
    assert db.read_bytes() == before  # checking never writes


def test_rebuild_gets_back_every_readable_document(cli, sound, damaged, tmp_path):
    db = _copy(damaged[1], tmp_path)
    before = db.read_bytes()
    ids = _ids(cli, sound)
    readable = _readable(sound, db)
    assert 0 < len(readable) < len(ids)  # the damage hits some documents, not all
    r = cli("index", "rebuild", "--db", str(db), "-q")
    out, err = r.stdout.decode(), r.stderr.decode()
    assert r.returncode == 2 and "Traceback" not in err  # 2: some documents are lost
    lost = re.findall(r"^lost (\S+): ", out, re.M)
    after = _ids(cli, db)
    assert set(after) == readable
    assert set(lost) == set(ids) - readable and len(lost) == len(set(lost))
    assert f"{len(after)} of {len(ids)} documents came back" in out
    assert len(err.strip().splitlines()) == 1 and f"{len(lost)} document" in err
    kept = [p for p in tmp_path.iterdir() if re.fullmatch(r"bills\.db\.damaged-[\d-]+", p.name)]
    assert len(kept) == 1 and kept[0].read_bytes() == before  # the original, untouched
    assert cli("index", "check", "--db", str(db)).returncode == 0
    m = re.search(r"their id only\): (.*)$", out, re.M)  # the row of metadata is lost
    bare = set(m[1].split(", ")) if m else set()
    with Index(sound, create=False) as old, Index(db, create=False) as new:
        for doc_id in after:
            got, want = new.get(doc_id), old.get(doc_id)
            assert got.text == want.text and got.skip == want.skip
            assert doc_id in bare or got.meta == want.meta


def _readable(sound: Path, db: Path) -> set[str]:
    """Oracle: ids whose stored text and spans, looked up by number in the damaged copy,
    still decompress to those of the sound index."""
    good = sqlite3.connect(sound)
    rows = good.execute(
        "SELECT d.id, d.rid, t.text, t.spans FROM documents d JOIN texts t USING(rid)"
    )
    want = {rid: (i, zlib.decompress(t), zlib.decompress(s)) for i, rid, t, s in rows}
    good.close()
    bad = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out = set()
    for rid, (doc_id, text, spans) in want.items():
        try:
            row = bad.execute("SELECT text, spans FROM texts WHERE rid=?", (rid,)).fetchone()
            if row and (zlib.decompress(row[0]), zlib.decompress(row[1])) == (text, spans):
                out.add(doc_id)
        except (sqlite3.DatabaseError, zlib.error, TypeError):
            pass
    bad.close()
    return out


def test_rebuild_with_nothing_readable_leaves_the_file(cli, sound, tmp_path):
    db = tmp_path / "bills.db"
    data = bytearray(sound.read_bytes())
    data[100:] = bytes(len(data) - 100)  # the header survives, every page is gone
    db.write_bytes(data)
    r = cli("index", "rebuild", "--db", str(db))
    err = r.stderr.decode()
    assert r.returncode == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "no document can be read" in err
    assert db.read_bytes() == data
    left = sorted(p.name for p in tmp_path.iterdir())  # (SQLite's own -wal, -shm of a reader)
    assert [n for n in left if n not in ("bills.db-wal", "bills.db-shm")] == ["bills.db"]


def test_two_first_adds_together_both_succeed(cli, corpus, tmp_path):
    """Ten times: two `index add` processes started together on a new index file."""
    fr = corpus / "facial-recognition"
    docs = [fr / "wa-2020-sb6280-introduced.txt", fr / "wa-2021-sb5104-introduced.txt"]
    env = {k: v for k, v in os.environ.items() if k != "BILLDIFF_DEBUG"}
    for i in range(10):
        db = tmp_path / f"race-{i}.db"
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "billdiff", "index", "add", str(d), "--db", str(db)]
                + ["-q", "-j", "1"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                cwd=str(ROOT),
            )
            for d in docs
        ]
        for p in procs:
            _out, err = p.communicate(timeout=120)
            assert p.returncode == 0, (i, err.decode())
        assert sorted(_ids(cli, db)) == sorted(d.stem for d in docs)


_RACER = """
import json, sys, time
from billdiff.errors import BilldiffError
from billdiff.index import Index

folder, source, start, lag, trials = sys.argv[1:]
errors = []
for j in range(int(trials)):
    t = float(start) + j * 0.15 + (j % 15) * float(lag)
    time.sleep(max(0.0, t - time.time() - 0.002))
    while time.time() < t:  # the last 2 ms: spin, for a start to the tenth of a millisecond
        pass
    try:
        with Index(f"{folder}/x{j}.db") as ix:
            ix.add([source], workers=1)
    except BilldiffError as err:
        errors.append(str(err))
print(json.dumps(errors))
"""


def test_creating_an_index_is_one_step(corpus, tmp_path):
    """Two processes create 30 new index files together, the second starting 0 to 7 ms
    after the first (the window where a reader used to find a file without its tables)."""
    fr = corpus / "facial-recognition"
    docs = [fr / "wa-2020-sb6280-introduced.txt", fr / "wa-2021-sb5104-introduced.txt"]
    start = time.time() + 1.5  # both have imported billdiff by then
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(tmp_path), str(d), str(start), str(lag), "30"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=str(ROOT),
        )
        for d, lag in zip(docs, (0.0, 0.0005), strict=True)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        assert json.loads(out) == []
    for j in range(30):
        with Index(tmp_path / f"x{j}.db", create=False) as ix:
            assert sorted(ix.ids()) == sorted(d.stem for d in docs)
