"""search: real bills find their other versions first; planted passages are found; CLI."""

from __future__ import annotations

import json
import random
import shutil

import pytest
from test_index_util import compose, doc, load_sections, plant

from billdiff.index import Index


@pytest.fixture(scope="module")
def real_index(corpus, tmp_path_factory):
    """The 27 federal bills + the Washington facial-recognition texts, as the CLI indexes them."""
    db = tmp_path_factory.mktemp("real") / "real.db"
    with Index(db) as ix:
        res = ix.add([corpus / "us-congress", corpus / "facial-recognition"])
        assert not res.failed, res.failed
    return db


def _version_groups(corpus):
    groups: dict[str, list[str]] = {}
    for p in sorted((corpus / "us-congress").glob("*.txt")):
        stem = p.stem  # us-116-hr2002-ih
        groups.setdefault(stem.rsplit("-", 1)[0], []).append(stem)
    return {k: v for k, v in groups.items() if len(v) > 1}


def test_us_congress_indexes_one_document_per_stem(real_index, corpus):
    with Index(real_index) as ix:
        ids = ix.ids()
    stems = sorted(p.stem for p in (corpus / "us-congress").glob("*.txt"))
    assert [i for i in ids if i.startswith("us-")] == stems  # .txt taken, .pdf/.xml skipped


def test_a_bill_version_finds_its_other_versions_first(real_index, corpus):
    groups = _version_groups(corpus)
    assert groups, "the federal corpus has bills with several versions"
    with Index(real_index) as ix:
        for members in groups.values():
            for q in members:
                res = ix.search(corpus / "us-congress" / f"{q}.txt", top=5)
                others = sorted(set(members) - {q})
                top = [h.doc.meta.id for h in res.hits[: len(others)]]
                assert sorted(top) == others, (q, [(h.doc.meta.id, h.score) for h in res.hits])
                for h in res.hits[: len(others)]:
                    assert h.report.passages and h.substantive and h.report.coverage_a > 0.3


def test_wa_facial_recognition_versions_rank_first(real_index, corpus):
    fr = corpus / "facial-recognition"
    with Index(real_index) as ix:
        res = ix.search(fr / "wa-2020-sb6280-introduced.txt", top=5)
    top3 = {h.doc.meta.id for h in res.hits[:3]}
    assert top3 == {
        "wa-2020-sb6280-substitute",
        "wa-2020-sb6280-engrossed-substitute",
        "wa-2020-sb6280-rcw43.386-codified",
    }
    assert "wa-2020-sb6280-introduced" not in {h.doc.meta.id for h in res.hits}  # not itself


@pytest.fixture(scope="module")
def planted(corpus, tmp_path_factory):
    """SYNTHETIC: 40 composed bills; a 50-word run of one real RCW section is planted into a
    ~20,000-word composed bill. The section itself is indexed as a document."""
    rng = random.Random(11)
    pool = load_sections(corpus, 2500)
    cite, section = pool.pop(rng.randrange(len(pool)))
    words = section.split()
    start = rng.randrange(0, max(1, len(words) - 50))
    passage = " ".join(words[start : start + 50])
    long_bill = plant(compose(pool, 20000, rng), passage, rng)
    others = [
        doc(f"synth-{i:02d}", compose(pool, rng.randrange(500, 4000), rng)) for i in range(40)
    ]
    src = doc("source-section", f"{cite}. {section}")
    return {
        "src": src,
        "long": doc("synth-long", long_bill),
        "others": others,
        "passage": passage,
        "tmp": tmp_path_factory.mktemp("planted"),
    }


def _found(res, id_):
    return [h for h in res.hits if h.doc.meta.id == id_]


