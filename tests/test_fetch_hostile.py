"""Hostile URLs and servers: malformed addresses, redirects off http(s) or in a loop, bodies
over the download limit. A local http.server on 127.0.0.1 plays the hostile site; nothing
here leaves the machine."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from billdiff.corpus import fetch_corpus, load_manifest
from billdiff.errors import FetchError, InputError
from billdiff.fetch import MAX_REDIRECTS, cache_path, fetch
from billdiff.ingest import read
from billdiff.limits import LimitError

MIB = 1 << 20
BODY = b"SYNTHETIC bill. Sec. 1. The fee is ten dollars.\n"
BIG = 3 * MIB  # served against a limit lowered to 1 MiB
MALFORMED = ["http://[::1", "http://", "https://host:99999/x", "http://exa mple.com/"]


class Hostile:
    """A threaded server whose paths misbehave; ``hits`` counts requests by path."""

    def __init__(self):
        self.hits: dict[str, int] = {}
        self.agents: list[str] = []
        self.ftp = socket.socket()  # listens where the ftp:// redirect points; never accepts
        self.ftp.bind(("127.0.0.1", 0))
        self.ftp.listen(4)
        self.ftp.setblocking(False)
        self.ftp_port = self.ftp.getsockname()[1]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # chunked bodies need it

            def log_message(self, *a):
                pass

            def do_GET(self):  # noqa: N802
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                outer.agents.append(self.headers.get("User-Agent", ""))
                self.close_connection = True
                try:
                    self._route(self.path)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading: what a limit is for

            def _route(self, path):
                if path.startswith("/ok/"):
                    self._send(200, BODY)
                elif path == "/to-ftp":
                    self._redirect(f"ftp://127.0.0.1:{outer.ftp_port}/BILLS-1.pdf")
                elif path == "/to-file":
                    self._redirect("file:///etc/passwd")
                elif path == "/to-malformed":
                    self._redirect("http://[::1")
                elif path == "/loop":
                    self._redirect("/loop")
                elif path.startswith("/hop/"):  # /hop/n: n more redirects, then the bill
                    n = int(path.rsplit("/", 1)[1])
                    if n:
                        self._redirect(f"/hop/{n - 1}")
                    else:
                        self._send(200, BODY)
                elif path.startswith("/big-length"):
                    self._big(BIG, length=True)
                elif path.startswith("/big-chunked"):
                    self._big(BIG, chunked=True)
                elif path.startswith("/big-close"):  # no length, no chunks: ends at close
                    self._big(BIG)
                elif path.startswith("/endless"):  # chunked, stops only when the client does
                    self._big(64 * MIB, chunked=True)
                elif path.startswith("/odd-length/"):  # Content-Length a careless int() trips on
                    value = {"long": "9" * 5000, "super": "\u00b2"}[path.rsplit("/", 1)[1]]
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", value)
                    self.end_headers()
                    self.wfile.write(BODY)
                elif path.startswith("/busy/"):  # /busy/<s>/…: 429 Retry-After s, then the bill
                    if outer.hits[path] == 1:
                        self.send_response(429)
                        self.send_header("Retry-After", path.split("/")[2])
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    else:
                        self._send(200, BODY)
                elif path.startswith("/announce-huge"):
                    # announces 300 MiB, sends a few bytes, then stalls: only a client that
                    # believes the header answers at once
                    self.send_response(200)
                    self.send_header("Content-Type", "application/pdf")
                    self.send_header("Content-Length", str(300 * MIB))
                    self.end_headers()
                    self.wfile.write(b"%PDF-1.4\n")
                    self.wfile.flush()
                    time.sleep(3.0)
                else:
                    self._send(404, b"not here")

            def _send(self, code, body):
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _redirect(self, where):
                self.send_response(302)
                self.send_header("Location", where)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _big(self, n, *, length=False, chunked=False):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                if length:
                    self.send_header("Content-Length", str(n))
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                block = b"Sec. 1. " + b"x" * (64 * 1024 - 9) + b"\n"
                sent = 0
                while sent < n:
                    part = block[: n - sent]
                    if chunked:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    else:
                        self.wfile.write(part)
                    sent += len(part)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def ftp_contacted(self) -> bool:
        try:
            conn, _ = self.ftp.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.ftp.close()


@pytest.fixture(scope="module")
def hostile():
    srv = Hostile()
    yield srv
    srv.close()


@pytest.fixture
def low_limit(monkeypatch):
    monkeypatch.setenv("BILLDIFF_MAX_DOWNLOAD_MB", "1")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# ----------------------------------------------------------------------- malformed URLs


@pytest.fixture
def no_network(monkeypatch):
    """Any name lookup or connection fails the test: a malformed URL is refused before."""

    def refuse(*a, **k):
        raise AssertionError(f"network used for {a!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_url_is_a_fetch_error_before_any_network_use(url, tmp_path, no_network):
    with pytest.raises(FetchError, match="not a valid URL") as e:
        fetch(url, cache_dir=tmp_path, retries=0)
    assert "\n" not in str(e.value) and " — " in str(e.value)  # one line, with a hint
    with pytest.raises(FetchError, match="not a valid URL"):  # the mirror is not asked either
        fetch(url, cache_dir=tmp_path, mirror=tmp_path, offline=True)
    with pytest.raises(FetchError, match="not a valid URL"):  # ingest passes URLs to fetch
        read(url, cache_dir=tmp_path)
    assert _files(tmp_path) == []


def test_malformed_urls_exit_2_with_one_line_through_the_cli(cli, tmp_path):
    bill = tmp_path / "b.txt"
    bill.write_bytes(BODY)
    env = {"BILLDIFF_CACHE_DIR": str(tmp_path / "cache"), "BILLDIFF_RETRIES": "0"}
    for url in [*MALFORMED, "http://h:0/x"]:
        r = cli("compare", url, str(bill), env=env, timeout=60)
        err = r.stderr.decode()
        assert r.returncode == 2, (url, err)
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert "not a valid URL" in err and "internal error" not in err, err
    assert _files(tmp_path / "cache") == []


def test_manifest_with_a_malformed_url_is_an_input_error(tmp_path):
    p = tmp_path / "m.toml"
    p.write_text(
        '[[doc]]\nid = "t-1"\nstate = "X"\nbill = "B"\nversion = "v"\n'
        '[[doc.files]]\nurl = "http://[::1/x.htm"\nformat = "html"\n'
    )
    with pytest.raises(InputError, match="not a valid URL"):
        load_manifest(p)


def test_spaces_and_non_ascii_in_the_path_are_encoded_not_fatal(hostile, tmp_path):
    # http.client refuses both as written; the request goes out percent-encoded
    got = fetch(f"{hostile.base}/ok/Senate Bills/§ 5376.txt", cache_dir=tmp_path, retries=0)
    assert got.path.read_bytes() == BODY
    assert hostile.hits["/ok/Senate%20Bills/%C2%A7%205376.txt"] == 1


# ----------------------------------------------------------------------------- redirects


def test_redirect_to_ftp_is_refused_and_ftp_never_contacted(hostile, tmp_path):
    with pytest.raises(FetchError) as e:
        fetch(f"{hostile.base}/to-ftp", cache_dir=tmp_path, retries=2, timeout=3)
    msg = str(e.value)
    assert f"ftp://127.0.0.1:{hostile.ftp_port}/BILLS-1.pdf" in msg and "not http(s)" in msg
    assert hostile.hits["/to-ftp"] == 1  # refused for good, not retried
    time.sleep(0.2)
    assert not hostile.ftp_contacted()
    assert _files(tmp_path) == []


def test_redirect_to_ftp_exits_2_through_the_cli(cli, hostile, tmp_path):
    bill = tmp_path / "b.txt"
    bill.write_bytes(BODY)
    r = cli(
        "compare",
        f"{hostile.base}/to-ftp",
        str(bill),
        env={"BILLDIFF_CACHE_DIR": str(tmp_path / "c"), "BILLDIFF_TIMEOUT": "3"},
        timeout=60,
    )
    err = r.stderr.decode()
    assert r.returncode == 2 and err.count("\n") == 1 and "ftp://127.0.0.1" in err, err
    assert not hostile.ftp_contacted()


@pytest.mark.parametrize(
    ("path", "says"),
    [("/to-file", "file:///etc/passwd"), ("/to-malformed", "http://[::1")],
)
def test_redirect_to_other_schemes_or_malformed_urls_is_refused(hostile, tmp_path, path, says):
    with pytest.raises(FetchError) as e:
        fetch(hostile.base + path, cache_dir=tmp_path, retries=0, timeout=3)
    assert says in str(e.value) and "internal" not in str(e.value)


def test_redirects_are_followed_up_to_the_bound(hostile, tmp_path):
    got = fetch(f"{hostile.base}/hop/{MAX_REDIRECTS}", cache_dir=tmp_path, retries=0)
    assert got.path.read_bytes() == BODY and hostile.hits["/hop/0"] == 1
    assert all(a.startswith("billdiff/") for a in hostile.agents)  # every hop says who asks
    with pytest.raises(FetchError, match=f"more than {MAX_REDIRECTS} redirects"):
        fetch(f"{hostile.base}/hop/{MAX_REDIRECTS + 1}", cache_dir=tmp_path, retries=0)
    assert hostile.hits["/hop/0"] == 1  # the end of a chain one hop too long is never asked


def test_redirect_loop_is_refused_after_the_bound(hostile, tmp_path):
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="redirects") as e:
        fetch(f"{hostile.base}/loop", cache_dir=tmp_path, retries=3)
    assert "/loop" in str(e.value) and time.monotonic() - t0 < 5
    assert hostile.hits["/loop"] == MAX_REDIRECTS + 1  # one request, five hops; no retry
    assert _files(tmp_path) == []


# ------------------------------------------------------------------------- size limit


@pytest.mark.parametrize("path", ["/big-length", "/big-chunked", "/big-close"])
def test_body_over_the_limit_is_refused_and_nothing_kept(hostile, tmp_path, low_limit, path):
    url = hostile.base + path
    with pytest.raises(LimitError) as e:
        fetch(url, cache_dir=tmp_path, retries=2, timeout=5)
    msg = str(e.value)
    assert "over the limit of 1 MiB" in msg and "BILLDIFF_MAX_DOWNLOAD_MB" in msg, msg
    assert e.value.limit_name == "download_bytes" and "\n" not in msg
    assert hostile.hits[path] == 1  # not retried: it would be as big the next time
    assert not cache_path(url, tmp_path).exists() and _files(tmp_path) == []


def test_the_same_body_under_the_default_limit_is_kept(hostile, tmp_path):
    got = fetch(f"{hostile.base}/big-chunked?default", cache_dir=tmp_path, retries=0)
    assert got.path.stat().st_size == BIG


def test_announced_length_is_refused_before_reading(hostile, tmp_path, low_limit):
    t0 = time.monotonic()
    with pytest.raises(LimitError, match="announces 300 MiB"):
        fetch(f"{hostile.base}/announce-huge", cache_dir=tmp_path, retries=0, timeout=10)
    assert time.monotonic() - t0 < 2  # the stalled body was never waited for
    assert _files(tmp_path) == []


def test_odd_content_lengths_are_no_crash(hostile, tmp_path):
    with pytest.raises(LimitError, match="announces"):  # 5,000 digits: over any limit
        fetch(f"{hostile.base}/odd-length/long", cache_dir=tmp_path, retries=0, timeout=3)
    # "²" is a digit to str.isdigit but not to int(): no length, so the body runs to the close
    got = fetch(f"{hostile.base}/odd-length/super", cache_dir=tmp_path, retries=0, timeout=3)
    assert got.path.read_bytes() == BODY


def test_endless_body_is_cut_at_the_limit(hostile, tmp_path, low_limit):
    t0 = time.monotonic()
    with pytest.raises(LimitError):
        fetch(f"{hostile.base}/endless", cache_dir=tmp_path, retries=0, timeout=5)
    assert time.monotonic() - t0 < 10
    assert _files(tmp_path) == []


def test_body_over_the_limit_exits_2_through_the_cli(cli, hostile, tmp_path):
    bill = tmp_path / "b.txt"
    bill.write_bytes(BODY)
    cache = tmp_path / "cache"
    for path in ("/big-length?cli", "/big-chunked?cli"):
        r = cli(
            "compare",
            hostile.base + path,
            str(bill),
            env={"BILLDIFF_CACHE_DIR": str(cache), "BILLDIFF_MAX_DOWNLOAD_MB": "1"},
            timeout=60,
        )
        err = r.stderr.decode()
        assert r.returncode == 2 and err.count("\n") == 1, err
        assert "BILLDIFF_MAX_DOWNLOAD_MB" in err and "over the limit of 1 MiB" in err, err
    assert _files(cache) == []


# ----------------------------------------------------------------------------- corpus


def _manifest(tmp_path, base, tag) -> Path:
    """Two small bills around one too big; ``tag`` keeps each test's URLs its own."""
    docs = [("t-a", "/ok/a.txt"), ("t-huge", "/big-chunked"), ("t-b", "/ok/b.txt")]
    p = tmp_path / "hostile.toml"
    p.write_text(
        '[manifest]\nname = "hostile"\n\n'
        + "".join(
            f'[[doc]]\nid = "{i}"\nstate = "X"\nbill = "B"\nversion = "v"\n\n'
            f'[[doc.files]]\nurl = "{base}{path}?{tag}"\nformat = "txt"\n\n'
            for i, path in docs
        )
    )
    return p


