"""Sorted runs: how the index stores its LSH postings and its corpus shingle counts.

A *run* is an immutable table of rows sorted by a 64-bit key, written once and kept in blocks
of up to ``Kind.block_rows`` rows inside the index's SQLite file (``blocks`` table; each run's
block directory — the first key of every block — in the ``runs`` table). Every commit of
``index add`` writes one new run per kind; runs of about the same size are merged once there are ``MERGE_FANOUT`` of them (tiered
merging, as in Lucene or Cassandra: each row is rewritten about log_8(rows / 1M) times),
and a large ``add`` ends by merging everything into one run, so a freshly built index is one
run of each kind (``Index.optimize()`` does the same on demand). A lookup reads, in each run, only the
blocks whose key range can hold a wanted key.

Why not one B-tree row per posting (index schema 1): a row costs ~19 bytes with its cell
overhead, 245 M postings at 100k bills made an 8 GB file, and each commit's random inserts
into that B-tree cost a page write per row. A block here costs ~6 bytes per posting and a
commit writes its rows once, sequentially.

Block format (self-describing; little-endian):

- header: ``flags`` (bit 0: columns bit-packed into one integer), ``k`` (columns), ``n``
  (rows, uint16), ``bits[k]`` (bits of each column), ``mins[k-1]`` (int64 offset of each
  payload column);
- body: ``block_rows`` rows (padding after ``n``) stored as byte planes (byte 0 of every row,
  then byte 1, …), either of the packed integer or column by column. The key column holds
  the difference to the previous row's key (0 in the first row: the block's first key is in
  the directory); payload columns hold ``value - min``;
- the whole block zlib-compressed when the kind asks for it (corpus counts: mostly 1s).
"""

from __future__ import annotations

import json
import sqlite3
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

MERGE_FANOUT = 8  # runs of one size level merged together (tiered merging)
LEVEL0_ROWS = 1 << 20  # level of a run: floor(log_FANOUT(rows / LEVEL0_ROWS))
SCAN_ROWS = 4_000_000  # rows per key range when scanning / merging
_CHUNK_ROWS = 1 << 20  # rows encoded with one set of column widths
_RUN_SHIFT = 32  # blocks.id = run << 32 | block number
_HEAD = struct.Struct("<BBH")


@dataclass(frozen=True)
class Kind:
    """What a run holds: a key and ``cols`` payload columns (int64)."""

    name: str
    cols: int
    compress: bool
    split_shift: int | None = None  # start a new block where key >> split_shift changes
    block_rows: int = 128


# LSH postings: key = band << 48 | band key, payload rid; uncompressed (lookups decode fast)
LSH = Kind("lsh", 1, False, split_shift=48, block_rows=128)
# corpus counts: key = shingle hash (40 bits), payload docs, bills, states; zlib (mostly 1s)
DF = Kind("df", 3, True, block_rows=256)


@dataclass(frozen=True)
class Run:
    run: int
    rows: int
    firsts: np.ndarray  # first key of each block (int64, sorted)


# --- encoding ---------------------------------------------------------------------------------


def _bits(v: np.ndarray) -> int:
    return int(v.max()).bit_length() if len(v) else 0


def _block_starts(key: np.ndarray, kind: Kind) -> np.ndarray:
    n, B = len(key), kind.block_rows
    if kind.split_shift is None:
        return np.arange(0, n, B, dtype=np.int64)
    g = key >> np.int64(kind.split_shift)
    edges = np.concatenate([[0], np.flatnonzero(g[1:] != g[:-1]) + 1, [n]])
    return np.concatenate(
        [np.arange(s, e, B, dtype=np.int64) for s, e in zip(edges[:-1], edges[1:], strict=True)]
    )


def _split(buf: bytes, size: int, n: int) -> list[bytes]:
    return [buf[i * size : (i + 1) * size] for i in range(n)]


