"""The SQLite file behind an Index: schema, opening checks, (de)serialising documents.

One file, WAL journal. Tables:

- ``meta(key, value)`` — ``schema_version``, ``created_by`` (tool version), the sketch
  parameters (JSON) the index was built with;
- ``documents`` — one row per document: metadata columns, word/window counts, ``content_sha``
  (sha256 of the text and its spans: "same content" test). ``rid`` is AUTOINCREMENT: the
  number of a removed document is never given to another one;
- ``texts(rid, text, spans)`` — zlib-compressed ``Document.text`` and its skip/marks/pages, so
  ``Index.get`` rebuilds the Document (and ``tokenize`` its Tokens) exactly;
- ``sketches(rid, doc_sig, keys, windows)`` — the whole-document MinHash (uint32 × num_perm)
  and the number of the document's LSH band keys;
- ``runs(run, kind, rows, blocks, dir)`` and ``blocks(id, data)`` — sorted runs (see
  ``runs.py``) of the LSH postings (kind ``lsh``: band key → rid) and of the corpus shingle
  counts (kind ``df``: shingle → documents, distinct bills, state bits);
- ``dead(rid)`` — removed documents whose LSH postings are still in a run (skipped by every
  lookup, dropped when the runs are merged);
- ``state_bits(state, bit)`` — the bit of each state in the ``df`` state sets.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import zlib
from contextlib import contextmanager
from pathlib import Path

from ..errors import IndexDamagedError, IndexError_
from ..model import Document, Metadata, Span

SCHEMA_VERSION = 2

# topic vectors (billdiff/topics.py): each document's top terms and their postings. Added
# without a schema version change: an older schema-2 file gets the (empty) tables on open,
# and its documents indexed before simply have no topic vector.
TOPIC_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS topics(rid INTEGER PRIMARY KEY, terms BLOB NOT NULL);",
    "CREATE TABLE IF NOT EXISTS term_postings(term INTEGER NOT NULL, rid INTEGER NOT NULL,"
    " w REAL NOT NULL, PRIMARY KEY(term, rid)) WITHOUT ROWID;",
)

# document tags (``billdiff index add --tag model-bill``): which indexed documents are known
# model legislation, so watch alerts can be limited to reuse of them. Keyed by document id
# (a tag outlives a --replace of the same id). Added like the topic tables: an older file
# gets the (empty) table on open.
TAGS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tags(id TEXT NOT NULL, tag TEXT NOT NULL,"
    " PRIMARY KEY(id, tag)) WITHOUT ROWID;",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    rid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT '', session TEXT NOT NULL DEFAULT '',
    bill TEXT NOT NULL DEFAULT '', version TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '',
    sponsors TEXT NOT NULL DEFAULT '[]', source TEXT NOT NULL DEFAULT '',
    source_url TEXT NOT NULL DEFAULT '', sha256 TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT '', extra TEXT NOT NULL DEFAULT '{}',
    added_at TEXT NOT NULL, tool_version TEXT NOT NULL,
    words INTEGER NOT NULL, windows INTEGER NOT NULL, content_sha TEXT NOT NULL,
    bill_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_bill ON documents(bill_key);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS texts(rid INTEGER PRIMARY KEY, text BLOB NOT NULL,
                                 spans BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sketches(rid INTEGER PRIMARY KEY, doc_sig BLOB NOT NULL,
                                    keys INTEGER NOT NULL, windows INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs(run INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
                                rows INTEGER NOT NULL, blocks INTEGER NOT NULL,
                                dir BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blocks(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS dead(rid INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS state_bits(state TEXT PRIMARY KEY, bit INTEGER NOT NULL UNIQUE);
""" + "".join(TOPIC_SCHEMA + TAGS_SCHEMA)

META_COLS = (
    "id",
    "state",
    "session",
    "bill",
    "version",
    "date",
    "title",
    "sponsors",
    "source",
    "source_url",
    "sha256",
    "format",
    "extra",
)

_HINT_DAMAGED = (
    "move it aside and rebuild it with `billdiff index add`, or point --db / "
    "BILLDIFF_DB at the right file"
)
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite file
_CORRUPT_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB (primary result codes)


