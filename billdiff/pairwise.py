"""compare(a, b): read two bills, tokenize, align, summarise into a frozen PairReport.

``compare`` takes sources (paths, ``-``, URLs) or Documents; ``compare_docs`` is for callers
that already hold Documents and maybe Tokens (the index, lineage). Coverage is the share of
each side's words inside the *union* of the passages (a word matched twice counts once).
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from ._version import __version__
from .aligner import align, coverage
from .model import DocSummary, Document, PairReport, Passage, Tokens
from .normalize import section_labels, tokenize
from .settings import DEFAULT, Settings


def _as_doc(x, **read_kw) -> Document:
    if isinstance(x, Document):
        return x
    from .ingest import read

    return read(x, **read_kw)


def compare(a, b, *, settings: Settings = DEFAULT, **read_kw) -> PairReport:
    """Every passage A and B share (>= ``settings.min_words`` words), with coverage both ways.

    ``a``, ``b``: paths, ``-``, http(s) URLs or Documents; ``read_kw`` goes to
    ``billdiff.ingest.read`` (e.g. ``offline=True``, ``mirror=DIR``).
    """
    return compare_docs(_as_doc(a, **read_kw), _as_doc(b, **read_kw), settings=settings)


def compare_docs(
    da: Document,
    db: Document,
    ta: Tokens | None = None,
    tb: Tokens | None = None,
    *,
    settings: Settings = DEFAULT,
) -> PairReport:
    """Like ``compare`` for Documents whose Tokens the caller may already hold."""
    if ta is None:
        ta = tokenize(da, keep_deleted=settings.keep_deleted)
    if tb is None:
        tb = tokenize(db, keep_deleted=settings.keep_deleted)
    passages = align(ta, tb, settings=settings)
    passages = _with_junk(passages, da, db)
    passages = _with_sections(passages, da, ta, db, tb)
    cov_a, cov_b = coverage(passages, len(ta), len(tb))
    return PairReport(
        a=DocSummary(da.meta, len(ta)),
        b=DocSummary(db.meta, len(tb)),
        passages=passages,
        coverage_a=cov_a,
        coverage_b=cov_b,
        settings=settings.to_dict(),
        tool_version=__version__,
        a_doc=da,
        b_doc=db,
        a_tokens=ta,
        b_tokens=tb,
    )


def _with_junk(passages: tuple[Passage, ...], da: Document, db: Document) -> tuple[Passage, ...]:
    """Name scraping junk that aligned (a column of printed line numbers, a site's menu) as
    such: it is never reuse. Judged on the original text of either side."""
    from .stock import junk_kind

    out = []
    for p in passages:
        if not p.stock_phrase:
            kind = junk_kind(da.text[p.a_char_start : p.a_char_end]) or junk_kind(
                db.text[p.b_char_start : p.b_char_end]
            )
            if kind:
                p = replace(p, stock_phrase=kind)
        out.append(p)
    return tuple(out)


def _section(marks: list[tuple[int, str]], start: int, end: int) -> str:
    """Label of the section a word span starts in ('first … last' when it runs into others)."""
    if not marks:
        return ""
    idx = [m[0] for m in marks]
    k0 = bisect.bisect_right(idx, start) - 1
    k1 = bisect.bisect_right(idx, max(start, end - 1)) - 1
    first = marks[k0][1] if k0 >= 0 else f"before {marks[0][1]}"
    if k1 > k0:
        return f"{first} … {marks[k1][1]}"
    return first if k0 >= 0 else ""


def _with_sections(passages: tuple[Passage, ...], da, ta, db, tb) -> tuple[Passage, ...]:
    ma, mb = section_labels(da, ta), section_labels(db, tb)
    if not ma and not mb:
        return passages
    return tuple(
        replace(
            p,
            a_section=_section(ma, p.a_start, p.a_end),
            b_section=_section(mb, p.b_start, p.b_end),
        )
        for p in passages
    )
