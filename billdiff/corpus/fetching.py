"""Getting the documents of a manifest: mirror folder → cache → network (billdiff.fetch),
politely, resumably, reporting what could not be had."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import FetchError, InputError
from ..limits import LimitError
from ..model import Metadata
from ..plural import count
from .manifest import _EXTS, _MIRROR_EXTS, Entry, Manifest, load_manifest


@dataclass(frozen=True)
class FetchItem:
    """What happened to one manifest entry."""

    id: str
    status: str  # fetched | cached | mirror | failed | unidentified | offline
    path: Path | None = None
    url: str = ""
    sha256: str = ""
    expected_sha256: str = ""
    error: str = ""
    warning: str = ""
    meta: Metadata | None = None
    format: str = ""  # txt | html | pdf | xml of the file at ``path``

    @property
    def available(self) -> bool:
        return self.path is not None

    @property
    def why(self) -> str:
        """Why the document could not be had, in a few words ('' when it was)."""
        if self.available:
            return ""
        if self.status == "unidentified":
            return "no official text identified yet (the manifest has no URL for it)"
        if self.status == "offline":
            return "offline, and neither the cache nor the mirror holds it"
        first = self.error.split(" | ")[0]
        msg = first.split(": ", 1)[1] if first.startswith("http") and ": " in first else first
        if any(k in msg for k in _NO_NETWORK):
            return "the official site could not be reached (no network?), and no mirror holds it"
        return msg or self.status


_NO_NETWORK = (
    "does not resolve",
    "Name or service not known",
    "no host name resolved",
    "could not be reached",
    "cannot connect",
    "timed out",
    "Temporary failure in name resolution",
)


def missing_summary(missing: list[tuple[str, str]]) -> list[str]:
    """(id, why) pairs → one line per reason: '14 documents not had — why: id, id, …'."""
    groups: dict[str, list[str]] = {}
    for doc_id, why in missing:
        groups.setdefault(why, []).append(doc_id)
    return [
        f"{count(len(ids), 'document')} not had — {why}: {', '.join(ids)}"
        for why, ids in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


@dataclass(frozen=True)
class FetchReport:
    manifest: str
    items: tuple[FetchItem, ...]
    cache_dir: Path | None = None
    mirror: Path | None = None

    @property
    def available(self) -> tuple[FetchItem, ...]:
        return tuple(i for i in self.items if i.available)

    @property
    def missing(self) -> tuple[FetchItem, ...]:
        return tuple(i for i in self.items if not i.available and i.status != "unidentified")

    @property
    def not_had(self) -> list[tuple[str, str]]:
        """(id, why) of every entry not available, unidentified ones included."""
        return [(i.id, i.why) for i in self.items if not i.available]

    @property
    def warnings(self) -> tuple[FetchItem, ...]:
        return tuple(i for i in self.items if i.warning)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def exit_code(self) -> int:
        """0 when at least one document is available (missing ones are listed), else 2."""
        return 0 if self.available else 2


# ----------------------------------------------------------------------------- mirror


def mirror_index(mirror: str | os.PathLike) -> dict[str, list[Path]]:
    """Every file under ``mirror`` (recursively), by stem; sorted for determinism."""
    root = Path(mirror)
    if not root.is_dir():
        raise InputError(
            "mirror is not a folder",
            path=str(root),
            hint="give a folder of <id>.<ext> files, e.g. ../shared/corpus",
        )
    out: dict[str, list[Path]] = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out.setdefault(p.stem, []).append(p)
    return out


def _mirror_pick(entry: Entry, found: list[Path]) -> tuple[Path | None, Path | None]:
    """(document file, sidecar) for an entry: the manifest's formats first, then any."""
    by_ext = {p.suffix.lower(): p for p in found}
    order = [e for f in entry.files for e in _EXTS[f.format]] + list(_MIRROR_EXTS)
    doc = next((by_ext[e] for e in order if e in by_ext), None)
    return doc, by_ext.get(".json")


