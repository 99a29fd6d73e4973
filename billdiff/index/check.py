"""``check(path)``: is an index file sound? SQLite's own page check, then billdiff's.

Beyond ``PRAGMA integrity_check`` (pages, b-trees, indexes agree with their tables):

- the schema version and sketch parameters in ``meta`` can be read;
- every document's metadata, stored text and spans decode, and its sketch row is there with a
  whole-document MinHash of the right length;
- the documents, texts and sketches tables hold the same documents;
- every run's block directory decodes, its blocks are all there and decode, and its row count
  is the one recorded in ``runs``; no block belongs to no run;
- every LSH posting belongs to a document (or to a removed one, ``dead``), and each
  document has as many postings as its sketch row records (``sketches.keys``);
- topic vectors and their postings belong to documents.

The file is opened read-only: checking never changes it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import IndexDamagedError
from . import salvage, store
from .runs import _RUN_SHIFT, DF, LSH, RunStore
from .sketch import SketchParams

_SHOWN = 8  # problems of one sort listed one by one before "and N more"


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found: ``facts`` are (name, value) lines of a report, ``problems`` one
    line each for what is wrong (none when the index is sound)."""

    path: str
    documents: int  # documents the file holds or names
    readable: int  # of them, the ones whose metadata and text read back
    facts: tuple[tuple[str, str], ...]
    problems: tuple[str, ...]

    @property
    def sound(self) -> bool:
        return not self.problems

    @property
    def exit_code(self) -> int:
        return 0 if self.sound else 2


def check(path, *, max_faults: int = 20) -> CheckResult:
    """Check the index file at ``path`` (raises IndexError_ only when there is no such file
    or it is not a SQLite file at all)."""
    path = Path(path)
    con = store.open_raw(path)
    try:
        return _Checker(con, path, max_faults).run()
    finally:
        con.close()


