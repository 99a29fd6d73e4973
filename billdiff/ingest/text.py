"""Plain-text reader: decoding (BOM, UTF-8, Windows-1252, Latin-1, detection) and the
furniture of plain-text renditions (GPO's banner, ``<DOC>``/``<all>``, rule lines).

``Document.text`` is the decoded file, verbatim; Unicode folding happens in normalize.
"""

from __future__ import annotations

import bisect
import codecs
import re

from ..errors import InputError
from ..limits import check_chars
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
    (b"\xca\xfe\xba\xbe", "a program"),
    (b"\xcf\xfa\xed\xfe", "a program"),
    (b"RIFF", "a media file (WebP, WAV or AVI)"),
    (b"II*\x00", "a TIFF image (a scan needs OCR first)"),
    (b"MM\x00*", "a TIFF image (a scan needs OCR first)"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive (unpack it first)"),
    (b"Rar!", "a RAR archive (unpack it first)"),
    (b"BZh", "a bzip2 archive (unpack it first)"),
    (b"\xfd7zXZ\x00", "an xz archive (unpack it first)"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive (unpack it first)"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg media file"),
    (b"\x1aE\xdf\xa3", "a video file"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
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
    text = check_chars(decode(data, name)[0], name)  # before any work on a text that long
    if not text.strip():
        raise InputError(
            "the file is empty (no text)", path=name, hint="check that it is the right file"
        )
    return Extracted(text, plain_furniture(text))


def plain_furniture(text: str) -> list[Span]:
    """GPO banner lines (top of the file), ``<DOC>``/``<all>``, rules of underscores, print and
    PDF-driver lines, web-page junk lines and site menus (see ``junk_lines``)."""
    skip: list[Span] = []
    head_end = _nth_line_end(text, 8)
    for m in _BANNER.finditer(text, 0, head_end):
        skip.append(Span(m.start(), m.end(), "furniture"))
    for rx, cue in ((_DOC_TAGS, "<"), (_RULE, "_____")):
        if cue in text:  # a substring test first: most texts hold neither
            skip.extend(Span(m.start(), m.end(), "furniture") for m in rx.finditer(text))
    skip.extend(junk_lines(text))
    skip.extend(line_numbers(text))
    return skip


# Lines a print driver, PDF converter or browser puts into the text; whole lines only
_PRINT_JUNK = re.compile(
    r"^[ \t]*(?:"
    # "Microsoft Word - HB1234.docx": the document name a printer driver stamps on each page
    r"Microsoft (?:Word|Excel|PowerPoint) - [^\n]{1,100}"
    # "Printed on 3/4/2021 10:12 AM", "Printed: 03/04/2021"
    r"|Printed(?: on)?:? \d{1,2}/\d{1,2}/\d{2,4}(?:,? \d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp]\.?[Mm]\.?)?)?"
    # a lone date and time (a browser's print header): "3/4/21, 10:12 AM"
    r"|\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp][Mm])?"
    # a browser's print footer: the page's address and "page/pages"
    r"|https?://\S+[ \t]+\d{1,4}/\d{1,4}"
    # Acrobat Distiller's job settings and log lines
    r"|(?:Adobe PDF |Distiller )?Job (?:settings|options)(?: ?: ?(?:[^\n]{0,80}\.joboptions"
    r"|\[?(?:Standard|Smallest File Size|High Quality Print|Press Quality|PDF/[AX][-\w]*)\]?))?"
    r"|%%\[[^\n]{0,200}\]%%"
    r"|(?:Acrobat Distiller|Adobe PDF Library|Acrobat PDFMaker|PScript5\.dll|GPL Ghostscript)"
    r" [\d.]+(?:[ \t]*\([^)\n]{0,40}\))?(?:[ \t]*Version [\d.]+)?"
    # "Page 3 of 12", "Page 3"
    r"|Page \d{1,4}(?: of \d{1,4})?"
    r")[ \t]*(?=\r?$)",
    re.M | re.I,
)
# Lines of web pages that are never law, whole lines only
_WEB_JUNK = re.compile(
    r"^[ \t]*(?:Skip to (?:main )?(?:content|navigation|main navigation|search)|Skip navigation"
    r"|Back to top|Return to top|Hack attempt has been recorded\.?"
    r"|(?:You need to )?enable JavaScript to (?:run|view) this (?:app|site|page)\.?"
    r"|JavaScript (?:is )?(?:required|disabled)\.?|Print this page|Share this page"
    # copyright and site-software footers
    r"|(?:Copyright )?©[^\n]{0,100}|[^\n]{0,60}\bAll rights reserved\.?"
    r"|Powered by \w+(?: \w+)?)[ \t]*(?=\r?$)",
    re.M | re.I,
)
# A page legend: what capitals, brackets, underlining or strike-through mean, to the end of its
# sentence (Maryland's "EXPLANATION: CAPITALS INDICATE MATTER ADDED TO EXISTING LAW.",
# Colorado's "Capital letters or bold & italic numbers indicate new material …", Florida's
# "CODING: Words stricken are deletions; words underlined are additions.")
_LEGEND = re.compile(
    r"^[ \t]*(?:(?:EXPLANATION|CODING|Legend|Key|Note)[ \t]*[:–—-][ \t]*(?:text in )?)?"
    r"(?:\[?Brackets\]?|CAPITALS|(?:ALL )?CAPS|Capital letters|Underlin\w*|Strike[- ]?(?:out|through)\w*"
    r"|Stricken|Struck|Words (?:stricken|underlined)|Matter in|Bold\w*|Italic\w*"
    r"|Dashes through)\b[^\n]{0,120}?\b(?:indicates?|is new|are new|are (?:additions|deletions)"
    r"|is (?:deleted|removed))\b[^.]{0,300}\.(?=\s|$)",
    re.M | re.I,
)

# one of these (lower case) is in every text _WEB_JUNK / _LEGEND match
_WEB_CUES = (
    "skip to ",
    "skip navigation",
    "back to top",
    "return to top",
    "hack attempt",
    "javascript",
    "print this",
    "share this",
    "\u00a9",
    "all rights reserved",
    "powered by",
)
_LEGEND_CUES = (
    "bracket",
    "capital",
    "caps",
    "underlin",
    "strike",
    "stricken",
    "struck",
    "matter in",
    "bold",
    "italic",
    "dashes through",
)


def print_junk(line: str) -> bool:
    """Is this one line (no line break) a print-driver, converter or browser line?"""
    return bool(_PRINT_JUNK.fullmatch(line.strip()))


_NAV_EDGE = 3  # other lines allowed between a site menu and the start or the end of the text


def junk_lines(text: str) -> list[Span]:
    """Furniture lines: print/PDF-driver lines (``_PRINT_JUNK``), web junk (``_WEB_JUNK``), page
    legends (``_LEGEND``), and site menus: runs of 3 or more menu lines (1-3 word labels, blank
    lines aside), or a line of 3 or more ``|``-separated labels (``Home | Search | Contact``;
    not a table row), at the start or the end of the text: at most ``_NAV_EDGE`` other lines (junk aside), none of them running text,
    lie between the run and the edge. ``billdiff.stock.menu_lines`` says what a menu line is."""
    from ..stock import menu_lines

    low = text.lower()
    skip = [
        Span(m.start(), m.end(), "furniture")
        for rx, cues in ((_PRINT_JUNK, ()), (_WEB_JUNK, _WEB_CUES), (_LEGEND, _LEGEND_CUES))
        if not cues or any(c in low for c in cues)  # a substring test is 10x cheaper than rx
        for m in rx.finditer(text)
    ]
    junk_at = {text.count("\n", 0, s.start) for s in skip}
    lines = text.split("\n")
    n = len(lines)

    def is_body(i: int) -> bool:
        return i not in junk_at and bool(lines[i].strip())

    # Only a run near an edge can be a site menu: past the first (and before the last)
    # _NAV_EDGE + 1 body lines that are no menu line, no run qualifies. So the menu tests run
    # on the two edge windows only, and when the windows do not meet the lines between are
    # never looked at: each window holds _NAV_EDGE + 1 other lines, which already puts a run
    # of the other window too far from its edge (a long bill is read several times faster).
    head = _edge(filter(is_body, range(n)), lines, True)
    tail = _edge(filter(is_body, range(n - 1, -1, -1)), lines, False)
    flags = [False] * n
    if head >= tail:
        body = [i for i in range(n) if is_body(i)]
        flags = menu_lines(lines)
    else:
        body = [i for i in range(head) if is_body(i)] + [i for i in range(tail, n) if is_body(i)]
        flags[:head] = menu_lines(lines[:head])
        flags[tail:] = menu_lines(lines[tail:])
    runs: list[list[int]] = [[]]
    for i in body:
        if flags[i]:
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    other = [i for i in body if not flags[i]]
    prose = [i for i in other if (i < head or i >= tail) and _prose(lines[i])]
    for run in runs:
        if not run:
            continue
        before = bisect.bisect_left(other, run[0])
        after = len(other) - bisect.bisect_right(other, run[-1])
        at_start = before <= _NAV_EDGE and not (prose and prose[0] < run[0])
        at_end = after <= _NAV_EDGE and not (prose and prose[-1] > run[-1])
        # a footer menu is set off from the text above it; a list that ends the text is not
        above = lines[run[0] - 1].strip() if run[0] else ""
        at_end = at_end and (not above or run[0] - 1 in junk_at or above[-1] in ".!?")
        # three menu lines, or one line of three or more |-separated labels
        menu = len(run) >= 3 or any(lines[k].count("|") >= 2 for k in run)
        if menu and (at_start or at_end):
            skip.extend(_line_span(_line_start(lines, k), lines[k]) for k in run)
    return skip


def _line_start(lines: list[str], k: int) -> int:
    """Offset of line ``k`` in the text the ``lines`` were split from (on "\\n")."""
    return sum(map(len, lines[:k])) + k


def _edge(walk, lines: list[str], forward: bool) -> int:
    """Walking body lines from one edge (``walk``: body indices in walking order), the line
    index where the window ends: just past (head) or at (tail) the ``_NAV_EDGE + 1``-th line
    that is no menu line (``menu_line``; the table rule of ``menu_lines`` only removes menu
    lines, so this window holds the exact one)."""
    from ..stock import menu_line

    seen = 0
    for i in walk:
        if not menu_line(lines[i]):
            seen += 1
            if seen > _NAV_EDGE:
                return i + 1 if forward else i
    return len(lines) if forward else 0


def _prose(line: str) -> bool:
    """A line of running text: six words or more, or a sentence's end."""
    line = line.strip()
    return len(line.split()) >= 6 or line[-1:] in ".;:,"


def _line_span(start: int, line: str) -> Span:
    lead = len(line) - len(line.lstrip())
    return Span(start + lead, start + len(line.rstrip()), "furniture")


def _nth_line_end(text: str, n: int) -> int:
    pos = 0
    for _ in range(n):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos


# Printed line numbers: a number alone on its line, or at the start of a line before its text
# (not "1." or "1)": a numbered list), or a whole line of numbers counting up ("1 2 3 … 24")
_LONE_NUM = re.compile(r"^[ \t]*(\d{1,4})[ \t]*\r?$")
_LEAD_NUM = re.compile(r"^[ \t]*(\d{1,4})[ \t]+(?=[^\s.)\]:,;|%$-])")
_NUM_ROW = re.compile(r"^[ \t]*\d{1,4}(?:[ \t]+\d{1,4}){4,}[ \t]*\r?$")
_NUM = re.compile(r"\d+")
MIN_RUN = 5  # numbers counting up in a row before they are taken for line numbers
_MAX_GAP = 3  # non-blank lines without a number allowed between two numbers of one run


def line_numbers(text: str) -> list[Span]:
    """Printed line numbers as ``line-number`` spans: runs of at least ``MIN_RUN`` numbers
    counting up by one (1, 2, 3, …; a new page may start again), each alone on its line or at
    the start of its line, with at most ``_MAX_GAP`` unnumbered lines between two of them; and
    whole lines of numbers counting up. A numbered list ("1.", "2)") is never taken."""
    out: list[Span] = []
    run: list[tuple[int, int, int]] = []  # (number, start, end)
    gap = 0
    pos = 0

    def flush() -> None:
        if len(run) >= MIN_RUN:
            out.extend(Span(a, b, "line-number") for _, a, b in run)
        run.clear()

    for line in text.split("\n"):
        m = _LONE_NUM.match(line) or _LEAD_NUM.match(line)
        if _NUM_ROW.match(line):
            nums = [(int(x.group()), pos + x.start(), pos + x.end()) for x in _NUM.finditer(line)]
            if all(b[0] == a[0] + 1 for a, b in zip(nums, nums[1:], strict=False)):
                out.extend(Span(a, b, "line-number") for _, a, b in nums)
                m = None
        if m and "|" in line and not (run and int(m.group(1)) == run[-1][0] + 1):
            m = None  # a table row ("21 Firefighter | 5.00%") only continues a run
        if m:
            n = int(m.group(1))
            if run and (n != run[-1][0] + 1 or gap > _MAX_GAP):
                flush()
            run.append((n, pos + m.start(1), pos + m.end(1)))
            gap = 0
        elif line.strip():
            gap += 1
        pos += len(line) + 1
    flush()
    return out
