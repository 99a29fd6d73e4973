"""Sorted runs (billdiff/index/runs.py): every row comes back from lookups, scans and merges,
including keys whose rows run on across block boundaries (buckets of many documents) and
scan ranges cut at such keys. SYNTHETIC keys and payloads (random numbers)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

import billdiff.index.runs as runs_mod
from billdiff.index.runs import DF, LSH, RunStore, blocks_holding
from billdiff.index.store import SCHEMA


def _store(kind):
    con = sqlite3.connect(":memory:", isolation_level=None)
    for stmt in SCHEMA.strip().split(";"):
        if stmt.strip():
            con.execute(stmt)
    return con, RunStore(con, kind)


@pytest.mark.parametrize("distinct", [50, 300, 100_000])
def test_every_row_comes_back_from_scan_lookup_and_merge(monkeypatch, distinct):
    monkeypatch.setattr(runs_mod, "SCAN_ROWS", 1000)  # many scan ranges, cut inside buckets
    rng = np.random.default_rng(distinct)
    con, rs = _store(LSH)
    keys, rids = [], []
    for i in range(4):
        n = 20_000
        k = (rng.integers(0, 3, n) << 48) | rng.integers(0, distinct, n)
        r = np.arange(i * n, (i + 1) * n)
        o = np.argsort(k, kind="stable")
        keys.append(k[o])
        rids.append(r[o])
        con.execute("BEGIN")
        rs.write([(k[o], [r[o]])])
        con.execute("COMMIT")
    K, R = np.concatenate(keys), np.concatenate(rids)
    want = sorted(zip(K.tolist(), R.tolist(), strict=True))

    def scanned():
        return sorted(
            (a, b) for k, (r,) in rs.scan() for a, b in zip(k.tolist(), r.tolist(), strict=True)
        )

    assert scanned() == want
    q = np.unique(K)[::7]
    qs = set(q.tolist())
    k2, (r2,) = rs.lookup(q)
    assert sorted(zip(k2.tolist(), r2.tolist(), strict=True)) == [x for x in want if x[0] in qs]
    con.execute("BEGIN")
    rs.merge(rs.runs(), lambda k, c: (k, c))
    con.execute("COMMIT")
    assert len(rs.runs()) == 1 and rs.rows() == len(want)
    assert scanned() == want


def test_blocks_holding_covers_keys_spanning_blocks():
    firsts = np.array([0, 10, 10, 10, 20, 30])  # key 10 fills blocks 1-3 and may end block 0
    assert blocks_holding(firsts, np.array([10])).tolist() == [0, 1, 2, 3]
    assert blocks_holding(firsts, np.array([5, 25, 99])).tolist() == [0, 4, 5]
    assert blocks_holding(firsts, np.array([-1])).tolist() == []


def test_counts_sum_over_runs_and_cancel_on_removal():
    from billdiff.index.writer import combine_counts

    con, rs = _store(DF)
    h = np.unique(np.random.default_rng(3).integers(0, 1 << 40, 5000))
    one = np.ones(len(h), np.int64)
    bits = np.full(len(h), 4, np.int64)
    for sign in (1, 1, -1):
        con.execute("BEGIN")
        rs.write([(h, [one * sign, one * sign, bits if sign > 0 else one * 0])])
        con.execute("COMMIT")
    key, cols = rs.lookup(h[::5])
    o = np.argsort(key, kind="stable")
    k, (d, b, s) = combine_counts(key[o], [c[o] for c in cols])
    assert k.tolist() == h[::5].tolist()
    assert set(d.tolist()) == {1} and set(b.tolist()) == {1} and set(s.tolist()) == {4}
    con.execute("BEGIN")
    rs.merge(rs.runs(), combine_counts)
    con.execute("COMMIT")
    assert rs.rows() == len(h)
    con.execute("BEGIN")
    rs.write([(h, [-one, -one, one * 0])])
    rs.merge(rs.runs(), combine_counts)
    con.execute("COMMIT")
    assert rs.rows() == 0  # every count back to zero: nothing left
