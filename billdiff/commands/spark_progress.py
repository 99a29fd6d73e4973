"""The Spark engine from the CLI: a rich progress display of its stages on a terminal."""

from __future__ import annotations

STAGES = ("read", "candidates", "boilerplate", "align", "graph")


def run_spark(paths, *, settings, master: str, evidence, verbose: bool):
    """``lineage(..., engine="spark")`` with the stages shown on stderr (a terminal only)."""
    import sys

    from ..lineage_graph import lineage

    kw = dict(settings=settings, engine="spark", master=master, evidence_dir=evidence)
    from ..spark.session import start

    spark = start(master, verbose=verbose)
    try:
        if not sys.stderr.isatty():
            return lineage(paths, spark=spark, **kw)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(
            TextColumn("spark {task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("tasks"),
            console=Console(stderr=True),
            transient=False,
        ) as bar:
            tasks: dict[str, int] = {}

            def show(done: int, total: int, stage: str) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=None)
                bar.update(tasks[stage], completed=done, total=total or None)

            return lineage(paths, spark=spark, progress=show, **kw)
    finally:
        spark.stop()