class _Checker:
    def __init__(self, con: sqlite3.Connection, path: Path, max_faults: int):
        self.con = con
        self.path = path
        self.max_faults = max_faults
        self.facts: list[tuple[str, str]] = []
        self.problems: list[str] = []

    def run(self) -> CheckResult:
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        self.facts.append(("file", f"{self.path} ({size:,} bytes)"))
        self._pages()
        params = self._meta()
        found = self._documents(params)
        self._tables()
        self._runs(found)
        readable = sum(1 for f in found.values() if f[0])
        return CheckResult(
            str(self.path), len(found), readable, tuple(self.facts), tuple(self.problems)
        )

    def _many(self, what: str, items: list[str]) -> None:
        """One problem line per item, up to _SHOWN, then one line counting the rest."""
        for it in items[:_SHOWN]:
            self.problems.append(f"{what}{it}")
        if len(items) > _SHOWN:
            self.problems.append(f"{what}… and {len(items) - _SHOWN} more")

    def _pages(self) -> None:
        rows, err = salvage.scan(self.con, f"PRAGMA integrity_check({int(self.max_faults)})")
        faults = [  # (one row may hold several lines)
            line
            for r in rows
            for line in str(r[0]).splitlines()
            if line.strip() and line != "ok" and not line.startswith("*** in database")
        ]
        if err:
            self.facts.append(("sqlite pages", "cannot be checked"))
            self.problems.append(f"SQLite cannot check the file: {err}")
        elif faults:
            more = "+" if len(faults) >= self.max_faults else ""
            self.facts.append(("sqlite pages", f"{len(faults)}{more} faults"))
            self._many("SQLite: ", faults)
        else:
            self.facts.append(("sqlite pages", "ok"))

    def _meta(self) -> SketchParams | None:
        meta = salvage.meta_values(self.con)
        version = meta.get("schema_version")
        if version != str(store.SCHEMA_VERSION):
            self.problems.append(
                f"schema version {version!r} (this billdiff reads {store.SCHEMA_VERSION})"
                if version
                else "the schema version cannot be read"
            )
        try:
            params = SketchParams(**json.loads(meta["sketch_params"]))
        except (KeyError, TypeError, ValueError) as err:
            self.problems.append(f"the sketch parameters cannot be read ({err})")
            params = None
        preset = meta.get("preset") or "(custom)"
        self.facts.append(("schema", f"version {version or '?'}, preset {preset}"))
        return params

    def _documents(self, params: SketchParams | None) -> dict[int, tuple[bool, int]]:
        """rid → (readable, band keys its sketch row records) of every document found."""
        found: dict[int, tuple[bool, int]] = {}
        bad: list[str] = []
        for f in salvage.documents(self.con):
            problems = [f.problem] if f.problem else []
            row, err = salvage.one(
                self.con, "SELECT doc_sig, keys FROM sketches WHERE rid=?", (f.rid,)
            )
            keys = -1
            if row is None:
                problems.append(f"its sketch cannot be read ({err})" if err else "no sketch")
            elif not isinstance(row[1], int) or row[1] < 0:
                problems.append("its sketch row is damaged")
            elif params is not None and (
                not isinstance(row[0], bytes) or len(row[0]) != 4 * params.num_perm
            ):
                problems.append("its whole-document MinHash has the wrong length")
            else:
                keys = row[1]
            found[f.rid] = (f.doc is not None and not problems, keys)
            if problems:
                bad.append(f"{f.label}: {'; '.join(problems)}")
        readable = sum(1 for ok, _k in found.values() if ok)
        self.facts.append(("documents", f"{len(found):,} ({readable:,} readable)"))
        self._many("document ", bad)
        return found

    def _tables(self) -> None:
        counts = {}
        for table in ("documents", "texts", "sketches"):
            row, err = salvage.one(self.con, f"SELECT count(*) FROM {table}")
            if row is None:
                self.problems.append(f"the {table} table cannot be counted ({err})")
            else:
                counts[table] = row[0]
        if len(set(counts.values())) > 1:
            self.problems.append(
                "the tables disagree: " + ", ".join(f"{n:,} {t} rows" for t, n in counts.items())
            )
        for table, sql in (
            (
                "topic vectors",
                "SELECT count(*) FROM topics WHERE rid NOT IN (SELECT rid FROM documents)",
            ),
            (
                "topic postings",
                "SELECT count(*) FROM term_postings WHERE rid NOT IN (SELECT rid FROM documents)",
            ),
            (
                "removed documents",
                "SELECT count(*) FROM dead WHERE rid IN (SELECT rid FROM documents)",
            ),
        ):
            row, err = salvage.one(self.con, sql)
            if row is None:
                if "no such table" not in err:  # (an index older than topic vectors)
                    self.problems.append(f"the {table} cannot be read ({err})")
            elif row[0]:
                what = (
                    "are still indexed" if table == "removed documents" else "belong to no document"
                )
                self.problems.append(f"{row[0]:,} {table} {what}")

    def _runs(self, found: dict[int, tuple[bool, int]]) -> None:
        dead_rows, err = salvage.scan(self.con, "SELECT rid FROM dead")
        if err:
            self.problems.append(f"the removed documents cannot be read ({err})")
        dead = {r for (r,) in dead_rows}
        total_blocks = 0
        every_run = True  # every run's directory was read: the blocks can be counted
        for kind in (LSH, DF):
            name = "LSH postings" if kind is LSH else "corpus counts"
            rs = RunStore(self.con, kind)
            try:
                runs = rs.runs()
            except (sqlite3.DatabaseError, IndexDamagedError) as err:
                self.facts.append((name, "cannot be read"))
                self.problems.append(f"the {name} cannot be read ({_cause(err)})")
                every_run = False
                continue
            rows = 0
            per_rid: dict[int, int] = {}
            complete = True
            for run in runs:
                blocks, ok = self._run(rs, run, name, per_rid if kind is LSH else None)
                total_blocks += blocks
                complete &= ok
                rows += run.rows
            self.facts.append((name, f"{rows:,} rows in {len(runs)} run{'s' * (len(runs) != 1)}"))
            if kind is LSH and complete:
                self._postings(per_rid, found, dead)
        row, err = salvage.one(self.con, "SELECT count(*) FROM blocks")
        if every_run and row is not None and row[0] != total_blocks:
            self.problems.append(
                f"{row[0] - total_blocks:,} blocks belong to no run"
                if row[0] > total_blocks
                else f"{total_blocks - row[0]:,} blocks of the runs are missing"
            )

    def _run(self, rs: RunStore, run, name: str, per_rid: dict | None) -> tuple[int, bool]:
        """Check one run, counting its postings per document into ``per_rid``: (its blocks,
        whether all its rows were read)."""
        base = run.run << _RUN_SHIFT
        row, err = salvage.one(
            self.con,
            "SELECT count(*) FROM blocks WHERE id BETWEEN ? AND ?",
            (base, base + (1 << _RUN_SHIFT) - 1),
        )
        if row is None:
            self.problems.append(f"run {run.run} of the {name} cannot be read ({err})")
            return 0, False
        if row[0] != len(run.firsts):
            self.problems.append(
                f"run {run.run} of the {name} has {row[0]:,} blocks, its directory "
                f"{len(run.firsts):,}"
            )
            return row[0], False
        n = 0
        try:
            for _key, cols in rs.scan([run]):
                n += len(_key)
                if per_rid is not None:
                    rid, cnt = np.unique(cols[0], return_counts=True)
                    for r, c in zip(rid.tolist(), cnt.tolist(), strict=True):
                        per_rid[r] = per_rid.get(r, 0) + c
        except (sqlite3.DatabaseError, IndexDamagedError) as err:
            self.problems.append(f"run {run.run} of the {name} cannot be read ({_cause(err)})")
            return row[0], False
        if n != run.rows:
            self.problems.append(
                f"run {run.run} of the {name} holds {n:,} rows, {run.rows:,} recorded"
            )
        return row[0], n == run.rows

    def _postings(self, per_rid: dict[int, int], found: dict, dead: set[int]) -> None:
        stray = sorted(r for r in per_rid if r not in found and r not in dead)
        if stray:
            self.problems.append(
                f"LSH postings of {len(stray):,} unknown documents (#{stray[0]}"
                + (", …)" if len(stray) > 1 else ")")
            )
        wrong = [
            f"#{r}: {per_rid.get(r, 0):,} LSH postings, its sketch records {keys:,}"
            for r, (_ok, keys) in sorted(found.items())
            if keys >= 0 and r not in dead and per_rid.get(r, 0) != keys
        ]
        self._many("document ", wrong)


def _cause(err: BaseException) -> str:
    return err.cause if isinstance(err, IndexDamagedError) else store.short_cause(err)
