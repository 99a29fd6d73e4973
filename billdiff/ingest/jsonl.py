"""JSON Lines: many documents in one file (``.jsonl``, ``.jsonl.gz``), one JSON object a line.

Each record becomes a Document. Its text is taken as the file gives it (``text``, else
``body``): no amendment-markup or section-heading rules, since the producer of the file has
already decided what the text is (``../shared/corpus/background``'s WAC sections, for one,
have chemical names like ``((CF3)2CFCF2OCH3)`` that the Washington ``((deleted))`` rule would
take for struck law). Metadata comes from the record's fields (see ``record_metadata``),
overridden by ``meta``.

``iter_jsonl`` yields a bad record as a ``RecordError`` value and goes on with the next line
(``billdiff index add`` reports it and indexes the rest); ``read_jsonl`` raises the first one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..limits import ENV, size
from ..limits import current as current_limits
from ..model import Document
from .sidecar import _short_version, _state, build_metadata, first_date

SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
MAX_LIST = 100  # a list or object with more members than this is left out of extra
# A .jsonl.gz holds a corpus, not one bill: it may inflate to GZ_RATIO times its own size (text
# gzips 3-6 to 1; a bomb of one repeated byte, about 1000 to 1) or to BILLDIFF_MAX_INFLATED_MB,
# whichever is more. The background files in ../shared/corpus inflate 59 and 74 MB.
GZ_RATIO = 32
_BLOCK = 1 << 20
_KEEP = 4096  # blanks kept from the end of a block: the start of a line that goes on
_NONBLANK = re.compile(rb"[^ \t\r\n\f\v]")

_HINT_LINE = "fix or remove line {n} (each line must be one JSON object)"

__all__ = ["read_jsonl", "iter_jsonl", "is_jsonl", "record_metadata", "RecordError", "SUFFIXES"]


class RecordError(InputError):
    """A record (``line`` ≥ 1) or a whole file (``line`` 0) of a JSON Lines file that cannot be
    read. ``source`` is ``path:line`` (or the path), as a Document's ``Metadata.source`` is:
    ``cannot read x.jsonl:12: not valid JSON (…) — fix or remove line 12 …``."""

    def __init__(self, message: str, *, path: str = "", hint: str | None = None, line: int = 0):
        self.line = line
        self.source = f"{path}:{line}" if line else path
        super().__init__(message, path=self.source or None, hint=hint)


def is_jsonl(path) -> bool:
    """True for a file name ending ``.jsonl``, ``.jsonl.gz``, ``.ndjson`` or ``.ndjson.gz``."""
    return str(path).lower().endswith(SUFFIXES)


def read_jsonl(path, *, meta: dict | None = None) -> Iterator[Document]:
    """The records of a JSON Lines file as Documents, in file order (lazily).

    Raises ``InputError`` (naming the file and line) at the first record that cannot be read.
    """
    for item in iter_jsonl(path, meta=meta):
        if isinstance(item, RecordError):
            raise item
        yield item


def iter_jsonl(path, *, meta: dict | None = None) -> Iterator[Document | RecordError]:
    """Like ``read_jsonl``, but a bad record is yielded as a ``RecordError`` value
    and reading goes on; a file that cannot be read at all yields one error and stops."""
    name = str(path)
    if meta and meta.get("id"):
        yield _error(
            name,
            0,
            "one id cannot name every record of a JSON Lines file",
            "leave out the id; each record's `id` field names it",
        )
        return
    p = Path(name)
    if not p.exists():
        yield _error(name, 0, "no such file", "check the path")
        return
    if p.is_dir():
        yield _error(name, 0, "is a directory, not a file", "give the .jsonl file")
        return
    gz = name.lower().endswith(".gz")
    lim = current_limits()
    seen: dict[str, int] = {}
    n = 0
    try:
        with gzip.open(p, "rb") if gz else open(p, "rb") as fh:
            budget = max(lim.inflated_bytes, GZ_RATIO * p.stat().st_size) if gz else 0
            for n, raw in _lines(fh, lim.file_bytes, budget):
                if raw is None:
                    yield _error(
                        name,
                        n,
                        f"the record is over {size(lim.file_bytes)}, the limit for one document",
                        f"if it is a real bill, raise the limit: {ENV['file_bytes'][0]}=<MB>",
                    )
                    continue
                item = _record(raw, name, n, meta, seen, lim.chars)
                if item is not None:
                    yield item
    except _Inflated:
        yield _error(
            name,
            0,
            f"it inflates past {size(budget)} (read up to line {n}): a gzip bomb?",
            f"if it is a real corpus, raise the limit: {ENV['inflated_bytes'][0]}=<MB>",
        )
        return
    except (OSError, EOFError, zlib.error) as err:
        what = (
            "not a gzip file, or a corrupt one"
            if isinstance(err, gzip.BadGzipFile | zlib.error)
            else "the file ends in the middle of a record (truncated download?)"
            if isinstance(err, EOFError)
            else f"cannot open ({getattr(err, 'strerror', None) or err})"
        )
        where = f" (read up to line {n})" if n else ""
        yield _error(name, 0, f"{what}{where}", "check the file, e.g. gzip -t FILE")
        return
    if n == 0:
        yield _error(name, 0, "the file is empty", "check that it is the right file")


class _Inflated(Exception):
    pass


def _lines(fh, max_line: int, budget: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for each line that is not blank, read a block at a time.

    A line over ``max_line`` bytes comes as None, its rest skipped without being held. For
    a .gz (``budget`` > 0) at most ``budget`` bytes are inflated in all (``_Inflated`` past
    it). Runs of blank lines are skipped by one regular-expression search, not a line at a
    time: a gzip bomb of newlines is refused in a second, not read for minutes.
    """
    buf, pos, n, spent = b"", 0, 0, 0

    def more() -> bytes:
        nonlocal spent
        chunk = fh.read1(_BLOCK)  # read1: a truncated .gz still gives the records before the cut
        spent += len(chunk)
        if budget and spent > budget:
            raise _Inflated
        return chunk

    while True:
        m = _NONBLANK.search(buf, pos)
        if m is None:  # blank to the end: keep the tail after the last newline, read on
            start = max(buf.rfind(b"\n", pos) + 1, pos)
            n += buf.count(b"\n", pos, start)
            if len(buf) - start > _KEEP:
                start = len(buf)  # a long run of blanks: dropped, not held and searched again
            tail = buf[start:]  # no newline in it: the blank start of a line that may go on
            while True:
                chunk = more()
                if not chunk:
                    return
                k = chunk.count(b"\n")  # all newlines, or (bytes.strip) all blanks: the
                if k != len(chunk) and chunk.strip():  # same as _NONBLANK, at C speed
                    break
                n += k  # a block of blanks: counted, never searched
                nl = chunk.rfind(b"\n")
                tail = chunk[nl + 1 :] if nl >= 0 else tail + chunk
                if len(tail) > _KEEP:
                    tail = b""
            buf, pos = tail + chunk, 0
            continue
        start = max(buf.rfind(b"\n", pos, m.start()) + 1, pos)
        n += buf.count(b"\n", pos, start)
        end = buf.find(b"\n", m.start())
        if end < 0:  # the line goes on: gather blocks in a list, joined once (not re-copied)
            parts, size = [buf[start:]], len(buf) - start
            while size <= max_line:
                chunk = more()
                if not chunk:
                    end = size  # the last line, without a newline
                    break
                parts.append(chunk)
                i = chunk.find(b"\n")
                if i >= 0:
                    end = size + i
                    break
                size += len(chunk)
            buf, start = b"".join(parts), 0
        n += 1
        if end < 0 or end - start > max_line:  # too long to hold: skip to its end
            while end < 0:
                buf = more()
                if not buf:
                    yield n, None
                    return
                end = buf.find(b"\n")
            yield n, None
        else:
            yield n, buf[start : end + 1]
        pos = end + 1


