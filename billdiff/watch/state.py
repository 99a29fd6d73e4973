"""Watch state in the index file: rounds, checked versions, source cursors; the round lock.

Tables (created on the first watch; an index without them keeps working):

- ``watch_rounds(round, started, finished, sources, checked, alerts, failures, errors)`` —
  ``finished`` stays empty for a round that was killed;
- ``watch_checked(source, key, version, sha256, checked_at, round, status, attempts, alerted,
  url, label, result)`` — one row per bill version; ``status`` is ``clean``, ``reuse`` or
  ``failed``; ``result`` the zlib-compressed JSON line of that check; ``alerted`` 0 until the
  round's alerts were written (a killed round's alerts go out with the next round);
- ``watch_cursor(source, since)`` — the time an Open States query was last read in full.

Each version is recorded in its own transaction right after its check, so a round killed at
any point leaves every finished check recorded and nothing half-written.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

from ..errors import BilldiffError

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS watch_rounds(round INTEGER PRIMARY KEY AUTOINCREMENT,"
    " started TEXT NOT NULL, finished TEXT NOT NULL DEFAULT '', sources TEXT NOT NULL DEFAULT '',"
    " checked INTEGER NOT NULL DEFAULT 0, alerts INTEGER NOT NULL DEFAULT 0,"
    " failures INTEGER NOT NULL DEFAULT 0, errors TEXT NOT NULL DEFAULT '[]')",
    "CREATE TABLE IF NOT EXISTS watch_checked(source TEXT NOT NULL, key TEXT NOT NULL,"
    " version TEXT NOT NULL, sha256 TEXT NOT NULL DEFAULT '', checked_at TEXT NOT NULL,"
    " round INTEGER NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 1,"
    " alerted INTEGER NOT NULL DEFAULT 0, url TEXT NOT NULL DEFAULT '',"
    " label TEXT NOT NULL DEFAULT '', result BLOB NOT NULL,"
    " PRIMARY KEY(source, key, version))",
    "CREATE INDEX IF NOT EXISTS watch_checked_alerted ON watch_checked(alerted)",
    "CREATE TABLE IF NOT EXISTS watch_cursor(source TEXT PRIMARY KEY, since TEXT NOT NULL)",
)


class WatchBusyError(BilldiffError):
    """Another watch round holds the index's watch lock."""


def ensure(con) -> None:
    from ..index import store

    with store.transaction(con):
        for stmt in SCHEMA:
            con.execute(stmt)


def recorded(con, source: str) -> dict[tuple[str, str], tuple[str, int, str]]:
    """(key, version) → (status, attempts, checked_at) of one source's recorded versions."""
    rows = con.execute(
        "SELECT key, version, status, attempts, checked_at FROM watch_checked WHERE source=?",
        (source,),
    )
    return {(k, v): (s, a, t) for k, v, s, a, t in rows}


def failed(con, source: str, max_attempts: int) -> list[dict]:
    """The JSON lines of a source's failed versions that may be tried again."""
    rows = con.execute(
        "SELECT result FROM watch_checked WHERE source=? AND status='failed' AND attempts<?"
        " ORDER BY rowid",
        (source, max_attempts),
    ).fetchall()
    return [json.loads(zlib.decompress(r[0])) for r in rows]


def start_round(con, started: str, sources: list[str]) -> int:
    from ..index import store

    with store.transaction(con):
        cur = con.execute(
            "INSERT INTO watch_rounds(started, sources) VALUES(?, ?)",
            (started, json.dumps(sources)),
        )
        return cur.lastrowid


