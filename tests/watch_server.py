"""An Open States API v3-shaped server on 127.0.0.1 for the watch tests (http.server in a
thread). It serves ``/bills`` as paginated JSON (``results`` + ``pagination``) with rate-limit
headers, answers the first request for page 2 with 429 + Retry-After and the first for page
3 with 500, needs the key in X-API-KEY, filters by ``updated_since`` and ``jurisdiction``.
Version links point back at it (``/files/<name>``): real bill texts read from
../shared/corpus, and the faults a legislature's site has: a dead link, a download cut
short, an HTML error page, a PDF without text, an unknown format, a slow answer."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KEY = "test-key-0123456789"

# SYNTHETIC: what a legislature's web server sends when something is wrong
ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>"
    b"<h1>503 Service Unavailable</h1><p>The server is temporarily unable to service your "
    b"request due to maintenance downtime. Please try again later.</p></body></html>"
)
DOCX = b"PK\x03\x04" + b"\x00" * 200  # SYNTHETIC: the start of a zip (a .docx), no bill


class State:
    def __init__(self):
        self.bills: list[dict] = []
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[tuple[str, dict, dict]] = []  # (path, query, headers)
        self.once: set[str] = set()  # faults already served once
        self.retry_after = "0"  # seconds the 429 asks to wait
        self.always_429 = False
        self.slow = 0.4
        self.posts: list[tuple[str, bytes]] = []  # (path, body) of webhook POSTs
        self.lock = threading.Lock()


def make_handler(st: State):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def _send(self, code, body: bytes, ctype: str, extra=None, length=None):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            parts = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(parts.query).items()}
            with st.lock:
                st.requests.append((parts.path, q, {k.lower(): v for k, v in self.headers.items()}))
            if parts.path == "/bills":
                return self._bills(q)
            if parts.path.startswith("/files/"):
                return self._file(parts.path[len("/files/") :])
            return self._send(404, b"not found", "text/plain")

        def do_POST(self):  # the webhook
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with st.lock:
                st.posts.append((self.path, body))
            code = 404 if self.path.startswith("/dead") else 204
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _once(self, name: str) -> bool:
            with st.lock:
                if name in st.once:
                    return False
                st.once.add(name)
                return True

        def _bills(self, q):
            if self.headers.get("X-API-KEY") != KEY:
                body = json.dumps({"detail": "Invalid API Key."}).encode()
                return self._send(401, body, "application/json")
            rate = {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9"}
            page = int(q.get("page", 1))
            if st.always_429 or (page == 2 and self._once("429")):
                h = {"Retry-After": st.retry_after, "X-RateLimit-Remaining": "0"}
                return self._send(429, b'{"detail": "rate limit"}', "application/json", h)
            if page == 3 and self._once("500"):
                return self._send(500, b"Internal Server Error", "text/plain")
            bills = [
                b
                for b in st.bills
                if b["updated_at"] >= q.get("updated_since", "")
                and q.get("jurisdiction") in ("wa", "Washington", b["jurisdiction"]["id"])
            ]
            per = int(q.get("per_page", 10))
            max_page = max(1, -(-len(bills) // per))
            body = {
                "results": bills[(page - 1) * per : page * per],
                "pagination": {
                    "per_page": per,
                    "page": page,
                    "max_page": max_page,
                    "total_items": len(bills),
                },
            }
            return self._send(200, json.dumps(body).encode(), "application/json", rate)

        def _file(self, name: str):
            if name.startswith("dead"):
                return self._send(404, b"<html><body>Not Found</body></html>", "text/html")
            if name not in st.files:
                return self._send(404, b"not found", "text/plain")
            body, ctype = st.files[name]
            if name.startswith("slow"):
                time.sleep(st.slow)
            if name.startswith("trunc"):  # announces the whole, sends a third
                return self._send(200, body[: len(body) // 3], ctype, length=len(body))
            return self._send(200, body, ctype)

    return Handler


class Server:
    def __init__(self):
        self.state = State()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_file(self, name: str, body: bytes, ctype: str) -> str:
        self.state.files[name] = (body, ctype)
        return f"{self.url}/files/{name}"

    def add_bill(self, ident: str, session: str, updated_at: str, versions, title="") -> dict:
        """versions: [(note, date, url, media_type)]. Shaped as Open States API v3 /bills."""
        bill = {
            "id": f"ocd-bill/{ident.lower().replace(' ', '')}-{session}",
            "session": session,
            "jurisdiction": {
                "id": "ocd-jurisdiction/country:us/state:wa/government",
                "name": "Washington",
                "classification": "state",
            },
            "identifier": ident,
            "title": title or f"{ident} (served by the test server)",
            "classification": ["bill"],
            "updated_at": updated_at,
            "openstates_url": f"https://openstates.org/wa/bills/{session}/{ident}/",
            "versions": [
                {"note": n, "date": d, "links": [{"url": u, "media_type": m}]}
                for n, d, u, m in versions
            ],
        }
        self.state.bills.append(bill)
        return bill

    def bill_requests(self):
        return [(q, h) for p, q, h in self.state.requests if p == "/bills"]
