"""compare(a, b): read two bills, tokenize, align, summarise. PLACEHOLDER (skeleton)."""

from __future__ import annotations

from ._version import __version__
from .align import align
from .ingest import read
from .model import DocSummary, Document, PairReport
from .normalize import tokenize
from .settings import DEFAULT, Settings


def _as_doc(x, **kw) -> Document:
    return x if isinstance(x, Document) else read(x, **kw)


def compare(a, b, *, settings: Settings = DEFAULT, **read_kw) -> PairReport:
    da, db = _as_doc(a, **read_kw), _as_doc(b, **read_kw)
    ta = tokenize(da, keep_deleted=settings.keep_deleted)
    tb = tokenize(db, keep_deleted=settings.keep_deleted)
    passages = align(ta, tb, settings=settings)
    cov_a = sum(p.a_words for p in passages) / max(len(ta), 1)
    cov_b = sum(p.b_words for p in passages) / max(len(tb), 1)
    return PairReport(DocSummary(da.meta, len(ta)), DocSummary(db.meta, len(tb)), passages,
                      cov_a, cov_b, settings.to_dict(), __version__, da, db, ta, tb)
