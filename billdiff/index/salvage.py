"""What can still be read from an index file that may be damaged (``index check``, ``rebuild``).

A full scan of a table stops at its first bad page, so documents are read one by one, by their
number (``rid``) with point lookups: a damaged page costs only the rows on it. The numbers come
from every place that names them — the documents table, its id index (which also gives the id
of a document whose row is lost), the texts table — and every number up to the AUTOINCREMENT
counter is tried as well, to get past a damaged inner page of a table.

Works on a plain ``sqlite3`` connection (``store.open_raw``): SQLite errors come as they are.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Document, Metadata
from . import store

_PROBE_MAX = 10_000_000  # never try more numbers than this past the ones found


@dataclass(frozen=True)
class Found:
    """One document of a possibly damaged index: ``doc`` is None when it cannot be read."""

    rid: int
    id: str  # '' when neither its row nor the id index can be read
    doc: Document | None
    meta_ok: bool  # its metadata row was read (else ``doc`` carries its id only)
    problem: str = ""  # what could not be read ('' when everything was)

    @property
    def label(self) -> str:
        return self.id or f"#{self.rid}"


def scan(con: sqlite3.Connection, sql: str, params=()) -> tuple[list, str]:
    """The rows of a query up to the first error, and that error ('' when none)."""
    out: list = []
    try:
        for row in con.execute(sql, params):
            out.append(row)
    except sqlite3.DatabaseError as err:
        return out, str(err)
    return out, ""


def one(con: sqlite3.Connection, sql: str, params=()):
    """(first row or None, error text or '')."""
    try:
        return con.execute(sql, params).fetchone(), ""
    except sqlite3.DatabaseError as err:
        return None, str(err)


def meta_values(con: sqlite3.Connection) -> dict[str, str]:
    """Every readable row of ``meta`` (the keys that matter are also looked up one by one)."""
    rows, _err = scan(con, "SELECT key, value FROM meta")
    got = {k: v for k, v in rows if isinstance(k, str) and isinstance(v, str)}
    for key in ("schema_version", "sketch_params", "preset", "created_by"):
        if key not in got:
            row, _e = one(con, "SELECT value FROM meta WHERE key=?", (key,))
            if row is not None and isinstance(row[0], str):
                got[key] = row[0]
    return got


def known_rids(con: sqlite3.Connection) -> tuple[dict[int, str], int, list[str]]:
    """(rid → id or '' of every document some part of the file names, the AUTOINCREMENT
    counter (0 when unreadable), the errors met on the way)."""
    errors: list[str] = []
    ids: dict[int, str] = {}
    rows, err = scan(con, "SELECT rid, id FROM documents")
    errors += [f"documents: {err}"] if err else []
    for rid, id_ in rows:
        if isinstance(rid, int):
            ids[rid] = id_ if isinstance(id_, str) else ""
    # the UNIQUE index on id is a b-tree of its own: (id, rid) pairs without the rows
    index, _e = one(
        con,
        "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='documents' "
        "AND sql IS NULL",
    )
    if index is not None:
        rows, err = scan(con, f'SELECT id, rid FROM documents INDEXED BY "{index[0]}"')
        errors += [f"documents id index: {err}"] if err else []
        for id_, rid in rows:
            if isinstance(rid, int) and isinstance(id_, str) and not ids.get(rid):
                ids[rid] = id_
    rows, err = scan(con, "SELECT rid FROM texts")
    errors += [f"texts: {err}"] if err else []
    for (rid,) in rows:
        if isinstance(rid, int):
            ids.setdefault(rid, "")
    row, _e = one(con, "SELECT seq FROM sqlite_sequence WHERE name='documents'")
    seq = row[0] if row is not None and isinstance(row[0], int) and row[0] > 0 else 0
    return ids, seq, errors


def documents(con: sqlite3.Connection, *, known=None) -> Iterator[Found]:
    """Every document the file holds or names, in rid order, read as far as it can be
    (``known``: what ``known_rids`` gave, when the caller has it already)."""
    ids, seq, _errors = known if known is not None else known_rids(con)
    top = max(ids, default=0)
    top = max(top, min(seq, top + _PROBE_MAX))
    cols = ", ".join(store.META_COLS)
    for rid in range(1, top + 1):
        row, row_err = one(con, f"SELECT {cols} FROM documents WHERE rid=?", (rid,))
        trow, text_err = one(con, "SELECT text, spans FROM texts WHERE rid=?", (rid,))
        if rid not in ids and row is None and trow is None:
            continue  # a number never used, or a removed document
        if row is None and not row_err and rid not in ids:
            continue  # a text without a document: not a document (check names it)
        yield _read(rid, ids.get(rid, ""), row, row_err, trow, text_err)


def _read(rid, known_id, row, row_err, trow, text_err) -> Found:
    problems = []
    meta = None
    if row is not None:
        try:
            meta = store.row_meta(row)
        except store.DECODE_ERRORS as err:
            problems.append(f"its metadata cannot be read ({err})")
    elif row_err:
        problems.append(f"its metadata cannot be read ({store.short_cause(row_err)})")
    else:
        problems.append("its metadata row is missing")
    id_ = meta.id if meta is not None and meta.id else known_id
    doc = None
    if trow is None:
        problems.append(
            f"its text cannot be read ({store.short_cause(text_err)})"
            if text_err
            else "no stored text"
        )
    else:
        try:
            doc = store.rebuild(meta or Metadata(id=id_), trow[0], trow[1])
        except store.DECODE_ERRORS as err:
            problems.append(f"its stored text cannot be decoded ({store.short_cause(err)})")
    if doc is not None and not id_:
        problems.append("its id cannot be read")
        doc = None
    return Found(rid, id_, doc, meta is not None, "; ".join(problems))