def _expected_sha(entry: Entry, path: Path, fmt: str) -> str:
    for f in entry.files:
        if f.format == fmt and f.sha256:
            return f.sha256
    return entry.text_sha256 if fmt == "txt" else ""


def _merge_sidecar(meta: Metadata, sidecar: Path | None) -> Metadata:
    """Manifest facts win; the sidecar fills what the manifest leaves empty, and adds extras."""
    if sidecar is None:
        return meta
    try:
        side = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(
            f"sidecar is not valid JSON ({err})",
            path=str(sidecar),
            hint="fix or remove the .json file",
        ) from None
    if not isinstance(side, dict):
        return meta
    changes = {}
    for key in ("title", "state", "session", "bill", "version"):
        if not getattr(meta, key) and isinstance(side.get(key), str):
            changes[key] = side[key]
    if not meta.sponsors and isinstance(side.get("sponsors"), list):
        changes["sponsors"] = tuple(str(s) for s in side["sponsors"])
    extra = dict(meta.extra)
    for key in ("how_obtained", "completeness", "notes"):
        if isinstance(side.get(key), str) and key not in extra:
            extra[f"sidecar_{key}" if key == "notes" else key] = side[key]
    extra["sidecar"] = str(sidecar)
    changes["extra"] = tuple(sorted(extra.items()))
    return replace(meta, **changes)


# ----------------------------------------------------------------------------- fetching


def _fetch_fn():
    from ..fetch import fetch

    return fetch


class _Hosts:
    """Pause between requests to one host; stop asking a host that cannot be reached
    (a name that does not resolve at once; refused connections or time-outs twice)."""

    _DNS = (
        "name or service not known",
        "nodename nor servname",
        "name resolution",
        "no address associated",
        "getaddrinfo failed",
    )
    _DOWN = ("cannot connect", "refused", "unreachable", "timed out")

    def __init__(self, min_interval: float, give_up_after: int = 2, no_dns_after: int = 3):
        self.min_interval = min_interval
        self.give_up_after = give_up_after
        self.no_dns_after = no_dns_after  # this many unresolvable hosts, none answered: offline
        self.last: dict[str, float] = {}
        self.strikes: dict[str, int] = {}
        self.unresolved: set[str] = set()
        self.no_name: set[str] = set()  # host names found not to resolve before any request
        self.answered = 0

    def look_up(self, names, timeout: float = 10.0) -> None:
        """Resolve the host names in parallel threads; a name that does not resolve is given
        up at once (no request waits on it). A lookup still running after ``timeout`` is left
        to the fetch, which has its own timeout."""
        import socket
        from concurrent.futures import ThreadPoolExecutor, wait

        todo = sorted({n for n in names if n})
        if not todo:
            return

        def look(name: str):
            try:
                socket.getaddrinfo(name, None)
                return None
            except socket.gaierror as err:
                return err
            except (OSError, UnicodeError):
                return None  # not a DNS answer: let the fetch say what is wrong

        pool = ThreadPoolExecutor(max_workers=min(16, len(todo)))
        futures = {pool.submit(look, n): n for n in todo}
        done, _ = wait(futures, timeout=timeout)
        pool.shutdown(wait=False)
        for f in done:
            if f.result() is not None:
                self.no_name.add(futures[f])

    def wait(self, host: str) -> None:
        last = self.last.get(host)
        if last is not None:
            delay = self.min_interval - (time.monotonic() - last)
            if delay > 0:
                time.sleep(delay)
        self.last[host] = time.monotonic()

    def dead(self, host: str) -> bool:
        if (urlsplit(f"//{host}").hostname or host) in self.no_name:
            return True
        if not self.answered and len(self.unresolved) >= self.no_dns_after:
            return True  # no name resolves: the machine is offline
        return self.strikes.get(host, 0) >= self.give_up_after

    def failed(self, host: str, err: Exception) -> None:
        msg = str(err).lower()
        if any(s in msg for s in self._DNS):
            self.strikes[host] = self.give_up_after
            self.unresolved.add(host)
        elif any(s in msg for s in self._DOWN):
            self.strikes[host] = self.strikes.get(host, 0) + 1


