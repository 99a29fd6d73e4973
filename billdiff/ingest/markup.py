"""Textual amendment markup, section headings and span bookkeeping, shared by all readers.

- Washington's ``((struck))`` double parentheses → ``deleted`` skip spans (delimiters included).
- Maryland's ``[bracketed]`` deleted law → ``deleted`` (only when asked: brackets are common
  elsewhere, e.g. GPO banners); runs of CAPITALS there → ``inserted`` marks.
- Section headings (``SEC. 2.``, ``SECTION 1.``, ``NEW SECTION. Sec. 3.``, ``RCW 43.386.020``)
  → ``section`` marks labelled ``SEC. 2`` / ``Sec. 3`` / ``RCW 43.386.020``.
- ``clean_spans``: overlapping skip spans of different kinds → sorted, non-overlapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Span


@dataclass
class Extracted:
    """What a format reader returns: the text and its spans (before markup rules)."""

    text: str
    skip: list[Span] = field(default_factory=list)
    marks: list[Span] = field(default_factory=list)
    pages: tuple[int, ...] = ()


# ((struck matter)) — shortest match, may span lines, bounded length
_WA_DELETED = re.compile(r"\(\((.{0,5000}?)\)\)", re.S)
# [bracketed matter] — Maryland: deleted law
_MD_DELETED = re.compile(r"\[[^\[\]]{0,5000}\]")
# Maryland new law: two or more CAPITALISED words in a row (single words are too often
# acronyms)
_MD_CAPS = re.compile(r"\b[A-Z][A-Z'’-]+(?:[ \t\n,;]+[A-Z][A-Z'’-]+)+\b")

_SECTION = re.compile(
    r"^[ \t]*(?:\d{1,3}[ \t]+)?(?:NEW SECTION\.[ \t]+)?"
    r"(?P<kw>SECTION|SEC\.|Section|Sec\.)[ \t]+(?P<num>\d{1,4}[A-Za-z]?(?:-\d+)?)\.",
    re.M,
)
_RCW_HEAD = re.compile(r"^[ \t]*(?P<kw>RCW)[ \t]+(?P<num>\d+[A-Z]?\.\d+[A-Z]?\.\d+)[ \t]*$", re.M)

# Site banners that are not law text: the RCW site's "*** CHANGE IN 2025 *** (SEE …) ***"
_SITE_BANNER = re.compile(r"^[ \t]*\*{3} CHANGE IN \d{4} \*{3}[^\n]*$", re.M)

# Priority when skip spans of different kinds overlap: the stronger kind wins the overlap.
_PRIORITY = {"line-number": 3, "furniture": 2, "deleted": 1}


def wa_deleted(text: str) -> list[Span]:
    """``((...))`` regions as deleted spans (the delimiters are deleted too)."""
    return [Span(m.start(), m.end(), "deleted") for m in _WA_DELETED.finditer(text)]


def site_furniture(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "furniture") for m in _SITE_BANNER.finditer(text)]


def md_deleted(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "deleted") for m in _MD_DELETED.finditer(text)]


def md_inserted(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "inserted") for m in _MD_CAPS.finditer(text)]


def sections(text: str, skip: list[Span] | tuple[Span, ...] = ()) -> list[Span]:
    """Section-heading marks: from the keyword to the end of its line."""
    out = []
    deleted = [s for s in skip if s.kind == "deleted"]
    for rx in (_SECTION, _RCW_HEAD):
        for m in rx.finditer(text):
            start = m.start("kw")
            if any(s.start <= start < s.end for s in deleted):
                continue
            kw = m.group("kw")
            kw = {"SECTION": "SEC.", "Section": "Sec."}.get(kw, kw)
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            out.append(Span(start, end, "section", f"{kw} {m.group('num')}"))
    out.sort(key=lambda s: (s.start, s.end))
    return out


def clean_spans(spans, length: int | None = None) -> tuple[Span, ...]:
    """Sorted, non-overlapping skip spans; where kinds overlap the higher priority wins."""
    spans = [s for s in spans if s.end > s.start]
    if not spans:
        return ()
    if length is not None:
        spans = [Span(max(0, s.start), min(length, s.end), s.kind, s.label) for s in spans]
    cuts = sorted({p for s in spans for p in (s.start, s.end)})
    # assign each elementary interval the strongest kind covering it
    best: dict[int, str] = {}
    for s in spans:
        import bisect

        i = bisect.bisect_left(cuts, s.start)
        while i < len(cuts) - 1 and cuts[i] < s.end:
            cur = best.get(i)
            if cur is None or _PRIORITY.get(s.kind, 0) > _PRIORITY.get(cur, 0):
                best[i] = s.kind
            i += 1
    out: list[Span] = []
    for i in sorted(best):
        a, b, kind = cuts[i], cuts[i + 1], best[i]
        if out and out[-1].kind == kind and out[-1].end == a:
            out[-1] = Span(out[-1].start, b, kind)
        else:
            out.append(Span(a, b, kind))
    return tuple(out)


def sort_marks(marks) -> tuple[Span, ...]:
    return tuple(sorted(set(marks), key=lambda s: (s.start, s.end, s.kind, s.label)))


def word_spans(text: str, start: int, end: int, kind: str) -> list[Span]:
    """A span trimmed of surrounding white space (or nothing when it holds none)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [Span(start, end, kind)] if end > start else []
