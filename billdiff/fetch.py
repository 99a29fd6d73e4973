"""Download official documents once: cache, mirror folder, retries, integrity.

- ``mirror``: a folder of already-downloaded files (searched recursively) whose file named
  ``<id>.<ext>`` or ``<url basename>`` answers instead of the network — how tests, CI and
  machines without network run.
- cache: ``default_cache_dir()`` (``$BILLDIFF_CACHE_DIR`` or ``~/.cache/billdiff``)/http/;
  written atomically (temporary file + rename) so an interrupted download never leaves a
  partial file; a ``.fetch`` note beside it keeps the URL, content type and sha256.
- network: stdlib urllib, ``User-Agent: billdiff/<version>``, a timeout, retries with
  exponential backoff on time-outs, connection errors, 429 and 5xx (a 429 or 503 with
  ``Retry-After`` waits what it asks, up to ``RETRY_AFTER_MAX``; longer is an error at once);
  a body shorter than its Content-Length is refused. 4xx other than 429 fail at once.
- hostile input: a URL that does not parse, has no host or a port out of range is refused
  before any network use (``check_url``); redirects are followed to http(s) only, at most
  ``MAX_REDIRECTS`` times; a body over ``limits.current().download_bytes`` is refused from
  its Content-Length, or aborted as soon as it passes the limit (``LimitError``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from ._version import __version__
from .errors import FetchError

USER_AGENT = f"billdiff/{__version__}"
MAX_REDIRECTS = 5  # hops followed for one request; the next one is refused
_last_request: dict[str, float] = {}  # host -> monotonic time of the last request


@dataclass(frozen=True)
class Fetched:
    path: Path
    url: str
    sha256: str
    content_type: str = ""
    from_cache: bool = False
    from_mirror: bool = False


def default_cache_dir() -> Path:
    env = os.environ.get("BILLDIFF_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "billdiff"


def is_url(source) -> bool:
    return isinstance(source, str) and re.match(r"^https?://", source, re.I) is not None


def url_basename(url: str) -> str:
    try:
        path = urlsplit(url).path
    except ValueError:  # not a URL urllib can parse: ``fetch`` says so; no name here
        return ""
    name = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:120]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,63}$")


def check_url(url: str) -> None:
    """Refuse, before any network use, an http(s) URL that cannot be fetched as written: one
    urllib cannot parse, with no host, a malformed host name, or a port outside 1-65535."""
    if not is_url(url):
        raise FetchError(
            "not an http(s) URL",
            path=str(url),
            hint="give an http:// or https:// address, or a path to a file",
        )

    def bad(what: str, hint: str = "check the address") -> FetchError:
        return FetchError(f"not a valid URL ({what})", path=_short(url, 500), hint=hint)

    if _CONTROL.search(url):
        raise bad("it contains a control character", "remove the line break, tab or the like")
    try:
        parts = urlsplit(url)
        port = parts.port  # parsed lazily: out of range or not a number raises here
    except ValueError as err:
        hint = "a port is a number from 1 to 65535" if "Port" in str(err) else "check the address"
        raise bad(str(err), hint) from None
    host = parts.hostname or ""
    if not host:
        raise bad("no host name", "give the whole address, e.g. https://www.govinfo.gov/...")
    if port == 0:
        raise bad("port 0", "give a port from 1 to 65535, or none")
    if "[" in parts.netloc:
        return  # a bracketed IPv6 literal: urlsplit has checked it
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = ""
    labels = ascii_host.removesuffix(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(x) for x in labels):
        raise bad(
            f"the host name {host!r} is not valid",
            "a host name has only letters, digits, '-' and '.'",
        )


def _wire_url(url: str) -> str:
    """``url`` as sent: spaces and non-ASCII characters of the path and query percent-encoded
    (http.client refuses both); the cache and the messages keep the URL as given."""
    if url.isascii() and " " not in url:
        return url
    p = urlsplit(url)
    host = p.hostname or ""
    netloc = p.netloc
    if not host.isascii():  # an internationalised name goes out in its xn-- form
        userinfo = netloc.rpartition("@")[0]
        netloc = "".join(
            (
                f"{userinfo}@" if userinfo else "",
                host.encode("idna").decode("ascii"),
                f":{p.port}" if p.port is not None else "",
            )
        )
    safe = "!#$%&'()*+,-./:;=?@[]~_"
    return urlunsplit(
        (p.scheme, netloc, quote(p.path, safe=safe), quote(p.query, safe=safe), p.fragment)
    )


def sha256_file(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def find_in_mirror(mirror, url: str, id: str | None = None) -> Path | None:
    """The mirror's copy of ``url``: ``<url basename>`` or ``<id>.<ext>``, anywhere below."""
    root = Path(mirror)
    if not root.is_dir():
        raise FetchError(
            "the mirror folder does not exist",
            path=str(mirror),
            hint="pass --mirror DIR with a folder of downloaded files",
        )
    base = url_basename(url)
    names = [n for n in (base,) if n]
    if id:
        ext = Path(base).suffix
        names += [f"{id}{ext}"] if ext else []
        names += [f"{id}.pdf", f"{id}.htm", f"{id}.html", f"{id}.txt"]
    for n in names:
        direct = root / n
        if direct.is_file():
            return direct
    for n in names:
        for hit in sorted(root.rglob(n)):
            if hit.is_file():
                return hit
    return _by_sidecar_source(root, url)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _by_sidecar_source(root: Path, url: str) -> Path | None:
    """A mirror file whose sidecar names the URL's file as its source (the corpus keeps GPO's
    ``BILLS-117hr2008ih.pdf`` as ``us-117-hr2008-ih.pdf`` with that name in its sidecar).
    When several match, the one whose source path shares most folders with the URL wins."""
    path = unquote(urlsplit(url).path)
    base = path.rstrip("/").rsplit("/", 1)[-1]
    ext = Path(base).suffix.lower()
    if not base or not ext:
        return None
    url_parts = {p.lower() for p in path.split("/") if p}
    best: tuple[int, str, Path] | None = None
    for side in sorted(root.rglob("*.json")):
        try:
            if side.stat().st_size > 1_000_000:
                continue
            raw = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(raw, dict) or "source" not in raw:
            continue
        for s in _strings(raw["source"]):
            if s.rstrip("/").rsplit("/", 1)[-1] != base:
                continue
            # a GPO .htm is a <pre> around the text: the corpus keeps it as .txt
            exts = (".htm", ".html", ".txt") if ext in (".htm", ".html") else (ext,)
            copy = next((side.with_suffix(e) for e in exts if side.with_suffix(e).is_file()), None)
            if copy is None:
                continue
            score = len(url_parts & {p.lower() for p in s.split("/") if p})
            if best is None or score > best[0]:
                best = (score, str(copy), copy)
    return best[2] if best else None


