"""Corpus manifests: the TOML format (facts and official URLs, never text), its values and
its validation. See corpus/README.md for the format."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import FetchError, InputError
from ..fetch import check_url, is_url
from ..model import Metadata

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
    "tags",
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
    tags: tuple[str, ...] = ()  # index tags (model-bill): `billdiff index add --manifest`

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


# ----------------------------------------------------------------------------- manifests


def corpus_dirs() -> list[Path]:
    """Where manifest names are looked up: $BILLDIFF_CORPUS_DIR, the project's corpus/
    folder (beside the package in a checkout or editable install), billdiff/data/corpus."""
    pkg = Path(__file__).resolve().parent.parent  # the billdiff package
    dirs = []
    if os.environ.get("BILLDIFF_CORPUS_DIR"):
        dirs.append(Path(os.environ["BILLDIFF_CORPUS_DIR"]))
    dirs += [pkg.parent / "corpus", pkg / "data" / "corpus"]
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
    tags = d.get("tags", [])
    for key, val in (("sponsors", sponsors), ("unknown", unknown), ("tags", tags)):
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
        if not isinstance(url, str) or not is_url(url):
            raise bad(f"{fw}: url {url!r} must be an http(s) URL")
        try:
            check_url(url)  # parses, has a host, a port in range
        except FetchError as err:
            raise bad(f"{fw}: url {url!r}: {err.message}") from None
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
        tags=tuple(tags),
    )
