"""Rich terminal view of a PairReport: header, then every passage in A's order.

Wide terminals (>= SIDE_BY_SIDE_MIN columns) show A and B side by side; narrower ones show
one inline word diff per passage. Differences carry a style *and* a textual marker, so the
report reads the same without colour (NO_COLOR, pipes):

    side by side   A: [~changed~]  [-only in A-]      B: {~changed~}  {+only in B+}
    inline         [-old-]{+new+} (changed)  [-only in A-]  {+only in B+}

Long identical stretches are shortened to their first and last ``context`` words unless
``full=True``. This module renders; it never computes a finding.
"""

from __future__ import annotations

import bisect
import re

from ..model import Document, PairReport, Passage, Tokens

SIDE_BY_SIDE_MIN = 100
STYLE = {
    "same": "",
    "changed": "bold yellow",
    "only_a": "bold red",
    "only_b": "bold green",
    "elided": "dim italic",
    "stock": "dim",
}
MARK_SIDE = {
    ("a", "changed"): ("[~", "~]"),
    ("a", "only"): ("[-", "-]"),
    ("b", "changed"): ("{~", "~}"),
    ("b", "only"): ("{+", "+}"),
}
_WS = re.compile(r"\s+")
# "manage-⏎ment" as the tokenizer joins it (a lower-case word continues after the break)
_HYPHEN_BREAK = re.compile(r"(?<=\w)[-\u2010\u00ad][ \t]*\n\s*(?=[a-z])")


def nothing_shared(report: PairReport) -> str:
    return f"no shared passage of {report.settings.get('min_words', 12)} or more words"


# ------------------------------------------------------------------------------ text helpers


class _Side:
    """Original text of one document, with skipped regions (furniture, line numbers) left out."""

    def __init__(self, doc: Document | None, tokens: Tokens, keep_deleted: bool):
        self.doc, self.tokens = doc, tokens
        skip = () if doc is None else doc.skip
        if keep_deleted:
            skip = tuple(s for s in skip if s.kind != "deleted")
        self.skip = sorted((s.start, s.end) for s in skip)
        self.skip_starts = [s for s, _ in self.skip]
        self.linenos = (
            []
            if doc is None
            else sorted((s.start, s.end) for s in doc.skip if s.kind == "line-number")
        )

    def chars(self, lo: int, hi: int) -> str:
        """Text between two character offsets, skipped regions removed, white space collapsed."""
        if self.doc is None:
            return ""
        text = self.doc.text
        if not self.skip:
            return _WS.sub(" ", _HYPHEN_BREAK.sub("", text[lo:hi]))
        parts, pos = [], lo
        k = max(0, bisect.bisect_right(self.skip_starts, lo) - 1)
        while k < len(self.skip) and self.skip[k][0] < hi:
            s, e = self.skip[k]
            if e > pos:
                if s > pos:
                    parts.append(text[pos:s])
                pos = max(pos, e)
            k += 1
        if pos < hi:
            parts.append(text[pos:hi])
        return _WS.sub(" ", _HYPHEN_BREAK.sub("", "\n".join(parts)))

    def words(self, w0: int, w1: int) -> str:
        """Words w0..w1 (exclusive) as written."""
        if w1 <= w0:
            return ""
        if self.doc is None:
            return " ".join(self.tokens.words[w0:w1])
        return self.chars(self.tokens.starts[w0], self.tokens.ends[w1 - 1])

    def after(self, w: int, last: bool = False) -> str:
        """What stands between word w and word w+1 (punctuation, one space); for the last
        word of a passage only the punctuation that sticks to it."""
        if self.doc is None:
            return "" if last else " "
        t = self.tokens
        hi = t.starts[w + 1] if w + 1 < len(t) else len(self.doc.text)
        gap = self.chars(t.ends[w], hi)
        if last:
            return gap.split(" ", 1)[0]
        return gap if gap.strip() else (" " if gap else "")

    def before(self, w: int) -> str:
        """Punctuation stuck to the front of word w (an opening quote or parenthesis)."""
        if self.doc is None:
            return ""
        t = self.tokens
        lo = t.ends[w - 1] if w > 0 else max(0, t.starts[w] - 8)
        gap = self.chars(lo, t.starts[w])
        return gap.rsplit(" ", 1)[-1]

    def where(self, char: int) -> str:
        """'line N' (or 'p. P line N' in a PDF, with the printed line number when known)."""
        if self.doc is None:
            return ""
        page = self.doc.page_of(char)
        if self.linenos:
            k = bisect.bisect_right(self.linenos, (char, char)) - 1
            if k >= 0:
                s, e = self.linenos[k]
                if page is None or self.doc.page_of(s) == page:
                    num = self.doc.text[s:e].strip()
                    if num.isdigit():
                        return f"p. {page} line {num}" if page else f"line {num}"
        line = self.doc.line_of(char)
        return f"p. {page} line {line}" if page else f"line {line}"