def cache_path(url: str, cache_dir=None) -> Path:
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    h = hashlib.sha256(url.encode()).hexdigest()[:16]
    return root / "http" / f"{h}-{url_basename(url) or 'index'}"


def fetch(
    url: str,
    *,
    cache_dir=None,
    offline: bool = False,
    mirror=None,
    timeout: float = 30,
    retries: int = 3,
    min_interval: float = 0.0,
    id: str | None = None,
) -> Fetched:
    """Return a local copy of ``url`` (mirror, then cache, then the network)."""
    check_url(url)
    if mirror is not None:
        hit = find_in_mirror(mirror, url, id)
        if hit is not None:
            return Fetched(hit, url, sha256_file(hit), _guess_type(hit), False, True)
    target = cache_path(url, cache_dir)
    note = target.with_name(target.name + ".fetch")
    if target.is_file():
        ctype = ""
        try:
            ctype = json.loads(note.read_text()).get("content_type", "")
        except (OSError, ValueError):
            pass
        return Fetched(target, url, sha256_file(target), ctype, True, False)
    if offline:
        where = f" in {mirror}" if mirror is not None else ""
        raise FetchError(
            f"offline and no mirror copy of {url}{where}",
            path=url,
            hint="pass --mirror DIR with the file, or go online",
        )
    return _download(url, target, note, timeout=timeout, retries=retries, min_interval=min_interval)