def encode(kind: Kind, key: np.ndarray, cols: list[np.ndarray]) -> tuple[np.ndarray, list]:
    """Sorted rows → (first key of each block, [block bytes]), one set of column widths."""
    n, B = len(key), kind.block_rows
    starts = _block_starts(key, kind)
    nb = len(starts)
    counts = np.diff(np.append(starts, n))
    blk = np.repeat(np.arange(nb), counts)
    pos = np.arange(n) - starts[blk]
    delta = np.zeros(n, dtype=np.uint64)
    if n > 1:
        delta[1:] = (key[1:] - key[:-1]).astype(np.uint64)
    delta[starts] = 0
    vals = [delta]
    mins = []
    for c in cols:
        lo = int(c.min()) if n else 0
        mins.append(lo)
        vals.append((c - np.int64(lo)).astype(np.uint64))
    bits = [_bits(v) for v in vals]
    packed = sum(bits) <= 64
    if packed:
        acc = vals[0].copy() if bits[0] else np.zeros(n, dtype=np.uint64)
        shift = bits[0]
        for v, b in zip(vals[1:], bits[1:], strict=True):
            if b:
                acc |= v << np.uint64(shift)
            shift += b
        enc = [(acc, (sum(bits) + 7) // 8)]
    else:
        enc = [(v, (b + 7) // 8) for v, b in zip(vals, bits, strict=True)]
    head = _HEAD.pack(1 if packed else 0, len(vals), 0) + bytes(bits)
    head += struct.pack(f"<{len(mins)}q", *mins)
    hlen = len(head)
    total = sum(w for _v, w in enc)
    out = np.empty((nb, hlen + total * B), dtype=np.uint8)
    out[:, :hlen] = np.frombuffer(head, dtype=np.uint8)
    out[:, 2:4] = counts.astype("<u2").view(np.uint8).reshape(nb, 2)
    o = hlen
    grid = np.zeros((nb, B), dtype=np.uint64)
    for v, width in enc:
        if width == 0:
            continue
        grid[blk, pos] = v
        planes = grid.view(np.uint8).reshape(nb, B, 8)[:, :, :width].transpose(0, 2, 1)
        out[:, o : o + width * B] = planes.reshape(nb, width * B)
        o += width * B
    blobs = _split(out.tobytes(), out.shape[1], nb)
    if kind.compress:
        blobs = [zlib.compress(b, 1) for b in blobs]
    return key[starts], blobs


def _decode_group(kind, sp, arr, ii, firsts, keys_out, cols_out) -> None:
    """Decode blocks of one column layout (rows of ``arr``) into rows ``ii`` of the outputs."""
    k, B = kind.cols + 1, kind.block_rows
    hlen = _HEAD.size + k + 8 * (k - 1)
    flags = int(sp[0])
    bits = [int(x) for x in sp[2 : 2 + k]]
    mins = struct.unpack(f"<{k - 1}q", sp[2 + k :].tobytes())
    widths = [(sum(bits) + 7) // 8] if flags & 1 else [(b + 7) // 8 for b in bits]
    if (
        int(sp[1]) != k
        or flags > 1
        or max(bits) > 64
        or (flags & 1 and sum(bits) > 64)
        or hlen + sum(widths) * B != arr.shape[1]
    ):
        raise ValueError("a block's header does not fit its kind (damaged block)")
    m = len(ii)
    words = []
    o = hlen
    for width in widths:
        if width == 0:
            words.append(np.zeros((m, B), dtype=np.uint64))
            continue
        wide = np.zeros((m, B, 8), dtype=np.uint8)
        wide[:, :, :width] = arr[:, o : o + width * B].reshape(m, width, B).transpose(0, 2, 1)
        words.append(wide.view(np.uint64).reshape(m, B))
        o += width * B
    if flags & 1:
        vals = []
        shift = 0
        for b in bits:
            vals.append((words[0] >> np.uint64(shift)) & np.uint64((1 << b) - 1))
            shift += b
    else:
        vals = words
    d = vals[0].view(np.int64)
    d[:, 0] = 0
    keys_out[ii] = np.cumsum(d, axis=1) + firsts[ii][:, None]
    for c in range(kind.cols):
        cols_out[c][ii] = vals[c + 1].view(np.int64) + np.int64(mins[c])


def decode(kind: Kind, firsts: np.ndarray, blobs: list[bytes]) -> tuple[np.ndarray, list]:
    """Blocks (with their first keys) → (keys, [payload columns]) of all their rows, in order.
    Blocks are grouped by their column layout and each group is decoded as one array."""
    k, B = kind.cols + 1, kind.block_rows
    nr = len(blobs)
    if not nr:
        return np.zeros(0, np.int64), [np.zeros(0, np.int64) for _ in range(kind.cols)]
    raws = [zlib.decompress(b) for b in blobs] if kind.compress else blobs
    hlen = _HEAD.size + k + 8 * (k - 1)
    lens = np.fromiter(map(len, raws), dtype=np.int64, count=nr)
    keys_out = np.empty((nr, B), dtype=np.int64)
    cols_out = [np.empty((nr, B), dtype=np.int64) for _ in range(kind.cols)]
    counts = np.empty(nr, dtype=np.int64)
    one = (lens == lens[0]).all()
    for length in [int(lens[0])] if one else np.unique(lens).tolist():  # a layout, a length
        same = np.flatnonzero(lens == length)
        if len(same) == nr:
            arr = np.frombuffer(b"".join(raws), dtype=np.uint8).reshape(nr, length)
        else:
            arr = np.frombuffer(b"".join([raws[i] for i in same.tolist()]), dtype=np.uint8)
            arr = arr.reshape(len(same), length)
        if length < hlen:
            raise ValueError("a block is shorter than its header (damaged block)")
        counts[same] = arr[:, 2].astype(np.int64) | (arr[:, 3].astype(np.int64) << 8)
        spec = np.concatenate([arr[:, :2], arr[:, _HEAD.size : hlen]], axis=1)
        # the layout changes only between chunks of a run: group the stretches of blocks
        change = np.flatnonzero((spec[1:] != spec[:-1]).any(axis=1)) + 1
        bounds = [0, *change.tolist(), len(spec)]
        by: dict[bytes, list[np.ndarray]] = {}
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            by.setdefault(spec[a].tobytes(), []).append(np.arange(a, b))
        groups = [
            (
                np.frombuffer(sp, dtype=np.uint8),
                parts[0] if len(parts) == 1 else np.concatenate(parts),
            )
            for sp, parts in by.items()
        ]
        for sp, jj in groups:
            _decode_group(
                kind,
                sp,
                arr if len(jj) == len(arr) else arr[jj],
                same[jj],
                firsts,
                keys_out,
                cols_out,
            )
    if (counts > B).any():
        raise ValueError("a block holds more rows than a block can (damaged block)")
    if (counts == B).all():
        return keys_out.reshape(-1), [c.reshape(-1) for c in cols_out]
    mask = np.arange(B)[None, :] < counts[:, None]
    return keys_out[mask], [c[mask] for c in cols_out]


# --- the store ---------------------------------------------------------------------------------


class RunStore:
    """The runs of one kind in an index file (``con`` is an autocommit connection; writes
    happen inside the caller's transaction)."""

    def __init__(self, con: sqlite3.Connection, kind: Kind):
        self.con = con
        self.kind = kind
        self._dirs: dict[int, np.ndarray] = {}  # run id → firsts (runs never change)

    def _damaged(self, what: str, err: Exception) -> Exception:
        """A stored value of this kind that cannot be decoded: the index file is damaged."""
        from .store import damaged

        path = getattr(self.con, "path", "(in memory)")
        name = {"lsh": "LSH postings", "df": "corpus shingle counts"}.get(self.kind.name)
        return damaged(path, f"{what} of the {name or self.kind.name} cannot be read: {err}")

    def _decode(self, firsts: np.ndarray, blobs: list[bytes]) -> tuple[np.ndarray, list]:
        if len(blobs) != len(firsts):
            raise self._damaged("blocks", f"{len(firsts) - len(blobs)} blocks are missing")
        try:
            return decode(self.kind, firsts, blobs)
        except (zlib.error, ValueError, struct.error, IndexError) as err:
            raise self._damaged("a block", err) from err

    # reading ------------------------------------------------------------------------------
    def runs(self) -> list[Run]:
        rows = self.con.execute(
            "SELECT run, rows FROM runs WHERE kind=? ORDER BY run", (self.kind.name,)
        ).fetchall()
        out = []
        for run, n in rows:
            firsts = self._dirs.get(run)
            if firsts is None:
                (blob,) = self.con.execute("SELECT dir FROM runs WHERE run=?", (run,)).fetchone()
                try:
                    firsts = np.frombuffer(zlib.decompress(blob), dtype="<i8").astype(np.int64)
                except (zlib.error, ValueError, TypeError) as err:
                    raise self._damaged(f"the block directory of run {run}", err) from err
                self._dirs[run] = firsts
            out.append(Run(run, n, firsts))
        live = {r.run for r in out}
        for r in [r for r in self._dirs if r not in live]:
            del self._dirs[r]
        return out

    def rows(self) -> int:
        return self.con.execute(
            "SELECT coalesce(sum(rows), 0) FROM runs WHERE kind=?", (self.kind.name,)
        ).fetchone()[0]

    def _blocks(self, run: Run, idx: np.ndarray) -> list[bytes]:
        """The stored blocks number ``idx`` (sorted, distinct) of ``run``, in order."""
        base = run.run << _RUN_SHIFT
        lo, hi = base + int(idx[0]), base + int(idx[-1])
        span = int(idx[-1] - idx[0]) + 1
        if span == len(idx) or len(idx) * 3 >= span:  # contiguous or dense: one range scan
            got = self.con.execute(
                "SELECT id, data FROM blocks WHERE id BETWEEN ? AND ? ORDER BY id", (lo, hi)
            ).fetchall()
            if span == len(idx):
                return [d for _i, d in got]
            want = set((idx + base).tolist())
            return [d for i, d in got if i in want]
        got = self.con.execute(
            "SELECT id, data FROM blocks WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json.dumps((idx + base).tolist()),),
        ).fetchall()
        return [d for _i, d in got]

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, list]:
        """Rows of every run whose key is in ``keys`` (int64): (keys, payload columns)."""
        q = np.asarray(keys, dtype=np.int64)
        if len(q) > 1 and not (q[1:] > q[:-1]).all():
            q = np.unique(q)
        ks: list[np.ndarray] = []
        cs: list[list[np.ndarray]] = []
        if len(q):
            for run in self.runs():
                idx = blocks_holding(run.firsts, q)
                if not len(idx):
                    continue
                blobs = self._blocks(run, idx)
                key, cols = self._decode(run.firsts[idx], blobs)
                # the rows equal to each wanted key: binary search the (sorted) decoded rows
                lo = np.searchsorted(key, q, side="left")
                hi = np.searchsorted(key, q, side="right")
                n = hi - lo
                if not n.any():
                    continue
                hit = expand_spans(lo, n)
                ks.append(key[hit])
                cs.append([c[hit] for c in cols])
        return _concat(self.kind, ks, cs)

    def scan(self, runs: list[Run] | None = None) -> Iterator[tuple[np.ndarray, list]]:
        """All rows of ``runs`` (default: all) in key order, a key range at a time; rows with
        equal keys from different runs come in the same range (not combined)."""
        runs = self.runs() if runs is None else runs
        if not runs:
            return
        bounds = _ranges(runs, self.kind.block_rows)
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            ks, cs = [], []
            for run in runs:
                # a key can run on across block boundaries (a bucket of many documents):
                # start at the block before the first one that starts at or after lo
                b0 = max(0, int(np.searchsorted(run.firsts, lo, side="left")) - 1)
                b1 = int(np.searchsorted(run.firsts, hi, side="left"))
                if b1 <= b0:
                    continue
                idx = np.arange(b0, b1)
                key, cols = self._decode(run.firsts[idx], self._blocks(run, idx))
                m = (key >= lo) & (key < hi)
                ks.append(key[m])
                cs.append([c[m] for c in cols])
            key, cols = _concat(self.kind, ks, cs)
            if len(key):
                o = np.argsort(key, kind="stable")
                yield key[o], [c[o] for c in cols]

    # writing ------------------------------------------------------------------------------
    def write(self, chunks) -> int | None:
        """Write one run from sorted (key, cols) chunks (in key order); returns its id (None
        when there were no rows). Inside the caller's transaction."""
        run = None
        nblocks = 0
        rows = 0
        firsts: list[np.ndarray] = []
        buf_k: list[np.ndarray] = []
        buf_c: list[list[np.ndarray]] = []
        buffered = 0

        def emit(key, cols):
            nonlocal run, nblocks, rows
            if run is None:
                run = self.con.execute(
                    "INSERT INTO runs(kind, rows, blocks, dir) VALUES(?, 0, 0, x'')",
                    (self.kind.name,),
                ).lastrowid
            f, blobs = encode(self.kind, key, cols)
            base = (run << _RUN_SHIFT) + nblocks
            self.con.executemany(
                "INSERT INTO blocks(id, data) VALUES(?, ?)",
                ((base + i, b) for i, b in enumerate(blobs)),
            )
            firsts.append(f)
            nblocks += len(blobs)
            rows += len(key)

        for key, cols in chunks:
            if not len(key):
                continue
            buf_k.append(key)
            buf_c.append(cols)
            buffered += len(key)
            if buffered >= _CHUNK_ROWS:
                k, c = _concat(self.kind, buf_k, buf_c)
                emit(k, c)
                buf_k, buf_c, buffered = [], [], 0
        if buffered:
            k, c = _concat(self.kind, buf_k, buf_c)
            emit(k, c)
        if run is None:
            return None
        allf = np.concatenate(firsts).astype("<i8")
        self.con.execute(
            "UPDATE runs SET rows=?, blocks=?, dir=? WHERE run=?",
            (rows, nblocks, zlib.compress(allf.tobytes(), 1), run),
        )
        self._dirs[run] = allf.astype(np.int64)
        return run

    def drop(self, runs: list[Run]) -> None:
        for r in runs:
            base = r.run << _RUN_SHIFT
            self.con.execute(
                "DELETE FROM blocks WHERE id BETWEEN ? AND ?", (base, base + (1 << _RUN_SHIFT) - 1)
            )
            self.con.execute("DELETE FROM runs WHERE run=?", (r.run,))
            self._dirs.pop(r.run, None)

    def merge(self, runs: list[Run], combine: Callable) -> int | None:
        """Replace ``runs`` by one run of their rows, ``combine(key, cols)`` applied to each
        sorted key range (it may drop or sum rows). Inside the caller's transaction."""
        new = self.write(combine(k, c) for k, c in self.scan(runs))
        self.drop(runs)
        return new

    def to_merge(self) -> list[Run]:
        """The runs of the smallest size level holding ``MERGE_FANOUT`` runs (or none)."""
        levels: dict[int, list[Run]] = {}
        for r in self.runs():
            levels.setdefault(level(r.rows), []).append(r)
        for lv in sorted(levels):
            if len(levels[lv]) >= MERGE_FANOUT:
                return levels[lv]
        return []


def level(rows: int) -> int:
    lv, size = 0, LEVEL0_ROWS * MERGE_FANOUT
    while rows >= size:
        lv += 1
        size *= MERGE_FANOUT
    return lv


def blocks_holding(firsts: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Sorted distinct numbers of the blocks that can hold any of the sorted keys ``q``.
    Rows with one key can span several blocks (a bucket of many documents), so a key ``k``
    may lie in every block from the one before the first block starting at ``k`` to the last
    block starting at or before ``k``."""
    lo = np.searchsorted(firsts, q, side="left") - 1
    hi = np.searchsorted(firsts, q, side="right") - 1
    ok = hi >= 0
    lo, hi = np.maximum(lo[ok], 0), hi[ok]
    if not len(hi):
        return hi
    idx = expand_spans(lo, hi - lo + 1)
    # non-decreasing (lo and hi grow with q): drop repeats without sorting
    return idx[group_starts(idx)]


def expand_spans(lo: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The indexes lo[i], lo[i]+1, …, lo[i]+n[i]-1 of every span, in order (no Python loop)."""
    return np.repeat(lo - np.cumsum(n) + n, n) + np.arange(int(n.sum()))


def group_starts(key: np.ndarray) -> np.ndarray:
    """Positions where a new value starts in a sorted array (each run of equal keys)."""
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))


def _concat(kind: Kind, ks, cs):
    if not ks:
        return np.zeros(0, np.int64), [np.zeros(0, np.int64) for _ in range(kind.cols)]
    if len(ks) == 1:
        return ks[0], cs[0]
    return np.concatenate(ks), [np.concatenate([c[j] for c in cs]) for j in range(kind.cols)]


def _ranges(runs: list[Run], block_rows: int) -> list[int]:
    """Key boundaries splitting the rows of ``runs`` into ranges of about SCAN_ROWS rows."""
    firsts = np.sort(np.concatenate([r.firsts for r in runs]))
    step = max(1, SCAN_ROWS // block_rows)
    cuts = firsts[step::step].tolist()
    lo = int(firsts[0])
    hi = (1 << 63) - 1
    out = [lo]
    for c in cuts:
        if c > out[-1]:
            out.append(int(c))
    out.append(hi)
    return out
