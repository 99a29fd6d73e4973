"""billdiff lineage — who copied whom: a tree per family, and the report files."""

from __future__ import annotations

import sys

import click

from . import MIN_WORDS


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Index file to read the bills from (default when no PATHS/--manifest: "
    "$BILLDIFF_DB or the default index).",
)
@click.option(
    "--manifest",
    default=None,
    help="Corpus manifest NAME or file: its documents, from the cache or --mirror.",
)
@click.option(
    "--mirror",
    type=click.Path(file_okay=False),
    envvar="BILLDIFF_MIRROR",
    default=None,
    help="With --manifest: folder of already-downloaded files.",
)
@click.option("--offline", is_flag=True, help="With --manifest: never touch the network.")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Write index.html, lineage.json, edges.csv and lineage.dot here.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the graph as JSON (billdiff.lineage/1) instead of the tree.",
)
@click.option(
    "--min-words",
    type=click.IntRange(3, None),
    default=None,
    help=f"Shortest shared passage counted (default: {MIN_WORDS}).",
)
@click.option(
    "--engine",
    type=click.Choice(["default", "spark"]),
    default="default",
    help="Where the batch job runs: this process (default) or Apache Spark "
    "(PATHS: bill folders, .jsonl or Parquet; needs billdiff[spark]; docs/spark.md).",
)
@click.option(
    "--master",
    default="local[*]",
    show_default=True,
    help="With --engine spark: anything spark-submit takes (local[N], spark://…, yarn, k8s://…).",
)
@click.option(
    "--evidence",
    default=None,
    help="With --engine spark: folder for the evidence rows (Parquet and JSON Lines); "
    "on a cluster, shared storage (hdfs://, s3a://). Default: --out/evidence, else a temp dir.",
)
@click.option("--verbose", is_flag=True, help="With --engine spark: show Spark's own log.")
def lineage(
    paths, db, manifest, mirror, offline, out, as_json, min_words, engine, master, evidence, verbose
):
    """Who copied whom among PATHS (files or folders), an index (--db) or a --manifest.

    Prints a tree per family (root = model-bill candidate) and the strongest edges; with
    --out also writes the HTML report, JSON, CSV and DOT.
    """
    from ..errors import InputError
    from ..lineage_graph import lineage as run
    from ..settings import Settings

    progress = _progress()
    not_had: list[tuple[str, str]] = []
    if sum(bool(x) for x in (paths, db, manifest)) > 1:
        raise click.UsageError("give PATHS, --db or --manifest, not several")
    settings = Settings() if min_words is None else Settings(min_words=min_words)
    if engine == "spark":
        if not paths:
            raise click.UsageError("--engine spark reads PATHS (bill folders, .jsonl or Parquet)")
        from .spark_progress import run_spark

        graph = run_spark(
            list(paths),
            settings=settings,
            master=master,
            evidence=evidence or (f"{out}/evidence" if out else None),
            verbose=verbose,
        )
        _render(graph, out, as_json, [])
        return
    if manifest:
        from ..corpus import documents, fetch_corpus, load_manifest

        rep = fetch_corpus(load_manifest(manifest), mirror=mirror, offline=offline)
        graph = run(documents(rep), settings=settings, progress=progress)
        not_had = rep.not_had
    elif paths:
        graph = run(list(paths), settings=settings, progress=progress)
    else:
        import os

        from ..index import Index, default_db_path

        path = db or default_db_path()
        if not os.path.exists(path):
            raise InputError(
                "no such index",
                path=str(path),
                hint="build one with `billdiff index add` or `billdiff corpus "
                "fetch NAME --db FILE`, or give bill files as PATHS",
            )
        with Index(path, create=False) as ix:
            graph = run(ix, settings=settings, progress=progress)
            not_had = ix.not_had()
    _render(graph, out, as_json, not_had)


def _progress():
    """'aligned 1200/5400 pairs' on stderr, rewritten in place, when stderr is a terminal."""
    import sys

    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, stage: str) -> None:
        if done == total or done % 50 == 0:
            end = "\n" if done == total else ""
            sys.stderr.write(f"\rlineage: {stage}ed {done}/{total} candidate pairs{end}")
            sys.stderr.flush()

    return show


def _render(graph, out, as_json, not_had) -> None:
    try:
        from ..report.lineage_json import dumps
        from ..report.tree import render_lineage
    except ImportError as err:  # the reports work has not landed in this checkout
        raise click.ClickException(f"lineage reports are not available ({err})") from None
    from ..errors import shown
    from ..plural import count
    from . import make_console

    if as_json:
        click.echo(dumps(graph), nl=False)
    else:
        make_console().print(render_lineage(graph))
    failed = list(graph.failed)
    if not_had or failed:  # said once, after the tree: what this lineage could not see
        parts = [f"{count(len(not_had), 'corpus document')} could not be had"] if not_had else []
        if failed:
            parts.append(f"{count(len(failed), 'document')} could not be read")
        names = [i for i, _ in not_had + failed]
        where = "the report lists them and why" if out else "--out writes a report that lists them"
        line = (
            f"not in this lineage: {' and '.join(parts)} "
            f"({', '.join(shown(n) for n in names[:3])}{', …' if len(names) > 3 else ''}); {where}"
        )
        if (sys.stderr if as_json else sys.stdout).isatty():  # wrapped at word boundaries
            from rich.text import Text

            make_console(stderr=as_json).print(Text(line))
        else:  # one line in a pipe or a file, for grep
            click.echo(line, err=as_json)
    if out:
        from ..report.html import write_report

        path = write_report(graph, out, missing=not_had + failed)
        click.echo(f"report: {path.resolve()}", err=as_json)
