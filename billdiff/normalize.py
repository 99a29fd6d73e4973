"""Document → Tokens: words with character spans into the original text.

Regions listed in ``Document.skip`` (page furniture, line numbers, deleted matter) are left
out; a word hyphenated across a line break ("manage-⏎ment") becomes one token spanning both
pieces; Unicode is folded (NFKC: ligatures, full-width forms; soft hyphens removed).
"""

from __future__ import annotations

import re
import unicodedata

from .model import Document, Span, Tokens

# A word: letters/digits (not underscores: rule lines and blanks are not words), with
# combining accents, possibly with soft hyphens inside (removed when normalised).
_WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f]|\u00ad+(?=[^\W_]))*")
# Between the two halves of a hyphenated word: a hyphen, then white space holding a newline.
_HYPHEN_BREAK = re.compile(r"[-\u2010\u00ad]\s*\n\s*\Z")


def _fold(word: str) -> str:
    w = word.replace("\u00ad", "")
    if not w.isascii():
        w = unicodedata.normalize("NFKC", w)
    return w.lower()


def visible_segments(text: str, skip: tuple[Span, ...]) -> list[tuple[int, int]]:
    """The (start, end) stretches of ``text`` not covered by ``skip`` spans."""
    out: list[tuple[int, int]] = []
    pos = 0
    for sp in sorted(skip, key=lambda s: (s.start, s.end)):
        if sp.start > pos:
            out.append((pos, sp.start))
        pos = max(pos, sp.end)
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def tokenize(doc: Document, *, keep_deleted: bool = False) -> Tokens:
    """Words of ``doc`` as it would read; with ``keep_deleted`` deleted matter stays in."""
    text = doc.text
    skip = doc.skip if not keep_deleted else tuple(s for s in doc.skip if s.kind != "deleted")
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    compounds: set[str] | None = None  # computed on the first line-end hyphen
    for seg_start, seg_end in visible_segments(text, skip):
        for m in _WORD.finditer(text, seg_start, seg_end):
            s, e = m.span()
            w = _fold(m.group())
            if words and _may_continue(text[starts[-1] : ends[-1]], m.group()):
                # join "manage-\n ment": the gap since the previous word (with skipped
                # furniture removed) is a hyphen and a line break
                gap = _gap_text(text, ends[-1], s, skip)
                if _HYPHEN_BREAK.match(gap):
                    if compounds is None:
                        compounds = _compounds(text)
                    if words[-1] + w in compounds:
                        words.append(w)  # a real hyphen ("long-term") that broke the line
                        starts.append(s)
                        ends.append(e)
                        continue
                    words[-1] += w
                    ends[-1] = e
                    continue
            words.append(w)
            starts.append(s)
            ends.append(e)
    return Tokens(tuple(words), tuple(starts), tuple(ends))


_COMPOUND = re.compile(r"([^\W_]+)-([^\W_]+)")


def _compounds(text: str) -> set[str]:
    """Hyphenated words written on one line ("long-term"), folded and closed up
    ("longterm"), unless the closed-up form is itself used as a word."""
    pairs = {_fold(a) + _fold(b) for a, b in _COMPOUND.findall(text)}
    if not pairs:
        return pairs
    solid = {_fold(m.group()) for m in _WORD.finditer(text)}
    return pairs - solid


def _may_continue(prev: str, piece: str) -> bool:
    """Can ``piece`` be the second half of a word broken after ``prev``? A lower-case
    continuation ("manage-/ment"), or capitals after capitals in a heading ("DES-/IGNATIONS")."""
    c = piece[:1]
    if c.islower():
        return True
    return c.isupper() and piece.isupper() and len(prev) > 1 and prev[-2:].isupper()


def _gap_text(text: str, start: int, end: int, skip: tuple[Span, ...]) -> str:
    if end - start > 400:
        return "x"
    if not skip:
        return text[start:end]
    parts = []
    for s, e in visible_segments(text[start:end], _shift(skip, start, end)):
        parts.append(text[start + s : start + e])
    return "\n".join(parts) if len(parts) > 1 else "".join(parts)


def _shift(skip: tuple[Span, ...], start: int, end: int) -> tuple[Span, ...]:
    return tuple(
        Span(max(sp.start, start) - start, min(sp.end, end) - start, sp.kind)
        for sp in skip
        if sp.end > start and sp.start < end
    )


def section_labels(doc: Document, tokens: Tokens) -> list[tuple[int, str]]:
    """(first word index, label) of each section heading mark, in order."""
    import bisect

    out = []
    for m in doc.marks:
        if m.kind == "section":
            out.append((bisect.bisect_left(tokens.starts, m.start), m.label))
    return sorted(out)