def test_corpus_fetch_reports_the_oversize_document_and_keeps_the_rest(
    hostile, tmp_path, low_limit
):
    cache = tmp_path / "cache"
    rep = fetch_corpus(
        load_manifest(_manifest(tmp_path, hostile.base, "lib")),
        cache_dir=cache,
        min_interval=0.0,
        timeout=5,
        retries=1,
    )
    st = {i.id: i for i in rep.items}
    for ok in ("t-a", "t-b"):
        assert st[ok].status == "fetched" and st[ok].path.read_bytes() == BODY
    huge = st["t-huge"]
    assert huge.status == "failed" and not huge.available
    assert "over the limit of 1 MiB" in huge.why and "BILLDIFF_MAX_DOWNLOAD_MB" in huge.why
    assert rep.not_had == [("t-huge", huge.why)] and rep.exit_code == 0
    kept = {st[i].path for i in ("t-a", "t-b")}
    notes = {p.with_name(p.name + ".fetch") for p in kept}
    assert set(_files(cache)) == kept | notes  # nothing of the big one, not even a part


def test_corpus_fetch_cli_lists_the_oversize_document(cli, hostile, tmp_path):
    r = cli(
        "corpus",
        "fetch",
        str(_manifest(tmp_path, hostile.base, "cli")),
        "--no-index",
        "--min-interval",
        "0",
        "--cache-dir",
        str(tmp_path / "cache"),
        env={"BILLDIFF_MAX_DOWNLOAD_MB": "1"},
        timeout=60,
    )
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()
    assert "2 of 3 documents available" in out, out
    assert "not had — over the limit of 1 MiB" in out and "t-huge" in out, out


def test_a_429_waits_what_retry_after_asks_then_downloads(hostile, tmp_path):
    t0 = time.perf_counter()
    got = fetch(f"{hostile.base}/busy/2/bill.txt", cache_dir=tmp_path, retries=2)
    assert got.path.read_bytes() == BODY and hostile.hits["/busy/2/bill.txt"] == 2
    assert 2.0 <= time.perf_counter() - t0 < 6.0  # the server's 2 s, not the 0.5 s backoff


def test_a_429_asking_for_an_hour_is_one_error_at_once(hostile, tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(FetchError) as err:
        fetch(f"{hostile.base}/busy/3600/bill.txt", cache_dir=tmp_path, retries=3)
    assert time.perf_counter() - t0 < 2.0 and hostile.hits["/busy/3600/bill.txt"] == 1
    assert "asks to wait 3,600 s" in str(err.value) and "\n" not in str(err.value)
    assert _files(tmp_path) == []