# ------------------------------------------------------------------------------ building text


def _equal_pieces(side: _Side, w0: int, w1: int, context: int | None, last: bool = False):
    """(text, style) pieces for an identical stretch, shortened in the middle when long."""
    n = w1 - w0
    head = tail = context or 0
    if context is None or n <= head + tail + context:
        return [(side.words(w0, w1) + side.after(w1 - 1, last), "same")]
    out = []
    if head:
        out.append((side.words(w0, w0 + head) + " ", "same"))
    out.append((f"… {n - head - tail:,} identical words … ", "elided"))
    if tail:
        out.append((side.words(w1 - tail, w1) + side.after(w1 - 1, last), "same"))
    return out


def _side_text(p: Passage, side: _Side, which: str, context: int | None):
    from rich.text import Text

    text = Text(side.before(p.a_start if which == "a" else p.b_start))
    for op in p.ops:
        w0, w1 = (op.a_start, op.a_end) if which == "a" else (op.b_start, op.b_end)
        if op.tag == "equal":
            for piece, style in _equal_pieces(side, w0, w1, context, op is p.ops[-1]):
                text.append(piece, STYLE[style])
            continue
        if w1 == w0:
            continue
        kind = "changed" if op.tag == "replace" else "only"
        left, right = MARK_SIDE[(which, kind)]
        style = STYLE["changed" if kind == "changed" else ("only_a" if which == "a" else "only_b")]
        text.append(left + side.words(w0, w1) + right, style)
        text.append(side.after(w1 - 1))
    text.rstrip()
    return text


def _inline_text(p: Passage, sa: _Side, sb: _Side, context: int | None):
    from rich.text import Text

    text = Text(sa.before(p.a_start))
    for op in p.ops:
        if op.tag == "equal":
            for piece, style in _equal_pieces(sa, op.a_start, op.a_end, context, op is p.ops[-1]):
                text.append(piece, STYLE[style])
            continue
        style_a = STYLE["changed" if op.tag == "replace" else "only_a"]
        style_b = STYLE["changed" if op.tag == "replace" else "only_b"]
        if op.a_end == op.a_start and op.a_start > 0 and op.b_start > 0:
            # words only in B: show them between B's own punctuation, as B is written
            # ("(3)({+a+}) Facial", not "(3) {+a+} Facial"), in place of A's gap there
            ga = sa.after(op.a_start - 1)
            if ga and text.plain.endswith(ga):
                text.right_crop(len(ga))
                text.append(sb.after(op.b_start - 1))
                text.append("{+" + sb.words(op.b_start, op.b_end) + "+}", style_b)
                text.append(sb.after(op.b_end - 1))
                continue
        if op.a_end > op.a_start:
            text.append("[-" + sa.words(op.a_start, op.a_end) + "-]", style_a)
        if op.b_end > op.b_start:
            text.append("{+" + sb.words(op.b_start, op.b_end) + "+}", style_b)
        text.append(sa.after(op.a_end - 1) if op.a_end > op.a_start else " ")
    text.rstrip()
    return text


# ------------------------------------------------------------------------------ renderables


LEGEND_SIDE = "marks: same · [~changed~] in A, {~changed~} in B · [-only in A-] · {+only in B+}"
LEGEND_INLINE = "marks: [-A-]{+B+} changed · [-only in A-] · {+only in B+}"