def fetch_corpus(
    manifest: Manifest | str | os.PathLike,
    *,
    mirror: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    offline: bool = False,
    progress: Callable[[int, int, FetchItem], None] | None = None,
    min_interval: float = 1.0,
    timeout: float = 30.0,
    retries: int = 3,
    only: Iterable[str] | None = None,
) -> FetchReport:
    """Get every document of a manifest once; report what could not be had and go on.

    Order per document: mirror (``<id>.<ext>`` anywhere under ``mirror``) → cache → network
    (unless ``offline``). ``progress(done, total, item)`` is called after each document.
    """
    if not isinstance(manifest, Manifest):
        manifest = load_manifest(manifest)
    fetch = _fetch_fn()
    if cache_dir is None:
        cache_dir = _default_cache_dir()
    cache_dir = Path(cache_dir)
    stems = mirror_index(mirror) if mirror else {}
    hosts = _Hosts(min_interval)
    wanted = set(only) if only is not None else None
    docs = [d for d in manifest.docs if wanted is None or d.id in wanted]
    if not offline:  # every host name at once: no network shows in one lookup's time
        hosts.look_up(
            urlsplit(f.url).hostname or ""
            for d in docs
            if d.fetchable and d.id not in stems
            for f in d.files
        )
    items = []
    for n, entry in enumerate(docs, 1):
        item = _one(entry, stems, fetch, cache_dir, offline, hosts, timeout, retries)
        items.append(item)
        if progress:
            progress(n, len(docs), item)
    return FetchReport(
        manifest=manifest.name,
        items=tuple(items),
        cache_dir=cache_dir,
        mirror=Path(mirror) if mirror else None,
    )


def _default_cache_dir() -> Path:
    from ..fetch import default_cache_dir

    return Path(default_cache_dir())


def _checked(
    entry: Entry, status: str, path: Path, url: str, meta: Metadata, sha: str = "", fmt: str = ""
) -> FetchItem:
    from ..fetch import sha256_file

    sha = sha or sha256_file(path)
    fmt = fmt or _fmt_of(path)
    want = _expected_sha(entry, path, fmt)
    warn = (
        (
            f"sha256 {sha[:12]}… differs from the manifest's {want[:12]}… "
            "(the publisher may have changed the file)"
        )
        if want and want != sha
        else ""
    )
    meta = replace(
        meta,
        sha256=sha,
        source=url or str(path),
        format=fmt or meta.format,
        source_url=url or meta.source_url,
    )
    return FetchItem(
        id=entry.id,
        status=status,
        path=path,
        url=url,
        sha256=sha,
        expected_sha256=want,
        warning=warn,
        meta=meta,
        format=fmt,
    )


def _fmt_of(path: Path) -> str:
    ext = path.suffix.lower()
    return next((f for f, exts in _EXTS.items() if ext in exts), "")


def _one(entry, stems, fetch, cache_dir, offline, hosts, timeout, retries) -> FetchItem:
    if not entry.fetchable:
        return FetchItem(
            id=entry.id,
            status="unidentified",
            meta=entry.metadata(),
            error="not identified: " + "; ".join(r.claim or r.relation for r in entry.reported),
        )
    meta = entry.metadata()
    if entry.id in stems:
        doc, side = _mirror_pick(entry, stems[entry.id])
        if doc is not None:
            return _checked(entry, "mirror", doc, "", _merge_sidecar(meta, side))
    errors = []
    for f in entry.files:  # the cache first, for every URL: never refetch what we have
        try:
            got = fetch(f.url, cache_dir=cache_dir, offline=True)
            return _checked(entry, "cached", Path(got.path), f.url, meta, got.sha256, f.format)
        except FetchError:
            pass
    if offline:
        return FetchItem(
            id=entry.id,
            status="offline",
            meta=meta,
            error="not in the cache or the mirror, and --offline",
        )
    for f in entry.files:
        host = urlsplit(f.url).netloc
        if hosts.dead(host):
            why = (
                f"the name {urlsplit(f.url).hostname} does not resolve (no network?)"
                if urlsplit(f.url).hostname in hosts.no_name
                else f"{host} could not be reached earlier in this run"
                if host in hosts.strikes
                else "no host name resolved earlier in this run (offline?)"
            )
            errors.append(f"{f.url}: skipped, {why}")
            continue
        hosts.wait(host)
        try:
            got = fetch(
                f.url, cache_dir=cache_dir, timeout=timeout, retries=retries, min_interval=0.0
            )
        except FetchError as err:
            hosts.failed(host, err)
            errors.append(f"{f.url}: {getattr(err, 'message', err)}")
            continue
        except LimitError as err:  # too big to keep: this document only; say how to raise it
            errors.append(f"{f.url}: {err.message} — {err.hint}")
            continue
        hosts.answered += 1
        status = "cached" if getattr(got, "from_cache", False) else "fetched"
        return _checked(entry, status, Path(got.path), f.url, meta, got.sha256, f.format)
    return FetchItem(id=entry.id, status="failed", meta=meta, error=" | ".join(errors))


