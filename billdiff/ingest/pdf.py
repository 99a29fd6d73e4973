"""PDF reader (pdfplumber): extracted text with line numbers, furniture and struck matter
listed as skip spans, pages' start offsets, underlined words as ``inserted`` marks.

Furniture found on a page: the vertical margin stamp (any text not in the page's main
direction), GPO's ``VerDate … Jkt … Frm … Fmt … Sfmt …`` typesetting line, running headers
and footers (``•HR 2008 EH``; any line repeated at the top or bottom of most pages), page
numbers (a lone number as first or last line), GPO's end mark ``Æ`` and the cover page's
document-class letter (``I``), and the lines a print driver or converter stamps on a page
(``Microsoft Word - HB1234.docx``, ``Printed on 3/4/2021 10:12 AM``, Distiller's job settings,
``Page 3 of 12``: ``text.print_junk``). Margin line numbers are digits in a right-aligned column left of
the text (found across the whole document: several per page, at the same x).
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict

from ..errors import InputError
from ..limits import LimitError
from ..limits import current as current_limits
from ..model import Span
from .markup import Extracted
from .pdf_bounds import budget, page_count, unwrap
from .pdf_layout import Line, build_lines, mark_rules, orientation, split_columns
from .text import print_junk

_VERDATE = re.compile(r"^VerDate\b|\bJkt \d+ PO \d+|\bFrm \d+ Fmt \d+")
_GPO_FOOTER = re.compile(r"^•\s*[A-Z][A-Z.]{0,7}\s*\d+\s+[A-Z]{2,5}$")
_GPO_FOOTER_BARE = re.compile(
    r"^(?:H\.?\s?R\.?|S\.?|H\.?\s?(?:J\.?\s?|CON\.?\s?)?RES\.?|"
    r"S\.?\s?(?:J\.?\s?|CON\.?\s?)?RES\.?)\s*\d+\s+[A-Z]{2,5}$"
)
_END_MARK = re.compile(r"^(?:Æ|<all>)$")
_CLASS_MARK = re.compile(r"^[IVX]{1,4}[AB]?$")
_PAGE_NUM = re.compile(r"^(?:[-–—]\s*)?(?:page\s+)?\d{1,4}(?:\s*[-–—])?(?:\s+of\s+\d+)?$", re.I)
_DIGITS = re.compile(r"^\d{1,3}$")

OCR_HINT = "run OCR first, e.g. ocrmypdf in.pdf out.pdf, then read out.pdf"


def _open(data: bytes, name: str, max_pages: int):
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        n = page_count(pdf.doc)  # the stated count, before one object per page is made
        if n is None or n <= max_pages:
            n = len(pdf.pages)  # parses the page tree: a /Count that lies is caught here
        if n > max_pages:
            pdf.close()
            raise LimitError("pdf_pages", path=name, got=f"{n:,} pages", limit=max_pages)
        return pdf
    except Exception as err:  # pdfminer raises many types; all mean "cannot open"
        over = unwrap(err)
        if over is not None:
            raise over from None
        chain, e = [], err
        while e is not None:
            chain.append(f"{type(e).__name__} {e}".lower())
            e = e.__cause__ or e.__context__
        blob = " ".join(chain)
        if "password" in blob or "encrypt" in blob:
            raise InputError(
                "the PDF is encrypted (password-protected)",
                path=name,
                hint="open it with its password and save an unprotected copy "
                "(e.g. qpdf --decrypt), then read that",
            ) from None
        raise InputError(
            "not a readable PDF (truncated or corrupt)",
            path=name,
            hint="download it again or export a fresh copy of the PDF",
        ) from None


def read_pdf(data: bytes, name: str) -> Extracted:
    lim = current_limits()
    with budget(lim.inflated_bytes, name):
        pages = _read_pages(data, name, lim.pdf_pages)
    if not any(ln.words for lines, _ in pages for ln in lines):
        raise InputError(
            "the PDF has no text layer (scanned or image-only?)", path=name, hint=OCR_HINT
        )
    _mark_furniture(pages)
    _mark_line_numbers([lines for lines, _ in pages])
    return _assemble(pages)


def _read_pages(data: bytes, name: str, max_pages: int) -> list[tuple[list[Line], list[Line]]]:
    pdf = _open(data, name, max_pages)
    try:
        pages = []
        for page in pdf.pages:
            try:
                pages.append(_page_lines(page))
            except Exception as err:  # a broken content stream on one page
                over = unwrap(err)
                if over is not None:
                    raise over from None
                raise InputError(
                    "not a readable PDF (a page cannot be decoded)",
                    path=name,
                    hint="download it again or export a fresh copy",
                ) from None
            finally:
                page.close()  # drop the page's layout cache: long bills stay small in memory
    finally:
        pdf.close()
    return pages


def _page_lines(page) -> tuple[list[Line], list[Line]]:
    """(main lines, stamp lines) of one page."""
    chars, segments = _objects(page)
    by_orient: dict[str, list[dict]] = defaultdict(list)
    for ch in chars:
        by_orient[orientation(ch)].append(ch)
    if not by_orient:
        return [], []
    main = max(by_orient, key=lambda o: sum(1 for c in by_orient[o] if c["text"].strip()))
    w, h = float(page.width), float(page.height)
    lines = build_lines(by_orient[main], main, w, h)
    if main == "up":
        lines = split_columns(lines, w)
        mark_rules(lines, segments)
    stamp = []
    for o, cs in sorted(by_orient.items()):
        if o != main:
            for ln in build_lines(cs, o, w, h):
                ln.kind = "furniture"
                stamp.append(ln)
    return lines, stamp


def _objects(page) -> tuple[list[dict], list[tuple[float, float, float]]]:
    """Glyphs (text, x0, x1, top, bottom, matrix) and horizontal strokes (x0, x1, y), in
    top-down coordinates, straight from pdfminer's layout of the page: pdfplumber's own
    per-object dictionaries cost more than the rest of our reading put together."""
    from pdfminer.layout import LTChar, LTContainer, LTLine, LTRect

    h = float(page.height)
    chars: list[dict] = []
    segs: list[tuple[float, float, float]] = []
    stack = [page.layout]
    while stack:
        for o in stack.pop():
            if isinstance(o, LTChar):
                t = o.get_text()
                if t:
                    chars.append(
                        {
                            "text": t,
                            "x0": o.x0,
                            "x1": o.x1,
                            "top": h - o.y1,
                            "bottom": h - o.y0,
                            "matrix": o.matrix,
                        }
                    )
            elif isinstance(o, LTLine):
                if abs(o.y1 - o.y0) < 1.0 and o.x1 - o.x0 > 1.0:
                    segs.append((o.x0, o.x1, h - (o.y0 + o.y1) / 2))
            elif isinstance(o, LTRect):
                if o.y1 - o.y0 <= 2.5 and o.x1 - o.x0 > 1.0:
                    segs.append((o.x0, o.x1, h - (o.y0 + o.y1) / 2))
            elif isinstance(o, LTContainer):
                stack.append(o)
    return chars, segs


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def _mark_furniture(pages: list[tuple[list[Line], list[Line]]]) -> None:
    n = len(pages)
    # running headers/footers: the same line (digits aside) in the same slot at the top or
    # bottom of most pages
    slots: Counter = Counter()
    for lines, _ in pages:
        slots.update(_edge_slots(lines))
    repeated = {
        k
        for k, c in slots.items()
        if n >= 3 and c >= max(3, 0.5 * n) and len(k[1]) > 1 and k[1] != "#"
    }
    for pno, (lines, _) in enumerate(pages):
        rep = {i for i, k in _edge_slots(lines, indexed=True) if k in repeated}
        for i, ln in enumerate(lines):
            t = ln.text.strip()
            edge = i < 2 or i >= len(lines) - 3
            if (
                _VERDATE.search(t)
                or print_junk(t)
                or _GPO_FOOTER.match(t)
                or _END_MARK.match(t)
                or i in rep
                or (edge and _GPO_FOOTER_BARE.match(t))
            ):
                ln.kind = "furniture"
            elif pno == 0 and i < 3 and _CLASS_MARK.match(t) and len(lines) > 5:
                ln.kind = "furniture"
        # page numbers: a lone number as the first or last line that is not furniture
        body = [ln for ln in lines if not ln.kind]
        for ln in body[:1] + body[-1:]:
            if _PAGE_NUM.match(ln.text.strip()) and len(ln.words) <= 4:
                ln.kind = "furniture"


def _edge_slots(lines: list[Line], indexed: bool = False):
    """(slot, shape) of the first two and last three lines ('t0', 't1', 'b1'…'b3')."""
    out = []
    for i, ln in enumerate(lines):
        slot = f"t{i}" if i < 2 else f"b{len(lines) - i}" if i >= len(lines) - 3 else None
        if slot is not None:
            key = (slot, _shape(ln.text))
            out.append((i, key) if indexed else key)
    return out


def _mark_line_numbers(pages: list[list[Line]]) -> None:
    """Margin line numbers: a right-aligned column of small numbers left of the text."""
    cands = []  # (page, line, right edge)
    for pno, lines in enumerate(pages):
        for ln in lines:
            if ln.kind or not ln.words or not _DIGITS.match(ln.words[0].text):
                continue
            w0 = ln.words[0]
            if len(ln.words) == 1 or ln.words[1].u0 - w0.u1 >= 0.4 * w0.size:
                cands.append((pno, ln, round(w0.u1)))
    per_x: dict[int, list] = defaultdict(list)
    for c in cands:
        per_x[c[2]].append(c)
    columns = set()
    for x, cs in per_x.items():
        pages_with = {c[0] for c in cs}
        near = sum(len(per_x.get(x + d, [])) for d in (-1, 0, 1))
        if near >= 3 and near >= 1.5 * len(pages_with):
            columns.add(x)
    for _pno, ln, x in cands:
        if any(abs(x - c) <= 1 for c in columns):
            ln.numbered = True


def _assemble(pages) -> Extracted:
    parts: list[str] = []
    pos = 0
    skip: list[Span] = []
    marks: list[Span] = []
    starts: list[int] = []

    def emit_line(ln: Line) -> None:
        nonlocal pos
        line_start = pos
        run: tuple[int, int, str] | None = None  # a run of struck/underlined words
        for j, w in enumerate(ln.words):
            if j:
                parts.append(" ")
                pos += 1
            ws, pos = pos, pos + len(w.text)
            parts.append(w.text)
            if j == 0 and ln.numbered:
                skip.append(Span(ws, pos, "line-number"))
                continue
            kind = "deleted" if w.struck else "inserted" if w.underlined else ""
            if run and run[2] == kind:
                run = (run[0], pos, kind)
            else:
                _flush(run)
                run = (ws, pos, kind) if kind else None
        _flush(run)
        if ln.kind == "furniture":
            skip.append(Span(line_start, pos, "furniture"))
        parts.append("\n")
        pos += 1

    def _flush(run) -> None:
        if run:
            (skip if run[2] == "deleted" else marks).append(Span(*run))

    for lines, stamp in pages:
        starts.append(pos)
        for ln in lines:
            emit_line(ln)
        for ln in stamp:
            emit_line(ln)
    return Extracted("".join(parts), skip, marks, tuple(starts))
