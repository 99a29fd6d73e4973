"""billdiff search FILE|URL — the watchdog: check a new bill against every indexed bill."""

from __future__ import annotations

import json

import click

from . import MIN_WORDS


@click.command()
@click.argument("source")
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Index file (default: $BILLDIFF_DB or ~/.local/share/billdiff/index.sqlite).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON (billdiff.search/1)."
)
@click.option(
    "--top",
    type=click.IntRange(1, None),
    default=10,
    show_default=True,
    help="Number of bills listed.",
)
@click.option(
    "--min-words",
    type=click.IntRange(3, None),
    default=None,
    help=f"Shortest shared passage reported (default: {MIN_WORDS}).",
)
@click.option(
    "--fail-on-match",
    is_flag=True,
    help="Exit 1 when substantive (not boilerplate-only) reuse is found.",
)
@click.option(
    "--passages",
    type=click.IntRange(0, None),
    default=3,
    show_default=True,
    help="Top passages shown per bill.",
)
def search(source, db, as_json, top, min_words, fail_on_match, passages):
    """Check a bill (FILE or URL) against every indexed bill: ranked list of bills sharing text.

    Exit codes: 0 ok (also when nothing matches), 1 substantive reuse found with
    --fail-on-match, 2 bad input or index.
    """
    from ..index import Index
    from ..report.search import render_search, search_to_dict
    from . import make_console

    with Index(db, create=False) as ix:
        res = ix.search(source, top=top, min_words=min_words, fail_on_match=fail_on_match)
    if as_json:
        click.echo(json.dumps(search_to_dict(res), indent=1, ensure_ascii=False))
    else:
        render_search(res, make_console(), passages=passages)
    return res.exit_code
