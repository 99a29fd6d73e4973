"""Corpus manifests: the real ones parse and resolve against ../shared/corpus; bad ones fail
with one line naming the file and the problem; the CLI adapts both."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from billdiff.corpus import (
    available_manifests,
    documents,
    fetch_corpus,
    load_manifest,
    mirror_index,
)
from billdiff.errors import InputError

REAL = ("facial-recognition", "wa-bills", "us-congress")


# ----------------------------------------------------------------------------- real manifests


@pytest.mark.parametrize("name", REAL)
def test_real_manifests_parse(name):
    m = load_manifest(name)
    assert m.name == name and m.docs
    ids = [d.id for d in m.docs]
    assert len(ids) == len(set(ids))
    for d in m.docs:
        assert d.id == d.id.lower()
        if d.status == "listed":
            assert d.files, d.id
            assert all(f.url.startswith("https://") for f in d.files), d.id
        for f in d.files:
            assert not f.sha256 or re.fullmatch(r"[0-9a-f]{64}", f.sha256)


def test_available_manifests_lists_the_shipped_ones():
    assert set(REAL) <= set(available_manifests())


def test_facial_recognition_covers_the_brief():
    m = load_manifest("facial-recognition")
    bills = {(d.state, d.bill.split(" (")[0]) for d in m.docs}
    for want in [
        ("WA", "SB 5376"),
        ("WA", "HB 1854"),
        ("WA", "SB 6281"),
        ("WA", "SB 5528"),
        ("WA", "HB 1654"),
        ("WA", "SB 6280"),
        ("WA", "HB 2856"),
        ("WA", "SB 5104"),
        ("CA", "AB 2261"),
        ("ID", "H 492"),
        ("MD", "SB 192"),
        ("MD", "HB 1046"),
        ("MD", "SB 182"),
        ("MD", "HB 338"),
        ("CO", "SB22-113"),
        ("AL", "SB 56"),
        ("MT", "SB 397"),
    ]:
        assert want in bills, want
    sb6280 = [d.version for d in m.docs if d.bill.endswith("6280") or "6280" in d.id]
    for v in (
        "introduced",
        "substitute",
        "engrossed-substitute",
        "passed-legislature",
        "session-law",
        "codified",
    ):
        assert v in sb6280, v
    unidentified = {d.state for d in m.docs if d.status == "unidentified"}
    assert unidentified == {"MD", "SD"}
    for d in m.docs:
        if d.status == "unidentified":
            assert d.reported and all(r.source for r in d.reported)
    ca = next(d for d in m.docs if d.id.startswith("ca-2020-ab2261"))
    assert any("201920200AB2261" in f.url for f in ca.files)
    # every press claim names its source; unconfirmed URLs say why
    for d in m.docs:
        for r in d.reported:
            assert r.status in ("reported", "to-verify") and r.source
        if d.url_status == "unconfirmed":
            assert d.url_reference


def test_every_held_document_resolves_via_the_mirror(corpus, tmp_path):
    """Each id that is a file stem in facial-recognition/ or wa-bills/ comes from the mirror,
    byte-identical to the manifest's sha256 (no warning), with the sidecar merged in."""
    m = load_manifest("facial-recognition")
    stems = {
        p.stem for sub in ("facial-recognition", "wa-bills") for p in (corpus / sub).glob("*.json")
    }
    held = [d for d in m.docs if d.id in stems]
    assert len(held) >= 18
    rep = fetch_corpus(m, mirror=corpus, cache_dir=tmp_path, offline=True)
    by_id = {i.id: i for i in rep.items}
    for d in held:
        item = by_id[d.id]
        assert item.status == "mirror", (d.id, item.error)
        assert item.path.parent.name in ("facial-recognition", "wa-bills")
        assert item.expected_sha256, d.id  # a checksum is recorded for every held file
        assert item.sha256 == item.expected_sha256 and not item.warning, d.id
        assert dict(item.meta.extra).get("sidecar", "").endswith(f"{d.id}.json")
    # the superseded partial copy of SB 5104 is deliberately not a manifest entry
    missing = stems - set(m.ids) - {s for s in stems if s.endswith("-partial")}
    missing = {s for s in missing if (corpus / "facial-recognition" / f"{s}.json").exists()}
    assert not missing, missing
    # what is not held is reported as missing (offline), never invented
    assert {i.status for i in rep.missing} == {"offline"}
    assert rep.exit_code == 0