def _guess_type(path: Path) -> str:
    return {
        ".pdf": "application/pdf",
        ".htm": "text/html",
        ".html": "text/html",
        ".txt": "text/plain",
    }.get(path.suffix.lower(), "")


def _opener():
    """urllib with http(s) only (no ftp:, file: or data: handler) and bounded redirects."""
    import urllib.request as ur

    class Redirects(ur.HTTPRedirectHandler):
        # the stdlib's own loop guards stay out of the way of MAX_REDIRECTS
        max_repeats = max_redirections = MAX_REDIRECTS + 1

        def redirect_request(self, req, fp, code, msg, headers, newurl):
            origin = getattr(req, "billdiff_origin", req.full_url)
            hops = getattr(req, "billdiff_hops", 0) + 1
            why, shown = "", _short(newurl)
            if urlsplit(newurl).scheme.lower() not in ("http", "https"):
                why = f"redirected to {shown}, which is not http(s)"
            elif hops > MAX_REDIRECTS:
                why = f"more than {MAX_REDIRECTS} redirects (the last to {shown})"
            else:
                try:
                    check_url(newurl)
                except FetchError as err:
                    why = f"redirected to {shown}: {err.message}"
            if why:
                fp.close()
                raise FetchError(
                    why, path=origin, hint="only http(s) redirects are followed; check the URL"
                )
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
            if new is not None:
                new.billdiff_origin, new.billdiff_hops = origin, hops
                fp.close()  # the body of a redirect is never read (it may be endless)
            return new

        def http_error_302(self, req, fp, code, msg, headers):
            try:
                return super().http_error_302(req, fp, code, msg, headers)
            except ValueError as err:  # a Location urllib cannot parse
                fp.close()
                where = _short(headers.get("location") or headers.get("uri") or "")
                raise FetchError(
                    f"redirected to a malformed URL {where} ({err})",
                    path=getattr(req, "billdiff_origin", req.full_url),
                    hint="the server's redirect is broken; check the URL",
                ) from None

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    opener = ur.OpenerDirector()
    for handler in (
        ur.ProxyHandler(),
        ur.UnknownHandler(),
        ur.HTTPHandler(),
        ur.HTTPSHandler(),
        ur.HTTPDefaultErrorHandler(),
        Redirects(),
        ur.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _short(url: str, most: int = 200) -> str:
    """A URL from a server, fit for a one-line message: control characters escaped, cut."""
    url = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", url)
    return url if len(url) <= most else url[: most - 1] + "…"


RETRY_AFTER_MAX = 60.0  # seconds a download waits for a server's Retry-After, at most


def retry_after(value) -> float:
    """Seconds from a Retry-After header (a number or an HTTP date); 1 when absent or odd."""
    if not value:
        return 1.0
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, when.timestamp() - time.time())


