"""Render a SearchResult: rich terminal list and the versioned JSON ("billdiff.search/1").

Renders only; every figure comes from the SearchResult (billdiff.search computes them).
"""

from __future__ import annotations

from ..model import Document, Passage, SearchHit, SearchResult, Tokens
from ..plural import count

SCHEMA = "billdiff.search/1"


# --- JSON ---------------------------------------------------------------------------------------


def _side(
    doc: Document | None, tokens: Tokens | None, w0: int, w1: int, c0: int, c1: int, section: str
) -> dict:
    d = {"start_word": w0, "end_word": w1, "start_char": c0, "end_char": c1, "section": section}
    if doc is not None:
        d["line"] = doc.line_of(c0)
        d["text"] = doc.text[c0:c1]
    return d


def passage_to_dict(p: Passage, hit: SearchHit) -> dict:
    r = hit.report
    return {
        "query": _side(
            r.a_doc, r.a_tokens, p.a_start, p.a_end, p.a_char_start, p.a_char_end, p.a_section
        ),
        "hit": _side(
            r.b_doc, r.b_tokens, p.b_start, p.b_end, p.b_char_start, p.b_char_end, p.b_section
        ),
        "words": max(p.a_words, p.b_words),
        "identical_words": p.identical_words,
        "edited_words": p.edited_words,
        "class_words": p.class_words,
        "identity": round(p.identity, 4),
        "score": round(p.score, 3),
        "boilerplate_share": round(p.boilerplate_share, 4),
        "stock_phrase": p.stock_phrase,
        "boilerplate": p.is_boilerplate,
        "ops": [[o.tag, o.a_start, o.a_end, o.b_start, o.b_end] for o in p.ops],
    }


def hit_to_dict(hit: SearchHit, rank: int) -> dict:
    r = hit.report
    return {
        "rank": rank,
        "id": hit.doc.meta.id,
        "label": hit.doc.meta.label,
        "meta": hit.doc.meta.to_dict(),
        "words": hit.doc.words,
        "score": hit.score,
        "estimated_similarity": hit.estimated_similarity,
        "coverage_query": round(r.coverage_a, 4),
        "coverage_hit": round(r.coverage_b, 4),
        "passages_count": len(r.passages),
        "longest_passage": r.longest,
        "boilerplate_share": hit.boilerplate_share,
        "probability": hit.probability,
        "substantive": hit.substantive,
        "related": hit.related,
        "features": hit.features,
        "reason": hit.reason,
        "passages": [passage_to_dict(p, hit) for p in r.passages],
    }


def search_to_dict(res: SearchResult) -> dict:
    return {
        "schema": SCHEMA,
        "tool_version": res.tool_version,
        "query": {**res.query.meta.to_dict(), "words": res.query.words},
        "index_documents": res.index_documents,
        "candidates_considered": res.candidates_considered,
        "candidates_aligned": res.aligned,
        "topic_shortlist_added": res.topic_shortlist,
        "min_words": res.settings.get("min_words"),
        "substantive_match": any(h.substantive for h in res.hits),
        "related_hits": sum(h.related for h in res.hits),
        "exit_code": res.exit_code,
        "hits": [hit_to_dict(h, i + 1) for i, h in enumerate(res.hits)],
        "settings": res.settings,
    }


# --- terminal -----------------------------------------------------------------------------------


def nothing_found(res: SearchResult) -> str:
    return (
        f"no indexed bill shares a passage of {res.settings.get('min_words')} or more words "
        f"with {res.query.meta.label} ({count(res.index_documents, 'bill')} searched)"
    )


