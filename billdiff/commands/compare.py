"""billdiff compare A B — adapter: settings → billdiff.pairwise.compare → render."""

from __future__ import annotations

import os

import click


@click.command()
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="Print the versioned JSON report.")
@click.option(
    "--min-words", type=int, default=None, help="Shortest passage reported, in words (default 12)."
)
@click.option(
    "--width",
    type=click.IntRange(min=20),
    default=None,
    help="Terminal width to lay out for (side by side from 100 columns).",
)
@click.option("--full", is_flag=True, help="Show long identical stretches in full.")
@click.option(
    "--keep-deleted",
    is_flag=True,
    help="Compare struck/deleted matter too (default: the text as enacted).",
)
@click.option(
    "--no-pager",
    is_flag=True,
    envvar="BILLDIFF_NO_PAGER",
    help="Print straight to the terminal (default there: through $PAGER, as git does).",
)
@click.option("--offline", is_flag=True, help="Never use the network for URLs.")
@click.option(
    "--mirror",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of already downloaded files that answer for URLs.",
)
def compare(a, b, as_json, min_words, width, full, keep_deleted, no_pager, offline, mirror):
    """Compare two bills A and B (paths, URLs or - for stdin): every passage of at least
    --min-words words they share, moved sections included, with word-level changes and the
    share of each bill found in the other."""
    from ..pairwise import compare as run
    from ..settings import Settings
    from . import make_console

    knobs = {"keep_deleted": keep_deleted}
    if min_words is not None:
        knobs["min_words"] = min_words
        knobs["seed_words"] = min(Settings.seed_words, min_words)
    settings = Settings(**knobs)
    read_kw = {"offline": offline} | ({"mirror": mirror} if mirror else {})
    report = run(a, b, settings=settings, **read_kw)
    if as_json:
        from ..report.json_ import pair_to_json

        click.echo(pair_to_json(report))
        return report.exit_code
    from ..report.terminal import print_pair

    console = make_console(width=width)
    if no_pager or not console.is_terminal or os.environ.get("PAGER") == "":
        print_pair(console, report, full=full)
        return report.exit_code
    # on a terminal, through the pager as git does: less quits at once when it all fits on
    # one screen (-F), keeps the colours (-R) and leaves the text on screen (-X)
    os.environ.setdefault("LESS", "FRX")
    with console.pager(styles=True):
        print_pair(console, report, full=full)
    return report.exit_code
