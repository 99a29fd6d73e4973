"""Nothing lost: `index add` killed with SIGKILL at random moments leaves a sound index, and
`search` keeps working while an `add` runs in another process."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import ROOT
from test_index_util import compose, load_sections

from billdiff.index import Index

KILLS = 22
N_DOCS = 300


@pytest.fixture(scope="module")
def bill_dir(corpus, tmp_path_factory):
    """SYNTHETIC: 300 composed bills (~2,000-6,000 words) as .txt files; every 10th one also
    carries a 120-word run of the one before it, so searches have something to find."""
    rng = random.Random(21)
    pool = load_sections(corpus, 14000)
    d = tmp_path_factory.mktemp("kill") / "bills"
    d.mkdir()
    prev = ""
    for i in range(N_DOCS):
        text = compose(pool, rng.randrange(2000, 6000), rng)
        if i % 10 == 1:
            w = prev.split()
            text += "\n\n" + " ".join(w[100:220])
        (d / f"synth-{i:03d}.txt").write_text(text, encoding="utf-8")
        prev = text
    return d


def _add_cmd(d, db):
    return [sys.executable, "-m", "billdiff", "index", "add", str(d), "--db", str(db), "--quiet"]


def _check_sound(db, *, sample: int | None = 15) -> int:
    """integrity_check; every listed document has its text, sketch and all its band keys and
    is found through its buckets; a sample (all with sample=None) re-tokenizes to its count."""
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with Index(db) as ix:
        n = 0
        metas = ix.list()
        check = {
            m.id
            for m in (
                metas
                if sample is None
                else random.Random(len(metas)).sample(metas, min(sample, len(metas)))
            )
        }
        keys = dict(ix._con.execute("SELECT rid, keys FROM sketches"))
        rows: dict[int, list] = {}
        rid_of = dict(ix._con.execute("SELECT id, rid FROM documents"))
        for b, k, i in ix.lsh_rows():
            rows.setdefault(rid_of[i], []).append((b, k))
        for m in metas:
            d = ix.get(m.id)  # text present and decodes
            assert d.text
            rid = ix.rid(m.id)
            if m.id in check:
                (words,) = ix._con.execute(
                    "SELECT words FROM documents WHERE rid=?", (rid,)
                ).fetchone()
                assert len(ix.tokens(m.id)) == words
            assert len(rows.get(rid, ())) == keys[rid] > 0  # every band key is there
            assert rid in ix.probe(rows[rid][:20])  # found through its own buckets
            n += 1
        assert sum(len(v) for v in rows.values()) == sum(keys.values())  # no stray rows
        return n


def _dump(db):
    with Index(db) as ix:
        docs = ix._con.execute(
            "SELECT id, content_sha, words FROM documents ORDER BY id"
        ).fetchall()
        return [sorted((i, b, k) for b, k, i in ix.lsh_rows()), ix.df_rows(), docs]


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(bill_dir, tmp_path):
    """22 kills spread over 6 index files (a fresh file every 4 kills); each kill comes at a
    random moment within the time the work still left on its file takes (a re-run resumes,
    so it is quicker than the first add); each file is then completed by a plain re-run and
    must equal an index built without interruption."""
    clean = tmp_path / "clean.db"
    subprocess.run(_add_cmd(bill_dir, clean), cwd=str(ROOT), check=True)
    t0 = time.perf_counter()  # a second, warm build: how long an uninterrupted add takes
    subprocess.run(_add_cmd(bill_dir, tmp_path / "clean2.db"), cwd=str(ROOT), check=True)
    took = time.perf_counter() - t0  # the kills are spread over that time
    want = _dump(clean)
    rng = random.Random(5)
    counts = []
    dbs = []
    held: dict = {}  # documents each file held after its last kill
    for i in range(KILLS):
        db = tmp_path / f"k{i // 4}.db"
        if db not in dbs:
            dbs.append(db)
        left = (N_DOCS - held.get(db, 0)) / N_DOCS
        p = subprocess.Popen(
            _add_cmd(bill_dir, db),
            cwd=str(ROOT),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.05, max(0.3, took * 0.8 * left)))
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)  # the add and its worker processes
        p.wait()
        if db.exists():
            held[db] = _check_sound(db)
            counts.append(held[db])
    assert len(counts) >= 20
    assert sum(0 < c < N_DOCS for c in counts) >= 5, f"too few kills landed mid-add: {counts}"
    for db in dbs:
        r = subprocess.run(_add_cmd(bill_dir, db), cwd=str(ROOT), capture_output=True)
        assert r.returncode == 0, r.stderr
        assert _check_sound(db, sample=3) == N_DOCS
        assert _dump(db) == want


@pytest.mark.slow
def test_search_works_while_add_runs(bill_dir, tmp_path):
    db = tmp_path / "c.db"
    files = sorted(bill_dir.glob("*.txt"))
    with Index(db) as ix:
        ix.add(files[:20])
    p = subprocess.Popen(
        _add_cmd(bill_dir, db),
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    searches = during = 0
    try:
        while True:
            running = p.poll() is None
            with Index(db, create=False) as ix:
                res = ix.search(files[11], top=10)
            assert "synth-010" in {h.doc.meta.id for h in res.hits}
            searches += 1
            during += running
            if not running:
                break
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)  # the add and its workers
        p.wait()
    assert p.returncode == 0, p.stderr.read()
    assert during >= 2, f"only {during} searches overlapped the add"
