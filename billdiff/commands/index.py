"""billdiff index add|remove|list|stats|optimize|check|rebuild — manage the corpus index (one
SQLite file)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from .. import errors

DB_HELP = "Index file (default: $BILLDIFF_DB or ~/.local/share/billdiff/index.sqlite)."
JOBS = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, None),
    default=None,
    help="Worker processes (default: the number of cores available).",
)


@click.group()
def index():
    """Manage the corpus index (add, remove, list, stats, optimize, check, rebuild)."""


class _Progress:
    """A rich progress bar on stderr, shown only once the work has taken ~2 s."""

    def __init__(self, enabled: bool, label: str = "indexing"):
        self.enabled = enabled
        self.label = label
        self.t0 = time.perf_counter()
        self.bar = None
        self.task = None

    def __call__(self, done: int, total: int, words: int) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.t0
        if self.bar is None:
            if elapsed < 2.0 or done >= total:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            from . import make_console

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("docs · {task.fields[wps]} words/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=make_console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total, wps="0")
        wps = f"{words / elapsed:,.0f}" if elapsed > 0 else "0"
        self.bar.update(self.task, completed=done, wps=wps)

    def status(self, text: str) -> None:
        """The work after the documents (merging runs): shown on the bar, if there is one."""
        if self.bar is not None:
            self.bar.update(self.task, description=text)

    def close(self):
        if self.bar is not None:
            self.bar.stop()


@index.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--db", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
@click.option(
    "--replace", is_flag=True, help="Overwrite a document whose id is indexed with other content."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option(
    "--id", "id_", default=None, help="Document id (one SOURCE only; default: file stem)."
)
@click.option("--state", default=None, help="Metadata for every SOURCE (overrides sidecars).")
@click.option("--session", default=None)
@click.option("--bill", default=None)
@click.option("--version", "version_", default=None)
@click.option("--date", default=None, help="ISO date, YYYY-MM-DD.")
@click.option("--title", default=None)
@click.option("--sponsor", "sponsors", multiple=True, help="Repeat for several sponsors.")
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Corpus manifest (corpus/*.toml): facts for files named <id>.<ext>.",
)
@click.option(
    "--prefer",
    type=click.Choice(["txt", "html", "pdf"]),
    default="txt",
    show_default=True,
    help="Format taken when a stem has several (x.txt, x.pdf).",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    help="Tag every document added (e.g. model-bill); watch alerts can be limited to reuse "
    "of tagged documents (billdiff watch --only-tag). Repeat for several.",
)
@click.option(
    "--preset",
    default=None,
    help="Sketch preset for a NEW index: standard (default), sensitive, compact.",
)
@JOBS
def add(
    sources,
    db,
    replace,
    quiet,
    id_,
    state,
    session,
    bill,
    version_,
    date,
    title,
    sponsors,
    manifest,
    prefer,
    tags,
    preset,
    jobs,
):
    """Add bills: files, directories (walked: .txt .htm .html .pdf .jsonl .jsonl.gz) or URLs.

    A JSON Lines file (.jsonl, .jsonl.gz) adds one document per record (`id` and `text`).

    Files that cannot be read are reported one line each and skipped; the exit code is then 2.
    Adding the same content again does nothing; the same id with other content needs --replace.
    """
    from ..errors import InputError
    from ..index import Index, default_db_path

    meta = {
        k: v
        for k, v in dict(
            id=id_,
            state=state,
            session=session,
            bill=bill,
            version=version_,
            date=date,
            title=title,
        ).items()
        if v is not None
    }
    if sponsors:
        meta["sponsors"] = tuple(sponsors)
    if id_ is not None and (len(sources) != 1 or _many_docs(sources[0])):
        raise InputError(
            "--id names one document, but "
            + ("several sources were given" if len(sources) != 1 else f"{sources[0]} holds many"),
            hint="leave out --id (ids default to the file stem, or the record's id in JSON Lines)",
        )
    per_source = _manifest_meta(manifest) if manifest else None
    progress = _Progress(enabled=not quiet and sys.stderr.isatty())
    target = Path(db).expanduser() if db else default_db_path()
    fresh = not target.exists()  # a first add that indexes nothing leaves no file behind
    res, dropped = None, False
    try:
        with Index(db, preset=preset) as ix:
            res = ix.add(
                list(sources),
                meta=meta or None,
                replace=replace,
                progress=progress,
                prefer=prefer,
                per_source_meta=per_source,
                workers=jobs,
                status=progress.status,
            )
            if tags:
                ix.tag(res.added + res.replaced + res.unchanged, tags)
            if manifest:
                _manifest_tags(ix, manifest, res.added + res.replaced + res.unchanged)
            path = ix.path
    finally:
        progress.close()
        if fresh and (res is None or not (res.added or res.replaced)):
            dropped = _drop_if_empty(target)
    for src, msg in res.failed:
        src = errors.shown(src)
        click.echo(f"error: {msg}" if src in msg else f"error: {src}: {msg}", err=True)
    if not quiet:
        wps = res.words / res.seconds if res.seconds else 0
        click.echo(
            f"added {len(res.added)}, replaced {len(res.replaced)}, unchanged "
            f"{len(res.unchanged)}, failed {len(res.failed)} — {res.words:,} words in "
            f"{res.seconds:.1f} s ({wps:,.0f} words/s); "
            + (f"no index written (nothing to put in {path})" if dropped else f"index {path}")
        )
    return res.exit_code


def _drop_if_empty(path) -> bool:
    """Delete an index file this command created if it holds no document (never one that
    holds any, nor one another billdiff has open: nothing a user indexed is lost)."""
    from ..index.core import drop_if_empty

    return drop_if_empty(path)


def _many_docs(source: str) -> bool:
    from pathlib import Path

    name = source.lower()
    return Path(source).is_dir() or name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"))


def _manifest_meta(path):
    from pathlib import Path

    from ..corpus import load_manifest

    man = load_manifest(path)
    by_id = {e.id: e for e in man.docs}

    def lookup(source: str):
        e = by_id.get(Path(source).stem)
        if e is None:
            return None
        m = e.metadata().to_dict()
        m["sponsors"] = tuple(m["sponsors"])
        m["extra"] = tuple(sorted(m["extra"].items()))
        return {k: v for k, v in m.items() if v and k not in ("source", "sha256", "format")}

    return lookup


def _manifest_tags(ix, manifest, ids) -> None:
    """The manifest's ``tags = ["model-bill"]`` of each document added (by id)."""
    from ..corpus import load_manifest

    by_id = {e.id: e.tags for e in load_manifest(manifest).docs if e.tags}
    for i in ids:
        if by_id.get(i):
            ix.tag([i], by_id[i])


