"""SYNTHETIC test PDFs drawn with reportlab (bill-like text written here, not real bills).

Used by the ingest and bad-input tests: struck and underlined words, two columns, line
numbers and running headers, image-only pages, encrypted files.
"""

from __future__ import annotations

from pathlib import Path


def _canvas(path: Path, **kw):
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    return canvas.Canvas(str(path), pagesize=letter, **kw)


def draw_words(c, x: float, y: float, words, size: float = 12, font: str = "Times-Roman"):
    """Draw (word, style) pairs on one line; style '' | 'strike' | 'under'. Returns x end."""
    c.setFont(font, size)
    space = c.stringWidth(" ", font, size)
    for word, style in words:
        w = c.stringWidth(word, font, size)
        c.drawString(x, y, word)
        if style == "strike":
            c.setLineWidth(0.8)
            c.line(x, y + 0.3 * size, x + w, y + 0.3 * size)
        elif style == "under":
            c.setLineWidth(0.6)
            c.line(x, y - 2, x + w, y - 2)
        x += w + space
    return x


def markup_pdf(path: Path) -> Path:
    """One page: a sentence with struck words (drawn lines) and an underlined insertion."""
    c = _canvas(path)
    y = 700
    draw_words(c, 72, y, [(w, "") for w in "SYNTHETIC BILL FOR TESTS".split()], 14)
    y -= 30
    line1 = [
        ("The", ""),
        ("fee", ""),
        ("is", ""),
        ("twenty", "strike"),
        ("dollars", "strike"),
        ("thirty", "under"),
        ("dollars", "under"),
        ("per", ""),
        ("permit.", ""),
    ]
    draw_words(c, 72, y, line1)
    y -= 20
    # a struck line drawn as a thin filled rectangle instead of a stroked line
    c.setFont("Times-Roman", 12)
    x = 72
    for word, struck in [
        ("Applicants", False),
        ("must", False),
        ("never", True),
        ("apply", False),
        ("online.", False),
    ]:
        w = c.stringWidth(word, "Times-Roman", 12)
        c.drawString(x, y, word)
        if struck:
            c.rect(x, y + 3.6, w, 0.7, stroke=0, fill=1)
        x += w + c.stringWidth(" ", "Times-Roman", 12)
    c.showPage()
    c.save()
    return path


_NATO = (
    "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike "
    "november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee "
    "zulu"
).split()


def numbered_line(n: int) -> str:
    """Line n of the synthetic numbered act (distinct words on every line)."""
    a, b = _NATO[n % 26], _NATO[(7 * n + 3) % 26]
    return f"clause {a} {b} of the synthetic act of testing"


def numbered_pdf(path: Path, pages: int = 3) -> Path:
    """Pages with margin line numbers 1-10, a running header, a page number at the foot, and
    the word "management" hyphenated across each page break."""
    c = _canvas(path)
    n = 0
    for p in range(1, pages + 1):
        c.setFont("Helvetica", 9)
        c.drawString(72, 750, "SYNTHETIC ACT OF TESTING — DRAFT 7")
        c.drawCentredString(306, 40, str(p))
        c.setFont("Times-Roman", 12)
        y = 700
        for i in range(1, 11):
            n += 1
            c.drawRightString(100, y, str(i))
            text = numbered_line(n)
            if i == 10 and p < pages:
                text += " manage-"
            elif i == 1 and p > 1:
                text = "ment " + text
            c.drawString(110, y, text)
            y -= 24
        c.showPage()
    c.save()
    return path


def two_column_pdf(path: Path) -> Path:
    c = _canvas(path)
    c.setFont("Times-Roman", 11)
    for i in range(12):
        y = 700 - 16 * i
        c.drawString(72, y, f"left column line {i} alpha")
        c.drawString(330, y, f"right column line {i} omega")
    c.showPage()
    c.save()
    return path


def image_only_pdf(path: Path) -> Path:
    """A 'scanned' page: shapes and no text layer."""
    c = _canvas(path)
    c.setFillGray(0.3)
    c.rect(72, 300, 400, 300, stroke=1, fill=1)
    c.circle(300, 200, 50, fill=1)
    c.showPage()
    c.save()
    return path


def encrypted_pdf(path: Path) -> Path:
    from reportlab.lib import pdfencrypt

    enc = pdfencrypt.StandardEncryption("user-secret", ownerPassword="owner-secret", strength=128)
    c = _canvas(path, encrypt=enc)
    c.setFont("Times-Roman", 12)
    c.drawString(72, 700, "SYNTHETIC protected bill text.")
    c.showPage()
    c.save()
    return path


def plain_pdf(path: Path, lines) -> Path:
    c = _canvas(path)
    c.setFont("Times-Roman", 12)
    y = 720
    for ln in lines:
        c.drawString(72, y, ln)
        y -= 18
    c.showPage()
    c.save()
    return path
