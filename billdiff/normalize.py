"""Document → Tokens: words with character spans into the original text.

Regions listed in ``Document.skip`` (page furniture, line numbers, deleted matter) are left
out; a word hyphenated across a line break ("manage-⏎ment") becomes one token spanning both
pieces; Unicode is folded (NFKC: ligatures, full-width forms; soft hyphens removed).
"""

from __future__ import annotations

import bisect
import re
import sys
import unicodedata
from itertools import compress, pairwise

from .model import Document, Span, Tokens

# A word: letters/digits (not underscores: rule lines and blanks are not words), with
# combining accents, possibly with soft hyphens inside (removed when normalised).
_WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f]|\u00ad+(?=[^\W_]))*")
# Between the two halves of a hyphenated word: a hyphen, then white space holding a newline.
_HYPHEN_BREAK = re.compile(r"[-\u2010\u00ad]\s*\n\s*\Z")
_HYPHENS = re.compile("[-\u2010\u00ad]")
_NUMPY_PAYS = 400_000  # characters: see tokenize


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
    # the numpy path is ~5x faster per character, but importing numpy costs as much as the
    # plain loop spends on ~400,000 characters: a two-bill compare stays without it; the
    # index and lineage, which hold numpy anyway, take it
    if "numpy" in sys.modules or len(text) > _NUMPY_PAYS:
        fast = _tokenize_fast(text, skip)
        if fast is not None:
            return fast
    return _tokenize_reference(doc, keep_deleted=keep_deleted)


def _tokenize_reference(doc: Document, *, keep_deleted: bool = False) -> Tokens:
    """The plain regex loop ``tokenize`` must agree with, token for token (tests compare the
    two); it also serves texts the fast path leaves alone (soft hyphens, combining marks)."""
    text = doc.text
    skip = doc.skip if not keep_deleted else tuple(s for s in doc.skip if s.kind != "deleted")
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    compounds: set[str] | None = None  # computed on the first line-end hyphen
    low = text.lower() if text.isascii() else None  # folding an ASCII word is lowering it
    for seg_start, seg_end in visible_segments(text, skip):
        for m in _WORD.finditer(text, seg_start, seg_end):
            s, e = m.span()
            w = low[s:e] if low is not None else _fold(m.group())
            if (
                words
                and _HYPHENS.search(text, ends[-1], s)  # a break needs a hyphen in the gap
                and _may_continue(text[starts[-1] : ends[-1]], m.group())
            ):
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


# ---------------------------------------------------------------------------------------------
# The fast path: the same tokens as ``_tokenize_reference``, found in bulk with numpy.
#
# Without soft hyphens and combining marks (texts holding either go to the reference loop) a
# ``_WORD`` match is a maximal run of ``str.isalnum()`` characters (``[^\W_]`` is exactly
# ``isalnum``: the regex engine tests the same Unicode property) that does not cross a segment
# boundary. Runs are found as edges of a boolean array over the code points. Words are slices
# of the text lowered once (folding an ASCII word is ``.lower()``); the few non-ASCII words go
# through ``_fold``. The hyphen-join logic of the reference runs, unchanged, only for words
# whose gap from the previous word holds a hyphen character: elsewhere ``_HYPHEN_BREAK``,
# which needs a hyphen first in the gap, cannot match.

_AWKWARD = re.compile("[\u00ad\u0300-\u036f]")  # soft hyphen, combining marks: reference path
_BMP_ALNUM = None  # bool table of str.isalnum over U+0000..U+FFFF, built on first use


def _alnum_table():
    global _BMP_ALNUM
    if _BMP_ALNUM is None:
        import numpy as np

        _BMP_ALNUM = np.array([chr(i).isalnum() for i in range(0x10000)], dtype=bool)
    return _BMP_ALNUM


def _code_points(text: str):
    """(code points as a uint8 or uint32 array, isalnum of each as a bool array)."""
    import numpy as np

    if text.isascii():
        codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        return codes, _alnum_table()[codes]
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _alnum_table()
    if int(codes.max()) < 0x10000:
        return codes, table[codes]
    alnum = table[np.minimum(codes, 0xFFFF)]  # U+FFFF is a noncharacter, not alnum
    astral = np.flatnonzero(codes > 0xFFFF)
    uniq, inv = np.unique(codes[astral], return_inverse=True)
    alnum[astral] = np.array([chr(c).isalnum() for c in uniq.tolist()], dtype=bool)[inv]
    return codes, alnum