def _error(name: str, line: int, message: str, hint: str) -> RecordError:
    return RecordError(message, path=name, hint=hint.replace("{n}", str(line)), line=line)


def _record(
    raw: bytes, name: str, n: int, meta, seen: dict, max_chars: int
) -> Document | RecordError | None:
    if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    line = raw.rstrip(b"\r\n")
    if not line.strip():
        return None  # blank lines (a trailing newline, spacing) are not records
    try:
        rec = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return _error(name, n, "not UTF-8", "convert the file to UTF-8, e.g. iconv -t UTF-8")
    except json.JSONDecodeError as err:
        return _error(name, n, f"not valid JSON: {err.msg} (column {err.colno})", _HINT_LINE)
    if not isinstance(rec, dict):
        return _error(name, n, f"a JSON {_jtype(rec)}, not an object", _HINT_LINE)
    ident = rec.get("id")
    if isinstance(ident, bool) or not isinstance(ident, str | int) or not str(ident).strip():
        return _error(
            name,
            n,
            "the record has no `id`" if ident is None else f"the `id` {ident!r} is not usable",
            "give the record on line {n} a unique string `id`",
        )
    ident = str(ident).strip()
    if ident in seen:
        return _error(
            name, n, f"the id {ident!r} is used on line {seen[ident]} too", "make the ids unique"
        )
    seen[ident] = n
    text = rec.get("text")
    if text is None:
        text = rec.get("body")
    if text is None and "text" not in rec and "body" not in rec:
        return _error(name, n, "the record has no `text` (or `body`)", "add the document text")
    if text is None:
        text = ""
    if not isinstance(text, str):
        return _error(name, n, f"`text` is a JSON {_jtype(text)}, not a string", _HINT_LINE)
    if len(text) > max_chars:
        return _error(
            name,
            n,
            f"the text is over the limit of {max_chars:,} characters",
            f"if it is a real bill, raise the limit: {ENV['chars'][0]}=<n>",
        )
    base = {
        "id": ident,
        "source": f"{name}:{n}",
        "sha256": hashlib.sha256(line).hexdigest(),
        "format": "jsonl",
    }
    return Document(text, build_metadata(base, record_metadata(rec), meta))


