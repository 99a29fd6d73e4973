"""The download path for real: a threaded HTTP server on 127.0.0.1 serves files from
../shared/corpus, plus a 404, a slow answer and a truncated one; each failure is reported and
the others are fetched, checksummed and cached; a second run fetches nothing again; an
interrupted run resumes; a partial download never lands in the cache."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from billdiff.corpus import fetch_corpus, load_manifest
from billdiff.fetch import cache_path

FILES = {  # served path -> file under ../shared/corpus (real official documents)
    "/wa/6280.htm": "facial-recognition/wa-2020-sb6280-introduced.htm",
    "/wa/6280-S.htm": "facial-recognition/wa-2020-sb6280-substitute.htm",
    "/us/BILLS-117hr2008ih.pdf": "us-congress/us-117-hr2008-ih.pdf",
    "/wa/5104.htm": "facial-recognition/wa-2021-sb5104-introduced.htm",
}


class Server:
    """ThreadingHTTPServer with a request log; routes from FILES plus three bad answers."""

    def __init__(self, corpus):
        self.hits: Counter[str] = Counter()
        self.ua: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # keep test output clean
                pass

            def do_GET(self):  # noqa: N802
                outer.hits[self.path] += 1
                outer.ua.append(self.headers.get("User-Agent", ""))
                if self.path in FILES:
                    body = (corpus / FILES[self.path]).read_bytes()
                    self._send(200, body, len(body))
                elif self.path == "/slow.htm":
                    time.sleep(2.0)  # longer than the client's timeout
                    self._send(200, b"<html>late</html>", 17)
                elif self.path == "/truncated.htm":
                    body = (corpus / FILES["/wa/6280.htm"]).read_bytes()[:2000]
                    self._send(200, body, len(body) + 5000)  # announces more than it sends
                    self.close_connection = True
                else:
                    self._send(404, b"not found", 9)

            def _send(self, code, body, length):
                try:
                    self.send_response(code)
                    self.send_header(
                        "Content-Type",
                        "application/pdf" if self.path.endswith(".pdf") else "text/html",
                    )
                    self.send_header("Content-Length", str(length))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): fine

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _sha(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _manifest(tmp_path, base, corpus, *, wrong_sha=False):
    """A temporary manifest whose URLs point at the local server (facts kept minimal)."""

    def doc(id_, path, fmt, sha=""):
        shaline = f'sha256 = "{sha}"\n' if sha else ""
        return (
            f'[[doc]]\nid = "{id_}"\nstate = "WA"\nbill = "SB 1"\nversion = "v"\n\n'
            f'[[doc.files]]\nurl = "{base}{path}"\nformat = "{fmt}"\n{shaline}\n'
        )

    intro = _sha(corpus / FILES["/wa/6280.htm"])
    text = '[manifest]\nname = "local"\n\n' + "".join(
        [
            doc("t-2020-a-introduced", "/wa/6280.htm", "html", intro),
            doc(
                "t-2020-a-substitute",
                "/wa/6280-S.htm",
                "html",
                "0" * 64 if wrong_sha else _sha(corpus / FILES["/wa/6280-S.htm"]),
            ),
            doc("t-2020-missing", "/missing.htm", "html"),
            doc("t-2020-truncated", "/truncated.htm", "html"),
            doc("t-2021-slow", "/slow.htm", "html"),
            doc("t-2021-pdf", "/us/BILLS-117hr2008ih.pdf", "pdf"),
            doc("t-2021-b", "/wa/5104.htm", "html"),
        ]
    )
    p = tmp_path / "local.toml"
    p.write_text(text)
    return load_manifest(p)


FAST = {"min_interval": 0.0, "timeout": 0.5, "retries": 1}


@pytest.fixture
def served(corpus):
    with Server(corpus) as srv:
        yield srv


def test_failures_are_reported_and_the_rest_fetched(served, corpus, tmp_path):
    m = _manifest(tmp_path, served.base, corpus, wrong_sha=True)
    cache = tmp_path / "cache"
    seen = []
    rep = fetch_corpus(
        m, cache_dir=cache, progress=lambda n, t, i: seen.append((n, t, i.id)), **FAST
    )
    st = {i.id: i for i in rep.items}
    assert [s[2] for s in seen] == list(m.ids) and seen[-1][:2] == (7, 7)
    for ok, src in [
        ("t-2020-a-introduced", "/wa/6280.htm"),
        ("t-2021-pdf", "/us/BILLS-117hr2008ih.pdf"),
        ("t-2021-b", "/wa/5104.htm"),
    ]:
        assert st[ok].status == "fetched", st[ok].error
        assert st[ok].sha256 == _sha(corpus / FILES[src]) == _sha(st[ok].path)
        assert st[ok].path.is_relative_to(cache)
    assert "404" in st["t-2020-missing"].error and st["t-2020-missing"].status == "failed"
    assert "truncated" in st["t-2020-truncated"].error
    assert "timed out" in st["t-2021-slow"].error
    # a checksum that differs from the manifest's is a warning; the document is still there
    sub = st["t-2020-a-substitute"]
    assert sub.status == "fetched" and "differs" in sub.warning and sub.available
    assert {i.id for i in rep.missing} == {"t-2020-missing", "t-2020-truncated", "t-2021-slow"}
    assert rep.exit_code == 0
    # the truncated body never reached the cache, and no temporary file was left behind
    assert not cache_path(f"{served.base}/truncated.htm", cache).exists()
    assert not [p for p in (cache / "http").iterdir() if p.name.startswith(".part-")]
    # polite: named User-Agent; a 404 is not asked again, a truncated body is retried
    assert all(ua.startswith("billdiff/") for ua in served.ua)
    assert served.hits["/missing.htm"] == 1 and served.hits["/truncated.htm"] == 2


def test_second_run_fetches_nothing_new(served, corpus, tmp_path):
    m = _manifest(tmp_path, served.base, corpus)
    cache = tmp_path / "cache"
    first = fetch_corpus(m, cache_dir=cache, **FAST)
    before = Counter(served.hits)
    second = fetch_corpus(m, cache_dir=cache, **FAST)
    for a, b in zip(first.items, second.items, strict=True):
        if a.status == "fetched":
            assert b.status == "cached" and b.sha256 == a.sha256 and b.path == a.path
    for path in FILES:
        assert served.hits[path] == before[path], path  # not requested again
    # offline, the cache alone answers for what was fetched
    third = fetch_corpus(m, cache_dir=cache, offline=True, **FAST)
    assert [i.id for i in third.available] == [i.id for i in first.available]


def test_interrupted_run_resumes(served, corpus, tmp_path):
    m = _manifest(tmp_path, served.base, corpus)
    cache = tmp_path / "cache"

    def stop_after_first(n, total, item):
        if n == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_corpus(m, cache_dir=cache, progress=stop_after_first, **FAST)
    assert served.hits["/wa/6280.htm"] == 1 and served.hits["/wa/6280-S.htm"] == 0
    rep = fetch_corpus(m, cache_dir=cache, **FAST)
    st = {i.id: i.status for i in rep.items}
    assert st["t-2020-a-introduced"] == "cached" and st["t-2020-a-substitute"] == "fetched"
    assert served.hits["/wa/6280.htm"] == 1


def test_rate_limit_between_requests_to_one_host(served, corpus, tmp_path):
    m = _manifest(tmp_path, served.base, corpus)
    t0 = time.monotonic()
    fetch_corpus(
        m,
        cache_dir=tmp_path / "c",
        min_interval=0.3,
        timeout=0.5,
        retries=0,
        only=["t-2020-a-introduced", "t-2020-a-substitute", "t-2021-b"],
    )
    assert time.monotonic() - t0 >= 0.6  # three requests to one host: two pauses


def test_mirror_answers_before_the_network(served, corpus, tmp_path):
    """With a mirror, held documents never touch the network; the rest still can."""
    m = _manifest(tmp_path, served.base, corpus)
    mirror = tmp_path / "mirror" / "sub"
    mirror.mkdir(parents=True)
    (mirror / "t-2020-a-introduced.htm").write_bytes((corpus / FILES["/wa/6280.htm"]).read_bytes())
    rep = fetch_corpus(
        m,
        mirror=tmp_path / "mirror",
        cache_dir=tmp_path / "c",
        **FAST,
        only=["t-2020-a-introduced", "t-2021-b"],
    )
    st = {i.id: i for i in rep.items}
    assert st["t-2020-a-introduced"].status == "mirror" and not st["t-2020-a-introduced"].warning
    assert st["t-2021-b"].status == "fetched"
    assert served.hits["/wa/6280.htm"] == 0


def test_unreachable_host_is_given_up_quickly(tmp_path):
    """Nothing listens on the port: the first refusal costs retries, the rest are skipped."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    docs = "".join(
        f'[[doc]]\nid = "t-{k}"\nstate = "X"\nbill = "B"\nversion = "v"\n'
        f'[[doc.files]]\nurl = "http://127.0.0.1:{port}/{k}.htm"\nformat = "html"\n\n'
        for k in range(6)
    )
    p = tmp_path / "m.toml"
    p.write_text(docs)
    t0 = time.monotonic()
    rep = fetch_corpus(load_manifest(p), cache_dir=tmp_path / "c", **FAST)
    assert time.monotonic() - t0 < 10
    assert rep.exit_code == 2 and len(rep.missing) == 6
    assert sum("skipped" in i.error for i in rep.items) >= 3
