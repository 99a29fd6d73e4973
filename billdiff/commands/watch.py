"""billdiff watch [init|status] — one watchdog round: new bill versions, checked once each."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

DB_HELP = "Index file (default: the config's index, $BILLDIFF_DB or ~/.local/share/billdiff/…)."


@click.group(invoke_without_command=True)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="watch.toml: sources, queries, index, thresholds, alerts (billdiff watch init).",
)
@click.option("--db", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
@click.option(
    "--folder",
    "folders",
    multiple=True,
    metavar="DIR",
    help="Check new or changed files in DIR (repeatable).",
)
@click.option(
    "--urls",
    "url_files",
    multiple=True,
    metavar="FILE",
    help="Check the URLs listed in FILE, one a line (repeatable).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON line per check (billdiff.watch/1)."
)
@click.option(
    "--jsonl", default=None, metavar="FILE", help="Append one JSON line per check to FILE."
)
@click.option(
    "--digest",
    default=None,
    metavar="FILE",
    help="Write the round's digest to FILE (.md or .html).",
)
@click.option(
    "--webhook", default=None, metavar="URL", help="POST the round's alerts (JSON) to URL."
)
@click.option(
    "--only-tag",
    "only_tags",
    multiple=True,
    metavar="TAG",
    help="Alert only on reuse of indexed documents with this tag (index add --tag).",
)
@click.option(
    "--since",
    default=None,
    metavar="DATE",
    help="Check again what was checked from DATE (ISO, e.g. 2026-12-01) on.",
)
@click.option(
    "--wait",
    type=click.FloatRange(0, None),
    default=0.0,
    help="Seconds to wait for a round already running on the index (default: exit 2).",
)
@click.option("--top", type=click.IntRange(1, None), default=None, help="Bills listed per check.")
@click.option(
    "--min-words",
    type=click.IntRange(3, None),
    default=None,
    help="Shortest shared passage counted (default: the config's, else the index's).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.pass_context
def watch(
    ctx,
    config_path,
    db,
    folders,
    url_files,
    as_json,
    jsonl,
    digest,
    webhook,
    only_tags,
    since,
    wait,
    top,
    min_words,
    quiet,
):
    """Run one watch round and exit (for cron): new bill versions from Open States, a folder or
    a URL list are searched against the index once each, and reuse is reported.

    Exit codes: 0 nothing to report, 1 substantive reuse found (as search --fail-on-match),
    2 bad input, a source that could not be read, or another round running.
    """
    if ctx.invoked_subcommand is not None:
        return None
    from ..watch import WatchConfig, load_config, run_round
    from .index import _Progress

    cfg = load_config(config_path) if config_path else WatchConfig()
    over = {
        k: v
        for k, v in dict(
            db=db, jsonl=jsonl, digest=digest, webhook=webhook, top=top, min_words=min_words
        ).items()
        if v is not None
    }
    if folders:
        over["folders"] = cfg.folders + tuple(folders)
    if url_files:
        over["url_files"] = cfg.url_files + tuple(url_files)
    if only_tags:
        over["only_tags"] = tuple(only_tags)
    cfg = cfg.replace(**over)
    if not (cfg.folders or cfg.url_files or cfg.queries):
        raise click.UsageError(
            "nothing to watch: pass --folder DIR, --urls FILE, or --config watch.toml "
            "(billdiff watch init writes one)"
        )
    progress = _Progress(enabled=not quiet and sys.stderr.isatty(), label="checking")
    try:
        res = run_round(cfg, since=since, wait=wait, progress=progress)
    finally:
        progress.close()
    for err in res.errors:
        click.echo(f"error: {err}", err=True)
    if as_json:
        for x in res.lines:
            click.echo(json.dumps(x, ensure_ascii=False, sort_keys=True))
    elif not quiet:
        _summary(res)
    return res.exit_code


def _summary(res) -> None:
    from ..report.watch import round_summary
    from . import make_console

    make_console().print(round_summary(res))


@watch.command()
@click.argument("path", type=click.Path(dir_okay=False), default="watch.toml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path, force):
    """Write a commented example watch.toml (default: ./watch.toml)."""
    from ..errors import InputError
    from ..watch import EXAMPLE

    p = Path(path)
    if p.exists() and not force:
        raise InputError(f"{path} exists already", hint="edit it, or pass --force to overwrite it")
    p.write_text(EXAMPLE, encoding="utf-8")
    click.echo(f"wrote {path} — edit it, then run: billdiff watch --config {path}")


@watch.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None)
@click.option("--db", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
@click.option("--last", type=click.IntRange(1, None), default=10, help="Rounds listed.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of rounds.")
def status(config_path, db, last, as_json):
    """List the last watch rounds on the index: when, how many checked, reuse, failures."""
    from ..report.watch import status_lines
    from ..watch import load_config, rounds

    if db is None and config_path:
        db = load_config(config_path).db
    rs = rounds(db, last=last)
    if as_json:
        click.echo(json.dumps(rs, indent=1, ensure_ascii=False))
    else:
        for ln in status_lines(rs):
            click.echo(ln)