def record_metadata(rec: dict) -> dict:
    """A record's fields → Metadata fields plus ``extra`` (the layer ``build_metadata`` takes).

    ``title`` is the record's ``caption`` when it has one, else its ``title``: in statute
    dumps ``title`` is the code's title number (RCW ``"43"``) and ``caption`` the section's
    own heading. ``source_url`` is ``source_url``, else ``url``, else ``source.original_url``
    / ``source.url`` (as in sidecars). ``state`` and ``version`` are shortened as in sidecars
    (the full text in ``extra``); ``date`` is the first date in ``date``, else in ``dates``.
    Fields not used for these stay in ``extra``: scalars as text, flat lists/objects of
    scalars (at most ``MAX_LIST`` members) as JSON; nested or longer values are left out (the
    Document's ``source``, ``path:line``, leads back to them).
    """
    out: dict = {}
    extra: dict[str, str] = {}
    used = {"id", "text", "body"}

    def take(field: str, *keys: str) -> None:
        for k in keys:
            if _scalar(rec.get(k)) and _text(rec[k]):
                out[field] = _text(rec[k])
                used.add(k)
                return

    take("title", "caption", "title")
    take("source_url", "source_url", "url")
    take("session", "session")
    take("bill", "bill")
    src = rec.get("source")
    if "source_url" not in out and isinstance(src, dict):
        url = src.get("original_url") or src.get("url")
        if _scalar(url) and _text(url):
            out["source_url"] = _text(url)
    for field, short in (("state", _state), ("version", _short_version)):
        take(field, field)
        if field in out and short(out[field]) != out[field]:
            extra[f"{field}_full"] = out[field]
            out[field] = short(out[field])
    date = first_date(rec.get("date") or "") or first_date(rec.get("dates") or "")
    if date:
        out["date"] = date
        used.add("date")
    sp = rec.get("sponsors")
    if _scalar(sp) or isinstance(sp, list) and _flat(sp):
        out["sponsors"] = (_text(sp),) if _scalar(sp) else tuple(_text(x) for x in sp if x)
        used.add("sponsors")
    for k, v in rec.items():
        if k in used or v is None:
            continue
        if _scalar(v):
            extra[k] = _text(v)
        elif _flat(v):
            extra[k] = json.dumps(v, sort_keys=True, ensure_ascii=False)
    out["extra"] = extra
    return out


def _scalar(v) -> bool:
    return isinstance(v, str | int | float | bool)


def _flat(v) -> bool:
    vals = v.values() if isinstance(v, dict) else v if isinstance(v, list) else None
    return vals is not None and len(v) <= MAX_LIST and all(x is None or _scalar(x) for x in vals)


def _text(v) -> str:
    if v is None:
        return ""
    return v.strip() if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def _jtype(v) -> str:
    return {list: "array", dict: "object", str: "string", bool: "boolean"}.get(type(v), "number")
