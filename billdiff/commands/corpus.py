"""billdiff corpus fetch|list — the real-bill corpora named by the manifests in corpus/."""

from __future__ import annotations

import sys

import click

from ..plural import count
from . import print_records


@click.group()
def corpus():
    """Fetch a corpus of real bills from official sources (manifests in corpus/*.toml)."""


@corpus.command("fetch")
@click.argument("name")
@click.option(
    "--mirror",
    type=click.Path(file_okay=False),
    envvar="BILLDIFF_MIRROR",
    help="Folder of <id>.<ext> files (searched recursively) used instead of the "
    "network; env BILLDIFF_MIRROR.",
)
@click.option("--offline", is_flag=True, help="Never touch the network: mirror and cache only.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Download cache (default $BILLDIFF_CACHE_DIR or ~/.cache/billdiff).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Index to add the documents to (default $BILLDIFF_DB or the default index).",
)
@click.option("--no-index", is_flag=True, help="Only fetch; do not index.")
@click.option(
    "--min-interval",
    type=float,
    default=1.0,
    show_default=True,
    help="Seconds between two requests to the same host.",
)
@click.option(
    "--timeout",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds before one request is abandoned.",
)
@click.option("--quiet", "-q", is_flag=True, help="Only the summary.")
def fetch_cmd(name, mirror, offline, cache_dir, db, no_index, min_interval, timeout, quiet):
    """Download each document of manifest NAME once (or take it from --mirror), then index.

    Exit 0 when at least one document is available (the missing ones are listed), 2 when none.
    """
    from ..corpus import documents, fetch_corpus, load_manifest, missing_summary

    manifest = load_manifest(name)
    width = len(str(len(manifest.docs)))

    def progress(done, total, item):
        if quiet:
            return
        where = item.url or (str(item.path) if item.path else "")
        line = f"[{done:>{width}}/{total}] {item.status:<12} {item.id}"
        click.echo(f"{line}  {where}" if item.status in ("fetched", "mirror") else line, err=True)

    rep = fetch_corpus(
        manifest,
        mirror=mirror,
        cache_dir=cache_dir,
        offline=offline,
        progress=progress,
        min_interval=min_interval,
        timeout=timeout,
    )
    counts = ", ".join(
        f"{rep.count(s)} {s}"
        for s in ("fetched", "cached", "mirror", "failed", "offline", "unidentified")
        if rep.count(s)
    )
    click.echo(
        f"{manifest.name}: {len(rep.available)} of {count(len(rep.items), 'document')} available "
        f"({counts})"
    )
    for item in rep.warnings:
        click.echo(f"warning: {item.id}: {item.warning}")
    for line in missing_summary(rep.not_had):  # one line per reason, not one per document
        click.echo(line)
    if not rep.available:
        click.echo(
            f"error: no document of {manifest.name!r} could be had — check the network, "
            "or give --mirror DIR (e.g. ../shared/corpus)",
            err=True,
        )
        sys.exit(2)
    if not no_index:
        _index(rep, db, documents)
    sys.exit(rep.exit_code)


def _index(rep, db, documents) -> None:
    try:
        from ..index import Index
    except ImportError:
        click.echo("note: the index is not part of this build yet; documents not indexed")
        return
    problems: list[tuple[str, str]] = []
    docs = documents(rep, problems=problems)
    for doc_id, msg in problems:
        click.echo(f"warning: {doc_id}: not indexed: {msg}")
    with Index(db) as ix:
        ix.add(docs, replace=True)
        ix.record_not_had(rep.manifest, rep.not_had)
    click.echo(f"indexed {count(len(docs), 'document')} into {db or 'the default index'}")


@corpus.command("list")
@click.argument("name", required=False)
@click.option(
    "--cache-dir", type=click.Path(file_okay=False), default=None, help="Download cache to look in."
)
@click.option(
    "--mirror",
    type=click.Path(file_okay=False),
    envvar="BILLDIFF_MIRROR",
    help="Also show which entries the mirror folder holds.",
)
def list_cmd(name, cache_dir, mirror):
    """Show the manifests, or the entries of manifest NAME and which are cached."""
    from ..corpus import available_manifests, cached_path, load_manifest, mirror_index

    if not name:
        for n in available_manifests():
            m = load_manifest(n)
            click.echo(f"{n}\t{count(len(m.docs), 'document')}\t{m.description}")
        return
    m = load_manifest(name)
    stems = mirror_index(mirror) if mirror else {}
    rows = []
    for d in m.docs:
        have = []
        if d.id in stems:
            have.append("mirror")
        if d.fetchable and cached_path(d, cache_dir=cache_dir):
            have.append("cached")
        url = d.files[0].url if d.files else "(unidentified)"
        rows.append(
            (
                d.id,
                f"{d.state} {d.bill}",
                d.version,
                d.date or "?",
                url + ("" if d.url_status == "confirmed" else " [unconfirmed]"),
                ", ".join(have) or "not held",
            )
        )
    print_records(
        ["id", "bill", "version", "date", "url", "have"],
        rows,
        title=f"{m.name} ({count(len(m.docs), 'entry', 'entries')})",
        wrap=("url",),
    )