def is_corruption(err: BaseException) -> bool:
    """A SQLite error that means the file's pages cannot be read ("database disk image is
    malformed", "file is not a database", a text value that is not UTF-8), not a busy, full
    or read-only file."""
    if not isinstance(err, sqlite3.DatabaseError):
        return False
    if "could not decode to utf-8" in str(err).lower():
        return True  # a text column holding bytes billdiff never wrote
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _CORRUPT_CODES
    text = str(err).lower()
    return "malformed" in text or "not a database" in text


def damaged(path, cause) -> IndexDamagedError:
    """The error for an index file that cannot be read as stored (see errors.py)."""
    return IndexDamagedError(path, short_cause(cause))


def short_cause(cause) -> str:
    """An error as a few words: sqlite3 quotes a whole undecodable value, zlib its code."""
    text = str(cause)
    utf8 = re.match(r"could not decode to utf-8 column '([^']*)'", text, re.I)
    if utf8:
        text = f"a value in column {utf8.group(1)!r} is not UTF-8 text"
    return re.sub(r"Error -?\d+ while (?:de)?compressing data: ", "zlib: ", text)


class _Cursor(sqlite3.Cursor):
    """A cursor of an index file: a SQLite error saying the file is damaged becomes an
    IndexDamagedError naming the file, wherever it shows (executing or fetching rows)."""

    def _fail(self, err: sqlite3.DatabaseError) -> BaseException:
        return damaged(self.connection.path, err) if is_corruption(err) else err

    @contextmanager
    def _named(self):
        try:
            yield
        except sqlite3.DatabaseError as err:
            raise self._fail(err) from err
        except UnicodeDecodeError as err:  # a stored name or text whose bytes were overwritten
            raise damaged(self.connection.path, f"text that is not UTF-8: {err.reason}") from err

    def execute(self, sql, parameters=(), /):
        with self._named():
            return super().execute(sql, parameters)

    def executemany(self, sql, seq, /):
        with self._named():
            return super().executemany(sql, seq)

    def executescript(self, script, /):
        with self._named():
            return super().executescript(script)

    def fetchone(self):
        with self._named():
            return super().fetchone()

    def fetchmany(self, size=None):
        with self._named():
            return super().fetchmany(self.arraysize if size is None else size)

    def fetchall(self):
        with self._named():
            return super().fetchall()

    def __next__(self):
        with self._named():
            return super().__next__()


class IndexConnection(sqlite3.Connection):
    """The connection to an index file: knows its ``path``, and its statements run through
    ``_Cursor`` (``Connection.execute`` would use a plain cursor)."""

    path: Path

    def execute(self, sql, parameters=(), /):
        return self.cursor(_Cursor).execute(sql, parameters)

    def executemany(self, sql, seq, /):
        return self.cursor(_Cursor).executemany(sql, seq)

    def executescript(self, script, /):
        return self.cursor(_Cursor).executescript(script)


def is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def connect(path: Path, *, create: bool, readonly: bool = False) -> IndexConnection:
    """Open (or create) an index file, check it is ours and not from a newer billdiff.

    Creating is safe when several billdiff processes start on a new file together: the
    schema is written in one ``BEGIN IMMEDIATE`` transaction by whichever process takes the
    write lock first; the others wait for it (busy_timeout), then find the schema there.
    A process that finds a file without tables waits the same way before saying so."""
    new = _size(path) == 0
    if new and not create:
        raise IndexError_(
            f"no index at {path}", hint="create one with `billdiff index add FILES --db FILE`"
        )
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not is_sqlite_file(path):
        raise IndexError_(
            f"{path} is not a billdiff index or is damaged (not a SQLite file)",
            hint=_HINT_DAMAGED,
        )
    con = None
    try:
        con = sqlite3.connect(
            str(path),
            timeout=60.0,
            isolation_level=None,
            check_same_thread=False,
            factory=IndexConnection,
        )
        con.path = path
        con.execute("PRAGMA busy_timeout=60000")
        if new or _no_tables(con):
            if create:
                _create(con)
            elif _no_tables(con, wait=True):
                raise IndexError_(
                    f"no index at {path} (an empty SQLite file)",
                    hint="create one with `billdiff index add FILES --db FILE`",
                )
        _check(con, path)
        if not readonly and not new:
            try:
                for stmt in TOPIC_SCHEMA + TAGS_SCHEMA:
                    con.execute(stmt)
            except sqlite3.OperationalError:
                pass  # a read-only or locked file: searches go without topic vectors
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache
        con.execute("PRAGMA temp_store=MEMORY")
        con.execute("PRAGMA journal_size_limit=67108864")  # trim the WAL after checkpoints
        return con
    except sqlite3.DatabaseError as err:
        if con is not None:
            con.close()
        raise IndexError_(
            f"{path} is not a billdiff index or is damaged ({err})", hint=_HINT_DAMAGED
        ) from None
    except BaseException:
        if con is not None:
            con.close()
        raise


