"""JSON Lines: many documents in one file (``read_jsonl``) and in ``index add`` (``expand``).

The Washington statute sections of ../shared/corpus/background are read in place (never
copied). Records written here are SYNTHETIC."""

from __future__ import annotations

import gzip
import hashlib
import json
from itertools import islice

import pytest

from billdiff.errors import InputError
from billdiff.index.prepare import Failed, expand, prepare
from billdiff.ingest.jsonl import RecordError, iter_jsonl, read_jsonl
from billdiff.model import Document

BACKGROUND = {  # file, record count and id prefix as the corpus README states them
    "rcw": (
        "rcw-sections.jsonl.gz",
        26_222,
        "RCW ",
        "https://app.leg.wa.gov/RCW/default.aspx?cite=",
    ),
    "wac": (
        "wac-sections.jsonl.gz",
        25_525,
        "WAC ",
        "https://app.leg.wa.gov/WAC/default.aspx?cite=",
    ),
}


@pytest.mark.parametrize("code", sorted(BACKGROUND))
def test_statute_sections_every_record_one_document(corpus, code):
    name, count, prefix, url = BACKGROUND[code]
    path = corpus / "background" / name
    n = 0
    ids = set()
    with gzip.open(path, "rb") as raw:
        for n, (doc, line) in enumerate(zip(read_jsonl(path), raw, strict=True), 1):
            rec = json.loads(line)
            m = doc.meta
            assert doc.text == rec["text"]  # verbatim: offsets point into the record's text
            assert not doc.skip and not doc.marks
            assert m.id == rec["id"] and m.id.startswith(prefix)
            assert (rec["n_versions"] > 1) == ("#v" in m.id)
            assert m.source_url == rec["url"] == url + rec["cite"]
            assert m.title == rec["caption"]  # the section heading, not the title number
            extra = dict(m.extra)
            assert extra["title"] == rec["title"] and extra["cite"] == rec["cite"]
            assert json.loads(extra["source"]) == rec["source"]
            assert m.version == str(rec["version"])
            assert m.source == f"{path}:{n}" and m.format == "jsonl"
            assert m.sha256 == hashlib.sha256(line.rstrip(b"\n")).hexdigest()
            ids.add(m.id)
    assert n == count == len(ids)


def test_flags_override_record_fields(corpus):
    path = corpus / "background" / BACKGROUND["rcw"][0]
    docs = list(islice(read_jsonl(path, meta={"state": "WA", "title": "T"}), 50))
    assert len(docs) == 50
    assert {d.meta.state for d in docs} == {"WA"} and {d.meta.title for d in docs} == {"T"}
    assert len({d.id for d in docs}) == 50  # ids still from the records


def test_one_id_for_a_whole_file_is_refused(corpus):
    path = corpus / "background" / BACKGROUND["wac"][0]
    with pytest.raises(InputError, match="each record's `id`"):
        next(read_jsonl(path, meta={"id": "x"}))


# --- SYNTHETIC records ---------------------------------------------------------------------

GOOD = {"id": "syn-1", "text": "SYNTHETIC. The board shall adopt rules.", "caption": "Rules."}
LINES = [
    json.dumps(GOOD),
    '{"id": "syn-2", "text": "SYNTHETIC. unterminated',  # line 2: not JSON
    json.dumps({"text": "SYNTHETIC. No id."}),  # line 3
    "",  # blank: not a record
    json.dumps(
        {
            "id": 7,
            "body": "SYNTHETIC. A body, not a text.",
            "title": "Seven",
            "state": "US (federal)",
            "version": "eh (engrossed-in-house)",
            "dates": {"introduced": "2021-03-01"},
            "sponsors": ["A. Person", None],
            "source": {"url": "https://example.org/7"},
            "flag": True,
            "nested": [{"a": 1}],
            "long": list(range(500)),
        }
    ),
    json.dumps({"id": "syn-1", "text": "SYNTHETIC. Same id again."}),  # line 6: repeat
    json.dumps(["SYNTHETIC", "an array"]),  # line 7
    json.dumps({"id": "syn-8", "text": ""}),  # an empty section (repealed, reserved)
]


