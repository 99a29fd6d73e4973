"""One watch round: list new versions, check each against the index, record it, alert.

``run_round(config)`` takes the index's watch lock, lists every source's versions (nothing
is downloaded for a version already recorded), then for each new one: download (billdiff's
fetcher), read, search (``billdiff.search``, the verdict of ``search --fail-on-match``),
record — one transaction per version. At the end the alerts of every check not yet alerted
(this round's, and those of a round killed before its end) are delivered and marked.

A fault of one version (dead link, truncated download, error page, PDF without text, unknown
format) is a ``failed`` check listed in the digest and tried again next round, up to
``max_attempts`` times; a fault of a whole source (key refused, rate limit) is one line in
``RoundResult.errors``. Neither loses the round.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import BilldiffError, IndexError_, InputError
from . import state
from .config import WatchConfig
from .sources import Item, folder_items, url_items

SCHEMA = "billdiff.watch/1"
MIN_BILL_WORDS = 40  # fewer words of text is no bill (an error page, a cover sheet)
_ERROR_PAGE = re.compile(
    r"\b(404|403|500|502|503|not found|error|unavailable|access denied|forbidden|"
    r"maintenance|try again later)\b",
    re.I,
)
_KNOWN_TYPES = ("text/html", "application/xhtml", "text/plain", "application/pdf", "text/xml")


@dataclass(frozen=True)
class RoundResult:
    round: int
    started: str
    finished: str
    lines: tuple[dict, ...]  # the checks alerted this round (billdiff.watch/1 JSON lines)
    listed: int  # versions the sources listed
    skipped: int  # … already recorded
    errors: tuple[str, ...]  # one line per source that could not be read

    @property
    def checked(self) -> tuple[dict, ...]:
        return tuple(x for x in self.lines if x["round"] == self.round)

    @property
    def alerts(self) -> tuple[dict, ...]:
        return tuple(x for x in self.lines if x.get("alert"))

    @property
    def failures(self) -> tuple[dict, ...]:
        return tuple(x for x in self.lines if x["status"] == "failed")

    @property
    def exit_code(self) -> int:
        """1 substantive reuse found (as ``search --fail-on-match``); 2 a source could not be
        read; else 0."""
        if self.alerts:
            return 1
        return 2 if self.errors else 0


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def run_round(
    config: WatchConfig,
    *,
    since: str | None = None,
    wait: float = 0.0,
    progress: Callable[[int, int, int], None] | None = None,
    deliver: Callable[[list[dict], int], list[str]] | None = None,
) -> RoundResult:
    """One round over ``config``'s sources. ``since`` (ISO date): check again what was
    checked from that date on, and ask Open States for bills updated since then.
    ``wait``: seconds to wait for a round already running on the index (else
    WatchBusyError). ``deliver(lines, round)``: writes the alerts, returns error lines
    (default: ``alerts.deliver`` with the config's destinations)."""
    from ..index import Index

    if since is not None:
        since = _iso_date(since)
    with Index(config.db, create=False) as ix, state.RoundLock(ix.path, wait=wait):
        con = ix._con
        state.ensure(con)
        started = now()
        errors: list[str] = []
        listed: list[Item] = []
        cursors: list[str] = []
        names = (
            [f"folder:{f}" for f in config.folders]
            + [f"urls:{u}" for u in config.url_files]
            + [q.name for q in config.queries]
        )
        rnd = state.start_round(con, started, names)
        own = {os.path.realpath(p) for p in (config.digest, config.jsonl) if p}
        for folder in config.folders:  # the round's own digest and alerts are not bills
            got = _listing(errors, folder_items, folder)
            listed += [it for it in got if os.path.realpath(it.path) not in own]
        for url_file in config.url_files:
            listed += _listing(errors, url_items, url_file)
        for q in config.queries:
            got = _listing(errors, _openstates, q, config, since or state.cursor(con, q.name))
            if got is not None:
                items, complete = got
                listed += items
                if complete:
                    cursors.append(q.name)
        # an API lists a bill again only when it changes: its failed versions come back
        # from the record (a folder lists its files every round anyway)
        for q in config.queries:
            for x in state.failed(con, q.name, config.max_attempts):
                listed.append(_item_of(x))
        pending, skipped = _pending(con, listed, since, config.max_attempts)
        tagged = _tagged(ix, config.only_tags)
        words = 0
        for i, item in enumerate(pending):
            line = check(ix, item, config, tagged)
            line["round"] = rnd
            state.record(con, rnd, line)
            words += line.get("words", 0)
            if progress is not None:
                progress(i + 1, len(pending), words)
        for name in cursors:  # only now: a killed round lists the same bills again
            state.set_cursor(con, name, started[:19])
        lines = state.unalerted(con)
        if deliver is None:
            from .alerts import deliver_to

            def deliver(lines, rnd):
                return deliver_to(config, lines, rnd)

        errors += deliver(lines, rnd)
        state.mark_alerted(con, lines)
        finished = now()
        state.finish_round(con, rnd, finished, lines, errors)
    return RoundResult(rnd, started, finished, tuple(lines), len(listed), skipped, tuple(errors))


def _listing(errors: list[str], fn, *args):
    try:
        return fn(*args)
    except BilldiffError as err:
        errors.append(err.oneline())
        return None if fn is _openstates else []


def _openstates(q, config: WatchConfig, since: str | None):
    from .openstates import bill_versions

    return bill_versions(
        q,
        api_url=config.api_url,
        api_key=config.api_key,
        since=since,
        per_page=config.per_page,
        max_pages=config.max_pages,
        retry_after_max=config.retry_after_max,
        timeout=config.timeout,
        retries=config.retries,
    )


def _pending(con, items: list[Item], since: str | None, max_attempts: int):
    done: dict[str, dict] = {}
    pending, skipped, seen = [], 0, set()
    for it in items:
        ident = (it.source, it.key, it.version)
        if ident in seen:
            continue
        seen.add(ident)
        if it.source not in done:
            done[it.source] = state.recorded(con, it.source)
        rec = done[it.source].get((it.key, it.version))
        if rec is None:
            pending.append(it)
            continue
        status, attempts, checked_at = rec
        if since is not None and checked_at >= since:
            pending.append(it)
        elif status == "failed" and attempts < max_attempts:
            pending.append(it)
        else:
            skipped += 1
    return pending, skipped


def _item_of(x: dict) -> Item:
    return Item(
        x["source"],
        x["key"],
        x["version"],
        url=x.get("url", ""),
        label=x.get("label", ""),
        link=x.get("link", ""),
        meta=tuple(sorted((x.get("meta") or {}).items())),
        updated_at=x.get("updated_at", ""),
    )


def _tagged(ix, tags) -> frozenset[str] | None:
    if not tags:
        return None
    out: set[str] = set()
    for t in tags:
        out |= ix.tagged(t)
    return frozenset(out)


def check(ix, item: Item, config: WatchConfig, tagged: frozenset[str] | None) -> dict:
    """Check one version: its JSON line (``status`` clean, reuse or failed)."""
    from ..report.search import search_to_dict

    line = {
        "schema": SCHEMA,
        "source": item.source,
        "key": item.key,
        "version": item.version,
        "label": item.label,
        "url": item.url or item.path,
        "link": item.link,
        "updated_at": item.updated_at,
        "meta": dict(item.meta),
        "sha256": "",
        "status": "failed",
        "alert": False,
        "copies": [],
        "error": "",
        "search": None,
    }
    try:
        doc, sha = _read(item, config)
        line["sha256"] = sha
        line["label"] = doc.meta.label if (doc.meta.state or doc.meta.bill) else item.label
        if not item.url and doc.meta.source_url:  # a folder file's sidecar names the original
            line["link"] = doc.meta.source_url
        res = ix.search(doc, top=config.top, min_words=config.min_words, fail_on_match=True)
    except IndexError_:
        raise  # the index itself (damaged, locked): the round stops, nothing is recorded
    except BilldiffError as err:
        line["error"] = err.oneline()
        line["checked_at"] = now()
        return line
    data = search_to_dict(res)
    copies = []
    for h in data["hits"]:
        if not h["substantive"] or (tagged is not None and h["id"] not in tagged):
            continue
        copies.append(
            {
                "id": h["id"],
                "label": h["label"],
                "probability": h["probability"],
                "score": h["score"],
                "coverage_query": h["coverage_query"],
                "coverage_hit": h["coverage_hit"],
                "longest_passage": h["longest_passage"],
                "passages_count": h["passages_count"],
            }
        )
    line.update(
        status="reuse" if copies else "clean",
        alert=bool(copies),
        copies=copies,
        search=data,
        words=data["query"]["words"],
        checked_at=now(),
    )
    return line


def _read(item: Item, config: WatchConfig):
    """The version as a Document, and the sha256 of its bytes; InputError when it is no bill."""
    from ..fetch import fetch, url_basename
    from ..ingest import _read_file, read, read_bytes
    from ..limits import current

    meta = dict(item.meta) or None
    if not item.url:
        doc = read(item.path, meta=meta)
        return _is_bill(doc, item.path), doc.meta.sha256
    got = fetch(
        item.url,
        cache_dir=config.cache_dir,
        timeout=config.timeout,
        retries=config.retries,
        min_interval=config.min_interval,
    )
    ctype = got.content_type.lower()
    base = url_basename(item.url)
    ext_known = Path(base).suffix.lower() in (".txt", ".htm", ".html", ".xhtml", ".pdf")
    if ctype and not ctype.startswith(_KNOWN_TYPES) and not ext_known:
        raise InputError(
            f"unknown format (the server sent {ctype})",
            path=item.url,
            hint="billdiff reads PDF, HTML and plain text; save another format as one of them",
        )
    data = _read_file(got.path, item.url, current().file_bytes)
    ident = (meta or {}).get("id") or Path(base).stem or got.sha256[:12]
    doc = read_bytes(
        data,
        name=item.url,
        ident=ident,
        path=Path(base) if Path(base).suffix else None,
        meta=meta,
        content_type=ctype,
    )
    return _is_bill(doc, item.url), got.sha256


def _is_bill(doc, name: str):
    words = doc.text.split()
    head = " ".join(words[:60])
    if len(words) < MIN_BILL_WORDS or (
        doc.meta.format == "html" and len(words) < 300 and _ERROR_PAGE.search(head)
    ):
        raise InputError(
            f"not a bill: only {len(words)} words of text" + (f' ("{head[:60]}")' if head else ""),
            path=name,
            hint="check that it is a bill (an error page or a cover sheet is not); it is tried "
            "again next round",
        )
    return doc


def _iso_date(value: str) -> str:
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d")
    except ValueError:
        raise InputError(
            f"--since takes a date, not {value!r}", hint="e.g. --since 2026-01-31"
        ) from None
