"""Corpus manifests (facts and official URLs of real bills) and a polite downloader.

A manifest is a TOML file (``corpus/<name>.toml``) with one ``[[doc]]`` table per document
version: facts only (state, session, bill, version, date, sponsors, title), the official URLs
(``[[doc.files]]``), checksums where known, and what the press reported about it
(``[[doc.reported]]``). It never holds bill text. See corpus/README.md for the format.

``fetch_corpus`` gets each document once: from a mirror folder (files named ``<id>.<ext>``,
searched recursively, optional ``<id>.json`` sidecar), else from the cache, else from the
network (``billdiff.fetch``: User-Agent, timeout, retries with backoff, atomic cache writes).
It is polite (User-Agent, timeouts, retries with backoff, a pause between requests to one
host, gives up on a host that cannot be reached), resumes after an interruption (cached files
are not fetched again; a partial download is never kept) and reports what it could not get.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from .errors import FetchError, InputError
from .model import Metadata

FORMATS = ("html", "pdf", "txt", "xml")
_EXTS = {"html": (".htm", ".html"), "pdf": (".pdf",), "txt": (".txt",), "xml": (".xml",)}
_MIRROR_EXTS = (".htm", ".html", ".pdf", ".xml", ".txt")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DOC_KEYS = {
    "id",
    "state",
    "session",
    "bill",
    "version",
    "date",
    "date_kind",
    "sponsors",
    "title",
    "status",
    "url_status",
    "url_reference",
    "unknown",
    "notes",
    "text_sha256",
    "files",
    "reported",
    "chamber",
    "companion",
    "claim",
    "claim_source",
}
_FILE_KEYS = {"url", "format", "sha256"}
_REPORTED_KEYS = {"relation", "target", "claim", "source", "source_date", "status"}
_STATUSES = ("listed", "unidentified")
_URL_STATUSES = ("confirmed", "unconfirmed")


# ----------------------------------------------------------------------------- values


@dataclass(frozen=True)
class FileRef:
    url: str
    format: str
    sha256: str = ""


@dataclass(frozen=True)
class Reported:
    """A relationship someone reported (the press, the project brief), with its source."""

    relation: str
    target: str
    source: str
    claim: str = ""
    source_date: str = ""
    status: str = "reported"  # reported (press, cited) | to-verify (a claim billdiff checks)


@dataclass(frozen=True)
class Entry:
    id: str
    state: str
    bill: str
    version: str
    session: str = ""
    date: str = ""
    date_kind: str = ""
    sponsors: tuple[str, ...] = ()
    title: str = ""
    status: str = "listed"  # listed | unidentified (a bill the press mentioned, not found)
    url_status: str = "confirmed"
    url_reference: str = ""
    unknown: tuple[str, ...] = ()  # facts that could not be confirmed (left empty)
    notes: str = ""
    text_sha256: str = ""  # of the .txt rendition in the shared mirror, when we hold one
    files: tuple[FileRef, ...] = ()
    reported: tuple[Reported, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def fetchable(self) -> bool:
        return self.status != "unidentified" and bool(self.files)

    def metadata(self) -> Metadata:
        first = self.files[0] if self.files else None
        extra = dict(self.extra)
        extra.update(url_status=self.url_status, manifest_status=self.status)
        if self.date_kind:
            extra["date_kind"] = self.date_kind
        if self.unknown:
            extra["unknown"] = ", ".join(self.unknown)
        if self.notes:
            extra["notes"] = self.notes
        if self.reported:
            extra["reported"] = " | ".join(
                f"{r.relation} {r.target} ({r.status}; {r.source})" for r in self.reported
            )
        return Metadata(
            id=self.id,
            title=self.title,
            state=self.state,
            session=self.session,
            bill=self.bill,
            version=self.version,
            date=self.date,
            sponsors=self.sponsors,
            source_url=first.url if first else "",
            format=first.format if first else "",
            extra=tuple(sorted((k, str(v)) for k, v in extra.items())),
        )


@dataclass(frozen=True)
class Manifest:
    name: str
    path: Path
    description: str
    docs: tuple[Entry, ...]

    def get(self, doc_id: str) -> Entry:
        for d in self.docs:
            if d.id == doc_id:
                return d
        raise KeyError(doc_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.docs)


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
    def warnings(self) -> tuple[FetchItem, ...]:
        return tuple(i for i in self.items if i.warning)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def exit_code(self) -> int:
        """0 when at least one document is available (missing ones are listed), else 2."""
        return 0 if self.available else 2


# ----------------------------------------------------------------------------- manifests


def corpus_dirs() -> list[Path]:
    """Where manifest names are looked up: $BILLDIFF_CORPUS_DIR, the project's corpus/
    folder (beside the package in a checkout or editable install), billdiff/data/corpus."""
    here = Path(__file__).resolve().parent
    dirs = []
    if os.environ.get("BILLDIFF_CORPUS_DIR"):
        dirs.append(Path(os.environ["BILLDIFF_CORPUS_DIR"]))
    dirs += [here.parent / "corpus", here / "data" / "corpus"]
    return dirs


def available_manifests() -> list[str]:
    names = set()
    for d in corpus_dirs():
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.toml"))
    return sorted(names)


def load_manifest(name_or_path: str | os.PathLike) -> Manifest:
    """Read and validate a manifest: a name (``facial-recognition``) or a path to a .toml."""
    s = str(name_or_path)
    path = Path(s)
    if not (path.suffix == ".toml" or os.sep in s or "/" in s or path.is_file()):
        found = [d / f"{s}.toml" for d in corpus_dirs() if (d / f"{s}.toml").is_file()]
        if not found:
            have = ", ".join(available_manifests()) or "none found"
            raise InputError(
                f"no corpus manifest named {s!r}",
                hint=f"available: {have}; or give the path of a .toml manifest",
            )
        path = found[0]
    if not path.is_file():
        raise InputError("no such manifest file", path=s, hint="check the path")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(
            "not UTF-8 text", path=str(path), hint="save the manifest as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(
            f"invalid TOML ({err})", path=str(path), hint="fix the syntax; see corpus/README.md"
        ) from None
    return _parse(raw, path)


def _parse(raw: dict, path: Path) -> Manifest:
    def bad(msg: str) -> InputError:
        return InputError(msg, path=str(path), hint="see corpus/README.md for the manifest format")

    head = raw.get("manifest", {})
    if not isinstance(head, dict):
        raise bad("[manifest] must be a table")
    docs = raw.get("doc")
    if not isinstance(docs, list) or not docs:
        raise bad("no [[doc]] entries")
    extra_top = set(raw) - {"manifest", "doc"}
    if extra_top:
        raise bad(f"unknown top-level key(s): {', '.join(sorted(extra_top))}")
    entries, seen = [], set()
    for n, d in enumerate(docs, 1):
        where = f"[[doc]] #{n}" + (
            f" (id {d.get('id')!r})" if isinstance(d, dict) and d.get("id") else ""
        )
        if not isinstance(d, dict):
            raise bad(f"{where}: must be a table")
        entries.append(_entry(d, where, bad))
        if entries[-1].id in seen:
            raise bad(f"{where}: duplicate id {entries[-1].id!r}")
        seen.add(entries[-1].id)
    return Manifest(
        name=str(head.get("name") or path.stem),
        path=path,
        description=str(head.get("description", "")),
        docs=tuple(entries),
    )


def _entry(d: dict, where: str, bad) -> Entry:
    unknown_keys = set(d) - _DOC_KEYS
    if unknown_keys:
        raise bad(f"{where}: unknown key(s) {', '.join(sorted(unknown_keys))}")
    for key in ("id", "state", "bill", "version"):
        if not isinstance(d.get(key), str) or not d[key].strip():
            raise bad(f"{where}: '{key}' is required (a non-empty string)")
    for key in (
        "session",
        "date",
        "date_kind",
        "title",
        "status",
        "url_status",
        "url_reference",
        "notes",
        "text_sha256",
        "chamber",
        "companion",
        "claim",
        "claim_source",
    ):
        if key in d and not isinstance(d[key], str):
            raise bad(f"{where}: '{key}' must be a string")
    if not _ID_RE.match(d["id"]):
        raise bad(f"{where}: id {d['id']!r} must be lower case letters, digits, '.', '-', '_'")
    status = d.get("status", "listed")
    if status not in _STATUSES:
        raise bad(f"{where}: status {status!r} must be one of {', '.join(_STATUSES)}")
    url_status = d.get("url_status", "confirmed")
    if url_status not in _URL_STATUSES:
        raise bad(f"{where}: url_status {url_status!r} must be one of {', '.join(_URL_STATUSES)}")
    date = d.get("date", "")
    if date and not _DATE_RE.match(date):
        raise bad(
            f"{where}: date {date!r} must be YYYY-MM-DD (or YYYY-MM, YYYY); leave it "
            "empty and list it in 'unknown' when not confirmed"
        )
    if d.get("text_sha256") and not _SHA_RE.match(d["text_sha256"]):
        raise bad(f"{where}: text_sha256 must be 64 lower-case hex digits")
    sponsors = d.get("sponsors", [])
    unknown = d.get("unknown", [])
    for key, val in (("sponsors", sponsors), ("unknown", unknown)):
        if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
            raise bad(f"{where}: '{key}' must be a list of strings")
    files = []
    for k, f in enumerate(d.get("files", []), 1):
        fw = f"{where} files #{k}"
        if not isinstance(f, dict):
            raise bad(f"{fw}: must be a table with url and format")
        if set(f) - _FILE_KEYS:
            raise bad(f"{fw}: unknown key(s) {', '.join(sorted(set(f) - _FILE_KEYS))}")
        url, fmt, sha = f.get("url", ""), f.get("format", ""), f.get("sha256", "")
        if (
            not isinstance(url, str)
            or urlsplit(url).scheme not in ("http", "https")
            or not urlsplit(url).netloc
        ):
            raise bad(f"{fw}: url {url!r} must be an http(s) URL")
        if fmt not in FORMATS:
            raise bad(f"{fw}: format {fmt!r} must be one of {', '.join(FORMATS)}")
        if sha and not (isinstance(sha, str) and _SHA_RE.match(sha)):
            raise bad(f"{fw}: sha256 must be 64 lower-case hex digits")
        files.append(FileRef(url=url, format=fmt, sha256=sha))
    if status == "listed" and not files:
        raise bad(f'{where}: needs at least one [[doc.files]] (or status = "unidentified")')
    if status == "unidentified" and not d.get("reported"):
        raise bad(f"{where}: an unidentified bill needs the [[doc.reported]] claim and its source")
    reported = []
    for k, r in enumerate(d.get("reported", []), 1):
        rw = f"{where} reported #{k}"
        if not isinstance(r, dict) or set(r) - _REPORTED_KEYS:
            raise bad(f"{rw}: a table with {', '.join(sorted(_REPORTED_KEYS))}")
        if not all(
            isinstance(r.get(x), str) and r[x].strip() for x in ("relation", "target", "source")
        ):
            raise bad(f"{rw}: 'relation', 'target' and 'source' are required")
        reported.append(Reported(**{k2: str(v) for k2, v in r.items()}))
    extra = tuple(
        sorted(
            (k, d[k])
            for k in ("chamber", "companion", "claim", "claim_source", "url_reference")
            if d.get(k)
        )
    )
    return Entry(
        id=d["id"],
        state=d["state"],
        bill=d["bill"],
        version=d["version"],
        session=d.get("session", ""),
        date=date,
        date_kind=d.get("date_kind", ""),
        sponsors=tuple(sponsors),
        title=d.get("title", ""),
        status=status,
        url_status=url_status,
        url_reference=d.get("url_reference", ""),
        unknown=tuple(unknown),
        notes=d.get("notes", ""),
        text_sha256=d.get("text_sha256", ""),
        files=tuple(files),
        reported=tuple(reported),
        extra=extra,
    )


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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _fetch_fn():
    from .fetch import fetch

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
        self.answered = 0

    def wait(self, host: str) -> None:
        last = self.last.get(host)
        if last is not None:
            delay = self.min_interval - (time.monotonic() - last)
            if delay > 0:
                time.sleep(delay)
        self.last[host] = time.monotonic()

    def dead(self, host: str) -> bool:
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
    from .fetch import default_cache_dir

    return Path(default_cache_dir())


def _checked(
    entry: Entry, status: str, path: Path, url: str, meta: Metadata, sha: str = "", fmt: str = ""
) -> FetchItem:
    sha = sha or _sha256(path)
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
                f"{host} could not be reached earlier in this run"
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
        from .ingest import read
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
            docs.append(read(str(item.path), meta=meta, fmt=item.format))
        except InputError as err:
            if problems is None:
                raise
            problems.append((item.id, err.oneline()))
    return docs


__all__ = [
    "Entry",
    "FetchItem",
    "FetchReport",
    "FileRef",
    "Manifest",
    "Reported",
    "available_manifests",
    "cached_path",
    "corpus_dirs",
    "documents",
    "fetch_corpus",
    "load_manifest",
    "mirror_index",
]
