"""billdiff compare A B — PLACEHOLDER (skeleton)."""

from __future__ import annotations

import click


@click.command()
@click.argument("a")
@click.argument("b")
@click.option("--min-words", type=int, default=None, help="Shortest passage reported.")
def compare(a, b, min_words):
    """Compare two bills: every reused passage, word-level changes."""
    from ..compare import compare as run
    from ..settings import Settings

    s = Settings() if min_words is None else Settings(min_words=min_words)
    rep = run(a, b, settings=s)
    click.echo(f"{len(rep.passages)} passages; coverage {rep.coverage_a:.3f} / {rep.coverage_b:.3f}")
