"""Characters → lines → words, in reading order, for one PDF page (no pdfplumber import here).

pdfplumber gives each glyph with its box and text matrix. We do our own grouping because:
- words must split on *relative* gaps (glued cover-page words such as ``1STSESSION`` come from
  a fixed 3-point tolerance), and small capitals (``M`` + ``ARCH`` on one baseline) must join;
- rotated text (GPO's vertical margin stamp, a landscape back cover) is read in its own
  direction, and kept apart from the upright text of the page;
- a word needs its characters, to tell whether a drawn line strikes or underlines it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Word:
    text: str
    u0: float  # start along the reading direction
    u1: float
    size: float
    chars: list = field(repr=False, default_factory=list)
    struck: bool = False
    underlined: bool = False


@dataclass
class Line:
    words: list[Word]
    key: float  # position across the reading direction (top-to-bottom order)
    orient: str  # up | cw | ccw | down
    kind: str = ""  # '' (bill text) | furniture
    numbered: bool = False  # first word is a margin line number

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def size(self) -> float:
        return max((w.size for w in self.words), default=0.0)


def orientation(ch: dict) -> str:
    a, b = ch["matrix"][0], ch["matrix"][1]
    if abs(a) >= abs(b):
        return "up" if a > 0 else "down"
    return "ccw" if b > 0 else "cw"


def _frame(ch: dict, orient: str, width: float, height: float) -> tuple[float, float, float, float]:
    """(u0, u1, key, size) of a char in its reading frame."""
    e, f = ch["matrix"][4], ch["matrix"][5]
    # type size = the glyph box's extent across the reading direction (the matrix alone
    # does not carry it when the font size is set by Tf)
    if orient in ("up", "down"):
        size = max(ch["bottom"] - ch["top"], 0.1)
    else:
        size = max(ch["x1"] - ch["x0"], 0.1)
    if orient == "up":
        return ch["x0"], ch["x1"], height - f, size
    if orient == "cw":  # reads top → bottom; first line is the right-most
        return ch["top"], ch["bottom"], -e, size
    if orient == "ccw":  # reads bottom → top; first line is the left-most
        return height - ch["bottom"], height - ch["top"], e, size
    return width - ch["x1"], width - ch["x0"], f, size


def build_lines(chars: list[dict], orient: str, width: float, height: float) -> list[Line]:
    """Group the chars (all of one orientation) into lines of words, in reading order."""
    items = []
    for ch in chars:
        u0, u1, key, size = _frame(ch, orient, width, height)
        items.append((key, u0, u1, size, ch))
    items.sort(key=lambda t: (t[0], t[1]))
    # cluster by baseline: a line takes chars within a fraction of its font size
    clusters: list[list[tuple]] = []
    ref = None
    for it in items:
        if ref is None or it[0] - ref > max(1.5, 0.2 * it[3]):
            clusters.append([it])
            ref = it[0]
        else:
            clusters[-1].append(it)
    lines = []
    for cl in clusters:
        cl.sort(key=lambda t: t[1])
        words: list[Word] = []
        cur: Word | None = None
        prev = None
        for key, u0, u1, size, ch in cl:
            t = ch["text"]
            if prev is not None and t == prev[4]["text"] and abs(u0 - prev[1]) < 0.3:
                continue  # the same glyph printed twice (fake bold)
            if not t.strip():
                cur = None
                prev = (key, u0, u1, size, ch)
                continue
            gap_limit = max(0.8, 0.15 * min(size, prev[3])) if prev is not None else 0
            if cur is None or u0 - prev[2] > gap_limit:
                cur = Word(t, u0, u1, size, [ch])
                words.append(cur)
            else:
                cur.text += t
                cur.u1 = max(cur.u1, u1)
                cur.size = max(cur.size, size)
                cur.chars.append(ch)
            prev = (key, u0, u1, size, ch)
        if words:
            lines.append(Line(words, cl[0][0], orient))
    return lines


def split_columns(lines: list[Line], width: float) -> list[Line]:
    """Two-column pages: when a vertical gutter in the middle third separates the words of
    most lines, read the left column top to bottom, then the right one."""
    if len(lines) < 6:
        return lines
    lo, hi = width / 3, 2 * width / 3
    body = [ln for ln in lines if len(ln.words) >= 2]
    if len(body) < 6:
        return lines
    # candidate gutters: the middles of the stretches of the middle third no word crosses
    spans = sorted((w.u0, w.u1) for ln in lines for w in ln.words)
    free, reach = [], lo
    for u0, u1 in spans:
        if u0 > reach and reach < hi:
            free.append((reach + min(u0, hi)) / 2)
        reach = max(reach, u1)
    if reach < hi:
        free.append((reach + hi) / 2)
    best = None
    for x in free:
        both = sum(1 for ln in body if ln.words[0].u0 < x < ln.words[-1].u1)
        if both >= 0.5 * len(body) and (best is None or both > best[1]):
            best = (x, both)
    if best is None:
        return lines
    gx = best[0]
    # the gap at the gutter must be wide: at least one em of the line's type in every line
    for ln in body:
        for w1, w2 in zip(ln.words, ln.words[1:], strict=False):
            if w1.u1 < gx < w2.u0 and w2.u0 - w1.u1 < 0.9 * ln.size:
                return lines
    left, right = [], []
    for ln in lines:
        lw = [w for w in ln.words if w.u1 <= gx]
        rw = [w for w in ln.words if w.u0 >= gx]
        if lw:
            left.append(Line(lw, ln.key, ln.orient))
        if rw:
            right.append(Line(rw, ln.key, ln.orient))
    return left + right


def mark_rules(lines: list[Line], segments: list[tuple[float, float, float]]) -> None:
    """Flag words struck through or underlined by horizontal segments (x0, x1, y top-down).

    A segment crossing the middle band of a char strikes it; one at or just below the
    baseline underlines it. A word is struck/underlined when most of its letters are.
    """
    if not segments:
        return
    segments = sorted(segments, key=lambda s: s[2])
    ys = [s[2] for s in segments]
    import bisect

    for ln in lines:
        if ln.orient != "up":
            continue
        top = min(ch["top"] for w in ln.words for ch in w.chars)
        bottom = max(ch["bottom"] for w in ln.words for ch in w.chars)
        h = bottom - top
        i0 = bisect.bisect_left(ys, top)
        i1 = bisect.bisect_right(ys, bottom + 0.5 * h)
        near = segments[i0:i1]
        if not near:
            continue
        for w in ln.words:
            struck = under = 0
            for ch in w.chars:
                ch_h = max(ch["bottom"] - ch["top"], 0.1)
                cw = max(ch["x1"] - ch["x0"], 0.1)
                s_hit = u_hit = False
                for x0, x1, y in near:
                    if min(x1, ch["x1"]) - max(x0, ch["x0"]) < 0.5 * cw:
                        continue
                    rel = (y - ch["top"]) / ch_h
                    if 0.25 <= rel <= 0.78:
                        s_hit = True
                    elif 0.78 < rel <= 1.45:
                        u_hit = True
                struck += s_hit
                under += u_hit
            n = len(w.chars)
            w.struck = struck * 2 > n
            w.underlined = under * 2 > n and not w.struck
