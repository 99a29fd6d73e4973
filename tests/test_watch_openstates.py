"""billdiff watch against an Open States API v3-shaped server on 127.0.0.1 (watch_server.py):
pagination, a 429 with Retry-After, a 500, a slow answer, version links back to the server
serving real bills from ../shared/corpus, and the faults of a legislature's site. Expected
verdicts are computed with billdiff.search on the same files, never written down."""

from __future__ import annotations

import json
import sqlite3
import time
import zlib

import pytest
from conftest import run_cli
from watch_server import DOCX, ERROR_PAGE, KEY, Server

from billdiff.index import Index
from billdiff.watch import OpenStatesQuery, WatchConfig, run_round

# served as new bills (never in the index); everything else of wa-bills is the index
SERVED = {
    "sb5104.htm": (
        "SB 5104",
        "2021-2022",
        "Introduced",
        "facial-recognition/wa-2021-sb5104-introduced.htm",
    ),
    "sb6280.htm": (
        "SB 6280",
        "2019-2020",
        "Introduced",
        "facial-recognition/wa-2020-sb6280-introduced.htm",
    ),
    "sb6280-s.htm": (
        "SB 6280",
        "2019-2020",
        "Substitute",
        "facial-recognition/wa-2020-sb6280-substitute.htm",
    ),
    "hb2363-s.htm": (
        "HB 2363",
        "2019-2020",
        "Substitute",
        "wa-bills/wa-2020-hb2363-substitute.htm",
    ),
    "hb1002.htm": ("HB 1002", "2019-2020", "Introduced", "wa-bills/wa-2019-hb1002-introduced.htm"),
    "slow-hb1003.htm": (
        "HB 1003",
        "2019-2020",
        "Introduced",
        "wa-bills/wa-2019-hb1003-introduced.htm",
    ),
    "trunc-hb1004.htm": (
        "HB 1004",
        "2019-2020",
        "Introduced",
        "wa-bills/wa-2019-hb1004-introduced.htm",
    ),
}
FAULTS = {  # file -> (identifier, the error a person reads)
    "dead-hb9001.htm": ("HB 9001", "HTTP 404"),
    "trunc-hb1004.htm": ("HB 1004", "truncated"),
    "error-hb9002.htm": ("HB 9002", "not a bill"),
    "scan-hb9003.pdf": ("HB 9003", "no text layer"),
    "hb9004.docx": ("HB 9004", "unknown format"),
}


@pytest.fixture(scope="module")
def index_db(corpus, tmp_path_factory):
    served = {rel.rsplit("/", 1)[1].replace(".htm", ".txt") for *_, rel in SERVED.values()}
    files = [p for p in sorted((corpus / "wa-bills").glob("*.txt")) if p.name not in served]
    model = corpus / "facial-recognition" / "wa-2020-sb6280-rcw43.386-codified.txt"
    db = tmp_path_factory.mktemp("watchos") / "bills.db"
    with Index(db) as ix:
        ix.add([str(p) for p in files] + [str(model)])
        ix.tag([model.stem], ["model-bill"])
    return db


@pytest.fixture(scope="module")
def expected(corpus, index_db):
    """What `search --fail-on-match` says of each real served file: the substantive hits."""
    out = {}
    with Index(index_db) as ix:
        for name, (*_, rel) in SERVED.items():
            res = ix.search(str(corpus / rel), fail_on_match=True)
            out[name] = {h.doc.meta.id for h in res.hits if h.substantive}
    return out


@pytest.fixture
def server(corpus, tmp_path):
    from test_ingest_pdfgen import image_only_pdf

    s = Server()
    for i, (name, (ident, session, note, rel)) in enumerate(SERVED.items()):
        url = s.add_file(name, (corpus / rel).read_bytes(), "text/html")
        s.add_bill(
            ident,
            session,
            f"2026-01-{i + 1:02d}T10:00:00",
            [(note, "2026-01-01", url, "text/html")],
        )
    pdf = image_only_pdf(tmp_path / "scan.pdf").read_bytes()
    s.add_file("error-hb9002.htm", ERROR_PAGE, "text/html")
    s.add_file("scan-hb9003.pdf", pdf, "application/pdf")
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    s.add_file("hb9004.docx", DOCX, docx)
    for name, (ident, _) in FAULTS.items():
        if name.startswith("trunc"):
            continue
        media = docx if name.endswith(".docx") else "text/html"
        s.add_bill(
            ident,
            "2019-2020",
            "2026-01-20T10:00:00",
            [("Introduced", "2026-01-02", f"{s.url}/files/{name}", media)],
        )
    yield s
    s.close()


