"""The versioned compare JSON (schema ``billdiff.compare/1``, documented in docs/compare.md).

Every figure is traceable: both documents' metadata (source, sha256, url), word counts,
coverage both ways, each passage with word and character offsets into the original text,
identity, edit operations, score, stock flag; the settings used and the tool version.
Additive changes keep the schema name; a change in meaning bumps it.
"""

from __future__ import annotations

import json

from ..model import DocSummary, PairReport, Passage

SCHEMA = "billdiff.compare/1"


def _doc(d: DocSummary, coverage: float) -> dict:
    m = d.meta
    return {
        "id": m.id,
        "label": m.label,
        "title": m.title,
        "source": m.source,
        "source_url": m.source_url,
        "sha256": m.sha256,
        "format": m.format,
        "words": d.words,
        "coverage": round(coverage, 6),
        "meta": m.to_dict(),
    }


def passage_to_dict(k: int, p: Passage) -> dict:
    return {
        "n": k,
        "a": {
            "words": [p.a_start, p.a_end],
            "chars": [p.a_char_start, p.a_char_end],
            "word_count": p.a_words,
            "section": p.a_section,
        },
        "b": {
            "words": [p.b_start, p.b_end],
            "chars": [p.b_char_start, p.b_char_end],
            "word_count": p.b_words,
            "section": p.b_section,
        },
        "identical_words": p.identical_words,
        "edited_words": p.edited_words,
        "class_words": p.class_words,
        "identity": round(p.identity, 6),
        "score": p.score,
        "stock_phrase": p.stock_phrase,
        "boilerplate_share": round(p.boilerplate_share, 6),
        "boilerplate": p.is_boilerplate,
        "ops": [[o.tag, o.a_start, o.a_end, o.b_start, o.b_end] for o in p.ops],
    }


def pair_to_dict(report: PairReport) -> dict:
    """The compare report as plain JSON-ready data (stable key order)."""
    ps = report.passages
    return {
        "schema": SCHEMA,
        "tool": {"name": "billdiff", "version": report.tool_version},
        "settings": dict(sorted(report.settings.items())),
        "a": _doc(report.a, report.coverage_a),
        "b": _doc(report.b, report.coverage_b),
        "summary": {
            "passages": len(ps),
            "substantive_passages": len(report.substantive),
            "longest_words": report.longest,
            "coverage_a": round(report.coverage_a, 6),
            "coverage_b": round(report.coverage_b, 6),
            "min_words": report.settings.get("min_words"),
        },
        "passages": [passage_to_dict(k, p) for k, p in enumerate(ps, 1)],
    }


def pair_to_json(report: PairReport, *, indent: int | None = 2) -> str:
    return json.dumps(pair_to_dict(report), indent=indent, ensure_ascii=False)