def _runs(mask, n: int, splits=()):
    """(starts, ends) int64 arrays of the runs of True in ``mask``, also cut at ``splits``."""
    import numpy as np

    m = mask.view(np.int8)
    d = np.empty(n + 1, dtype=np.int8)
    d[0] = m[0]
    np.subtract(m[1:], m[:-1], out=d[1:n])
    d[n] = -m[n - 1]
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    if len(splits):
        p = np.asarray(splits, dtype=np.int64)
        p = p[mask[p - 1] & mask[p]]
        if len(p):
            starts = np.sort(np.concatenate([starts, p]))
            ends = np.sort(np.concatenate([ends, p]))
    return starts, ends


def _ascii_lower(text: str, codes) -> str:
    """``text`` with A-Z lowered, every other character in its place (so slices line up)."""
    if text.isascii():
        return text.lower()
    low = text.lower()
    if len(low) == len(text):  # each character lowered to one: ASCII ones as .lower() does
        return low
    c = codes.copy()  # "İ".lower() is two characters: lower A-Z by hand
    c[(c >= 65) & (c <= 90)] += 32
    return c.tobytes().decode("utf-32-le", "surrogatepass")


def _non_ascii(wide, starts, ends):
    """Which runs hold a non-ASCII character (``wide``: sorted positions of those)."""
    import numpy as np

    return np.searchsorted(wide, starts) != np.searchsorted(wide, ends)


def _split_runs(low: str, mask) -> list[str]:
    """The runs of True in ``mask`` as words of ``low``: every other character made a space
    and ``str.split`` done in C (slicing each run in Python took a third of a search)."""
    import numpy as np

    if low.isascii():
        buf = bytearray(low.encode("ascii"))
        np.frombuffer(buf, dtype=np.uint8)[~mask] = 32
        return buf.decode("ascii").split()
    buf = bytearray(low.encode("utf-32-le", "surrogatepass"))
    np.frombuffer(buf, dtype=np.uint32)[~mask] = 32
    return buf.decode("utf-32-le", "surrogatepass").split()


def _fold_runs(text: str, low: str, starts, ends, wide, mask=None) -> list[str]:
    """Folded words of the runs: ASCII ones sliced from ``low``, others through ``_fold``.
    ``mask``: the runs' mask, when no split cuts a run (then the words come from
    ``_split_runs``)."""
    s, e = starts.tolist(), ends.tolist()
    words = _split_runs(low, mask) if mask is not None and len(low) == len(mask) else None
    if words is None or len(words) != len(s):
        words = [low[a:b] for a, b in zip(s, e, strict=True)]
    if wide is not None:
        import numpy as np

        for i in np.flatnonzero(_non_ascii(wide, starts, ends)).tolist():
            words[i] = _fold(text[s[i] : e[i]])
    return words


