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
from test_index_util import compose, load_sections

from billdiff.index import Index
from conftest import ROOT

KILLS = 22


@pytest.fixture(scope="module")
def bill_dir(corpus, tmp_path_factory):
    """SYNTHETIC: 150 composed bills (~2,000-6,000 words) as .txt files; every 10th one also
    carries a 120-word run of the one before it, so searches have something to find."""
    rng = random.Random(21)
    pool = load_sections(corpus, 6000)
    d = tmp_path_factory.mktemp("kill") / "bills"
    d.mkdir()
    prev = ""
    for i in range(150):
        text = compose(pool, rng.randrange(2000, 6000), rng)
        if i % 10 == 1:
            w = prev.split()
            text += "\n\n" + " ".join(w[100:220])
        (d / f"synth-{i:03d}.txt").write_text(text, encoding="utf-8")
        prev = text
    return d


def _add_cmd(d, db):
    return [sys.executable, "-m", "billdiff", "index", "add", str(d), "--db", str(db), "--quiet"]


def _check_sound(db) -> int:
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with Index(db) as ix:
        n = 0
        for m in ix.list():
            d = ix.get(m.id)  # text present and decodes
            toks = ix.tokens(m.id)
            rid = ix.rid(m.id)
            words, = ix._con.execute("SELECT words FROM documents WHERE rid=?", (rid,)).fetchone()
            assert len(toks) == words
            keys, = ix._con.execute("SELECT keys FROM sketches WHERE rid=?", (rid,)).fetchone()
            rows = ix._con.execute("SELECT band, key FROM lsh WHERE rid=?", (rid,)).fetchall()
            assert len(rows) == keys > 0  # every band key of the document is there
            assert rid in ix.probe(rows[:50])  # findable through its own buckets
            assert d.text
            n += 1
        return n


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(bill_dir, tmp_path):
    db = tmp_path / "k.db"
    rng = random.Random(5)
    counts = []
    for _ in range(KILLS):
        p = subprocess.Popen(_add_cmd(bill_dir, db), cwd=str(ROOT),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        time.sleep(rng.uniform(0.05, 2.5))
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)  # the add and its worker processes
        p.wait()
        if db.exists():
            counts.append(_check_sound(db))
    assert len(counts) >= 20
    assert any(0 < c < 150 for c in counts), f"no kill landed mid-add: {counts}"
    r = subprocess.run(_add_cmd(bill_dir, db), cwd=str(ROOT), capture_output=True)
    assert r.returncode == 0, r.stderr
    assert _check_sound(db) == 150
    # and the result is what one uninterrupted add gives
    clean = tmp_path / "clean.db"
    subprocess.run(_add_cmd(bill_dir, clean), cwd=str(ROOT), check=True)
    q = "SELECT d.id, l.band, l.key FROM lsh l JOIN documents d ON d.rid=l.rid ORDER BY 1,2,3"
    q2 = "SELECT h, docs, bills FROM shingle_df ORDER BY h"
    a, b = sqlite3.connect(db), sqlite3.connect(clean)
    assert a.execute(q).fetchall() == b.execute(q).fetchall()
    assert a.execute(q2).fetchall() == b.execute(q2).fetchall()


@pytest.mark.slow
def test_search_works_while_add_runs(bill_dir, tmp_path):
    db = tmp_path / "c.db"
    files = sorted(bill_dir.glob("*.txt"))
    with Index(db) as ix:
        ix.add(files[:20])
    p = subprocess.Popen(_add_cmd(bill_dir, db), cwd=str(ROOT), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    searches = during = 0
    try:
        while True:
            running = p.poll() is None
            with Index(db, create=False) as ix:
                res = ix.search(files[11], top=3)
            assert res.hits and res.hits[0].doc.meta.id == "synth-010"
            searches += 1
            during += running
            if not running:
                break
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()
    assert p.returncode == 0, p.stderr.read()
    assert during >= 2, f"only {during} searches overlapped the add"