def cached_path(entry: Entry, *, cache_dir: str | os.PathLike | None = None) -> Path | None:
    """The cached file for an entry (no network), or None."""
    fetch = _fetch_fn()
    cache_dir = Path(cache_dir) if cache_dir else _default_cache_dir()
    for f in entry.files:
        try:
            return Path(fetch(f.url, cache_dir=cache_dir, offline=True).path)
        except FetchError:
            continue
    return None


def documents(
    report: FetchReport,
    *,
    read: Callable | None = None,
    problems: list[tuple[str, str]] | None = None,
) -> list:
    """Read every available document of a report: Documents carrying the manifest facts.

    XML renditions are skipped (no reader). A document that cannot be read raises InputError,
    or, when ``problems`` is a list, is left out and noted there as ``(id, message)``.
    """
    if read is None:
        from ..ingest import read
    docs = []
    for item in report.available:
        if item.format not in ("txt", "html", "pdf"):
            if problems is not None:
                problems.append((item.id, f"no reader for {item.format or 'this'} files"))
            continue
        m = item.meta.to_dict() if item.meta else {}
        meta = {
            k: v
            for k, v in m.items()
            if v not in ("", (), [], {}, None) and k not in ("sha256", "format")
        }
        try:
            docs.append(set_aside_gap_notes(read(str(item.path), meta=meta, fmt=item.format)))
        except InputError as err:
            if problems is None:
                raise
            problems.append((item.id, err.oneline()))
    return docs


# A held copy's note on a line of its own where text is missing: "[TRUNCATED: ...]",
# "[MISSING ...]", "[NOT RETRIEVED: ...]" (../shared/corpus/other-states/README.md). The first
# word is a capitalised word of three or more letters; the note is not bill text.
_GAP_NOTE = re.compile(r"^[ \t]*\[[A-Z][A-Z0-9§.,'-]*(?:[ :][^\n]*)?\][ \t]*$", re.M)


def gap_notes(text: str) -> list[tuple[int, int]]:
    """Character spans of the bracketed gap notes in ``text`` (whole lines)."""
    return [(m.start(), m.end()) for m in _GAP_NOTE.finditer(text) if _is_note(m.group())]


def _is_note(line: str) -> bool:
    inner = line.strip()[1:-1]
    head = inner.split(":", 1)[0].split()
    # "TRUNCATED", "NOT RETRIEVED", "TEXT OF" - not a GPO banner such as "[H.R. 2002 ...]"
    return bool(head) and len(head[0]) >= 3 and head[0].isalpha() and head[0].isupper()


def set_aside_gap_notes(doc):
    """The document with its gap notes added to the page furniture it skips (the words of a
    note never count as shared text); the text and every offset stay as they were."""
    spans = gap_notes(doc.text)
    if not spans:
        return doc
    from ..ingest.markup import clean_spans
    from ..model import Span

    skip = list(doc.skip) + [Span(s, e, "furniture") for s, e in spans]
    return replace(doc, skip=clean_spans(skip, len(doc.text)))