def _download(url, target: Path, note: Path, *, timeout, retries, min_interval) -> Fetched:
    import urllib.error
    import urllib.request

    from .limits import current

    max_bytes = current().download_bytes
    opener = _opener()
    last: FetchError | None = None
    asked: float | None = None  # the server's Retry-After, for the next attempt
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(asked if asked is not None else min(0.5 * 2 ** (attempt - 1), 8.0))
            asked = None
        _polite(url, min_interval)
        req = urllib.request.Request(
            _wire_url(url), headers={"User-Agent": USER_AGENT, "Accept": "*/*"}
        )
        req.billdiff_origin = url
        try:
            with opener.open(req, timeout=timeout) as resp:
                ctype = resp.headers.get("Content-Type", "").split(";")[0].strip()
                expected = _length(resp.headers.get("Content-Length"))
                _check_announced(expected, url, max_bytes)
                sha, size = _stream_to(resp, target, url=url, max_bytes=max_bytes)
            if expected is not None and expected != size:
                target.unlink(missing_ok=True)
                last = FetchError(
                    f"download truncated (got {size} of {expected} bytes)",
                    path=url,
                    hint="try again later; the server cut the transfer short",
                )
                continue
            note.write_text(
                json.dumps(
                    {
                        "url": url,
                        "content_type": ctype,
                        "sha256": sha,
                        "bytes": size,
                        "fetched": time.time(),
                    }
                )
            )
            return Fetched(target, url, sha, ctype, False, False)
        except urllib.error.HTTPError as err:
            status = err.code
            if 300 <= status < 400:  # a redirect urllib itself refuses (file:, data:, …)
                raise FetchError(
                    f"redirect not followed (HTTP {status} {err.msg})",
                    path=url,
                    hint="only http(s) redirects are followed; check the URL",
                ) from None
            last = FetchError(
                f"the server answered HTTP {status} {err.reason}",
                path=url,
                hint="check the URL"
                if status in (404, 410)
                else "try again later, or use --offline --mirror DIR",
            )
            if status != 429 and status < 500:
                raise last from None
            if status in (429, 503) and err.headers.get("Retry-After"):
                asked = retry_after(err.headers.get("Retry-After"))
                if asked > RETRY_AFTER_MAX:
                    raise FetchError(
                        f"the server answered HTTP {status} and asks to wait {asked:,.0f} s "
                        "before trying again",
                        path=url,
                        hint="try again later, or use --offline --mirror DIR",
                    ) from None
        except TimeoutError:
            last = FetchError(
                f"timed out after {timeout:g} s ({attempt + 1} attempts)",
                path=url,
                hint="try again later, raise BILLDIFF_TIMEOUT, or use "
                "--offline --mirror DIR with a downloaded copy",
            )
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, TimeoutError):  # socket.timeout is TimeoutError
                last = FetchError(
                    f"timed out after {timeout:g} s ({attempt + 1} attempts)",
                    path=url,
                    hint="try again later, raise BILLDIFF_TIMEOUT, "
                    "or use --offline --mirror DIR with a downloaded copy",
                )
            else:
                last = FetchError(
                    f"cannot connect ({reason})",
                    path=url,
                    hint="check the address and the network, or use "
                    "--offline --mirror DIR with a downloaded copy",
                )
        except (ConnectionError, OSError) as err:
            if isinstance(err, _Truncated):
                last = FetchError(
                    f"download truncated ({err})",
                    path=url,
                    hint="try again later; the server cut the transfer short",
                )
            else:
                last = FetchError(
                    f"network error ({err.__class__.__name__}: {err})",
                    path=url,
                    hint="check the network, or use --offline --mirror DIR",
                )
    assert last is not None
    raise last


class _Truncated(OSError):
    pass


def _length(header: str | None) -> int | None:
    """A Content-Length as a number; None when absent or not plain ASCII digits. Past 18
    digits the size is beyond any limit, and ``int`` of a long enough string raises."""
    value = (header or "").strip()
    if not re.fullmatch(r"[0-9]+", value):
        return None
    return int(value) if len(value) <= 18 else 10**18


def _check_announced(length: int | None, url: str, max_bytes: int) -> None:
    """Refuse before reading a body whose Content-Length is over the download limit."""
    from .limits import LimitError, size

    if length is not None and length > max_bytes:
        got = f"the server announces {size(length)}"
        raise LimitError("download_bytes", path=url, got=got, limit=max_bytes)


def _stream_to(resp, target: Path, *, url: str = "", max_bytes: int = 0) -> tuple[str, int]:
    """Copy the body to ``target`` atomically; (sha256, size). Past ``max_bytes`` (when
    given) the copy stops at once, the partial file is removed and LimitError raised."""
    import http.client
    import tempfile

    from . import limits

    target.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                try:
                    chunk = resp.read(1 << 16)
                except http.client.IncompleteRead as err:
                    raise _Truncated(
                        f"got {size + len(err.partial)} bytes, expected {err.expected} more"
                    ) from None
                if not chunk:
                    break
                if max_bytes and size + len(chunk) > max_bytes:
                    got = "the download was stopped there"
                    raise limits.LimitError("download_bytes", path=url, got=got, limit=max_bytes)
                h.update(chunk)
                size += len(chunk)
                out.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return h.hexdigest(), size


def _polite(url: str, min_interval: float) -> None:
    if min_interval <= 0:
        return
    host = urlsplit(url).netloc
    wait = _last_request.get(host, 0.0) + min_interval - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    _last_request[host] = time.monotonic()
