"""billdiff.fetch against a local http.server on 127.0.0.1 (never any other address)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from billdiff import __version__
from billdiff.errors import FetchError
from billdiff.fetch import cache_path, default_cache_dir, fetch
from billdiff.ingest import read
from billdiff.normalize import tokenize

BODY = b"SYNTHETIC bill served by the test server.\nSec. 1. The fee is ten dollars.\n"
HTML = b"<html><body><p>SYNTHETIC <strike>old</strike> new page</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    hits: dict = {}
    agents: list = []

    def log_message(self, *a):  # keep test output quiet
        pass

    def do_GET(self):  # noqa: N802
        cls = type(self)
        cls.hits[self.path] = cls.hits.get(self.path, 0) + 1
        cls.agents.append(self.headers.get("User-Agent"))
        if self.path.startswith("/bill.txt") or self.path == "/dir/SYN-1.txt":
            self._send(200, BODY, "text/plain; charset=utf-8")
        elif self.path == "/page":
            self._send(200, HTML, "text/html")
        elif self.path == "/missing.pdf":
            self._send(404, b"not here", "text/plain")
        elif self.path == "/slow.txt":
            time.sleep(2.0)
            self._send(200, BODY, "text/plain")
        elif self.path == "/truncated.pdf":
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"%PDF-1.4\n" + b"x" * 100)
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/flaky.txt":
            if cls.hits[self.path] < 3:
                self._send(503, b"busy", "text/plain")
            else:
                self._send(200, BODY, "text/plain")
        else:
            self._send(404, b"", "text/plain")

    def _send(self, code, body, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    _Handler.hits = {}
    _Handler.agents = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler
    httpd.shutdown()
    httpd.server_close()


def test_download_once_then_cache(server, tmp_path):
    base, h = server
    url = f"{base}/bill.txt?v=1"
    got = fetch(url, cache_dir=tmp_path)
    assert got.path.read_bytes() == BODY and not got.from_cache and not got.from_mirror
    assert got.content_type == "text/plain"
    again = fetch(url, cache_dir=tmp_path)
    assert again.from_cache and again.path == got.path and again.sha256 == got.sha256
    assert h.hits["/bill.txt?v=1"] == 1
    assert f"billdiff/{__version__}" in h.agents
    # offline: the cached copy still answers
    assert fetch(url, cache_dir=tmp_path, offline=True).from_cache


def test_read_url_gives_document(server, tmp_path):
    base, _ = server
    d = read(f"{base}/page", cache_dir=tmp_path)
    assert d.meta.format == "html" and d.meta.source == f"{base}/page"
    assert tokenize(d).words == ("synthetic", "new", "page")
    t = read(f"{base}/bill.txt?v=2", cache_dir=tmp_path)
    assert t.meta.id == "bill" and t.meta.format == "txt"


def test_404_fails_at_once(server, tmp_path):
    base, h = server
    with pytest.raises(FetchError, match="HTTP 404") as e:
        fetch(f"{base}/missing.pdf", cache_dir=tmp_path, retries=3)
    assert "check the URL" in str(e.value) and "/missing.pdf" in str(e.value)
    assert h.hits["/missing.pdf"] == 1  # no retries on 404
    assert not cache_path(f"{base}/missing.pdf", tmp_path).exists()


def test_timeout(server, tmp_path):
    base, _ = server
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch(f"{base}/slow.txt", cache_dir=tmp_path, timeout=0.3, retries=1)
    assert time.monotonic() - t0 < 5


def test_truncated_body_is_refused_and_leaves_no_file(server, tmp_path):
    base, h = server
    url = f"{base}/truncated.pdf"
    with pytest.raises(FetchError, match="truncated"):
        fetch(url, cache_dir=tmp_path, retries=1)
    assert h.hits["/truncated.pdf"] == 2
    folder = cache_path(url, tmp_path).parent
    assert not folder.exists() or list(folder.iterdir()) == []  # no partial file


def test_retries_with_backoff_on_503(server, tmp_path):
    base, h = server
    got = fetch(f"{base}/flaky.txt", cache_dir=tmp_path, retries=3)
    assert got.path.read_bytes() == BODY and h.hits["/flaky.txt"] == 3


def test_unreachable(tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(FetchError, match="cannot connect"):
        fetch(f"http://127.0.0.1:{port}/x.pdf", cache_dir=tmp_path, retries=0)


def test_offline_without_mirror_copy(tmp_path):
    url = "http://127.0.0.1:9/BILLS-117hr9999ih.pdf"
    with pytest.raises(FetchError) as e:
        fetch(url, cache_dir=tmp_path, offline=True)
    msg = str(e.value)
    assert "offline and no mirror copy of " + url in msg
    assert "pass --mirror DIR with the file, or go online" in msg
    with pytest.raises(FetchError, match="offline and no mirror copy"):
        read(url, cache_dir=tmp_path, offline=True, mirror=tmp_path)


def test_mirror_answers_by_basename_or_id(corpus, tmp_path):
    url = "https://www.govinfo.gov/content/pkg/BILLS-117hr2008ih/pdf/us-117-hr2008-ih.pdf"
    got = fetch(url, cache_dir=tmp_path, offline=True, mirror=corpus)
    assert got.from_mirror and got.path.name == "us-117-hr2008-ih.pdf"
    by_id = fetch(
        "https://example.invalid/any/path.pdf",
        cache_dir=tmp_path,
        offline=True,
        mirror=corpus,
        id="us-117-hr2008-eh",
    )
    assert by_id.path.name == "us-117-hr2008-eh.pdf"
    d = read(url, offline=True, mirror=corpus, cache_dir=tmp_path)
    assert d.meta.format == "pdf" and d.meta.bill == "H.R. 2008"  # sidecar beside the copy
    assert not (tmp_path / "http").exists()  # nothing was downloaded


def test_default_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("BILLDIFF_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("BILLDIFF_CACHE_DIR")
    assert default_cache_dir().name == "billdiff"


def test_mirror_finds_official_urls_through_sidecars(corpus, tmp_path):
    """GovInfo and WA bill-server URLs answer from ../shared/corpus, whose files are renamed
    but whose sidecars name the original file."""
    gov = "https://www.govinfo.gov/content/pkg/BILLS-117hr2008eh/pdf/BILLS-117hr2008eh.pdf"
    got = fetch(gov, cache_dir=tmp_path, offline=True, mirror=corpus)
    assert got.from_mirror and got.path.name == "us-117-hr2008-eh.pdf"
    wa = "https://lawfilesext.leg.wa.gov/biennium/2019-20/Htm/Bills/Senate%20Bills/5376-S.htm"
    assert (
        fetch(wa, cache_dir=tmp_path, offline=True, mirror=corpus).path.name
        == "wa-2019-sb5376-substitute.htm"
    )
    d = read(gov, offline=True, mirror=corpus, cache_dir=tmp_path)
    assert d.meta.version == "eh" and d.meta.id == "BILLS-117hr2008eh"
    with pytest.raises(FetchError, match="offline and no mirror copy"):
        fetch(
            "https://www.govinfo.gov/content/pkg/BILLS-117hr1ih/pdf/BILLS-117hr1ih.pdf",
            cache_dir=tmp_path,
            offline=True,
            mirror=corpus,
        )
