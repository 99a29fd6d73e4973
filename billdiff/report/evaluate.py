"""Render an Evaluation: rich terminal tables, the versioned JSON ("billdiff.evaluate/1") and
one self-contained HTML page with the precision-recall curve drawn as inline SVG.

Renders only; every figure comes from the Evaluation (billdiff.evaluate computes them).
"""

from __future__ import annotations

import html
import json

from ..evaluate import RECALL_AT, SCHEMA, Evaluation

# --- shared --------------------------------------------------------------------------------------


def _f(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def _score_note(ev: Evaluation) -> str:
    if ev.score_kind == "probability":
        return "the calibrated probability that a pair is substantive reuse"
    if ev.score_kind == "normalised score":
        return (
            "search's score (substantive identical words of the searched bill) divided by the "
            "searched bill's words, the larger of the two directions; no calibrated probability "
            "is available in this billdiff"
        )
    return "substantive identical words of the pair (no calibrated probability available)"


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cut(ev: Evaluation, v: float) -> str:
    return f"{v:.0f}" if ev.score_kind == "substantive identical words" else f"{v:.6g}"


def _threshold_note(ev: Evaluation) -> str:
    t = ev.threshold
    below = "" if t.below is None else f"; the next lower pair score is {_cut(ev, t.below)}"
    return (
        f"suggested threshold: score ≥ {_cut(ev, t.value)}, the {ev.score_kind} cut with the "
        f"best F1 on these labels (precision {t.precision:.3f}, recall {t.recall:.3f}{below}); "
        "it is fitted to these labels, so it flatters them"
    )


def figures(ev: Evaluation) -> list[tuple[str, str, str]]:
    """(group, measure, value) rows: the table the terminal and the HTML page show."""
    rows: list[tuple[str, str, str]] = []
    if ev.kind == "documents":
        n = len(ev.queries)
        for k in RECALL_AT:
            rows.append(("ranking", f"recall@{k}", _f(ev.recall_at(k))))
        rows.append(("ranking", "R-precision (k = group size − 1)", _f(ev.r_precision)))
        rows.append(("ranking", "mean reciprocal rank", _f(ev.mrr)))
        rows.append(("ranking", f"listed at all (top {ev.options['top']})", _f(ev.listed)))
        rows.append(("ranking", "queries (grouped documents)", str(n)))
    d = ev.decision
    rows.append(("substantive decision", "precision", _f(d.precision)))
    rows.append(("substantive decision", "recall", _f(d.recall)))
    rows.append(("substantive decision", "F1", _f(d.f1)))
    rows.append(("substantive decision", "TP / FP / FN / TN", f"{d.tp} / {d.fp} / {d.fn} / {d.tn}"))
    rows.append(("score", "ROC AUC", _f(ev.roc_auc)))
    rows.append(("score", "average precision (PR curve area)", _f(ev.average_precision)))
    t = ev.threshold
    if t is not None:
        rows.append(("score", "suggested threshold (best F1)", f"score ≥ {_cut(ev, t.value)}"))
        at = f"{t.precision:.3f} / {t.recall:.3f} / {t.f1:.3f}"
        rows.append(("score", "precision / recall / F1 there", at))
    return rows


def mistake_titles(ev: Evaluation) -> tuple[str, str]:
    if ev.kind == "documents":
        return "same group, not called substantive", "different groups, called substantive"
    return "labelled related, not called substantive", "labelled unrelated, called substantive"


def mistakes(ev: Evaluation, limit: int = 10):
    """Positive pairs billdiff did not call substantive, and negative pairs it did (highest
    scores first among the false positives, lowest first among the misses)."""
    fn = sorted((p for p in ev.pairs if p.label and not p.substantive), key=lambda p: p.score)
    fp = sorted((p for p in ev.pairs if not p.label and p.substantive), key=lambda p: -p.score)
    return fn[:limit], fp[:limit], len(fn), len(fp)


# --- terminal ------------------------------------------------------------------------------------


def render_evaluation(ev: Evaluation, console) -> None:
    from rich.table import Table
    from rich.text import Text

    head = Text()
    head.append(f"billdiff evaluate {ev.labels.path}", style="bold")
    if ev.kind == "documents":
        where = ev.options["db"] or "a temporary index of them"
        head.append(
            f" — {ev.documents} documents in {ev.groups} groups, searched against {where}; "
            f"{len(ev.pairs)} pairs ({ev.positives} same-group)"
        )
    else:
        head.append(f" — {len(ev.pairs)} labelled pairs ({ev.positives} positive), compared")
    console.print(head)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("", style="dim")
    table.add_column("measure")
    table.add_column("value", justify="right")
    last = None
    for group, measure, value in figures(ev):
        table.add_row(group if group != last else "", measure, value)
        last = group
    console.print(table)
    console.print(Text(f"score: {_score_note(ev)}.", style="dim"))
    if ev.threshold is not None:
        console.print(Text(_threshold_note(ev) + ".", style="dim"))
    for note in ev.notes:
        console.print(Text(f"note: {note}", style="yellow"))
    fn, fp, n_fn, n_fp = mistakes(ev)
    for title, rows, total in zip(mistake_titles(ev), (fn, fp), (n_fn, n_fp), strict=True):
        if not rows:
            continue
        docs = ev.kind == "documents"
        console.print(Text(f"{title} ({total})", style="bold"))
        t = Table(box=None, pad_edge=False)
        t.add_column("lines", justify="right", style="dim")
        t.add_column("score", justify="right")
        if docs:
            t.add_column("groups", style="dim")
        t.add_column("a / b", overflow="fold")
        for p in rows:
            line = str(p.line_a) if p.line_a == p.line_b else f"{p.line_a}, {p.line_b}"
            cells = [line, _cut(ev, p.score)]
            if docs:
                cells.append(f"{p.group_a or '–'}\n{p.group_b or '–'}")
            t.add_row(*cells, f"{p.a}\n{p.b}")
        console.print(t)
    console.print(Text(f"{ev.seconds:.1f} s", style="dim"))


# --- JSON ----------------------------------------------------------------------------------------


def _shown(p, kind: str) -> bool:
    """Pairs listed in the JSON: all of a pairs file; of documents, those labelled related or
    found by a search (a negative pair no search listed has score 0 and adds nothing but
    bytes: 325 documents make 52,650 pairs)."""
    return (
        kind == "pairs" or p.label or p.substantive or p.score > 0 or bool(p.rank_ab or p.rank_ba)
    )


def evaluation_to_dict(ev: Evaluation) -> dict:
    shown = [p for p in ev.pairs if _shown(p, ev.kind)]
    d = ev.decision
    t = ev.threshold
    out = {
        "schema": SCHEMA,
        "tool": {"name": "billdiff", "version": ev.tool_version},
        "settings": {**ev.settings, **ev.options, "score": ev.score_kind},
        "labels": {"path": ev.labels.path, "sha256": ev.labels.sha256, "kind": ev.kind},
        "summary": {
            "documents": ev.documents,
            "groups": ev.groups,
            "queries": len(ev.queries),
            "pairs": len(ev.pairs),
            "positive_pairs": ev.positives,
            "pairs_left_out": len(ev.pairs) - len(shown),
            "seconds": round(ev.seconds, 2),
        },
        "ranking": None,
        "decision": {
            "precision": _r(d.precision),
            "recall": _r(d.recall),
            "f1": _r(d.f1),
            "tp": d.tp,
            "fp": d.fp,
            "fn": d.fn,
            "tn": d.tn,
        },
        "score": {
            "kind": ev.score_kind,
            "roc_auc": _r(ev.roc_auc),
            "average_precision": _r(ev.average_precision),
            "suggested_threshold": None
            if t is None
            else {
                "rule": "best F1 on these labels",
                "value": _r(t.value, 6),
                "precision": _r(t.precision),
                "recall": _r(t.recall),
                "f1": _r(t.f1),
                "next_lower_score": _r(t.below, 6),
            },
            "pr_curve": [
                {
                    "threshold": _r(c.threshold, 6),
                    "precision": _r(c.precision),
                    "recall": _r(c.recall),
                }
                for c in ev.curve
            ],
        },
        "notes": list(ev.notes),
        "queries": [
            {
                "id": q.id,
                "line": q.line,
                "group": q.group,
                "others": q.others,
                "ranks": list(q.ranks),
                "listed": q.listed,
                "reciprocal_rank": _r(q.reciprocal_rank),
                "r_precision": _r(q.r_precision),
            }
            for q in ev.queries
        ],
        "pairs": [
            {
                "a": p.a,
                "b": p.b,
                "line_a": p.line_a,
                "line_b": p.line_b,
                "group_a": p.group_a,
                "group_b": p.group_b,
                "label": p.label,
                "score": _r(p.score, 6),
                "probability": _r(p.probability),
                "substantive": p.substantive,
                "rank_ab": p.rank_ab,
                "rank_ba": p.rank_ba,
                "source_a": p.source_a,
                "source_b": p.source_b,
            }
            for p in shown
        ],
    }
    if ev.kind == "documents":
        out["ranking"] = {
            **{f"recall@{k}": _r(ev.recall_at(k)) for k in RECALL_AT},
            "recall@group": _r(ev.r_precision),
            "r_precision": _r(ev.r_precision),
            "mrr": _r(ev.mrr),
            "listed": _r(ev.listed),
            "top": ev.options["top"],
        }
    return out


def dumps(ev: Evaluation) -> str:
    return json.dumps(evaluation_to_dict(ev), indent=1, ensure_ascii=False) + "\n"


# --- HTML ----------------------------------------------------------------------------------------

_W, _H, _M = 420, 320, 48  # plot size and margin, px


def pr_svg(ev: Evaluation) -> str:
    """The precision-recall curve as an inline SVG (recall on x, precision on y)."""

    def x(r: float) -> float:
        return round(_M + r * _W, 1)

    def y(p: float) -> float:
        return round(_M / 2 + (1 - p) * _H, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W + _M + 16}" '
        f'height="{_H + _M + _M // 2}" role="img" aria-label="precision-recall curve">',
        f'<rect x="{_M}" y="{_M // 2}" width="{_W}" height="{_H}" fill="#fafafa" stroke="#999"/>',
    ]
    for i in range(11):
        v = i / 10
        parts.append(
            f'<line x1="{x(v)}" y1="{y(0)}" x2="{x(v)}" y2="{y(1)}" stroke="#e4e4e4"/>'
            f'<line x1="{x(0)}" y1="{y(v)}" x2="{x(1)}" y2="{y(v)}" stroke="#e4e4e4"/>'
        )
        if i % 2 == 0:
            parts.append(
                f'<text x="{x(v)}" y="{y(0) + 16}" text-anchor="middle">{v:.1f}</text>'
                f'<text x="{x(0) - 6}" y="{y(v) + 4}" text-anchor="end">{v:.1f}</text>'
            )
    parts.append(
        f'<text x="{x(0.5)}" y="{y(0) + 36}" text-anchor="middle">recall</text>'
        f'<text x="14" y="{y(0.5)}" text-anchor="middle" '
        f'transform="rotate(-90 14 {y(0.5)})">precision</text>'
    )
    pts = sorted(ev.curve, key=lambda c: (c.recall, -c.precision))
    if pts:
        # a step curve as average precision sums it: over (previous recall, recall] the
        # precision is that of the point on the right (sklearn draws it the same way)
        path = [f"M{x(pts[0].recall)},{y(pts[0].precision)}"]
        for a, b in zip(pts, pts[1:], strict=False):
            path.append(f"L{x(a.recall)},{y(b.precision)}L{x(b.recall)},{y(b.precision)}")
        parts.append(f'<path d="{"".join(path)}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
        for c in pts:
            tip = "end" if c.threshold is None else f"score ≥ {_cut(ev, c.threshold)}"
            parts.append(
                f'<circle cx="{x(c.recall)}" cy="{y(c.precision)}" r="2.5" fill="#1f5fa8">'
                f"<title>{html.escape(tip)}: precision {c.precision:.3f}, recall "
                f"{c.recall:.3f}</title></circle>"
            )
    t = ev.threshold
    if t is not None:
        parts.append(
            f'<circle cx="{x(t.recall)}" cy="{y(t.precision)}" r="6" fill="none" '
            f'stroke="#c0392b" stroke-width="2"><title>suggested threshold {_cut(ev, t.value)} '
            f"(best F1 {t.f1:.3f})</title></circle>"
        )
    d = ev.decision
    if d.precision is not None and d.recall is not None:
        parts.append(
            f'<rect x="{x(d.recall) - 5}" y="{y(d.precision) - 5}" width="10" height="10" '
            f'fill="none" stroke="#27ae60" stroke-width="2"><title>billdiff\'s substantive '
            f"decision: precision {d.precision:.3f}, recall {d.recall:.3f}</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:62em;color:#222;padding:0 1em}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .7em;text-align:left;
border-bottom:1px solid #ddd}td.n{text-align:right;font-variant-numeric:tabular-nums}
svg text{font:11px system-ui,sans-serif;fill:#444}.dim{color:#666}
.key span{display:inline-block;margin-right:1.5em}
"""


def to_html(ev: Evaluation) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td class=dim>{e(g)}</td><td>{e(m)}</td><td class=n>{e(v)}</td></tr>"
        for g, m, v in figures(ev)
    )
    if ev.kind == "documents":
        what = (
            f"{ev.documents} documents in {ev.groups} groups, each searched against "
            f"{e(ev.options['db'] or 'a temporary index of them')}; {len(ev.pairs)} pairs, "
            f"{ev.positives} of them in one group"
        )
    else:
        what = f"{len(ev.pairs)} labelled pairs, {ev.positives} positive, each compared"
    fn, fp, n_fn, n_fp = mistakes(ev, limit=50)
    lists = []
    for title, items, total in zip(mistake_titles(ev), (fn, fp), (n_fn, n_fp), strict=True):
        body = "".join(
            f"<tr><td class=n>{p.line_a if p.line_a == p.line_b else f'{p.line_a}, {p.line_b}'}"
            f"</td><td>{e(p.a)}</td><td>{e(p.b)}</td><td class=dim>{e(p.group_a)} "
            f"{'/' if ev.kind == 'documents' else ''} {e(p.group_b)}</td>"
            f"<td class=n>{_cut(ev, p.score)}</td></tr>"
            for p in items
        )
        lists.append(
            f"<h2>{_upper(title)} ({total})</h2>"
            + (
                f"<table><tr><th>line</th><th>a</th><th>b</th><th>groups</th><th>score</th>"
                f"</tr>{body}</table>"
                if items
                else "<p class=dim>none</p>"
            )
        )
    notes = "".join(f"<p>note: {e(n)}</p>" for n in ev.notes)
    thr = f"<p>{_upper(e(_threshold_note(ev)))}.</p>" if ev.threshold is not None else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>billdiff evaluate — {e(ev.labels.path)}</title><style>{_CSS}</style></head><body>
<h1>billdiff evaluate <code>{e(ev.labels.path)}</code></h1>
<p>{what}. billdiff {e(ev.tool_version)}; labels sha256 <code>{e(ev.labels.sha256[:16])}…</code>.
</p>
<h2>Figures</h2>
<table><tr><th></th><th>measure</th><th>value</th></tr>{rows}</table>
<p class=dim>Score: {e(_score_note(ev))}.</p>{thr}{notes}
<h2>Precision–recall curve</h2>
{pr_svg(ev)}
<p class="key dim"><span style="color:#1f5fa8">● the curve over the score's thresholds</span>
<span style="color:#c0392b">○ suggested threshold</span>
<span style="color:#27ae60">□ billdiff's substantive decision</span></p>
{"".join(lists)}
</body></html>
"""


def write_html(ev: Evaluation, path) -> str:
    from pathlib import Path

    p = Path(path)
    p.write_text(to_html(ev), encoding="utf-8")
    return str(p)
