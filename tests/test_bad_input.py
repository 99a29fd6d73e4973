"""Issue 2 §5: every kind of bad input gives exit 2 and one line `error: …` naming the file
and what to do — never a traceback. Through the real entry point (python -m billdiff).

Inputs are generated here (SYNTHETIC); URLs point at a local server on 127.0.0.1 only."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from test_ingest_pdfgen import encrypted_pdf, image_only_pdf, plain_pdf


@pytest.fixture
def good(tmp_path):
    p = tmp_path / "good.txt"
    p.write_text("SYNTHETIC bill. Sec. 1. The fee is ten dollars per permit issued.\n")
    return str(p)


def check(res, name: str, *needles: str) -> str:
    err = res.stderr.decode("utf-8", "replace")
    assert res.returncode == 2, (res.returncode, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert name in lines[0], err
    for n in needles:
        assert n in lines[0], err
    return lines[0]


def test_missing_file(cli, good, tmp_path):
    bad = str(tmp_path / "nope.pdf")
    check(cli("compare", bad, good), bad, "no such file", "check the path")


def test_directory(cli, good, tmp_path):
    d = tmp_path / "bills"
    d.mkdir()
    check(cli("compare", str(d), good), str(d), "directory")


def test_empty_file(cli, good, tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    check(cli("compare", str(p), good), str(p), "empty")


def test_whitespace_only_file(cli, good, tmp_path):
    p = tmp_path / "blank.txt"
    p.write_bytes(b"  \n\n\t \n")
    check(cli("compare", str(p), good), str(p), "empty")


def test_binary_file(cli, good, tmp_path):
    p = tmp_path / "photo.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    check(cli("compare", str(p), good), str(p), "PNG image", ".pdf")


def test_binary_without_extension(cli, good, tmp_path):
    p = tmp_path / "blob"
    p.write_bytes(bytes(range(256)) * 16)
    check(cli("compare", str(p), good), str(p), "binary file")


def test_image_only_pdf(cli, good, tmp_path):
    p = image_only_pdf(tmp_path / "scan.pdf")
    check(cli("compare", str(p), good), str(p), "no text layer", "run OCR first", "ocrmypdf")


def test_encrypted_pdf(cli, good, tmp_path):
    p = encrypted_pdf(tmp_path / "locked.pdf")
    check(cli("compare", str(p), good), str(p), "encrypted")


def test_truncated_pdf(cli, good, tmp_path):
    whole = plain_pdf(tmp_path / "whole.pdf", ["SYNTHETIC bill text line one."] * 5)
    p = tmp_path / "truncated.pdf"
    data = whole.read_bytes()
    p.write_bytes(data[: len(data) // 3])
    check(cli("compare", str(p), good), str(p), "truncated or corrupt")


def test_corrupt_pdf(cli, good, tmp_path):
    p = tmp_path / "corrupt.pdf"
    p.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 500)
    check(cli("compare", str(p), good), str(p), "PDF")


def test_unsupported_extension(cli, good, tmp_path):
    p = tmp_path / "bill.docx"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    check(cli("compare", str(p), good), str(p), "unsupported file type '.docx'", "PDF")


def test_undecodable_text(cli, good, tmp_path):
    import random

    rnd = random.Random(3)
    p = tmp_path / "garbled.txt"
    p.write_bytes(bytes(rnd.randrange(0x80, 0x100) for _ in range(4000)))
    check(cli("compare", str(p), good), str(p), "encoding", "UTF-8")


def test_bad_second_file_is_named_too(cli, good, tmp_path):
    bad = str(tmp_path / "missing-b.htm")
    check(cli("compare", good, bad), bad, "no such file")


# --- URLs ---------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):  # noqa: N802
        if self.path == "/slow.pdf":
            time.sleep(3)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _env(tmp_path, **kw):
    env = {"BILLDIFF_CACHE_DIR": str(tmp_path / "cache"), "BILLDIFF_RETRIES": "0"}
    env.update(kw)
    return env


def test_unreachable_url(cli, good, tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{s.getsockname()[1]}/bill.pdf"
    s.close()
    check(cli("compare", url, good, env=_env(tmp_path)), url, "cannot connect", "--mirror")


def test_url_404(cli, good, tmp_path, server):
    url = f"{server}/BILLS-117hr1ih.pdf"
    check(cli("compare", url, good, env=_env(tmp_path)), url, "HTTP 404", "check the URL")


def test_url_timeout(cli, good, tmp_path, server):
    url = f"{server}/slow.pdf"
    t0 = time.monotonic()
    res = cli("compare", url, good, env=_env(tmp_path, BILLDIFF_TIMEOUT="0.5"))
    check(res, url, "timed out")
    assert time.monotonic() - t0 < 15


def test_offline_without_mirror_copy(cli, good, tmp_path):
    url = "https://www.govinfo.gov/content/pkg/BILLS-117hr9999ih/pdf/BILLS-117hr9999ih.pdf"
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    res = cli("compare", "--offline", "--mirror", str(mirror), url, good, env=_env(tmp_path))
    check(res, url, "offline and no mirror copy", "pass --mirror DIR with the file")
    res = cli("compare", "--offline", url, good, env=_env(tmp_path))
    check(res, url, "offline and no mirror copy")


def test_machine_errors_get_one_line_with_what_to_do():
    """Disk full, a locked or read-only index, no permission: the machine's fault, said in
    one line with what to do (exit 2), not reported as a billdiff bug."""
    import errno
    import sqlite3

    from billdiff.cli import environment_error

    full = environment_error(sqlite3.OperationalError("database or disk is full"))
    assert "disk is full" in full and "free some space" in full
    assert "another billdiff" in environment_error(sqlite3.OperationalError("database is locked"))
    ro = environment_error(sqlite3.OperationalError("attempt to write a readonly database"))
    assert "read-only" in ro
    assert "free some space" in environment_error(OSError(errno.ENOSPC, "No space left"))
    assert "permission" in environment_error(PermissionError(errno.EACCES, "Permission denied"))
    assert environment_error(ValueError("a bug")) == ""
    assert environment_error(sqlite3.OperationalError("no such column: x")) == ""