def _tokenize_fast(text: str, skip: tuple[Span, ...]) -> Tokens | None:
    """``_tokenize_reference``'s Tokens, or None for a text it leaves to the reference: one
    with soft hyphens or combining marks, or with a reversed skip span (end < start), which
    makes ``visible_segments`` overlap so the reference reads some words twice."""
    import numpy as np

    if not text.isascii() and _AWKWARD.search(text):
        return None
    n = len(text)
    segs = []
    for a, b in visible_segments(text, skip):
        b = min(b, n)
        if a < b:
            if segs and a < segs[-1][1]:
                return None
            segs.append((a, b))
    if not segs:
        return Tokens((), (), ())
    codes, alnum = _code_points(text)
    if segs == [(0, n)]:
        mask, splits = alnum, ()
    else:
        bounds = np.array(segs, dtype=np.int64)
        edge = np.zeros(n + 1, dtype=np.int8)  # +1 where a segment starts, -1 where it ends
        edge[bounds[:, 0]] += 1
        edge[bounds[:, 1]] -= 1
        mask = alnum & (np.cumsum(edge[:n], dtype=np.int8) > 0)  # segments do not overlap
        # a zero-length skip span splits a segment: a word is cut there
        splits = [a for (_, b0), (a, _) in zip(segs, segs[1:], strict=False) if a == b0]
    starts, ends = _runs(mask, n, splits)
    if not len(starts):
        return Tokens((), (), ())
    low = _ascii_lower(text, codes)
    wide = None if codes.dtype == np.uint8 else np.flatnonzero(codes >= 128)
    words = _fold_runs(text, low, starts, ends, wide, None if len(splits) else mask)
    S, E = starts.tolist(), ends.tolist()

    # hyphen joins: only where the gap from the previous word holds a character that
    # _HYPHEN_BREAK can start with (-, U+2010, U+00AD)
    hy = codes == 0x2D
    if codes.dtype != np.uint8:
        hy |= (codes == 0x2010) | (codes == 0xAD)
    hpos = np.flatnonzero(hy)
    if not len(hpos):
        return Tokens(tuple(words), tuple(S), tuple(E))
    k = np.searchsorted(hpos, ends[:-1])
    has = k < len(hpos)
    has[has] = hpos[k[has]] < starts[1:][has]
    cands = (np.flatnonzero(has) + 1).tolist()
    head: dict[int, int] = {}  # word index -> the earlier word it was joined onto
    joined: dict[int, str] = {}  # head index -> its word so far
    compounds = None
    near = _SkipIndex(skip)
    for i in cands:
        h = head.get(i - 1, i - 1)
        s, e = S[i], E[i]
        if not _may_continue(text[S[h] : E[i - 1]], text[s:e]):
            continue
        if not _HYPHEN_BREAK.match(_gap_text(text, E[i - 1], s, near.within(E[i - 1], s))):
            continue
        if compounds is None:
            compounds = _compounds_fast(text, codes, alnum, low, wide)
        prev = joined.get(h, words[h])
        if prev + words[i] in compounds:
            continue  # a real hyphen ("long-term") that broke the line
        joined[h] = prev + words[i]
        head[i] = h
    if not head:
        return Tokens(tuple(words), tuple(S), tuple(E))
    keep = [True] * len(S)
    for i, h in head.items():  # in increasing i: the head ends where its last piece ends
        E[h] = E[i]
        keep[i] = False
    for h, w in joined.items():
        words[h] = w
    return Tokens(tuple(compress(words, keep)), tuple(compress(S, keep)), tuple(compress(E, keep)))


class _SkipIndex:
    """The skip spans that overlap a stretch of text, found by bisection when the spans are
    sorted with non-decreasing ends (as readers make them), else by a scan. ``_gap_text``
    looks only at the spans overlapping its stretch, in any order."""

    def __init__(self, skip: tuple[Span, ...]):
        self.skip = skip
        self.starts = [sp.start for sp in skip]
        self.ends = [sp.end for sp in skip]
        self.sorted = all(a <= b for a, b in pairwise(self.starts)) and all(
            a <= b for a, b in pairwise(self.ends)
        )

    def within(self, start: int, end: int) -> tuple[Span, ...]:
        if not self.sorted:
            return tuple(sp for sp in self.skip if sp.end > start and sp.start < end)
        lo = bisect.bisect_right(self.ends, start)
        hi = bisect.bisect_left(self.starts, end, lo)
        return self.skip[lo:hi]


def _compounds_fast(text: str, codes, alnum, low: str, wide) -> set[str]:
    """``_compounds(text)`` from the code point arrays, folding only the runs it needs."""
    import numpy as np

    n = len(text)
    starts, ends = _runs(alnum, n)
    # _COMPOUND.findall: a run, "-", the next run; a run taken as a right half starts no pair
    linked = np.flatnonzero(
        (ends[:-1] + 1 == starts[1:]) & (codes[np.minimum(ends[:-1], n - 1)] == 0x2D)
    )
    if not len(linked):
        return set()
    left = []
    taken = -1
    for k in linked.tolist():
        if k != taken:
            left.append(k)
            taken = k + 1
    ks = np.array(left, dtype=np.int64)
    a = _fold_runs(text, low, starts[ks], ends[ks], wide)
    b = _fold_runs(text, low, starts[ks + 1], ends[ks + 1], wide)
    pairs = {x + y for x, y in zip(a, b, strict=True)}
    # the closed-up forms written as one word: an ASCII run folds to a word of its own length,
    # so only runs of a pair's length and non-ASCII runs can
    sizes = ends - starts
    maybe = np.isin(sizes, np.array(sorted({len(p) for p in pairs}), dtype=np.int64))
    if wide is not None:
        maybe |= _non_ascii(wide, starts, ends)
    solid = _fold_runs(text, low, starts[maybe], ends[maybe], wide)
    return pairs.difference(solid)


def section_labels(doc: Document, tokens: Tokens) -> list[tuple[int, str]]:
    """(first word index, label) of each section heading mark, in order."""
    out = []
    for m in doc.marks:
        if m.kind == "section":
            out.append((bisect.bisect_left(tokens.starts, m.start), m.label))
    return sorted(out)