@index.command()
@click.argument("ids", nargs=-1, required=True)
@click.option("--db", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
def remove(ids, db):
    """Remove documents by id."""
    from ..index import Index

    with Index(db, create=False) as ix:
        removed = ix.remove(ids)
    click.echo(f"removed {len(removed)}: {', '.join(removed)}")


@index.command()
@click.option("--db", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
def optimize(db):
    """Merge the index's runs into one of each kind (fastest searching; a large add does
    this by itself) and give freed space back to the file system."""
    from ..index import Index

    with Index(db, create=False) as ix:
        before = ix.stats()
        t0 = time.perf_counter()
        ix.optimize()
        after = ix.stats()
    click.echo(
        f"runs {_runs(before)} -> {_runs(after)}; {before['bytes_on_disk']:,} -> "
        f"{after['bytes_on_disk']:,} bytes in {time.perf_counter() - t0:.1f} s"
    )


def _runs(st: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in st["runs"].items())


@index.command(name="list")
@click.option("--db", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON array of metadata objects.")
def list_(db, as_json):
    """List indexed documents (id, state, bill, version, date, words, title)."""
    from ..index import Index

    with Index(db, create=False) as ix:
        metas = ix.list()
        words = {i: ix.words(i) for i in ix.ids()}
    if as_json:
        click.echo(
            json.dumps(
                [{**m.to_dict(), "words": words[m.id]} for m in metas], indent=1, ensure_ascii=False
            )
        )
        return
    from . import print_records

    print_records(
        ["id", "state", "bill", "version", "date", "words", "title"],
        [(m.id, m.state, m.bill, m.version, m.date, f"{words[m.id]:,}", m.title) for m in metas],
        wrap=("title",),
    )


@index.command()
@click.option("--db", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True)
def stats(db, as_json):
    """Size and contents of the index."""
    from ..index import Index

    with Index(db, create=False) as ix:
        st = ix.stats()
    if as_json:
        click.echo(json.dumps(st, indent=1))
        return
    for k, v in st.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}={b}" for a, b in v.items())
        elif isinstance(v, int):
            v = f"{v:,}"
        click.echo(f"{k:18} {v}")


@index.command()
@click.option("--db", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
def check(db):
    """Check the index file: SQLite's page check, then billdiff's own (every document's
    metadata, text and sketch; the runs of postings and counts; rows that belong to no
    document). Read-only. Exit 0 when the index is sound, 2 when it is damaged."""
    from ..errors import IndexError_
    from ..index import check as check_index
    from ..index import default_db_path

    path = Path(db).expanduser() if db else default_db_path()
    res = check_index(path)
    for name, value in res.facts:
        click.echo(f"{name:16} {value}")
    if res.sound:
        click.echo("the index is sound")
        return 0
    for line in res.problems:
        click.echo(f"problem: {line}")
    n = len(res.problems)
    raise IndexError_(
        f"the index file {path} is damaged ({n} problem{'s' * (n != 1)}: {res.problems[0]})",
        hint="rebuild it with billdiff index rebuild"
        + (f" --db {db}" if db else "")
        + " (it keeps the damaged file)",
    )


@index.command()
@click.option("--db", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@JOBS
def rebuild(db, quiet, jobs):
    """Rebuild a damaged index from the texts it still holds.

    Every document whose text can be read comes back, with its metadata, into a new file
    built with the same settings, which then takes the index's name; the old file is kept
    as <name>.damaged-<time>. Documents that cannot be read are listed; the exit code is
    then 2. When no document can be read, the index is left as it was.
    """
    from ..index import default_db_path
    from ..index import rebuild as rebuild_index

    path = Path(db).expanduser() if db else default_db_path()
    progress = _Progress(enabled=not quiet and sys.stderr.isatty())
    try:
        res = rebuild_index(path, workers=jobs, progress=progress)
    finally:
        progress.close()
    total = len(res.recovered) + len(res.lost)
    click.echo(
        f"rebuilt {res.path}: {len(res.recovered)} of {total} document{'s' * (total != 1)} "
        f"came back in {res.seconds:.1f} s"
    )
    if res.params_note:
        click.echo(res.params_note)
    if res.without_metadata:
        click.echo(
            f"{len(res.without_metadata)} came back without their metadata (their id only): "
            + ", ".join(res.without_metadata)
        )
    for label, why in res.lost:
        click.echo(f"lost {label}: {why}")
    click.echo(f"the damaged file is kept as {res.kept_as}")
    if res.lost:
        n = len(res.lost)
        click.echo(
            f"error: {n} document{'s' * (n != 1)} could not be read and {'are' if n != 1 else 'is'}"
            " not in the rebuilt index — add them again from their sources with "
            "billdiff index add",
            err=True,
        )
    return res.exit_code