def _no_tables(con: sqlite3.Connection, *, wait: bool = False) -> bool:
    """Whether the file holds no table at all (new, or being created by another process:
    with ``wait``, after that process's creating transaction, if one is under way)."""
    if wait:
        try:
            with _tx(con):  # waits (busy_timeout) for a creator's write lock
                pass
        except sqlite3.OperationalError:
            pass  # a read-only file: nobody is creating it
    return not con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]


def _create(con: sqlite3.Connection) -> None:
    """Write the schema into an empty file, once, whoever else is creating it too.

    The schema goes in one ``BEGIN IMMEDIATE`` transaction: a second process creating the
    file waits for it and then finds the tables there; a reader waits for it too
    (``_no_tables(wait=True)``). Only ``auto_vacuum`` comes before (SQLite takes it only
    before the first page is made, and writes the file's header at once)."""
    if _no_tables(con):
        con.execute("PRAGMA auto_vacuum=INCREMENTAL")  # space of merged-away runs returns
    with _tx(con):  # waits (busy_timeout) while another process creates the file
        if _no_tables(con):  # (a file holding other tables is left for _check to name)
            for stmt in SCHEMA.strip().split(";"):
                if stmt.strip():
                    con.execute(stmt)
            con.execute(
                "INSERT OR IGNORE INTO meta VALUES('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
    to_wal(con)


def to_wal(con: sqlite3.Connection, wait: float = 60.0) -> None:
    """Switch the file to WAL (kept in the file: every later open is WAL). SQLite answers
    "database is locked" at once, without its busy handler, when another process holds the
    file just then (creating it too): try again for as long as busy_timeout would wait."""
    deadline = time.monotonic() + wait
    while True:
        try:
            con.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def open_raw(path: Path) -> sqlite3.Connection:
    """A plain read-only connection to an index file that may be damaged (``index check``,
    ``index rebuild``): no checks, no translated errors, nothing written to the file."""
    if _size(path) == 0:
        raise IndexError_(
            f"no index at {path}", hint="create one with `billdiff index add FILES --db FILE`"
        )
    if not is_sqlite_file(path):
        raise IndexError_(
            f"{path} is not a billdiff index or is damaged (not a SQLite file)",
            hint=_HINT_DAMAGED,
        )
    from urllib.parse import quote

    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    con = sqlite3.connect(uri, uri=True, timeout=60.0, isolation_level=None)
    con.execute("PRAGMA busy_timeout=60000")
    return con


def _check(con: sqlite3.Connection, path: Path) -> None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as err:
        raise IndexError_(
            f"{path} is not a billdiff index or is damaged ({err})", hint=_HINT_DAMAGED
        ) from None
    if row is None:
        raise IndexError_(
            f"{path} is not a billdiff index or is damaged (no schema version)", hint=_HINT_DAMAGED
        )
    try:
        version = int(row[0])
    except ValueError:
        version = -1
    if version > SCHEMA_VERSION:
        raise IndexError_(
            f"{path} was written by a newer billdiff (index schema {row[0]}, this billdiff "
            f"reads schema {SCHEMA_VERSION})",
            hint="upgrade billdiff (pip install -U billdiff)",
        )
    if 0 < version < SCHEMA_VERSION:
        raise IndexError_(
            f"{path} was written by an older billdiff (index schema {version}, this billdiff "
            f"reads schema {SCHEMA_VERSION})",
            hint="move it aside and rebuild it with `billdiff index add` (the sources are "
            "listed by `billdiff index list` of the older billdiff)",
        )
    if version != SCHEMA_VERSION:
        raise IndexError_(
            f"{path} is not a billdiff index or is damaged (schema {row[0]!r})", hint=_HINT_DAMAGED
        )
    missing = {"documents", "texts", "sketches", "runs", "blocks", "dead", "meta"} - tables
    if missing:
        raise IndexError_(
            f"{path} is not a billdiff index or is damaged (missing tables: "
            f"{', '.join(sorted(missing))})",
            hint=_HINT_DAMAGED,
        )


class _tx:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error) on an autocommit connection."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def __enter__(self):
        self.con.execute("BEGIN IMMEDIATE")
        return self.con

    def __exit__(self, exc_type, exc, tb):
        self.con.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False