def test_50_word_passage_in_20000_word_bill_is_found(planted):
    assert len(planted["long"].text.split()) > 20000
    with Index(planted["tmp"] / "a.db") as ix:  # index the long bill, search with the section
        ix.add(planted["others"] + [planted["long"]])
        hit = _found(ix.search(planted["src"]), "synth-long")
    assert hit, "planted passage not found"
    assert max(p.b_words for p in hit[0].report.passages) >= 45
    with Index(planted["tmp"] / "b.db") as ix:  # index the section, search with the long bill
        ix.add(planted["others"] + [planted["src"]])
        hit = _found(ix.search(planted["long"]), "source-section")
    assert hit and max(p.a_words for p in hit[0].report.passages) >= 45


# --- CLI --------------------------------------------------------------------------------------


def test_cli_json_fail_on_match_and_nothing_found(real_index, corpus, cli, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copy(real_index, db)
    q = str(corpus / "us-congress" / "us-116-hr2002-ih.txt")
    r = cli("search", q, "--db", str(db), "--json", "--top", "3")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["schema"] == "billdiff.search/1"
    assert out["hits"][0]["id"] in {"us-116-hr2002-eh", "us-116-hr2002-rfs"}
    h = out["hits"][0]
    for key in (
        "score",
        "coverage_query",
        "coverage_hit",
        "passages_count",
        "longest_passage",
        "boilerplate_share",
        "reason",
        "passages",
        "estimated_similarity",
    ):
        assert key in h
    p = h["passages"][0]
    assert p["query"]["text"] and p["hit"]["text"] and "boilerplate_share" in p
    r = cli("search", q, "--db", str(db), "--fail-on-match")
    assert r.returncode == 1
    assert b"H.R. 2002" in r.stdout
    syn = tmp_path / "nothing.txt"
    syn.write_text(
        "SYNTHETIC. Quantum marmalade overrides zebra filibusters on alternate "
        "Tuesdays under the lunar herring doctrine. " * 3
    )
    r = cli("search", str(syn), "--db", str(db), "--fail-on-match")
    assert r.returncode == 0, r.stderr
    assert b"no indexed bill shares a passage of 12 or more words" in r.stdout
    r = cli("search", str(syn), "--db", str(tmp_path / "missing.db"))
    assert r.returncode == 2 and r.stderr.startswith(b"error: no index at")


def test_cli_plain_output_when_piped(real_index, corpus, cli, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copy(real_index, db)
    r = cli(
        "search",
        str(corpus / "facial-recognition" / "wa-2020-sb6280-substitute.txt"),
        "--db",
        str(db),
        "--top",
        "2",
        env={"NO_COLOR": "1"},
    )
    assert r.returncode == 0
    assert b"\x1b[" not in r.stdout
    text = r.stdout.decode()
    assert "covers" in text and "boilerplate" in text and "passages, longest" in text


def test_cli_index_add_reports_bad_files_and_continues(tmp_path, cli, corpus):
    d = tmp_path / "bills"
    d.mkdir()
    shutil.copy(corpus / "us-congress" / "us-116-hr200-ih.txt", d / "good.txt")
    (d / "good.json").write_text("{}")  # sidecars are not documents
    (d / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (d / "empty.txt").write_bytes(b"\xff\xfe\x00garbage\x00" * 3)
    db = tmp_path / "i.db"
    r = cli("index", "add", str(d), "--db", str(db))
    assert r.returncode == 2
    errs = [ln for ln in r.stderr.decode().splitlines() if ln.startswith("error:")]
    assert any("broken.pdf" in e for e in errs), r.stderr
    assert "Traceback" not in r.stderr.decode()
    r = cli("index", "list", "--db", str(db), "--json")
    ids = [m["id"] for m in json.loads(r.stdout)]
    assert "good" in ids
    r = cli("index", "stats", "--db", str(db), "--json")
    assert json.loads(r.stdout)["documents"] == len(ids)
    r = cli("index", "remove", "good", "--db", str(db))
    assert r.returncode == 0
    r = cli("index", "remove", "good", "--db", str(db))
    assert r.returncode == 2 and b"no document" in r.stderr


def test_cli_metadata_flags_and_env_db(tmp_path, cli):
    f = tmp_path / "bill.txt"
    f.write_text("SYNTHETIC. " + " ".join(f"clause{i}" for i in range(80)))
    env = {"BILLDIFF_DB": str(tmp_path / "env.db")}
    r = cli(
        "index",
        "add",
        str(f),
        "--state",
        "WA",
        "--bill",
        "HB 1",
        "--id",
        "my-bill",
        "--sponsor",
        "A",
        "--sponsor",
        "B",
        "--quiet",
        env=env,
    )
    assert r.returncode == 0 and r.stdout == b"", r.stderr
    r = cli("index", "list", "--json", env=env)
    (m,) = json.loads(r.stdout)
    assert (m["id"], m["state"], m["bill"], m["sponsors"]) == ("my-bill", "WA", "HB 1", ["A", "B"])


def test_cli_manifest_supplies_metadata(tmp_path, cli, corpus):
    from conftest import ROOT

    from billdiff.corpus import load_manifest

    man = ROOT / "corpus" / "us-congress.toml"
    if not man.exists():
        pytest.skip("corpus/us-congress.toml not in this tree")
    src = corpus / "us-congress" / "us-116-hr200-ih.txt"
    entry = load_manifest(man).get(src.stem)
    db = tmp_path / "m.db"
    r = cli("index", "add", str(src), "--manifest", str(man), "--db", str(db), "-q")
    assert r.returncode == 0, r.stderr
    (m,) = json.loads(cli("index", "list", "--db", str(db), "--json").stdout)
    assert (m["state"], m["bill"], m["date"]) == (entry.state, entry.bill, entry.date)


def test_excerpts_leave_out_page_furniture_and_line_numbers(real_index, corpus, cli, tmp_path):
    """Searching with a GPO PDF: the passage excerpts show the bill's words as written, without
    the 'VerDate … Jkt … Frm …' page furniture and line numbers the reader skipped (the JSON
    keeps the exact original slice, as its offsets say)."""
    db = tmp_path / "copy.db"
    shutil.copy(real_index, db)
    pdf = corpus / "us-congress" / "us-117-hr2008-ih.pdf"
    r = cli("search", str(pdf), "--db", str(db), "--top", "2", "--passages", "2")
    assert r.returncode == 0
    text = r.stdout.decode()
    assert "Federal Water Pollution" in text
    assert "VerDate" not in text and "Jkt" not in text
    assert "reauthorize" in text  # "reau-⏎thorize" joined as written
    r = cli("search", str(pdf), "--db", str(db), "--top", "1", "--json")
    hit = json.loads(r.stdout)["hits"][0]
    assert any("VerDate" in p["query"]["text"] for p in hit["passages"])


def test_versions_showing_the_same_excerpts_are_grouped_under_the_first(real_index, corpus):
    """Colorado's act against the four Washington texts: versions whose excerpts are the same
    stretches of the query (give or take a word or two) point back to the hit that showed
    them instead of repeating them."""
    import io
    import re

    from rich.console import Console

    from billdiff.report.search import _same_ranges, render_search

    assert _same_ranges(((100, 200), (400, 450)), ((401, 450), (100, 199)))
    assert not _same_ranges(((100, 200),), ((100, 170),))
    assert not _same_ranges(((100, 200),), ((100, 200), (300, 320)))
    with Index(real_index) as ix:
        res = ix.search(corpus / "other-states" / "colorado-2022-sb22-113.txt", top=6)
    out = io.StringIO()
    render_search(res, Console(file=out, width=100, color_system=None))
    text = out.getvalue()
    refs = [
        (int(m.group(1)), text[: m.start()].count("\n"))
        for m in re.finditer(r"as #(\d+) above", text)
    ]
    assert refs
    for rank, line in refs:
        at = text.index(f"\n{rank:>2}. ")  # the hit referred to is printed above, with excerpts
        assert text[:at].count("\n") < line