def config(server, index_db, tmp_path, **kw) -> WatchConfig:
    base = dict(
        db=str(index_db),
        queries=(OpenStatesQuery("wa"),),
        api_url=server.url,
        api_key=KEY,
        per_page=3,
        retries=1,
        timeout=5,
        min_interval=0,
        cache_dir=str(tmp_path / "cache"),
        jsonl=str(tmp_path / "alerts.jsonl"),
        digest=str(tmp_path / "digest.md"),
    )
    base.update(kw)
    return WatchConfig(**base)


@pytest.fixture
def db(index_db, tmp_path):
    """A copy of the index per test: the watch state of one test does not leak."""
    import shutil

    d = tmp_path / "bills.db"
    shutil.copy(index_db, d)
    return d


def test_round_checks_every_new_version_as_search_does(server, db, tmp_path, expected):
    server.state.retry_after = "1"
    t0 = time.monotonic()
    res = run_round(config(server, db, tmp_path))
    assert time.monotonic() - t0 >= 1.0  # Retry-After was honoured
    by_file = {x["url"].rsplit("/", 1)[1]: x for x in res.checked}
    assert set(by_file) == set(SERVED) | set(FAULTS)
    for name, hits in expected.items():
        if name in FAULTS:
            continue
        x = by_file[name]
        assert x["status"] == ("reuse" if hits else "clean"), (name, x["error"])
        assert {c["id"] for c in x["copies"]} == hits
        assert x["search"]["schema"] == "billdiff.search/1"
    assert any(expected.values()), "the served bills must include a copy, or this proves nothing"
    for name, (_, why) in FAULTS.items():
        assert by_file[name]["status"] == "failed" and why in by_file[name]["error"], name
    assert res.exit_code == 1 and not res.errors
    # the API was read through its 429 (Retry-After honoured) and its 500, every page
    reqs = server.bill_requests()
    pages = [int(q["page"]) for q, _ in reqs]
    assert pages.count(2) == 2 and pages.count(3) == 2 and max(pages) == 4
    assert all(h.get("x-api-key") == KEY and q["include"] == "versions" for q, h in reqs)
    assert all("apikey" not in q for q, _ in reqs)  # the key goes in the header only
    # the digest names the bill, what it copies and links the official text; no key anywhere
    digest = (tmp_path / "digest.md").read_text()
    for x in res.alerts:
        assert x["label"] in digest and x["link"] in digest
        assert x["copies"][0]["label"] in digest
    assert "Could not be checked" in digest and "HTTP 404" in digest
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert len(lines) == len(SERVED) + len(FAULTS) - 1  # trunc-hb1004 is in both
    assert KEY not in digest and KEY not in "".join(lines)
    con = sqlite3.connect(db)
    assert not any(
        KEY in str(r)
        for t in ("watch_rounds", "watch_cursor")
        for r in con.execute(f"SELECT * FROM {t}")
    )
    assert not any(
        KEY.encode() in zlib.decompress(r[0])
        for r in con.execute("SELECT result FROM watch_checked")
    )


def test_second_round_alerts_nothing_and_a_new_version_is_checked(server, db, tmp_path):
    cfg = config(server, db, tmp_path)
    first = run_round(cfg)
    assert first.alerts
    second = run_round(cfg)
    # only the failed versions are tried again; no alert comes twice
    assert {x["key"] for x in second.checked} == {x["key"] for x in first.failures}
    assert all(x["status"] == "failed" for x in second.checked) and second.exit_code == 0
    q, _ = server.bill_requests()[-1]
    assert q["updated_since"] == first.started[:19]
    # a new version of an already checked bill
    url = server.add_file("sb6280-es.htm", server.state.files["sb6280-s.htm"][0], "text/html")
    bill = next(b for b in server.state.bills if b["identifier"] == "SB 6280")
    bill["versions"].append(
        {
            "note": "Engrossed Substitute",
            "date": "2026-02-01",
            "links": [{"url": url, "media_type": "text/html"}],
        }
    )
    bill["updated_at"] = "2099-01-01T00:00:00"
    third = run_round(cfg)
    new = [x for x in third.checked if x["status"] != "failed"]
    assert [x["url"] for x in new] == [url]
    fourth = run_round(cfg)  # failures tried max_attempts (3) times: no more
    assert not fourth.checked and fourth.skipped == len(bill["versions"])  # listed again


