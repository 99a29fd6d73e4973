"""Bounds on what one PDF may cost before pdfminer has done the damage.

pdfminer inflates a Flate stream with ``zlib.decompress(data)``: all of it, at once, however
large. A content stream of a few kilobytes can inflate to gigabytes. Here pdfminer's module
reference to ``zlib`` is replaced by ``_Zlib``, which inflates at most what is left of the
document's budget (``Limits.inflated_bytes``, spent across all of one PDF's streams: pdfminer
keeps every decoded stream until the document is closed) and raises ``LimitError`` past it.
Outside ``budget()`` it behaves as ``zlib`` does. The page count is read from the page tree's
``/Count`` before pdfplumber builds one object per page.
"""

from __future__ import annotations

import threading
import zlib
from contextlib import contextmanager

from ..limits import LimitError

_PIECE = 8 << 20
_local = threading.local()  # index add reads in processes, corpus fetch in threads


@contextmanager
def budget(limit: int, name: str):
    """Let the PDF streams inflated inside this block total at most ``limit`` bytes."""
    _install()
    _local.state = [limit, limit, name]
    try:
        yield
    finally:
        _local.state = None


def _spend(n: int) -> None:
    state = getattr(_local, "state", None)
    if state is None:
        return
    state[1] -= n
    if state[1] < 0:
        limit, _, name = state
        raise LimitError("inflated_bytes", path=name, limit=limit)


def _left() -> int:
    state = getattr(_local, "state", None)
    return 0 if state is None else max(state[1], 0) + 1


def unwrap(err: BaseException) -> LimitError | None:
    """The LimitError behind ``err``: pdfplumber wraps pdfminer's errors in its own."""
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, LimitError):
            return err
        seen.add(id(err))
        inner = next((a for a in err.args if isinstance(a, BaseException)), None)
        err = inner or err.__cause__ or err.__context__
    return None


class _Decompress:
    """``zlib.decompressobj()`` whose output is spent from the budget."""

    def __init__(self) -> None:
        self._d = zlib.decompressobj()

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        left = _left()
        if left:
            max_length = min(max_length, left) if max_length else left
        out = self._d.decompress(data, max_length)
        _spend(len(out))
        return out

    def __getattr__(self, name: str):
        return getattr(self._d, name)


class _Zlib:
    error = zlib.error

    @staticmethod
    def decompress(data: bytes, *args) -> bytes:
        if getattr(_local, "state", None) is None:
            return zlib.decompress(data, *args)
        d = zlib.decompressobj()
        parts = []  # inflated a piece at a time: a bomb is refused holding only the budget
        while data:
            parts.append(d.decompress(data, _PIECE))
            _spend(len(parts[-1]))
            data = d.unconsumed_tail
        parts.append(d.flush())
        _spend(len(parts[-1]))
        if not d.eof:  # as zlib.decompress: pdfminer then tries its corrupted-stream path
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return b"".join(parts)

    @staticmethod
    def decompressobj(*args):
        return _Decompress() if not args else zlib.decompressobj(*args)


def _install() -> None:
    import pdfminer.pdftypes as pdftypes

    if pdftypes.zlib is not _Zlib:
        pdftypes.zlib = _Zlib


def page_count(doc) -> int | None:
    """The page tree's ``/Count``, if the PDF states one."""
    from pdfminer.pdftypes import resolve1

    try:
        pages = resolve1(doc.catalog.get("Pages"))
        count = resolve1(pages.get("Count"))
    except Exception:  # a broken tree: pdfplumber's own walk will say so
        return None
    return count if isinstance(count, int) and not isinstance(count, bool) else None