@pytest.mark.parametrize("name,folder", [("wa-bills", "wa-bills"), ("us-congress", "us-congress")])
def test_shared_folders_resolve_completely(corpus, tmp_path, name, folder):
    m = load_manifest(name)
    stems = {p.stem for p in (corpus / folder).glob("*.json")}
    assert set(m.ids) == stems
    rep = fetch_corpus(m, mirror=corpus / folder, cache_dir=tmp_path, offline=True)
    assert [i.id for i in rep.items if i.status != "mirror"] == []
    assert [i.id for i in rep.warnings] == []


def test_mirror_sha_mismatch_is_a_warning_not_an_error(corpus, tmp_path):
    src = corpus / "facial-recognition" / "wa-2020-sb6280-introduced.htm"
    mirror = tmp_path / "mirror" / "deep" / "er"
    mirror.mkdir(parents=True)
    (mirror / src.name).write_bytes(src.read_bytes() + b"\n<!-- changed -->")
    m = load_manifest("facial-recognition")
    rep = fetch_corpus(
        m,
        mirror=tmp_path / "mirror",
        cache_dir=tmp_path / "c",
        offline=True,
        only=["wa-2020-sb6280-introduced"],
    )
    (item,) = rep.items
    assert item.status == "mirror" and item.path.parent == mirror
    assert item.warning and "differs" in item.warning and item.sha256 != item.expected_sha256


def test_documents_carry_the_manifest_facts(corpus, tmp_path):
    m = load_manifest("facial-recognition")
    ids = [
        "wa-2020-sb6280-introduced",
        "wa-2020-sb6280-rcw43.386-codified",
        "wa-2021-sb5104-introduced",
    ]
    rep = fetch_corpus(m, mirror=corpus, cache_dir=tmp_path, offline=True, only=ids)
    docs = documents(rep)
    assert [d.id for d in docs] == ids
    for doc in docs:
        entry = m.get(doc.id)
        assert doc.meta.state == "WA" and doc.meta.bill == entry.bill
        assert doc.meta.version == entry.version and doc.meta.date == entry.date
        assert doc.meta.sponsors == entry.sponsors
        assert len(doc.text) > 1000
    assert docs[1].meta.format == "txt" and docs[0].meta.format == "html"


# ----------------------------------------------------------------------------- validation

GOOD = """
[manifest]
name = "t"

[[doc]]
id = "xx-2020-sb1-introduced"
state = "XX"
bill = "SB 1"
version = "introduced"

[[doc.files]]
url = "https://example.org/sb1.htm"
format = "html"
"""


def _write(tmp_path, text, name="m.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "change,expect",
    [
        (lambda s: s.replace('format = "html"', 'format = "docx"'), "format 'docx'"),
        (lambda s: s.replace('id = "xx-2020-sb1-introduced"', 'id = "XX-2020"'), "lower case"),
        (lambda s: s.replace('state = "XX"\n', ""), "'state' is required"),
        (lambda s: s.replace("https://example.org", "ftp://example.org"), "http(s) URL"),
        (lambda s: s.replace('format = "html"', 'format = "html"\nsha256 = "abc"'), "sha256"),
        (
            lambda s: s.replace(
                'version = "introduced"', 'version = "introduced"\ndate = "14/01/2020"'
            ),
            "YYYY-MM-DD",
        ),
        (
            lambda s: s.replace('version = "introduced"', 'version = "introduced"\nsponser = "x"'),
            "unknown key(s) sponser",
        ),
        (lambda s: s + s.split('[manifest]\nname = "t"\n')[1], "duplicate id"),
        (
            lambda s: s.replace(
                'version = "introduced"', 'version = "introduced"\nstatus = "unidentified"'
            ),
            "needs the [[doc.reported]]",
        ),
        (lambda s: s.split("[[doc.files]]")[0], "needs at least one [[doc.files]]"),
        (lambda s: s.replace('name = "t"', 'name = "t'), "invalid TOML"),
        (lambda s: "[manifest]\nname = 'empty'\n", "no [[doc]] entries"),
    ],
)
def test_bad_manifests_fail_with_one_line(tmp_path, change, expect):
    p = _write(tmp_path, change(GOOD))
    with pytest.raises(InputError) as exc:
        load_manifest(p)
    msg = str(exc.value)
    assert "\n" not in msg and str(p) in msg and expect in msg, msg


