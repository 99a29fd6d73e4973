"""Plain-text reader: decoding (BOM, UTF-8, Windows-1252, Latin-1, detection) and the
furniture of plain-text renditions (GPO's banner, ``<DOC>``/``<all>``, rule lines).

``Document.text`` is the decoded file, verbatim; Unicode folding happens in normalize.
"""

from __future__ import annotations

import codecs
import re

from ..errors import InputError
from ..model import Span
from .markup import Extracted

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# bytes that start well-known binary formats
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (a .docx/.odt is one: save it as PDF or text)"),
    (b"\x1f\x8b", "a gzip archive (unpack it first)"),
    (b"\xd0\xcf\x11\xe0", "an old MS Office file (save it as PDF or text)"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x7fELF", "a program"),
)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")

# GPO plain-text renditions: banner lines at the top, <DOC>, <all>, rules of underscores
_BANNER = re.compile(
    r"^[ \t]*(?:\[Congressional Bills [^\]\n]*\]|\[From the U\.S\. Government "
    r"(?:Publishing|Printing) Office[^\]\n]*\]|\[[^\]\n]{0,80}\((?:[A-Z]{2,5})\)\])[ \t]*$",
    re.M,
)
_DOC_TAGS = re.compile(r"^[ \t]*(?:<DOC>|</DOC>|<all>)[ \t]*$", re.M | re.I)
_RULE = re.compile(r"^[ \t]*_{5,}[ \t]*$", re.M)


def binary_kind(data: bytes) -> str | None:
    """What a non-text file looks like ('' for unknown binary), or None for text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if any(data.startswith(b) for b, _ in _BOMS):
        return None
    head = data[:65536]
    if b"\x00" in head:
        return ""
    if head and len(_CONTROL.findall(head)) > 0.05 * len(head):
        return ""
    return None


def decode(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding). Raises InputError when the bytes are not text."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                break
    utf16 = _bomless_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    kind = binary_kind(data)
    if kind is not None:
        what = f"{kind}, not text" if kind else "a binary file, not text"
        raise InputError(f"this is {what}", path=name, hint="give a bill as .txt, .html or .pdf")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1252 is what most non-UTF-8 bill text is; its five undefined bytes
    # (0x81 0x8d 0x8f 0x90 0x9d) and C1 controls are a sign it is something else
    try:
        text = data.decode("cp1252")
        return text, "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding and best.chaos < 0.2:
        enc = best.encoding
        text = str(best)
        if enc in ("latin_1", "iso8859_1") or _plausible(text):
            return text, enc
    raise InputError(
        "the text is not in a known encoding (tried UTF-8, Windows-1252, and detection)",
        path=name,
        hint="convert it to UTF-8, e.g. iconv -f <encoding> -t UTF-8",
    )


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: mostly-ASCII text has a zero in every other byte."""
    head = data[:2000]
    if len(head) < 8 or len(head) % 2:
        head = head[:-1]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.7 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.7 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _plausible(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    return letters > 0.4 * max(len(text.strip()), 1)


def read_text(data: bytes, name: str) -> Extracted:
    text, _enc = decode(data, name)
    if not text.strip():
        raise InputError(
            "the file is empty (no text)", path=name, hint="check that it is the right file"
        )
    return Extracted(text, plain_furniture(text))


def plain_furniture(text: str) -> list[Span]:
    """GPO banner lines (top of the file), ``<DOC>``/``<all>`` and rules of underscores."""
    skip: list[Span] = []
    head_end = _nth_line_end(text, 8)
    for m in _BANNER.finditer(text, 0, head_end):
        skip.append(Span(m.start(), m.end(), "furniture"))
    for rx in (_DOC_TAGS, _RULE):
        skip.extend(Span(m.start(), m.end(), "furniture") for m in rx.finditer(text))
    return skip


def _nth_line_end(text: str, n: int) -> int:
    pos = 0
    for _ in range(n):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos
