"""billdiff evaluate LABELS — measure billdiff on your own labelled bills."""

from __future__ import annotations

import click

from . import MIN_WORDS


@click.command()
@click.argument("labels", type=click.Path(dir_okay=False))
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Index that holds the documents named by id (default: a temporary index of the "
    "labelled documents).",
)
@click.option(
    "--top",
    type=click.IntRange(1, None),
    default=10,
    show_default=True,
    help="Bills listed per search (raised to the largest group size - 1).",
)
@click.option(
    "--min-words",
    type=click.IntRange(3, None),
    default=None,
    help=f"Shortest shared passage counted (default: {MIN_WORDS}).",
)
@click.option("--offline", is_flag=True, help="Never touch the network for URLs.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the figures as JSON (billdiff.evaluate/1)."
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write one HTML page with the precision-recall curve here.",
)
def evaluate(labels, db, top, min_words, offline, as_json, html_path):
    """Measure billdiff on LABELS, a JSON or CSV file of labelled bills.

    Either documents with a group (columns path or id, and group; one group = versions or
    adoptions of one act, empty = unrelated), each searched against the others; or pairs
    (columns a, b, label), each compared. Prints recall@k, R-precision and MRR (documents),
    precision and recall of the substantive decision, ROC AUC, and a suggested threshold.
    """
    import os
    import sys

    from ..errors import InputError
    from ..evaluate import evaluate as run
    from ..report.evaluate import dumps, render_evaluation, write_html
    from ..settings import Settings
    from . import make_console

    if html_path and not os.path.isdir(os.path.dirname(os.path.abspath(html_path))):
        raise InputError(
            "no such folder for the HTML page", path=html_path, hint="create the folder first"
        )
    settings = Settings() if min_words is None else Settings(min_words=min_words)
    progress = None
    if sys.stderr.isatty():

        def progress(done: int, total: int, stage: str) -> None:
            end = "\n" if done == total else ""
            sys.stderr.write(f"\revaluate: {stage} {done}/{total}{end}")
            sys.stderr.flush()

    ev = run(labels, db=db, top=top, settings=settings, offline=offline, progress=progress)
    if as_json:
        click.echo(dumps(ev), nl=False)
    else:
        render_evaluation(ev, make_console())
    if html_path:
        click.echo(f"report: {write_html(ev, html_path)}", err=as_json)
    return ev.exit_code