def _write(path, lines=LINES):
    data = ("\n".join(lines) + "\n").encode()
    if str(path).endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def test_bad_lines_name_file_and_line(tmp_path):
    p = _write(tmp_path / "syn.jsonl")
    items = list(iter_jsonl(p))
    errs = {e.line: e.oneline() for e in items if isinstance(e, RecordError)}
    assert sorted(errs) == [2, 3, 6, 7]
    assert errs[2].startswith(f"cannot read {p}:2: not valid JSON")
    assert "line 2" in errs[2]  # the hint says which line to fix
    assert "no `id`" in errs[3] and "line 1" in errs[6] and "array" in errs[7]
    assert all("\n" not in e for e in errs.values())
    docs = [d for d in items if isinstance(d, Document)]
    assert [d.id for d in docs] == ["syn-1", "7", "syn-8"]
    assert [d.meta.source for d in docs] == [f"{p}:1", f"{p}:5", f"{p}:8"]
    with pytest.raises(RecordError) as exc:
        list(read_jsonl(p))
    assert exc.value.line == 2


def test_record_fields_to_metadata(tmp_path):
    doc = next(d for d in read_jsonl(_write(tmp_path / "syn.jsonl", LINES[4:5])))
    m = doc.meta
    assert doc.text == "SYNTHETIC. A body, not a text."
    assert (m.id, m.title, m.state, m.version, m.date) == ("7", "Seven", "US", "eh", "2021-03-01")
    assert m.sponsors == ("A. Person",) and m.source_url == "https://example.org/7"
    extra = dict(m.extra)
    assert extra["state_full"] == "US (federal)" and extra["flag"] == "true"
    assert extra["version_full"] == "eh (engrossed-in-house)"
    assert "nested" not in extra and "long" not in extra  # nested / long values left out
    assert json.loads(extra["dates"]) == {"introduced": "2021-03-01"}


def test_unreadable_files(tmp_path):
    fake = tmp_path / "plain.jsonl.gz"
    fake.write_text(json.dumps(GOOD) + "\n")  # not gzip despite its name
    (err,) = iter_jsonl(fake)
    assert isinstance(err, RecordError) and "gzip" in err.oneline()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(("\n".join([json.dumps(GOOD)] * 3000) + "\n").encode())[:-40])
    *docs, err = iter_jsonl(cut)
    assert isinstance(err, RecordError) and err.line == 0 and "truncated" in err.oneline()
    assert docs and all(isinstance(d, Document) for d in docs[:1])
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert "empty" in next(iter_jsonl(empty)).oneline()


def test_expand_gives_records_and_failed_in_place(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    _write(d / "sub" / "syn.jsonl.gz")
    (d / "bill.txt").write_text("SYNTHETIC. A bill.\n")
    items = expand([d])
    assert items[0] == str(d / "bill.txt")
    fails = [i for i in items[1:] if isinstance(i, Failed)]
    assert [f.source for f in fails] == [f"{d / 'sub' / 'syn.jsonl.gz'}:{n}" for n in (2, 3, 6, 7)]
    assert [i.id for i in items[1:] if isinstance(i, Document)] == ["syn-1", "7", "syn-8"]
    assert prepare(fails[0], None, None, False) is fails[0]  # passed through to the writer
    assert expand([d / "sub" / "syn.jsonl.gz"]) == items[1:]


def test_expand_caps_error_lines_of_a_file_in_another_format(tmp_path):
    p = tmp_path / "table.jsonl"
    p.write_text("".join(f"SYNTHETIC,{i},not json\n" for i in range(50)))
    items = expand([p])
    assert len(items) == 21 and all(isinstance(i, Failed) for i in items)
    assert "30 more records" in items[-1].message and "lines 21–50" in items[-1].message


def test_index_add_jsonl(tmp_path, cli):
    p = _write(tmp_path / "syn.jsonl")
    db = tmp_path / "ix.sqlite"
    r = cli("index", "add", str(p), "--db", str(db), "--state", "WA")
    err = r.stderr.decode()
    assert r.returncode == 2 and "Traceback" not in err
    assert [ln.split(": ", 2)[1] for ln in err.splitlines()] == [
        f"cannot read {p}:{n}" for n in (2, 3, 6, 7)
    ]
    assert "added 3," in r.stdout.decode() and "failed 4" in r.stdout.decode()
    r = cli("index", "list", "--db", str(db), "--json")
    listed = {m["id"]: m for m in json.loads(r.stdout)}
    assert sorted(listed) == ["7", "syn-1", "syn-8"]
    assert {m["state"] for m in listed.values()} == {"WA"}
    assert listed["syn-1"]["title"] == "Rules."