def test_refused_key_is_one_error_line(server, db, tmp_path):
    res = run_round(config(server, db, tmp_path, api_key="not-the-key"))
    assert len(res.errors) == 1 and "refused the key (HTTP 401)" in res.errors[0]
    assert "not-the-key" not in res.errors[0]
    assert res.exit_code == 2 and not res.checked
    res = run_round(config(server, db, tmp_path, api_key=""))
    assert "no Open States API key" in res.errors[0] and "OPENSTATES_API_KEY" in res.errors[0]


def test_rate_limit_beyond_the_bound_is_one_error_line(server, db, tmp_path):
    server.state.always_429, server.state.retry_after = True, "3600"
    t0 = time.monotonic()
    res = run_round(config(server, db, tmp_path, retry_after_max=5))
    assert time.monotonic() - t0 < 5
    assert len(res.errors) == 1 and "429" in res.errors[0] and "3600" in res.errors[0]
    assert res.exit_code == 2


def test_url_list_round(server, db, tmp_path, expected):
    urls = tmp_path / "urls.txt"
    good = f"{server.url}/files/sb5104.htm"
    urls.write_text(f"# new bills\n{good}\n{server.url}/files/dead-x.htm\n\n{good}\n")
    cfg = WatchConfig(
        db=str(db), url_files=(str(urls),), retries=0, min_interval=0, cache_dir=str(tmp_path / "c")
    )
    res = run_round(cfg)
    by = {x["url"]: x for x in res.checked}
    assert set(by) == {good, f"{server.url}/files/dead-x.htm"}
    assert by[good]["status"] == ("reuse" if expected["sb5104.htm"] else "clean")
    again = run_round(cfg)
    assert [x["url"] for x in again.checked] == [f"{server.url}/files/dead-x.htm"]


def test_cli_round_with_config(server, db, tmp_path):
    cfg = tmp_path / "watch.toml"
    cfg.write_text(
        f'index = "{db}"\n[openstates]\nurl = "{server.url}"\nper_page = 4\n'
        '[[openstates.query]]\njurisdiction = "wa"\n'
        '[fetch]\nretries = 1\nmin_interval = 0\ncache_dir = "cache"\n'
        '[alerts]\ndigest = "digest.md"\n'
    )
    env = {"OPENSTATES_API_KEY": KEY}
    r = run_cli("watch", "--config", str(cfg), "--json", env=env, timeout=120)
    err = r.stderr.decode()
    assert r.returncode == 1, err
    lines = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert len(lines) == len(SERVED) + len(FAULTS) - 1
    assert all(x["schema"] == "billdiff.watch/1" for x in lines)
    assert all(
        x["search"]["schema"] == "billdiff.search/1" for x in lines if x["status"] != "failed"
    )
    assert KEY not in r.stdout.decode() + err and "Traceback" not in err
    assert "Reuse found" in (tmp_path / "digest.md").read_text()
    s = run_cli("watch", "status", "--config", str(cfg))
    assert s.returncode == 0 and s.stdout.decode().startswith("round 1:")
    r2 = run_cli("watch", "--config", str(cfg), env=env, timeout=120)
    assert r2.returncode == 0, r2.stderr.decode()
    assert "0 with reuse" in r2.stdout.decode()


def test_webhook_gets_the_alerts_and_a_dead_one_is_an_error_line(server, db, tmp_path):
    res = run_round(config(server, db, tmp_path, webhook=f"{server.url}/hook"))
    [(path, body)] = server.state.posts
    sent = json.loads(body)
    assert path == "/hook" and sent["schema"] == "billdiff.watch.alerts/1"
    want = sorted(x["url"] for x in res.lines if x["alert"] or x["status"] == "failed")
    assert sorted(x["url"] for x in sent["checks"]) == want
    assert all("search" not in x for x in sent["checks"]) and KEY.encode() not in body
    # the next round's new failure goes to a dead webhook: one error line, the round stands
    res = run_round(config(server, db, tmp_path, webhook=f"{server.url}/dead-hook"))
    assert res.checked and len(res.errors) == 1 and "webhook answered HTTP 404" in res.errors[0]
