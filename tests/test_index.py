"""The corpus index: store, identity, schema checks, incremental == rebuild, sketch oracle."""

from __future__ import annotations

import random
import sqlite3

import numpy as np
import pytest
from test_index_util import compose, doc, load_sections

from billdiff.boilerplate import Boilerplate
from billdiff.errors import IndexError_
from billdiff.index import Index, default_db_path
from billdiff.index.sketch import (
    SketchParams,
    permuted,
    shingle_hashes,
    sketch_words,
    window_minima,
    word_hashes,
)
from billdiff.model import Document, Metadata, Span
from billdiff.normalize import tokenize


@pytest.fixture
def small(corpus):
    """12 synthetic bills (SYNTHETIC: statute sections composed at test time)."""
    rng = random.Random(7)
    pool = load_sections(corpus, 400)
    docs = [
        doc(
            f"synth-{i:02d}",
            compose(pool, rng.randrange(300, 1500), rng),
            state=rng.choice(["WA", "OR", "ID"]),
        )
        for i in range(12)
    ]
    # two of them share a 200-word passage; one is a later version of another
    shared = " ".join(docs[0].text.split()[40:240])
    docs[5] = doc("synth-05", docs[5].text + "\n\n" + shared, state="OR")
    return docs


def test_get_rebuilds_document_and_tokens_exactly(tmp_path):
    text = "Sec. 1. The agency ((shall)) may adopt rules.\n-- page 2 --\nSec. 2. Effective date."
    d = Document(
        text=text,
        meta=Metadata(id="x", state="WA", bill="SB 1", sponsors=("A", "B"), extra=(("k", "v"),)),
        skip=(Span(23, 32, "deleted"), Span(47, 60, "furniture")),
        marks=(Span(0, 7, "section", "1"),),
        pages=(0, 47),
    )
    with Index(tmp_path / "i.db") as ix:
        res = ix.add([d])
        assert res.added == ("x",)
        got = ix.get("x")
        assert got == d
        assert ix.tokens("x") == tokenize(d)
        assert [m.id for m in ix.list()] == ["x"]


def test_same_content_is_noop_other_content_needs_replace(tmp_path):
    a = doc("a", "SYNTHETIC. The department shall adopt rules to implement this chapter now.")
    a2 = doc("a", "SYNTHETIC. The department may adopt rules to implement this chapter later.")
    with Index(tmp_path / "i.db") as ix:
        assert ix.add([a]).added == ("a",)
        r = ix.add([a])
        assert r.unchanged == ("a",) and not r.added and r.exit_code == 0
        r = ix.add([a2])
        assert r.failed and "--replace" in r.failed[0][1] and r.exit_code == 2
        assert ix.get("a").text == a.text
        r = ix.add([a2], replace=True)
        assert r.replaced == ("a",)
        assert ix.get("a").text == a2.text
        assert len(ix) == 1


def _dump(ix: Index):
    return ix.lsh_rows(), ix.df_rows()


def test_incremental_add_equals_full_rebuild(tmp_path, small):
    with Index(tmp_path / "full.db") as full:
        full.add(small)
        want = _dump(full)
        q = small[5]
        want_hits = [(h.doc.meta.id, h.score) for h in full.search(q).hits]
    with Index(tmp_path / "inc.db") as inc:
        inc.add(small[7:])
        inc.add(small[:3])
        inc.add(small[3:7])
        assert _dump(inc) == want
        assert [(h.doc.meta.id, h.score) for h in inc.search(q).hits] == want_hits
    assert want_hits and want_hits[0][0] == "synth-00"


def test_remove_leaves_what_a_build_without_it_has(tmp_path, small):
    with Index(tmp_path / "a.db") as a, Index(tmp_path / "b.db") as b:
        a.add(small)
        a.remove(["synth-03"])
        b.add([d for d in small if d.id != "synth-03"])
        assert _dump(a) == _dump(b)
        with pytest.raises(IndexError_):
            a.remove(["nope"])


def test_versions_of_one_bill_count_once_in_corpus_frequencies(tmp_path):
    t = "SYNTHETIC. " + " ".join(f"word{i}" for i in range(60))
    v1 = doc("v1", t, state="WA", session="2020 (66th Legislature)", bill="SB 6000")
    v2 = doc("v2", t + " more", state="WA", session="2020 (66th Legislature)", bill="SSB 6000")
    with Index(tmp_path / "i.db") as ix:
        ix.add([v1, v2])
        rows = ix.df_rows()
        assert max(d for _h, d, _b in rows) == 2 and max(b for _h, _d, b in rows) == 1
        assert ix.stats()["bills"] == 1


def test_newer_schema_is_refused(tmp_path):
    p = tmp_path / "i.db"
    Index(p).close()
    con = sqlite3.connect(p)
    con.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    con.commit()
    con.close()
    with pytest.raises(IndexError_, match="newer billdiff"):
        Index(p)


def test_schema_1_file_is_refused_with_a_rebuild_hint(tmp_path, cli):
    """An index written before the run-based store (schema 1: lsh and shingle_df tables) is
    refused, left untouched, and the message says to rebuild it."""
    p = tmp_path / "old.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    con.execute("INSERT INTO meta VALUES('schema_version', '1')")
    con.execute("CREATE TABLE lsh(band, key, rid)")
    con.commit()
    con.close()
    before = p.read_bytes()
    r = cli("index", "stats", "--db", str(p))
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "older billdiff" in err and "rebuild" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert p.read_bytes() == before