def record(con, rnd: int, line: dict) -> None:
    """One checked version, in its own transaction (``line``: the JSON line of the check)."""
    from ..index import store

    blob = zlib.compress(json.dumps(line, ensure_ascii=False, sort_keys=True).encode(), 6)
    with store.transaction(con):
        con.execute(
            "INSERT INTO watch_checked(source, key, version, sha256, checked_at, round, status,"
            " attempts, alerted, url, label, result) VALUES(?,?,?,?,?,?,?,1,0,?,?,?)"
            " ON CONFLICT(source, key, version) DO UPDATE SET sha256=excluded.sha256,"
            " checked_at=excluded.checked_at, round=excluded.round, status=excluded.status,"
            " attempts=CASE WHEN excluded.status='failed' THEN attempts+1 ELSE 1 END,"
            " alerted=0, url=excluded.url, label=excluded.label, result=excluded.result",
            (
                line["source"],
                line["key"],
                line["version"],
                line.get("sha256", ""),
                line["checked_at"],
                rnd,
                line["status"],
                line.get("url", ""),
                line.get("label", ""),
                blob,
            ),
        )


def unalerted(con) -> list[dict]:
    """The JSON lines of checks whose alerts were not written yet (this round's, and those of
    a round killed before its end), in the order they were checked."""
    rows = con.execute(
        "SELECT result FROM watch_checked WHERE alerted=0 ORDER BY round, checked_at, rowid"
    ).fetchall()
    return [json.loads(zlib.decompress(r[0])) for r in rows]


def mark_alerted(con, lines: list[dict]) -> None:
    from ..index import store

    with store.transaction(con):
        con.executemany(
            "UPDATE watch_checked SET alerted=1 WHERE source=? AND key=? AND version=?",
            [(x["source"], x["key"], x["version"]) for x in lines],
        )


def finish_round(con, rnd: int, finished: str, lines: list[dict], errors: list[str]) -> None:
    from ..index import store

    with store.transaction(con):
        con.execute(
            "UPDATE watch_rounds SET finished=?, checked=?, alerts=?, failures=?, errors=?"
            " WHERE round=?",
            (
                finished,
                sum(1 for x in lines if x["round"] == rnd),
                sum(1 for x in lines if x.get("alert")),
                sum(1 for x in lines if x["status"] == "failed"),
                json.dumps(errors, ensure_ascii=False),
                rnd,
            ),
        )


def cursor(con, source: str) -> str | None:
    row = con.execute("SELECT since FROM watch_cursor WHERE source=?", (source,)).fetchone()
    return row[0] if row else None


def set_cursor(con, source: str, since: str) -> None:
    from ..index import store

    with store.transaction(con):
        con.execute(
            "INSERT INTO watch_cursor VALUES(?, ?) ON CONFLICT(source) DO UPDATE SET"
            " since=excluded.since",
            (source, since),
        )


def rounds(con, last: int = 10) -> list[dict]:
    """The last rounds, newest first (an empty list on an index never watched)."""
    import sqlite3

    try:
        rows = con.execute(
            "SELECT round, started, finished, sources, checked, alerts, failures, errors"
            " FROM watch_rounds ORDER BY round DESC LIMIT ?",
            (last,),
        ).fetchall()
    except sqlite3.OperationalError:  # no watch tables yet
        return []
    keys = ("round", "started", "finished", "sources", "checked", "alerts", "failures", "errors")
    out = []
    for r in rows:
        d = dict(zip(keys, r, strict=True))
        d["sources"] = json.loads(d["sources"] or "[]")
        d["errors"] = json.loads(d["errors"] or "[]")
        out.append(d)
    return out


class RoundLock:
    """An exclusive ``flock`` on ``<index>.watch-lock``: one round at a time on one index.
    The kernel drops the lock when its process ends, however it ends (SIGKILL too), so a
    killed round never leaves a stale lock behind. ``wait``: seconds to wait for it."""

    def __init__(self, db_path, *, wait: float = 0.0):
        self.path = Path(f"{db_path}.watch-lock")
        self.wait = wait
        self.fd = None

    def __enter__(self):
        import fcntl
        import time

        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(self.fd, 32, 0).decode(errors="replace").strip()
                    os.close(self.fd)
                    self.fd = None
                    who = f" (process {holder})" if holder.isdigit() else ""
                    raise WatchBusyError(
                        f"another billdiff watch round is running on {self.path.name[:-11]}{who}",
                        hint="let it finish (its versions are not checked twice), or pass "
                        "--wait SECONDS to queue behind it",
                    ) from None
                time.sleep(0.05)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing drops the flock
            self.fd = None
        return False