def _header(report: PairReport, wide: bool = True):
    from rich.table import Table
    from rich.text import Text

    from ..errors import shown

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for tag, doc, cov, other in (
        ("A", report.a, report.coverage_a, "B"),
        ("B", report.b, report.coverage_b, "A"),
    ):
        m = doc.meta
        name = shown(m.label or m.id or m.source)  # a file name's control characters escaped
        title = f" — {m.title}" if m.title else ""
        grid.add_row(tag, Text(f"{name}{title}", overflow="fold"))
        grid.add_row(
            "",
            f"{doc.words:,} words · {cov:.1%} of them found in {other}"
            f"{' · ' + shown(m.source) if m.source and shown(m.source) != name else ''}",
        )
    n = len(report.passages)
    mw = report.settings.get("min_words", 12)
    stock = sum(1 for p in report.passages if p.is_boilerplate)
    summary = (
        f"{n} shared passage{'s' if n != 1 else ''} of {mw}+ words"
        f"{f', longest {report.longest:,} words' if n else ''}"
        f"{f', {stock} of them stock phrases' if stock else ''}"
    )
    grid.add_row("", Text(summary if n else nothing_shared(report), style="bold"))
    if n:
        grid.add_row(
            "",
            Text(LEGEND_SIDE if wide else LEGEND_INLINE, style="dim"),
        )
    return grid


def _title(k: int, p: Passage, sa: _Side, sb: _Side) -> str:
    stock = (
        f" · stock: {p.stock_phrase}"
        if p.stock_phrase
        else (" · boilerplate" if p.is_boilerplate else "")
    )
    ident = "100%" if p.identity >= 1 else f"{min(p.identity, 0.999):.1%}"
    return (
        f"#{k}  {max(p.a_words, p.b_words):,} words · {ident} identical · score {p.score:g}{stock}"
    )


def _loc(which: str, p: Passage, side: _Side) -> str:
    w0, w1 = (p.a_start, p.a_end) if which == "a" else (p.b_start, p.b_end)
    c0 = p.a_char_start if which == "a" else p.b_char_start
    sec = p.a_section if which == "a" else p.b_section
    parts = [which.upper(), f"words {w0:,}–{w1:,}"]
    where = side.where(c0)
    if where:
        parts.append(where)
    if sec:
        parts.append(sec)
    return " · ".join(parts)


def pair_renderables(
    report: PairReport, *, width: int, full: bool = False, context: int = 12
) -> list:
    """Rich renderables for ``report`` laid out for a terminal ``width`` columns wide."""
    from rich.padding import Padding
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    wide = width >= SIDE_BY_SIDE_MIN
    out: list = [_header(report, wide)]  # the legend names the marks of the layout in use
    if not report.passages:
        return out
    keep_deleted = bool(report.settings.get("keep_deleted"))
    sa = _Side(report.a_doc, report.a_tokens or _empty(), keep_deleted)
    sb = _Side(report.b_doc, report.b_tokens or _empty(), keep_deleted)
    ctx = None if full else context
    for k, p in enumerate(report.passages, 1):
        style = STYLE["stock"] if p.is_boilerplate else ""
        out.append(
            Rule(
                Text(_title(k, p, sa, sb)),
                align="left",
                style="dim" if p.is_boilerplate else "cyan",
            )
        )
        if report.a_tokens is None or report.b_tokens is None:
            out.append(Text(f"{_loc('a', p, sa)}  ↔  {_loc('b', p, sb)}", style=style))
            continue
        if wide:
            t = Table(
                show_header=True,
                header_style="bold",
                box=None,
                expand=True,
                padding=(0, 1),
                show_edge=False,
            )
            t.add_column(_loc("a", p, sa), ratio=1, overflow="fold")
            t.add_column(_loc("b", p, sb), ratio=1, overflow="fold")
            t.add_row(_side_text(p, sa, "a", ctx), _side_text(p, sb, "b", ctx), style=style)
            out.append(t)
        else:
            out.append(Text(f"{_loc('a', p, sa)}\n{_loc('b', p, sb)}", style="bold"))
            out.append(Padding(_inline_text(p, sa, sb, ctx), (0, 0, 0, 2), style=style))
    return out


def print_pair(console, report: PairReport, *, full: bool = False) -> None:
    """Print ``report`` on a rich Console, laid out for its width."""
    for r in pair_renderables(report, width=console.width, full=full):
        console.print(r)


def _empty() -> Tokens:
    return Tokens((), (), ())
