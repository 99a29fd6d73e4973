"""HTML reader (lxml): the rendered text, one block element per line.

Dropped: ``head``, scripts, styles, navigation, buttons, forms, hidden elements, comments, and
site chrome: ARIA banner/contentinfo/menu roles, breadcrumbs, cookie banners, menus and nav
bars (by class or id), skip links, and the page's own header or footer when it holds a menu.
On app.leg.wa.gov pages only ``div#contentWrapper`` is read; elsewhere the page's one
``<main>`` (or ``role="main"``) element when it has one. A table row is one line with
its non-empty cells joined by `` | `` (as the corpus ``.txt`` renditions do). Struck text
(``<strike>``, ``<s>``, ``<del>``, ``text-decoration: line-through``) → ``deleted`` skip
spans; underlined (``<u>``, ``<ins>``, ``text-decoration: underline``) → ``inserted`` marks.
"""

from __future__ import annotations

import re

from ..errors import InputError
from ..model import Span
from .markup import Extracted
from .text import binary_kind

_DROP = {
    "head",
    "script",
    "style",
    "noscript",
    "nav",
    "button",
    "form",
    "select",
    "option",
    "input",
    "textarea",
    "iframe",
    "svg",
    "template",
    "object",
    "embed",
    "canvas",
    "map",
    "menu",
    "dialog",
    "label",
}
_BLOCK = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "blockquote",
    "pre",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "main",
    "address",
    "figure",
    "figcaption",
    "hr",
    "center",
    "caption",
    "fieldset",
    "details",
    "summary",
    "body",
    "html",
}
_STRUCK_TAGS = {"strike", "s", "del"}
_UNDER_TAGS = {"u", "ins"}
_BUTTON_CLASS = re.compile(
    r"(?:^|\s)(?:ui-btn|btn|button|skip-link|sr-only|visually-hidden)"
    r"(?:\s|$)"
)
# site chrome by class or id: breadcrumbs, cookie/consent banners, skip links, menus, nav bars
# and what the site hides when the page is printed
_CHROME = re.compile(
    r"breadcrumb|cookie|gdpr"
    r"|(?:^|[\s_-])(?:consent|skip-?(?:link|links|nav|to-content|to-main)|navbar|nav|navigation"
    r"|menu|menubar|mainmenu|site-?(?:header|footer|nav|menu)"
    # what the site itself leaves out of a printed page
    r"|hidden-print|d-print-none|no-?print)(?:$|[\s_-])",
    re.I,
)
_CHROME_ROLES = ("button", "navigation", "search", "banner", "contentinfo", "menu", "menubar")
_SECTIONING = {"article", "main", "section", "aside"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_STRIKE_STYLE = re.compile(r"text-decoration[^;]*line-through", re.I)
_UNDER_STYLE = re.compile(r"text-decoration[^;]*underline", re.I)
_GAP_STYLE = re.compile(r"(?:margin|padding)-right\s*:\s*(\d*\.?\d+)", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_WS = re.compile(r"\s+")


def decode_html(data: bytes) -> str:
    """Bytes → str: a declared charset, else UTF-8 (RCW pages declare none), else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    m = _CHARSET.search(data[:4096])
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class _Builder:
    """Accumulates rendered text with collapsed white space and styled spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.line_has_text = False
        self.pending_space = False
        self.pending_sep = ""
        self.pending_sep = ""  # a table-cell separator, written before the cell's first word
        self.pre = 0  # depth of <pre> elements: white space kept as is
        self.spans: list[Span] = []

    def text(self, s: str, kind: str) -> None:
        if not s:
            return
        if self.pre:
            self._raw(s, kind)
            return
        words = _WS.split(s)
        lead, trail = s[:1].isspace(), s[-1:].isspace()
        words = [w for w in words if w]
        if lead:
            self.pending_space = True
        for i, w in enumerate(words):
            if i:
                self.pending_space = True
            if self.pending_sep and self.line_has_text:
                self.parts.append(self.pending_sep)
                self.pos += len(self.pending_sep)
            elif self.pending_space and self.line_has_text:
                self.parts.append(" ")
                self.pos += 1
            self.pending_sep = ""
            self.pending_space = False
            start = self.pos
            self.parts.append(w)
            self.pos += len(w)
            self.line_has_text = True
            if kind:
                if self.spans and self.spans[-1].kind == kind and start - self.spans[-1].end <= 1:
                    self.spans[-1] = Span(self.spans[-1].start, self.pos, kind)
                else:
                    self.spans.append(Span(start, self.pos, kind))
        if trail:
            self.pending_space = True

    def _raw(self, s: str, kind: str) -> None:
        """Inside <pre>: the text verbatim, line breaks and all (GPO's .htm is one <pre>)."""
        if self.pending_space and self.line_has_text and not s[:1].isspace():
            self.parts.append(" ")
            self.pos += 1
        self.pending_space = False
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        if kind and s.strip():
            lead = len(s) - len(s.lstrip())
            trail = len(s) - len(s.rstrip())
            self.spans.append(Span(start + lead, self.pos - trail, kind))
        if "\n" in s:
            self.line_has_text = bool(s.rsplit("\n", 1)[-1].strip())
        else:
            self.line_has_text = self.line_has_text or bool(s.strip())

    def space(self) -> None:
        self.pending_space = True

    def cell(self) -> None:
        """A new table cell: `` | `` before its first word (empty cells add nothing)."""
        if self.line_has_text:
            self.pending_sep = " | "

    def newline(self) -> None:
        if self.line_has_text:
            self.parts.append("\n")
            self.pos += 1
        self.line_has_text = False
        self.pending_space = False
        self.pending_sep = ""


def _render(el, b: _Builder, kind: str, in_row: bool) -> None:
    tag = el.tag if isinstance(el.tag, str) else None
    if tag is None:  # comment / processing instruction: only its tail counts
        return
    tag = tag.lower().split("}")[-1]
    style = el.get("style") or ""
    if (
        tag in _DROP
        or el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
        or el.get("role") in _CHROME_ROLES
        or _BUTTON_CLASS.search(el.get("class") or "")
        or _HIDDEN_STYLE.search(style)
        or _chrome(el, tag)
    ):
        return
    if tag in _STRUCK_TAGS or _STRIKE_STYLE.search(style):
        kind = "deleted"
    elif kind != "deleted" and (tag in _UNDER_TAGS or _UNDER_STYLE.search(style)):
        kind = "inserted"
    block = tag in _BLOCK and not (in_row and tag not in ("tr",))
    if tag == "br":
        if in_row:
            b.space()
        else:
            b.newline()
        return
    if tag in ("td", "th"):
        b.cell()
    if tag == "pre" and not in_row:
        b.newline()
        b.pre += 1
        b.text(el.text or "", kind)
        for child in el:
            _render(child, b, kind, in_row)
            b.text(child.tail or "", kind)
        b.pre -= 1
        b.newline()
        return
    if tag == "tr":
        b.newline()
        in_row = True
    elif block:
        b.newline()
    elif in_row and tag in _BLOCK:
        b.space()
    b.text(el.text or "", kind)
    for child in el:
        _render(child, b, kind, in_row)
        b.text(child.tail or "", kind)
    if block or tag == "tr":
        b.newline()
    elif any(float(g) > 0 for g in _GAP_STYLE.findall(style)):
        b.space()


def _chrome(el, tag: str) -> bool:
    """Site chrome: a breadcrumb/cookie/menu element by class or id, a skip link, or the
    page's own header or footer (outside any article/main/section) holding a menu."""
    if _CHROME.search(el.get("class") or "") or _CHROME.search(el.get("id") or ""):
        return True
    if el.get("aria-label", "").lower().startswith("breadcrumb"):
        return True
    if tag == "a" and (el.get("href") or "").startswith("#"):
        return (el.text_content() or "").strip().lower().startswith("skip to")
    if tag in ("header", "footer"):
        if any(isinstance(a.tag, str) and a.tag.lower() in _SECTIONING for a in el.iterancestors()):
            return False
        return el.find(".//nav") is not None or len(el.findall(".//a")) >= 3
    return False


def _main(root):
    """The page's one ``<main>`` (or ``role="main"``) element, if it holds text."""
    found = root.xpath("//main | //*[@role='main']")
    if len(found) == 1 and (found[0].text_content() or "").strip():
        return found[0]
    return None


def read_html(data: bytes, name: str) -> Extracted:
    import lxml.html
    from lxml import etree

    kind = binary_kind(data)
    if kind is not None:  # an image or archive named .htm: refused whatever its name
        what = f"{kind}, not HTML" if kind else "a binary file, not HTML"
        raise InputError(f"this is {what}", path=name, hint="give a bill as .txt, .html or .pdf")
    text = _XML_DECL.sub("", decode_html(data), count=1)
    if not text.strip():
        raise InputError(
            "the file is empty (no text)", path=name, hint="check that it is the right file"
        )
    parser = lxml.html.HTMLParser()  # libxml2 stops at 256 levels of nesting: no page is deeper
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        root = None
    if any("Excessive depth" in e.message for e in parser.error_log):
        raise InputError(
            "the HTML is nested more than 256 elements deep, which no bill page is",
            path=name,
            hint="open it in a browser and save it as text, then read that",
        )
    if root is None:
        raise InputError(
            "not readable as HTML", path=name, hint="save the page again, or give it as text or PDF"
        )
    content = root.get_element_by_id("contentWrapper", None)
    if content is None:
        content = _main(root)
    if content is None:
        body = root.find("body")
        content = body if body is not None else root
    b = _Builder()
    _render(content, b, "", False)
    b.newline()
    out = "".join(b.parts)
    if not out.strip():
        raise InputError(
            "the HTML page has no text",
            path=name,
            hint="check that it is the page of the bill itself",
        )
    from .text import plain_furniture

    skip = [s for s in b.spans if s.kind == "deleted"] + plain_furniture(out)
    marks = [s for s in b.spans if s.kind == "inserted"]
    return Extracted(out, skip, marks)
