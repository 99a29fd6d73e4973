"""A watch round killed with SIGKILL at random moments leaves the state sound: the next round
checks exactly the versions not yet recorded, and every check's alert goes out. Two rounds
on one index: the second waits (--wait) or exits 2 saying why; nothing is checked twice."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import ROOT

from billdiff.index import Index
from billdiff.watch import RoundLock, WatchConfig, rounds, run_round

KILLS = 4


@pytest.fixture(scope="module")
def setup(corpus, tmp_path_factory):
    """Half of wa-bills indexed (.txt); the other half's .htm files are the new bills."""
    stems = sorted(p.stem for p in (corpus / "wa-bills").glob("*.htm"))
    old, new = stems[::2], stems[1::2]
    d = tmp_path_factory.mktemp("watchkill")
    db = d / "bills.db"
    with Index(db) as ix:
        ix.add([str(corpus / "wa-bills" / f"{s}.txt") for s in old])
    return db, [corpus / "wa-bills" / f"{s}.htm" for s in new]


@pytest.fixture
def work(setup, tmp_path):
    import shutil

    db0, new = setup
    db = tmp_path / "bills.db"
    shutil.copy(db0, db)
    folder = tmp_path / "incoming"
    folder.mkdir()
    for p in new:
        shutil.copy(p, folder)
    return db, folder, sorted(p.name for p in new)


def _round_cmd(db, folder, jsonl, *extra):
    return [sys.executable, "-m", "billdiff", "watch", "--folder", str(folder), "--db", str(db),
            "--jsonl", str(jsonl), "-q", *extra]  # fmt: skip


def _count(db) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM watch_checked").fetchone()[0]
    except sqlite3.OperationalError:  # no watch tables yet
        return 0
    finally:
        con.close()


def _recorded(db) -> list[str]:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [r[0] for r in con.execute("SELECT key FROM watch_checked")]
    except sqlite3.OperationalError:  # killed before the tables were made
        return []
    finally:
        con.close()


def test_killed_rounds_leave_state_consistent(work, tmp_path):
    db, folder, names = work
    jsonl = tmp_path / "alerts.jsonl"
    rng = random.Random(11)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for _ in range(KILLS):
        # kill at a random moment after the round has recorded one more check (a fixed
        # delay would, on a slow machine, only ever kill rounds still starting up)
        n0 = _count(db)
        p = subprocess.Popen(_round_cmd(db, folder, jsonl), cwd=ROOT, env=env)
        deadline = time.monotonic() + 120
        while _count(db) <= n0 and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.5))
        p.send_signal(signal.SIGKILL)
        p.wait()
        got = _recorded(db)
        assert len(got) == len(set(got)) and set(got) <= set(names)
    before = set(_recorded(db))
    assert KILLS <= len(before) < len(names), "the kills must leave work for the last round"
    res = run_round(WatchConfig(db=str(db), folders=(str(folder),), jsonl=str(jsonl)))
    assert sorted(x["key"] for x in res.checked) == sorted(set(names) - before)
    assert sorted(_recorded(db)) == names
    # every check was alerted (a killed round's alerts go out with the next round)
    alerted = {json.loads(x)["key"] for x in jsonl.read_text().splitlines()}
    assert alerted == set(names)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM watch_checked WHERE alerted=0").fetchone()[0] == 0
    rs = rounds(db, last=100)
    # the last round finished; a killed one did not (a round started after all was
    # recorded may finish before its kill)
    assert rs[0]["finished"] and any(not r["finished"] for r in rs[1:])


def test_a_second_round_waits_or_says_why(work, tmp_path):
    db, folder, names = work
    jsonl = tmp_path / "alerts.jsonl"
    with RoundLock(db):
        r = subprocess.run(
            _round_cmd(db, folder, jsonl), cwd=ROOT, capture_output=True, timeout=120
        )
    err = r.stderr.decode()
    assert r.returncode == 2 and err.count("\n") == 1, err
    assert "another billdiff watch round is running" in err and str(os.getpid()) in err
    assert _recorded(db) == []
    # two rounds started together, both willing to wait: each version checked once
    ps = [
        subprocess.Popen(_round_cmd(db, folder, jsonl, "--wait", "120"), cwd=ROOT) for _ in range(2)
    ]
    codes = [p.wait(timeout=300) for p in ps]
    assert all(c in (0, 1) for c in codes)
    assert sorted(_recorded(db)) == names
    rs = rounds(db)
    assert sorted(r["checked"] for r in rs) == [0, len(names)]
    keys = [json.loads(x)["key"] for x in jsonl.read_text().splitlines()]
    assert sorted(keys) == names  # alerted once