def test_good_manifest_and_unknown_name(tmp_path):
    m = load_manifest(_write(tmp_path, GOOD))
    assert m.ids == ("xx-2020-sb1-introduced",) and m.docs[0].files[0].format == "html"
    with pytest.raises(InputError, match="no corpus manifest named 'nope'.*facial-recognition"):
        load_manifest("nope")
    with pytest.raises(InputError, match="no such manifest file"):
        load_manifest(tmp_path / "absent.toml")


def test_mirror_must_be_a_folder(tmp_path):
    with pytest.raises(InputError, match="mirror is not a folder"):
        mirror_index(tmp_path / "absent")


# ----------------------------------------------------------------------------- CLI


def test_cli_fetch_from_the_mirror_offline(cli, corpus, tmp_path):
    m = load_manifest("facial-recognition")
    held = sum(1 for d in m.docs if d.id in mirror_index(corpus))
    r = cli(
        "corpus",
        "fetch",
        "facial-recognition",
        "--mirror",
        str(corpus),
        "--offline",
        "--no-index",
        "--cache-dir",
        str(tmp_path),
        "-q",
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert f"{held} of {len(m.docs)} documents available" in out
    # what could not be had is said once per reason, each id named, not one line per document
    not_had = [d for d in m.docs if d.id not in mirror_index(corpus)]
    lines = [ln for ln in out.splitlines() if " not had — " in ln]
    assert 1 <= len(lines) <= 3 < len(not_had), lines
    assert "missing:" not in out
    for d in not_had:
        assert sum(d.id in ln.split(": ", 1)[1].split(", ") for ln in lines) == 1, d.id
    assert "Traceback" not in r.stderr.decode()


def test_lineage_from_a_fetched_index_says_what_is_missing(cli, corpus, tmp_path):
    """corpus fetch records what it could not get in the index; lineage --db says so once on
    the terminal and lists each one, with why, in the HTML report."""
    db = tmp_path / "fr.db"
    r = cli(
        "corpus", "fetch", "facial-recognition", "--mirror", str(corpus), "--offline",
        "--db", str(db), "--cache-dir", str(tmp_path / "cache"), "-q",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    m = load_manifest("facial-recognition")
    not_had = sorted(d.id for d in m.docs if d.id not in mirror_index(corpus))
    r = cli("lineage", "--db", str(db), "--out", str(tmp_path / "rep"))
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert out.count("could not be had") == 1
    assert f"{len(not_had)} corpus documents could not be had" in out
    html = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    section = html[html.index("<section id='missing'>") :]
    section = section[: section.index("</section>")]
    assert sorted(re.findall(r"<tr><td>([^<]+)</td>", section)) == not_had
    assert "offline, and neither the cache nor the mirror holds it" in section


def test_cli_nothing_available_exits_2(cli, tmp_path):
    r = cli(
        "corpus",
        "fetch",
        "facial-recognition",
        "--offline",
        "--no-index",
        "--cache-dir",
        str(tmp_path),
        "-q",
    )
    assert r.returncode == 2
    err = r.stderr.decode().strip().splitlines()
    assert err[-1].startswith("error: no document of 'facial-recognition'")


def test_cli_bad_manifest_is_one_line(cli, tmp_path):
    p = _write(tmp_path, GOOD.replace('format = "html"', 'format = "doc"'))
    r = cli("corpus", "fetch", str(p), "--offline", "--no-index")
    assert r.returncode == 2
    lines = r.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot read ") and "format" in lines[0]


def test_cli_list(cli, corpus, tmp_path):
    r = cli("corpus", "list")
    assert r.returncode == 0 and all(n.encode() in r.stdout for n in REAL)
    r = cli(
        "corpus",
        "list",
        "us-congress",
        "--mirror",
        str(corpus / "us-congress"),
        "--cache-dir",
        str(tmp_path),
        env={"COLUMNS": "200"},
    )
    assert r.returncode == 0, r.stderr
    assert b"us-117-hr2008-rfs" in r.stdout and b"mirror" in r.stdout


def test_manifests_hold_facts_not_text(corpus):
    """No manifest field but title and sponsors (facts the brief asks for) holds 12 words of
    a bill's text - manifests carry facts, never text."""
    grams_of = lambda s: (lambda t: {" ".join(t[i : i + 12]) for i in range(len(t) - 11)})(  # noqa: E731
        re.findall(r"[a-z]+", s.lower())
    )
    words = set()
    for sub in ("facial-recognition", "wa-bills"):
        for txt in (corpus / sub).glob("*.txt"):
            words |= grams_of(txt.read_text(encoding="utf-8"))
    for name in REAL:
        for d in load_manifest(name).docs:
            fields = [d.notes, d.session, d.version, *(v for _, v in d.extra)]
            fields += [r.claim for r in d.reported]
            for s in fields:
                assert not grams_of(s) & words, (d.id, s[:80])


def test_sidecar_json_is_what_the_manifest_expects(corpus):
    """The held WA files' sidecars agree with the manifest on the checksum."""
    m = load_manifest("wa-bills")
    for d in m.docs:
        side = json.loads((corpus / "wa-bills" / f"{d.id}.json").read_text())
        html = next(f for f in d.files if f.format == "html")
        assert html.sha256 == side["htm_sha256"], d.id


def test_cli_fetch_then_index(cli, corpus, tmp_path):
    """fetch → index: the index holds every available document under its manifest id."""
    try:
        from billdiff.index import Index
    except ImportError:
        pytest.skip("billdiff.index.Index is not in this build yet (index work)")
    db = tmp_path / "fr.db"
    r = cli(
        "corpus",
        "fetch",
        "facial-recognition",
        "--mirror",
        str(corpus),
        "--offline",
        "--cache-dir",
        str(tmp_path / "c"),
        "--db",
        str(db),
        "-q",
        timeout=900,
    )
    assert r.returncode == 0, r.stderr
    m = load_manifest("facial-recognition")
    held = {d.id for d in m.docs if d.id in mirror_index(corpus)}
    listed = {md.id: md for md in Index(db).list()}
    assert set(listed) == held
    sb = listed["wa-2020-sb6280-introduced"]
    assert sb.state == "WA" and sb.bill == "SB 6280" and sb.date == "2020-01-14"


def test_no_network_is_found_once_not_per_host(tmp_path, monkeypatch):
    """Every host name is looked up at once before any request; hosts whose names do not
    resolve (.invalid never does) get no request at all, and say why."""
    import billdiff.corpus.fetching as fetching

    entry = "[[doc]]" + GOOD.split("[[doc]]", 1)[1]
    toml = '[manifest]\nname = "t"\n' + "\n".join(
        entry.replace("sb1", f"sb{k}")
        .replace("SB 1", f"SB {k}")
        .replace("example.org", f"h{k}.example.invalid")
        for k in range(1, 6)
    )
    man = load_manifest(_write(tmp_path, toml))
    calls = []
    real = fetching._fetch_fn()

    def counting(url, **kw):
        if not kw.get("offline"):
            calls.append(url)
        return real(url, **kw)

    monkeypatch.setattr(fetching, "_fetch_fn", lambda: counting)
    rep = fetch_corpus(man, cache_dir=tmp_path / "cache", min_interval=0.0, timeout=2.0)
    assert calls == [] and len(rep.missing) == 5
    assert all("does not resolve" in i.error for i in rep.missing)
    assert {why for _, why in rep.not_had} == {
        "the official site could not be reached (no network?), and no mirror holds it"
    }