def _excerpt(hit: SearchHit, p: Passage, *, plain: bool, max_words: int = 60):
    """The query side of a passage; words that differ in the hit are marked."""
    from rich.text import Text

    r = hit.report
    doc, tok = r.a_doc, r.a_tokens
    t = Text()
    if doc is None or tok is None:
        return t
    from .terminal import _Side  # the text as written, furniture and line numbers left out

    side = _Side(doc, tok, bool(r.settings.get("keep_deleted", False)))
    same = set()
    for o in p.ops:
        if o.tag == "equal":
            same.update(range(o.a_start, o.a_end))

    def runs(lo: int, hi: int):
        """(first, last, identical) runs of words lo..hi-1."""
        i = lo
        while i < hi:
            j = i
            while j + 1 < hi and ((j + 1) in same) == (i in same):
                j += 1
            yield i, j, i in same
            i = j + 1

    def chunk(lo: int, hi: int):
        prev = -1
        for i, j, eq in runs(lo, hi):
            if prev >= 0:  # what stands between the runs as written: ", " or ". " or " "
                t.append(side.chars(tok.ends[prev], tok.starts[i]) or " ")
            seg = side.chars(tok.starts[i], tok.ends[j]).strip()
            if eq:
                t.append(seg, style="bold")
            else:
                t.append(f"[{seg}]" if plain else seg, style="red underline")
            prev = j

    n = p.a_end - p.a_start
    t.append(side.before(p.a_start))  # punctuation stuck to the first word ("(a", "'s")
    if n > max_words:
        chunk(p.a_start, p.a_start + max_words * 2 // 3)
        t.append(" … ", style="dim")
        chunk(p.a_end - max_words // 3, p.a_end)
    else:
        chunk(p.a_start, p.a_end)
    t.append(side.after(p.a_end - 1, last=True))
    return t


def verdict(res: SearchResult) -> str:
    """The one-line answer a watchdog reads first."""
    subst = [h for h in res.hits if h.substantive]
    shared = [h for h in res.hits if not h.related and not h.substantive]
    label = res.query.meta.label
    if subst:
        best = subst[0]
        fail = " (exit 1: --fail-on-match)" if res.fail_on_match else ""
        return (
            f"verdict: substantive reuse — {count(len(subst), 'indexed bill')} share substantive "
            f"text with {label}; the closest, {best.doc.meta.label}, covers "
            f"{best.report.coverage_a:.0%} of it (probability {best.probability:.2f}){fail}"
        )
    if shared:
        return (
            f"verdict: no substantive reuse — {count(len(shared), 'bill')} share only common "
            f"text or unlikely passages with {label}"
        )
    return f"verdict: no reuse — {nothing_found(res)}"


LEGEND = "marks: bold = the same words in the hit · underlined [in brackets] = words it changed"


def _same_ranges(x: tuple, y: tuple) -> bool:
    """Do two hits' excerpts show the same stretches of the query? Each range of one overlaps
    a range of the other on 90% of their union (versions of a bill often end a passage a
    word or two apart)."""
    if len(x) != len(y):
        return False
    x, y = sorted(x), sorted(y)
    return all(
        min(a1, b1) - max(a0, b0) >= 0.9 * (max(a1, b1) - min(a0, b0))
        for (a0, a1), (b0, b1) in zip(x, y, strict=True)
    )


def render_search(res: SearchResult, console, *, passages: int = 3) -> None:
    """Ranked hits with score, coverage both ways, passages, boilerplate share and reason."""
    from rich.padding import Padding
    from rich.text import Text

    def indented(text, n: int = 4, style: str = "") -> None:  # wrapped lines keep the indent
        console.print(
            Padding(text if isinstance(text, Text) else Text(text, style=style), (0, 0, 0, n))
        )

    def ranked(rank: int, text) -> None:  # "12. label [id]", wrapped under the label
        from rich.table import Table

        grid = Table.grid()
        grid.add_column(width=4, no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row(Text(f"{rank:>2}. ", style="bold"), text)
        console.print(grid)

    plain = console.no_color or not console.is_terminal
    q = res.query
    console.print(Text(verdict(res), style="bold"))
    console.print(
        Text.assemble(
            ("query ", "dim"),
            (q.meta.label, "bold"),
            (
                f" — {q.words:,} words; {res.index_documents:,} indexed bills, "
                f"{res.candidates_considered:,} candidates from LSH",
                "dim",
            ),
        )
    )
    if not res.hits:
        return
    if any(not h.related for h in res.hits):
        console.print(Text(LEGEND, style="dim"))
    shown_related = False
    shown_at: dict[tuple, int] = {}  # the query ranges of a hit's excerpts → its rank
    for rank, h in enumerate(res.hits, 1):
        r = h.report
        if h.related:
            if not shown_related:
                console.print(
                    "related bills — close in topic, no verified shared passage "
                    "(not reuse; never trips --fail-on-match):",
                    style="bold yellow",
                )
                shown_related = True
            ranked(
                rank,
                Text.assemble(
                    (h.doc.meta.label, "cyan"),
                    (f"  [{h.doc.meta.id}]" if h.doc.meta.id != h.doc.meta.label else "", "dim"),
                    (f"  related · {h.reason}", "dim"),
                ),
            )
            continue
        # the reason line below gives passages, coverage and the probability: not repeated
        if h.substantive:
            kind = "substantive reuse"
        elif r.substantive:
            kind = "unlikely reuse"
        else:
            kind = "boilerplate only"
        ranked(
            rank,
            Text.assemble(
                (h.doc.meta.label, "bold cyan"),
                (f"  [{h.doc.meta.id}]" if h.doc.meta.id != h.doc.meta.label else "", "dim"),
            ),
        )
        indented(
            f"{kind} · score {h.score:,.0f} · boilerplate {h.boilerplate_share:.0%} · "
            f"estimated similarity (LSH) {h.estimated_similarity:.2f}"
        )
        indented(h.reason, style="dim")
        top = sorted(
            r.passages, key=lambda p: (-p.identical_words * (1 - p.boilerplate_share), p.a_start)
        )[:passages]
        sig = tuple((p.a_start, p.a_end) for p in top)
        same = next((k for s, k in shown_at.items() if _same_ranges(sig, s)), 0) if sig else 0
        if same:  # another version or the companion: the same excerpts, give or take a word
            indented(f"· the same passages of the query as #{same} above", style="dim")
            continue
        if sig:
            shown_at[sig] = rank
        for p in top:
            line_a = r.a_doc.line_of(p.a_char_start) if r.a_doc else 0
            line_b = r.b_doc.line_of(p.b_char_start) if r.b_doc else 0
            tag = f" ({p.stock_phrase or 'boilerplate'})" if p.is_boilerplate else ""
            edited = f", {p.edited_words} edited" if p.edited_words else ""
            indented(
                f"· {max(p.a_words, p.b_words)} words, {p.identical_words} identical"
                f"{edited}{tag}; query line {line_a} ↔ line {line_b}",
                style="dim",
            )
            indented(_excerpt(h, p, plain=plain), 6)