transaction = _tx


class exclusive(_tx):
    """BEGIN EXCLUSIVE … ROLLBACK: hold the file alone (nothing written)."""

    def __enter__(self):
        self.con.execute("BEGIN EXCLUSIVE")
        return self.con

    def __exit__(self, exc_type, exc, tb):
        self.con.execute("ROLLBACK")
        return False


class reading:
    """A read transaction (one consistent snapshot across several statements) unless the
    connection is already inside a transaction."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        self.own = False

    def __enter__(self):
        if not self.con.in_transaction:
            self.con.execute("BEGIN")
            self.own = True
        return self.con

    def __exit__(self, exc_type, exc, tb):
        if self.own:
            self.con.execute("COMMIT")
        return False


def get_meta(con, key: str, default: str | None = None) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row[0] if row else default


_LEG = re.compile(r"(\d+)(?:st|nd|rd|th)\s+(?:legislature|congress)", re.I)
_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")
_NUM = re.compile(r"(?<![0-9])(\d+)(?![A-Za-z0-9])")


def bill_key(m: Metadata) -> str:
    """Versions of one bill share a key: state, legislature (or year), chamber, number.

    'SB 6280', 'SSB 6280', 'ESSB 6280' and '2SSB 6280' → chamber S, number 6280; 'H.R. 2002' →
    HR 2002. A document without a bill number is its own bill (empty key)."""
    num = _NUM.search(m.bill or "")
    if not num:
        return ""
    letters = re.sub(r"[^A-Z]", "", m.bill[: num.start()].upper())
    chamber = letters[-2] if len(letters) >= 2 and letters.endswith("B") else letters
    leg = _LEG.search(m.session or "")
    year = _YEAR.search(m.session or "")
    when = leg.group(1) if leg else (year.group(0) if year else (m.session or "").strip())
    return f"{m.state.strip().upper()}|{when}|{chamber}|{int(num.group(1))}"


# --- documents <-> rows -----------------------------------------------------------------------


def spans_blob(doc: Document) -> bytes:
    data = {
        "skip": [[s.start, s.end, s.kind, s.label] for s in doc.skip],
        "marks": [[s.start, s.end, s.kind, s.label] for s in doc.marks],
        "pages": list(doc.pages),
    }
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)


def text_blob(doc: Document) -> bytes:
    return zlib.compress(doc.text.encode("utf-8"), 6)


def meta_row(m: Metadata) -> tuple:
    return (
        m.id,
        m.state,
        m.session,
        m.bill,
        m.version,
        m.date,
        m.title,
        json.dumps(list(m.sponsors)),
        m.source,
        m.source_url,
        m.sha256,
        m.format,
        json.dumps(dict(m.extra), sort_keys=True),
    )


def row_meta(row) -> Metadata:
    (
        id_,
        state,
        session,
        bill,
        version,
        date,
        title,
        sponsors,
        source,
        source_url,
        sha256,
        fmt,
        extra,
    ) = row
    return Metadata(
        id=id_,
        state=state,
        session=session,
        bill=bill,
        version=version,
        date=date,
        title=title,
        sponsors=tuple(json.loads(sponsors)),
        source=source,
        source_url=source_url,
        sha256=sha256,
        format=fmt,
        extra=tuple(sorted(json.loads(extra).items())),
    )


# what decoding a damaged stored value raises (zlib, UTF-8, JSON, a wrong type or shape)
DECODE_ERRORS = (zlib.error, ValueError, KeyError, TypeError, IndexError)


def rebuild(meta: Metadata, text: bytes, spans: bytes) -> Document:
    """The Document stored as ``text`` and ``spans`` (raises one of DECODE_ERRORS when they
    are damaged)."""
    sp = json.loads(zlib.decompress(spans))

    def spans_of(lst):
        return tuple(Span(int(a), int(b), str(k), str(lab)) for a, b, k, lab in lst)

    return Document(
        text=zlib.decompress(text).decode("utf-8"),
        meta=meta,
        skip=spans_of(sp["skip"]),
        marks=spans_of(sp["marks"]),
        pages=tuple(sp["pages"]),
    )
