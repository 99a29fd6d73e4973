"""The write path of an Index: add documents (process pool → staged rows → one sorted run per
commit) and delete them."""

from __future__ import annotations

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
from .runs import DF, LSH, group_starts

# A transaction holds whole documents only. Their LSH postings and shingle counts are staged in
# memory and written at commit as one sorted run of each kind; a commit comes once the staged
# postings are numerous enough to make a worthwhile run (or the batch is old).
_COMMIT_MIN_SECONDS = 0.5  # fewer, larger runs: less merging (0.25 s made ~40% more runs)
_COMMIT_MAX_SECONDS = 30.0
_COMMIT_MIN_ROWS = 100_000
_COMMIT_INDEX_SHARE = 0.05  # ... and at least this share of the postings already indexed
_COMMIT_MAX_ROWS = 8_000_000  # bounds the memory of the staged rows (~200 MB)
DF_SHIFT = 23  # corpus counts key: the top 40 bits of a (63-bit) shingle hash


def df_key(hashes: np.ndarray) -> np.ndarray:
    """Shingle hashes as stored by ``sample_shingles`` (non-negative int64) → df run keys."""
    return np.asarray(hashes, dtype=np.int64) >> np.int64(DF_SHIFT)


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
        status: Callable[[str], None] | None = None,
    ) -> AddResult:
        """Add documents: paths, directories (walked), URLs or Documents.

        One transaction never holds part of a document: a document is either in the index
        complete or not at all, whatever happens to the process. Files that cannot be read
        are reported in ``AddResult.failed`` and skipped. ``progress(done, total, words)`` is
        called after each document; ``status(text)`` when the work after the documents starts
        (merging runs), which can take a while after a large add.
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
        self._reset_stage()
        lsh_rows = self._runs(LSH).rows()
        start_rows = lsh_rows
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
                        and self._staged >= max(_COMMIT_MIN_ROWS, _COMMIT_INDEX_SHARE * lsh_rows)
                    )
                ):
                    lsh_rows += self._flush()
                    self._con.execute("COMMIT")
                    batch_start = None
                    self._maintain()
                if progress is not None:
                    progress(done, len(items), acc.words)
            if batch_start is not None:
                lsh_rows += self._flush()
                self._con.execute("COMMIT")
                batch_start = None
            # a bulk load (this add at least doubled the index) ends as one run of each kind
            everything = lsh_rows - start_rows >= start_rows
            if status is not None and everything and len(self._runs(LSH).runs()) > 1:
                status("merging runs")
            self._maintain(everything=everything, vacuum=True)
        finally:
            if batch_start is not None and self._con.in_transaction:
                self._con.execute("ROLLBACK")
            self._reset_stage()
        return AddResult(
            tuple(acc.added),
            tuple(acc.replaced),
            tuple(acc.unchanged),
            tuple(acc.failed),
            acc.words,
            time.perf_counter() - t0,
        )

    def _known_file(self, item) -> str | None:
        if isinstance(item, Document):  # e.g. a JSON Lines record: its source and hash
            m = item.meta
            if not (m.source and m.sha256):
                return None
            row = self._con.execute(
                "SELECT id FROM documents WHERE source=? AND sha256=? AND id=?",
                (m.source, m.sha256, m.id),
            ).fetchone()
            return row[0] if row else None
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
        row = con.execute(
            "SELECT rid, content_sha, source FROM documents WHERE id=?", (m.id,)
        ).fetchone()
        con.execute("SAVEPOINT doc")
        try:
            if row is not None:
                if row[1] == prep.content_sha:
                    acc.unchanged.append(m.id)
                    con.execute("RELEASE doc")
                    return
                if not replace:
                    acc.failed.append((m.source or m.id, _clash(m, row[2])))
                    con.execute("RELEASE doc")
                    return
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
            if len(prep.terms):  # topics rows and postings are written in _flush, in batches
                self._stage_terms.append((prep.terms, rid, prep.term_weights))
            self._stage_lsh.append((prep.keys, rid))
            self._staged += len(prep.keys)
            self._stage_counts(m, rid, prep.shingles, +1)
            con.execute("RELEASE doc")
        except BaseException:
            con.execute("ROLLBACK TO doc")
            con.execute("RELEASE doc")
            raise
        (acc.replaced if row is not None else acc.added).append(m.id)
        acc.words += prep.words

    # --- staging and runs --------------------------------------------------------------------
    def _reset_stage(self) -> None:
        self._stage_lsh: list[tuple[np.ndarray, int]] = []
        self._stage_df: list[tuple[np.ndarray, np.ndarray, int, int]] = []
        self._stage_terms: list[tuple[np.ndarray, int, np.ndarray]] = []
        self._staged = 0

    def _stage_counts(self, m: Metadata, rid: int, shingles: np.ndarray, sign: int) -> None:
        """Stage +1 (added) or -1 (removed) document counts for a document's shingles; the
        bill count changes only for shingles no other version of the same bill has."""
        hs = np.unique(df_key(shingles))
        seen = self._bill_shingles(m, rid)
        new_bill = ~np.isin(hs, seen) if len(seen) else np.ones(len(hs), dtype=bool)
        bit = self._state_bit(m.state) if sign > 0 else 0
        self._stage_df.append((hs, new_bill.astype(np.int64) * sign, sign, bit))

    def _flush(self) -> int:
        """Write the staged rows as one new run of each kind (inside the caller's
        transaction); returns the number of LSH postings written."""
        n = self._staged
        if self._stage_lsh:
            keys = np.concatenate([k for k, _ in self._stage_lsh])
            rids = np.concatenate([np.full(len(k), r, dtype=np.int64) for k, r in self._stage_lsh])
            o = np.argsort(keys, kind="stable")  # rids ascend within a key
            self._runs(LSH).write([(keys[o], [rids[o]])])
        if self._stage_df:
            h = np.concatenate([x[0] for x in self._stage_df])
            bills = np.concatenate([x[1] for x in self._stage_df])
            docs = np.concatenate([np.full(len(x[0]), x[2], np.int64) for x in self._stage_df])
            states = np.concatenate([np.full(len(x[0]), x[3], np.int64) for x in self._stage_df])
            o = np.argsort(h, kind="stable")
            self._runs(DF).write([combine_counts(h[o], [docs[o], bills[o], states[o]])])
        if self._stage_terms:
            # one sorted batch: B-tree inserts in key order touch each page once (inserting
            # each document's 64 postings as it came made building the index ~10% slower)
            terms = np.concatenate([t for t, _, _ in self._stage_terms])
            rids = np.concatenate([np.full(len(t), r, np.int64) for t, r, _ in self._stage_terms])
            ws = np.concatenate([w for _, _, w in self._stage_terms]).astype(np.float64)
            o = np.lexsort((rids, terms))
            self._con.executemany(
                "INSERT INTO topics VALUES(?,?)",
                [(r, t.tobytes()) for t, r, _ in self._stage_terms],
            )
            self._con.executemany(
                "INSERT INTO term_postings VALUES(?,?,?)",
                zip(terms[o].tolist(), rids[o].tolist(), ws[o].tolist(), strict=True),
            )
        self._reset_stage()
        return n

    def _runs(self, kind):
        rs = self._run_stores.get(kind.name)
        if rs is None:
            from .runs import RunStore

            rs = self._run_stores[kind.name] = RunStore(self._con, kind)
        return rs

    def optimize(self) -> None:
        """Merge all runs of each kind into one (the fastest layout for searching) and give
        the space of the merged-away runs back to the file system."""
        self._maintain(everything=True, vacuum=True)

    def _maintain(self, *, everything: bool = False, vacuum: bool = False) -> None:
        """Merge runs (one transaction per merge): the tiered rule, or with ``everything``
        all runs of a kind into one; with ``vacuum``, give the pages of merged-away runs
        back to the file system when they are many."""
        for kind in (LSH, DF):
            rs = self._runs(kind)
            while True:
                with store.transaction(self._con):
                    runs = rs.runs()
                    todo = runs if everything and len(runs) > 1 else rs.to_merge()
                    if not todo:
                        break
                    if kind is LSH:
                        dead = self._dead()
                        rs.merge(todo, _drop_dead(dead))
                        if len(todo) == len(runs) and len(dead):
                            self._con.execute("DELETE FROM dead")
                    else:
                        rs.merge(todo, combine_counts)
        if vacuum:
            free, pages = (
                self._con.execute("PRAGMA freelist_count").fetchone()[0],
                self._con.execute("PRAGMA page_count").fetchone()[0],
            )
            if free > 16 and free > pages // 8:
                self._con.executescript("PRAGMA incremental_vacuum;")  # execute() frees 1 page

    def _dead(self) -> np.ndarray:
        return np.array([r for (r,) in self._con.execute("SELECT rid FROM dead")], dtype=np.int64)

    def _bill_shingles(self, m: Metadata, rid: int) -> np.ndarray:
        """Counted shingle keys of the other indexed versions of the same bill (same
        ``bill_key``): they are already counted once for this bill."""
        key = store.bill_key(m)
        if not key:
            return np.zeros(0, dtype=np.int64)
        from ..normalize import tokenize
        from .sketch import doc_shingles, sample_shingles

        out = [np.zeros(0, dtype=np.int64)]
        for (sib,) in self._con.execute(
            "SELECT rid FROM documents WHERE bill_key=? AND rid!=?", (key, rid)
        ).fetchall():
            words = tokenize(self._get_rid(sib), keep_deleted=self.settings.keep_deleted).words
            sh = sample_shingles(doc_shingles(words, self.params), self.params.df_sample)
            out.append(df_key(sh))
        return np.unique(np.concatenate(out))

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
        """Remove one document (inside the caller's transaction): its postings are marked
        dead, its shingle counts are staged as -1, its rows are deleted."""
        from .prepare import prepare_doc

        doc = self._get_rid(rid)
        prep = prepare_doc(doc, self.params, self.settings.keep_deleted)
        con = self._con
        con.execute("INSERT OR IGNORE INTO dead VALUES(?)", (rid,))
        self._stage_counts(doc.meta, rid, prep.shingles, -1)
        self._stage_terms = [x for x in self._stage_terms if x[1] != rid]  # not yet written
        row = con.execute("SELECT terms FROM topics WHERE rid=?", (rid,)).fetchone()
        if row is not None:
            try:
                terms = np.frombuffer(row[0], dtype=np.int64).tolist()
            except (ValueError, TypeError) as err:
                raise store.damaged(
                    self.path, f"the topic terms of document {doc.id!r} cannot be read: {err}"
                ) from err
            con.executemany(
                "DELETE FROM term_postings WHERE term=? AND rid=?", [(t, rid) for t in terms]
            )
        for table in ("texts", "sketches", "topics", "documents"):
            con.execute(f"DELETE FROM {table} WHERE rid=?", (rid,))


def combine_counts(key: np.ndarray, cols: list[np.ndarray]):
    """Rows of corpus counts sorted by key → one row per key: documents and bills summed,
    state bits OR-ed; keys whose counts are back to zero dropped."""
    docs, bills, states = cols
    if not len(key):
        return key, cols
    starts = group_starts(key)
    k = key[starts]
    d = np.add.reduceat(docs, starts)
    b = np.add.reduceat(bills, starts)
    s = np.bitwise_or.reduceat(states, starts)
    keep = (d != 0) | (b != 0)
    return k[keep], [d[keep], b[keep], s[keep]]


def _drop_dead(dead: np.ndarray):
    def combine(key: np.ndarray, cols: list[np.ndarray]):
        if not len(dead):
            return key, cols
        live = ~np.isin(cols[0], dead)
        return key[live], [c[live] for c in cols]

    return combine


def available_cores() -> int:
    """Cores this process may run on (CPU affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


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

    n = workers if workers is not None else available_cores()
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


def _clash(m, held_source: str) -> str:
    """Why a document cannot go in under an id the index already holds, and what to do."""
    from pathlib import PurePath

    held = f" (from {held_source})" if held_source and held_source != m.source else ""
    same_file = (
        held_source
        and m.source
        and PurePath(held_source).stem == PurePath(m.source).stem
        and PurePath(held_source).suffix != PurePath(m.source).suffix
    )
    why = (
        "another format of the same bill is indexed"
        if same_file
        else "the index holds other content under that id"
    )
    return (
        f"{m.id!r} is already in the index{held}: {why} — add it with --replace to "
        "overwrite it, or give it another id with --id"
    )
