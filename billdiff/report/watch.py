"""Render a watch round for people: the Markdown (or HTML) digest. Renders only: every
figure comes from the round's check lines (``billdiff.watch/1``)."""

from __future__ import annotations

import html as _html

from ..plural import count

PASSAGES = 3  # top passages quoted per copied bill
QUOTE_CHARS = 400
COPIES_QUOTED = 3  # copied bills whose passages are quoted


def _passages(x: dict, hit_id: str) -> list[dict]:
    hit = next((h for h in (x.get("search") or {}).get("hits", []) if h["id"] == hit_id), None)
    if hit is None:
        return []
    ps = [p for p in hit["passages"] if not p["boilerplate"] and not p["stock_phrase"]]
    return sorted(ps, key=lambda p: (-p["identical_words"], p["query"]["start_word"]))[:PASSAGES]


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def digest_markdown(lines: list[dict], rnd: int) -> str:
    alerts = [x for x in lines if x.get("alert")]
    failed = [x for x in lines if x["status"] == "failed"]
    clean = [x for x in lines if x["status"] != "failed" and not x.get("alert")]
    out = [
        f"# billdiff watch — round {rnd}",
        "",
        f"{count(len(lines), 'bill version')} checked: {len(alerts)} with substantive "
        f"reuse, {len(clean)} without, {len(failed)} failed.",
        "",
    ]
    if alerts:
        out += ["## Reuse found", ""]
    for x in alerts:
        out += [f"### {x['label']}", ""]
        if x.get("link"):
            out += [f"Official text: <{x['link']}>", ""]
        out += [
            "| copies (indexed bill) | probability of reuse | substantive words | share of "
            "the new bill | share of the indexed bill | longest passage |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for c in x["copies"]:
            out.append(
                f"| {c['label']} | {c['probability']:.2f} | {c['score']:,.0f} | "
                f"{c['coverage_query']:.0%} | {c['coverage_hit']:.0%} | "
                f"{c['longest_passage']} words |"
            )
        out.append("")
        for c in x["copies"][:COPIES_QUOTED]:
            ps = _passages(x, c["id"])
            if not ps:
                continue
            out += [f"Top passages shared with {c['label']}:", ""]
            for p in ps:
                sec = f", {p['query']['section']}" if p["query"].get("section") else ""
                out += [
                    f"> {_quote(p['query'].get('text', ''))}",
                    ">",
                    f"> — {p['words']} words, {p['identity']:.0%} identical (new bill line "
                    f"{p['query'].get('line', '?')}{sec})",
                    "",
                ]
    if failed:
        out += ["## Could not be checked", ""]
        for x in failed:
            out.append(f"- {x['label']}: {x['error']}")
        out.append("")
    if clean:
        out += ["## Checked, no substantive reuse", ""]
        for x in clean:
            out.append(f"- {x['label']}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def digest_html(lines: list[dict], rnd: int) -> str:
    """The Markdown digest in a minimal, self-contained HTML page (escaped, as preformatted
    text: nothing from a bill or a server becomes markup)."""
    body = _html.escape(digest_markdown(lines, rnd))
    return (
        "<!doctype html>\n<html lang=en><meta charset=utf-8>"
        f"<title>billdiff watch — round {rnd}</title>\n"
        "<pre style='white-space:pre-wrap;font:14px/1.4 system-ui,sans-serif'>\n"
        f"{body}</pre>\n</html>\n"
    )


def status_lines(rounds: list[dict]) -> list[str]:
    """``billdiff watch status``: one line per round, newest first."""
    if not rounds:
        return ["no watch round on this index yet (run billdiff watch)"]
    out = []
    for r in rounds:
        end = r["finished"][:19].replace("T", " ") if r["finished"] else "killed or running"
        out.append(
            f"round {r['round']}: {r['started'][:19].replace('T', ' ')} → {end} UTC — "
            f"{count(r['checked'], 'version')} checked, {r['alerts']} with reuse, "
            f"{r['failures']} failed"
            + (f", {count(len(r['errors']), 'source error')}" if r["errors"] else "")
        )
    return out


def round_summary(res):
    """The terminal's account of a round: one line of counts, then a hanging-indented entry
    per bill with reuse (what it copies, how sure, how much) and per failed bill (why)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text  # plain: a bill's label may hold [brackets]

    n = len(res.checked)
    head = (
        f"watch round {res.round}: {count(n, 'version')} checked ({len(res.alerts)} with "
        f"reuse, {len(res.failures)} failed); {res.skipped:,} checked in earlier rounds"
    )
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for x in res.alerts:
        copies = "; ".join(
            f"{c['label']} (probability {c['probability']:.2f}, "
            f"{count(round(c['score']), 'substantive word', sep=True)})"
            for c in x["copies"][:COPIES_QUOTED]
        )
        more = len(x["copies"]) - COPIES_QUOTED
        copies += f"; and {more} more" if more > 0 else ""
        grid.add_row("reuse:", Text(f"{x['label']} copies {copies} — {x['link']}"))
    for x in res.failures:
        grid.add_row("failed:", Text(f"{x['label']}: {x['error']}"))
    return Group(Text(head), grid) if grid.row_count else Text(head)
