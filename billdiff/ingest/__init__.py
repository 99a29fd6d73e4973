"""Turn a path, ``-`` (stdin) or an http(s) URL into a Document.

One reader per format (``text``, ``html``, ``pdf``); each returns the text and its spans.
Here: find the bytes (file, stdin, cache/mirror/network via ``billdiff.fetch``), pick the
format (``fmt``, else the extension, else sniffing), apply textual amendment markup
(``((deleted))`` always; Maryland ``[brackets]`` when the state is MD or ``brackets=True``),
find section headings, and attach metadata (sidecar ``<stem>.json`` ← ``meta``).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

from ..errors import InputError, shown
from ..limits import LimitError, check_chars, size
from ..limits import current as current_limits
from ..model import Document
from . import markup
from .sidecar import build_metadata, load_sidecar, sidecar_path

FORMATS = ("txt", "html", "pdf")
_EXT = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".htm": "html",
    ".html": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
}

__all__ = ["read", "read_bytes", "FORMATS"]


def read(
    source,
    *,
    meta: dict | None = None,
    fmt: str | None = None,
    offline: bool = False,
    mirror=None,
    cache_dir=None,
    brackets: bool | None = None,
) -> Document:
    """Read a bill. ``source``: a path, ``-`` for stdin, or an http(s) URL.

    ``meta``: Metadata fields that override the sidecar; ``fmt``: force txt|html|pdf;
    ``offline``/``mirror``/``cache_dir``: see ``billdiff.fetch``; ``brackets``: treat
    ``[bracketed]`` text as deleted law (default: only when the state is MD).
    """
    from ..fetch import fetch, is_url, url_basename

    if fmt is not None:
        fmt = {"text": "txt", "htm": "html"}.get(str(fmt).lower().lstrip("."), str(fmt).lower())
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}", hint="use one of: txt, html, pdf")
    src = os.fspath(source) if isinstance(source, os.PathLike) else source
    if not isinstance(src, str):
        raise InputError(
            f"cannot read a {type(source).__name__}", hint="give a path, '-' or an http(s) URL"
        )
    side: dict = {}
    content_type = ""
    lim = current_limits()
    if src == "-":
        data = _read_bounded(sys.stdin.buffer, "<stdin>", lim.file_bytes)
        name, ident, path = "<stdin>", "stdin", None
    elif is_url(src):
        want_id = (meta or {}).get("id") or Path(url_basename(src)).stem or None
        got = fetch(
            src,
            cache_dir=cache_dir,
            offline=offline,
            mirror=mirror,
            timeout=float(os.environ.get("BILLDIFF_TIMEOUT", 30)),
            retries=int(os.environ.get("BILLDIFF_RETRIES", 3)),
            id=want_id,
        )
        data = _read_file(got.path, src, lim.file_bytes)
        name, path, content_type = src, None, got.content_type
        ident = Path(url_basename(src)).stem or hashlib.sha256(src.encode()).hexdigest()[:12]
        if got.from_mirror:
            sp = sidecar_path(got.path)
            side = load_sidecar(sp) if sp else {}
            path = got.path  # the mirror copy decides the format by its extension
    else:
        path = Path(src)
        if not path.exists():
            raise InputError(
                "no such file", path=src, hint="check the path (or give an http(s) URL)"
            )
        if path.is_dir():
            raise InputError(
                "is a directory, not a file",
                path=src,
                hint="give one bill file; to read a folder use `billdiff index add DIR`",
            )
        data = _read_file(path, src, lim.file_bytes)
        name, ident = src, shown(path.stem)  # an id is one printable line
        sp = sidecar_path(path)
        side = load_sidecar(sp) if sp else {}
    return read_bytes(
        data,
        name=name,
        ident=ident,
        path=path,
        fmt=fmt,
        side=side,
        meta=meta,
        content_type=content_type,
        brackets=brackets,
    )


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _read_file(path: Path, name: str, max_bytes: int) -> bytes:
    """The bytes of a regular file (a symlink counts as its target), refused before reading
    when it is a pipe, device or socket (reading one may never end) or over ``max_bytes``."""
    try:
        _regular(path.stat().st_mode, name)  # before opening: opening a device may act
        with open(path, "rb", opener=_open_nonblocking) as f:
            st = os.fstat(f.fileno())
            _regular(st.st_mode, name)  # the same file still (it may have been swapped)
            if st.st_size > max_bytes:
                raise LimitError("file_bytes", path=name, got=size(st.st_size), limit=max_bytes)
            return _read_bounded(f, name, max_bytes)
    except PermissionError:
        raise InputError(
            "permission denied", path=name, hint="check the file's permissions"
        ) from None
    except OSError as err:
        raise InputError(
            f"cannot open ({err.strerror or err})", path=name, hint="check the path"
        ) from None


def _regular(mode: int, name: str) -> None:
    if not stat.S_ISREG(mode):
        kind = next((k for test, k in _KINDS if test(mode)), "not a regular file")
        raise InputError(
            f"is {kind}, not a file",
            path=name,
            hint="give a bill file; to read from a pipe use - (stdin)",
        )


def _open_nonblocking(path, flags):
    # a FIFO opened for reading blocks until a writer comes: O_NONBLOCK returns at once,
    # and the fstat above refuses it; regular files ignore the flag
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _read_bounded(f, name: str, max_bytes: int) -> bytes:
    """At most ``max_bytes`` from ``f``: one more byte is an error, never a full read of an
    endless stream (stdin fed from /dev/zero) or of a file that grew since it was measured."""
    data = f.read(max_bytes + 1)
    if data is None:  # a non-blocking stream with nothing yet
        data = b""
    if len(data) > max_bytes:
        raise LimitError("file_bytes", path=name, limit=max_bytes)
    return data


def detect_format(data: bytes, path: Path | None, content_type: str = "") -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf") or b"%pdf-" in data[:1024]:
        return "pdf"
    if path is not None:
        ext = path.suffix.lower()
        if ext in _EXT:
            return _EXT[ext]
        if ext and not ext[1:].isdigit():
            raise InputError(
                f"unsupported file type {ext!r}",
                path=str(path),
                hint="save it as PDF, HTML or plain text, or rename it to .pdf, .htm or "
                ".txt if that is what it holds",
            )
    if "pdf" in content_type:
        return "pdf"
    if (
        "html" in content_type
        or head.startswith((b"<!doctype html", b"<html"))
        or (head.startswith(b"<") and (b"<html" in head or b"<body" in head))
    ):
        return "html"
    return "txt"


def read_bytes(
    data: bytes,
    *,
    name: str = "<bytes>",
    ident: str = "",
    path: Path | None = None,
    fmt: str | None = None,
    side: dict | None = None,
    meta: dict | None = None,
    content_type: str = "",
    brackets: bool | None = None,
) -> Document:
    """Bytes → Document (the part of ``read`` after the bytes are found)."""
    if not data.strip():
        raise InputError(
            "the file is empty",
            path=name,
            hint="check that it is the right file (and that it downloaded)",
        )
    fmt = fmt or detect_format(data, path, content_type)
    if fmt == "pdf":
        from .pdf import read_pdf

        ex = read_pdf(data, name)
    elif fmt == "html":
        from .html import read_html

        ex = read_html(data, name)
    else:
        from .text import read_text

        ex = read_text(data, name)
    check_chars(ex.text, name)
    base = {"id": ident, "source": name, "sha256": hashlib.sha256(data).hexdigest(), "format": fmt}
    md = build_metadata(base, side or {}, meta)
    skip = list(ex.skip) + markup.wa_deleted(ex.text) + markup.site_furniture(ex.text)
    marks = list(ex.marks)
    if brackets or (brackets is None and md.state.upper() == "MD"):
        skip += markup.md_deleted(ex.text)
        marks += markup.md_inserted(ex.text)
    clean = markup.clean_spans(skip, len(ex.text))
    marks += markup.sections(ex.text, clean)
    if not any(ex.text[s:e].strip() for s, e in _visible(ex.text, clean)):
        raise InputError(
            "no bill text left once page furniture is set aside",
            path=name,
            hint="check that it is a bill; an image-only PDF needs OCR first",
        )
    return Document(ex.text, md, clean, markup.sort_marks(marks), tuple(ex.pages))


def _visible(text: str, skip) -> list[tuple[int, int]]:
    from ..normalize import visible_segments

    return visible_segments(text, tuple(skip))