def test_corrupt_file_is_reported_not_rebuilt(tmp_path, cli):
    p = tmp_path / "bad.db"
    p.write_bytes(b"this is not a database " * 200)
    before = p.read_bytes()
    with pytest.raises(IndexError_, match="not a billdiff index or is damaged"):
        Index(p)
    r = cli("index", "stats", "--db", str(p))
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.startswith("error: ") and "is not a billdiff index or is damaged" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert p.read_bytes() == before  # never silently rebuilt


def test_other_sqlite_file_is_not_an_index(tmp_path):
    p = tmp_path / "other.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    with pytest.raises(IndexError_, match="not a billdiff index"):
        Index(p)


def test_default_path_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("BILLDIFF_DB", str(tmp_path / "env.db"))
    assert default_db_path() == tmp_path / "env.db"
    monkeypatch.delenv("BILLDIFF_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "billdiff" / "index.sqlite"


# --- sketch: fast path against a slow, obviously correct oracle -------------------------------


def _oracle(words, p: SketchParams, step: int):
    k = p.shingle_words
    sh = shingle_hashes(word_hashes(words), k)
    pm = permuted(sh, p.num_perm, p.seed)
    m, L = len(pm), p.window_words
    starts = list(range(0, max(1, m - L + 1), step))
    if m > L and starts[-1] != m - L:
        starts.append(m - L)
    return np.array([pm[s : s + L].min(axis=0) for s in starts])


@pytest.mark.parametrize(
    "n,step", [(3, 25), (49, 25), (50, 25), (51, 25), (777, 25), (777, 5), (777, 7), (1000, 50)]
)
def test_window_minima_match_oracle(n, step):
    rng = random.Random(n)
    words = [f"w{rng.randrange(300)}" for _ in range(n)]
    p = SketchParams(shingle_words=4, window_words=50, num_perm=32, lsh_bands=8)
    sh = shingle_hashes(word_hashes(words), 4)
    _, sig = window_minima(permuted(sh, 32, 1), 50, step)
    assert np.array_equal(sig, _oracle(words, p, step))


def test_minhash_estimates_jaccard():
    rng = random.Random(3)
    base = [f"w{rng.randrange(10**6)}" for _ in range(2000)]
    other = base[:1000] + [f"x{rng.randrange(10**6)}" for _ in range(1000)]
    p = SketchParams(shingle_words=4, window_words=5000, num_perm=256, lsh_bands=64)
    sa, sb = sketch_words(base, p), sketch_words(other, p)
    est = float(np.mean(sa.doc_sig == sb.doc_sig))
    true = 997 / (1997 + 1997 - 997)
    assert abs(est - true) < 0.08


def test_word_hashes_are_stable_across_processes(tmp_path):
    import subprocess
    import sys

    code = (
        "from billdiff.index.sketch import word_hashes; "
        "print(int(word_hashes(['facial','recognition'])[1]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    ).stdout.strip()
    assert int(out) == int(word_hashes(["facial", "recognition"])[1])


def test_boilerplate_share_separates_common_from_rare_text(tmp_path):
    """SYNTHETIC: 20 bills share a clause; two share a rare passage."""
    rng = random.Random(2)
    clause = (
        "if any provision of this act or its application to any person or circumstance "
        "is held invalid the remainder of the act is not affected"
    )
    rare = " ".join(f"rare{i}" for i in range(40))
    docs = []
    for i in range(20):
        body = " ".join(f"w{rng.randrange(10**6)}" for _ in range(200))
        extra = rare if i < 2 else ""
        docs.append(doc(f"s{i:02d}", f"SYNTHETIC {body} {clause} {extra}", state="WA"))
    with Index(tmp_path / "b.db") as ix:
        ix.add(docs)
        bp = ix.boilerplate()  # reads the index: use it while the index is open
        t = ix.tokens("s00")
        words = list(t.words)
        c0 = words.index("if")
        r0 = words.index("rare0")
        assert bp.share(t, c0, c0 + 20) == 1.0
        assert bp.share(t, r0, r0 + 40) == 0.0
    mem = Boilerplate.from_tokens([tokenize(d) for d in docs], shingle_words=4)
    assert mem.share(t, c0, c0 + 20) == 1.0 and mem.share(t, r0, r0 + 40) == 0.0


def test_optimize_merges_runs_and_returns_space(tmp_path, corpus):
    """Small adds to a larger index make more runs (an add that doubles the index merges);
    optimize() merges them into one of each kind, gives the freed pages back to the file
    system (without that, ~200 of ~580 pages stay free here) and changes no search result."""
    pool = load_sections(corpus, 3000)
    rng = random.Random(3)
    docs = [doc(f"synth-{i}", compose(pool, 3000, rng)) for i in range(30)]  # SYNTHETIC
    with Index(tmp_path / "i.db") as ix:
        ix.add(docs[:20])
        for d in docs[20:]:
            ix.add([d])
        runs = ix.stats()["runs"]
        assert runs["lsh"] >= 2 and runs["df"] >= 2, runs
        before = ix.lsh_rows(), ix.df_rows()
        hits = [(h.doc.meta.id, h.score) for h in ix.search(docs[25]).hits]
        ix.remove(["synth-22"])
        ix.add([docs[22]])
        ix.optimize()
        assert ix.stats()["runs"] == {"lsh": 1, "df": 1}
        assert ix._con.execute("SELECT count(*) FROM dead").fetchone()[0] == 0
        free = ix._con.execute("PRAGMA freelist_count").fetchone()[0]
        assert free <= 16, free
        assert (ix.lsh_rows(), ix.df_rows()) == before
        assert [(h.doc.meta.id, h.score) for h in ix.search(docs[25]).hits] == hits
