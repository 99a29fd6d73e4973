"""The write path of an Index: add documents (process pool → staged rows → sorted merge)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .._version import __version__
from ..model import Document, Metadata
from . import store

# A transaction holds whole documents only. Their LSH and frequency rows are staged in temp
# tables and merged in key order at commit; random-key inserts into a large B-tree cost a page
# write each, so a commit waits until the staged rows are a fair share of the table.
_COMMIT_MIN_SECONDS = 1.0
_COMMIT_MAX_SECONDS = 60.0
_COMMIT_MIN_ROWS = 200_000
_COMMIT_TABLE_SHARE = 0.25
_COMMIT_MAX_ROWS = 24_000_000  # bounds the memory of the staged rows (~1 GB)


@dataclass(frozen=True)
class AddResult:
    added: tuple[str, ...] = ()  # ids
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()  # same id, same content: nothing to do
    failed: tuple[tuple[str, str], ...] = ()  # (source, one-line message)
    words: int = 0
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 2 if self.failed else 0


@dataclass
class _Acc:
    added: list = field(default_factory=list)
    replaced: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    words: int = 0


class Writer:
    """Mixin of Index: adding and deleting documents."""

    def add(
        self,
        sources,
        *,
        meta: dict | None = None,
        replace: bool = False,
        progress: Callable[[int, int, int], None] | None = None,
        prefer: str = "txt",
        per_source_meta: Callable[[str], dict | None] | None = None,
        workers: int | None = None,
        read_kw: dict | None = None,
    ) -> AddResult:
        """Add documents: paths, directories (walked), URLs or Documents.

        One transaction never holds part of a document: a document is either in the index
        complete or not at all, whatever happens to the process. Files that cannot be read
        are reported in ``AddResult.failed`` and skipped. ``progress(done, total, words)`` is
        called after each document.
        """
        from .prepare import Failed, expand

        if isinstance(sources, (str, os.PathLike, Document)):
            sources = [sources]
        items = expand(list(sources), prefer=prefer)
        t0 = time.perf_counter()
        acc = _Acc()
        keep = self.settings.keep_deleted

        def meta_for(item):
            m = dict(meta or {})
            if per_source_meta is not None and not isinstance(item, Document):
                m = {**(per_source_meta(str(item)) or {}), **m}
            return m or None

        if not replace:  # files indexed before from the same path, same bytes: nothing to do
            todo = []
            for it in items:
                known = self._known_file(it)
                if known is not None:
                    acc.unchanged.append(known)
                else:
                    todo.append(it)
            items = todo
        results = _run(items, meta_for, self.params, keep, read_kw, workers)
        done = 0
        batch_start = None
        table_rows = self._con.execute("SELECT coalesce(sum(keys), 0) FROM sketches").fetchone()[0]
        self._staged = 0
        try:
            for prep in results:
                if batch_start is None:
                    self._con.execute("BEGIN IMMEDIATE")
                    batch_start = time.perf_counter()
                if isinstance(prep, Failed):
                    acc.failed.append((prep.source, prep.message))
                else:
                    self._write(prep, replace, acc)
                done += 1
                age = time.perf_counter() - batch_start
                if (
                    age >= _COMMIT_MAX_SECONDS
                    or self._staged >= _COMMIT_MAX_ROWS
                    or (
                        age >= _COMMIT_MIN_SECONDS
                        and self._staged >= max(_COMMIT_MIN_ROWS, _COMMIT_TABLE_SHARE * table_rows)
                    )
                ):
                    table_rows += self._flush()
                    self._con.execute("COMMIT")
                    batch_start = None
                if progress is not None:
                    progress(done, len(items), acc.words)
            if batch_start is not None:
                self._flush()
                self._con.execute("COMMIT")
                batch_start = None
        finally:
            if batch_start is not None and self._con.in_transaction:
                self._con.execute("ROLLBACK")
            self._staged = 0
        return AddResult(
            tuple(acc.added),
            tuple(acc.replaced),
            tuple(acc.unchanged),
            tuple(acc.failed),
            acc.words,
            time.perf_counter() - t0,
        )

    def _known_file(self, item) -> str | None:
        if not isinstance(item, str) or "://" in item:
            return None
        row = self._con.execute(
            "SELECT id FROM documents WHERE source=? LIMIT 1", (item,)
        ).fetchone()
        if row is None:
            return None
        try:
            data = Path(item).read_bytes()
        except OSError:
            return None
        import hashlib

        sha = hashlib.sha256(data).hexdigest()
        row = self._con.execute(
            "SELECT id FROM documents WHERE source=? AND sha256=?", (item, sha)
        ).fetchone()
        return row[0] if row else None

    def _write(self, prep, replace: bool, acc: _Acc) -> None:
        con = self._con
        m = prep.doc.meta
        row = con.execute("SELECT rid, content_sha FROM documents WHERE id=?", (m.id,)).fetchone()
        con.execute("SAVEPOINT doc")
        try:
            if row is not None:
                if row[1] == prep.content_sha:
                    acc.unchanged.append(m.id)
                    con.execute("RELEASE doc")
                    return
                if not replace:
                    acc.failed.append(
                        (
                            m.source or m.id,
                            (
                                f"{m.id!r} is already in the index with different content — "
                                "add it with --replace to overwrite it, or give it another id"
                            ),
                        )
                    )
                    con.execute("RELEASE doc")
                    return
                self._flush()
                self._delete(row[0])
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            cur = con.execute(
                "INSERT INTO documents(id, state, session, bill, version, date, title, sponsors,"
                " source, source_url, sha256, format, extra, added_at, tool_version, words,"
                " windows, content_sha, bill_key) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    *store.meta_row(m),
                    now,
                    __version__,
                    prep.words,
                    prep.windows,
                    prep.content_sha,
                    store.bill_key(m),
                ),
            )
            rid = cur.lastrowid
            con.execute("INSERT INTO texts VALUES(?,?,?)", (rid, prep.text, prep.spans))
            con.execute(
                "INSERT INTO sketches VALUES(?,?,?,?)",
                (rid, prep.doc_sig, len(prep.keys), prep.windows),
            )
            con.execute(
                "INSERT INTO temp.lsh_stage SELECT value >> 48, "
                "value & 281474976710655, ? FROM json_each(?)",
                (rid, json.dumps(prep.keys.tolist())),
            )
            self._staged += len(prep.keys)
            bit = self._state_bit(m.state)
            seen = self._bill_shingles(m, rid)
            hs = prep.shingles
            if seen:
                old = np.isin(hs, np.fromiter(seen, dtype=np.int64, count=len(seen)))
                groups = ((hs[~old], 1), (hs[old], 0))
            else:
                groups = ((hs, 1),)
            for arr, new_bill in groups:
                if len(arr):
                    con.execute(
                        "INSERT INTO temp.df_stage SELECT value, ?, ? FROM json_each(?)",
                        (new_bill, bit, json.dumps(arr.tolist())),
                    )
            con.execute("RELEASE doc")
        except BaseException:
            con.execute("ROLLBACK TO doc")
            con.execute("RELEASE doc")
            raise
        (acc.replaced if row is not None else acc.added).append(m.id)
        acc.words += prep.words

    def _flush(self) -> int:
        """Merge the staged rows into ``lsh`` and ``shingle_df`` in key order (inside the
        caller's transaction); returns the number of LSH rows merged."""
        con = self._con
        n = con.execute("SELECT count(*) FROM temp.lsh_stage").fetchone()[0]
        con.execute(
            "INSERT OR IGNORE INTO lsh SELECT band, key, rid FROM temp.lsh_stage "
            "ORDER BY band, key, rid"
        )
        # each staged row carries a single state bit (or 0): the sum of distinct bits is their OR
        con.execute(
            "INSERT INTO shingle_df SELECT h, count(*), sum(bills), sum(DISTINCT states) "
            "FROM temp.df_stage GROUP BY h ORDER BY h ON CONFLICT(h) DO UPDATE SET "
            "docs=docs+excluded.docs, bills=bills+excluded.bills, "
            "states=states|excluded.states"
        )
        con.execute("DELETE FROM temp.lsh_stage")
        con.execute("DELETE FROM temp.df_stage")
        self._staged = 0
        return n

    def _bill_shingles(self, m: Metadata, rid: int) -> set[int]:
        """Sampled shingles of the other indexed versions of the same bill (same ``bill_key``):
        they are already counted once for this bill."""
        key = store.bill_key(m)
        if not key:
            return set()
        from ..normalize import tokenize
        from .sketch import doc_shingles, sample_shingles

        out: set[int] = set()
        for (sib,) in self._con.execute(
            "SELECT rid FROM documents WHERE bill_key=? AND rid!=?", (key, rid)
        ).fetchall():
            words = tokenize(self._get_rid(sib), keep_deleted=self.settings.keep_deleted).words
            out.update(
                sample_shingles(doc_shingles(words, self.params), self.params.df_sample).tolist()
            )
        return out

    def _state_bit(self, state: str) -> int:
        if not state:
            return 0
        row = self._con.execute("SELECT bit FROM state_bits WHERE state=?", (state,)).fetchone()
        if row is None:
            n = self._con.execute("SELECT count(*) FROM state_bits").fetchone()[0]
            bit = min(n, 62)  # states past the 62nd share the last bit
            self._con.execute("INSERT INTO state_bits VALUES(?,?)", (state, n))
            return 1 << bit
        return 1 << min(row[0], 62)

    def _delete(self, rid: int) -> None:
        """Remove one document's rows (inside the caller's transaction)."""
        from .prepare import prepare_doc

        doc = self._get_rid(rid)
        prep = prepare_doc(doc, self.params, self.settings.keep_deleted)
        con = self._con
        from .sketch import unpack

        con.executemany(
            "DELETE FROM lsh WHERE band=? AND key=? AND rid=?",
            ((b, k, rid) for b, k in unpack(prep.keys)),
        )
        seen = self._bill_shingles(doc.meta, rid)
        con.executemany(
            "UPDATE shingle_df SET docs=docs-1, bills=bills-? WHERE h=?",
            ((int(h not in seen), h) for h in prep.shingles.tolist()),
        )
        con.execute("DELETE FROM shingle_df WHERE docs<=0")
        for table in ("texts", "sketches", "documents"):
            con.execute(f"DELETE FROM {table} WHERE rid=?", (rid,))


def _worker_init() -> None:
    """A worker dies with its parent (Linux): a killed `index add` leaves no orphans behind."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _run(items, meta_for, params, keep, read_kw, workers):
    """Prepared documents in input order; a process pool when there is enough work."""
    from .prepare import prepare

    n = workers if workers is not None else min(2, os.cpu_count() or 1)
    if n <= 1 or len(items) < 4:
        for it in items:
            yield prepare(it, meta_for(it), params, keep, read_kw)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork") if hasattr(os, "fork") else None
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_init) as pool:
        pending = []
        it = iter(items)
        window = n * 8
        for x in it:
            pending.append(pool.submit(prepare, x, meta_for(x), params, keep, read_kw))
            if len(pending) >= window:
                yield pending.pop(0).result()
        while pending:
            yield pending.pop(0).result()
