"""Passage-level MinHash sketches, computed in bulk with numpy.

Pure functions of (words, params): no state beyond a cache of word hashes, so they run the
same in the main process, in a process pool, or in the map step of a distributed engine.

How a document is sketched:

1. every distinct word gets a stable 64-bit hash (BLAKE2b, cached);
2. every shingle of ``k`` consecutive words gets a 64-bit hash, a multiply-and-mix of the
   ``k`` word hashes done for all shingles at once with numpy, folded to 32 bits;
3. ``num_perm`` universal hash functions ``h_i(x) = (a_i * x + b_i) >> 32`` (multiply-add-shift
   with random odd 64-bit ``a_i``, a 2-universal family) are applied to every shingle hash as
   one matrix operation;
4. a *window* is ``window_words`` consecutive shingles; its MinHash signature is the column-wise
   minimum over its rows. Windows start every ``step`` shingles (the last window is aligned to
   the end so the tail is covered). When ``step`` divides the window length the minimum is taken
   over block minima (``np.minimum.reduceat``), otherwise with the van Herk/Gil-Werman sliding
   minimum;
5. each window's signature is cut into ``bands`` bands of ``rows`` values; a band's values are
   hashed to a 48-bit *band key*. Two windows that agree on every value of one band share that
   band's key: the LSH candidate rule.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..memo import Memo

_M64 = (1 << 64) - 1
_CHUNK = 512  # shingles permuted at a time: the (512 x num_perm) temporary stays in L2 cache


@dataclass(frozen=True)
class SketchParams:
    """The sketch parameters an index is built with (stored in the index's meta table)."""

    shingle_words: int = 5
    window_words: int = 50
    window_step: int = 25
    num_perm: int = 128
    lsh_bands: int = 32
    seed: int = 1
    query_step: int = 5  # window step used for the query side of a search
    df_sample: int = 1  # keep corpus frequencies for 1 in df_sample shingle hashes
    max_bucket: int = 200  # an LSH bucket holding more documents is treated as boilerplate
    # 1: shingles of matching keys (billdiff/classes.py: state names, numbers ... as classes);
    # 0: of the words as written (indexes built before word classes existed)
    word_classes: int = 0

    @property
    def rows(self) -> int:
        return self.num_perm // self.lsh_bands

    @classmethod
    def from_settings(cls, settings, **over) -> SketchParams:
        kw = dict(
            shingle_words=settings.shingle_words,
            window_words=settings.window_words,
            window_step=settings.window_step,
            num_perm=settings.num_perm,
            lsh_bands=settings.lsh_bands,
            seed=settings.seed,
            word_classes=int(settings.word_classes),
        )
        kw.update(over)
        return cls(**kw)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _word_hash(w: str) -> int:
    """BLAKE2b-8 of the UTF-8 word, read little-endian: the definition ``word_hashes`` caches."""
    return int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")


_WORD_CACHE = Memo(_word_hash, 1 << 21)


def word_hashes(words) -> np.ndarray:
    """Stable 64-bit hash of each word (same value in every process and run)."""
    # dict.__getitem__ in C, calling __missing__ only for new words
    return np.fromiter(map(_WORD_CACHE.__getitem__, words), dtype=np.uint64, count=len(words))


def _mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised, wrapping uint64 arithmetic."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


_SHINGLE_MULT = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x27D4EB2F165667C5,
        0x85EBCA77C2B2AE63,
    ],
    dtype=np.uint64,
)


def shingle_hashes(wh: np.ndarray, k: int) -> np.ndarray:
    """64-bit hashes of every ``k``-word shingle from word hashes ``wh`` (len(wh)-k+1 of them;
    one shingle of all words when the text is shorter than ``k``, none when empty)."""
    n = len(wh)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    kk = min(k, n)
    m = n - kk + 1
    with np.errstate(over="ignore"):
        mw = _mix64(wh)
        acc = mw[:m] * _SHINGLE_MULT[0]
        for j in range(1, kk):
            mult = _SHINGLE_MULT[j % len(_SHINGLE_MULT)] + np.uint64(2 * (j // len(_SHINGLE_MULT)))
            acc += mw[j : j + m] * mult
        return _mix64(acc ^ np.uint64(kk))


@lru_cache(maxsize=16)
def _perms(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 1 << 63, num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 1 << 63, num_perm, dtype=np.uint64)
    return a, b


def permuted(sh: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """(len(sh), num_perm) uint32 matrix of ``(a_i * x + b_i) >> 32`` for x = high 32 bits."""
    a, b = _perms(num_perm, seed)
    x = (sh >> np.uint64(32)).reshape(-1, 1)
    out = np.empty((len(sh), num_perm), dtype=np.uint32)
    buf = np.empty((min(_CHUNK, len(sh)), num_perm), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for s in range(0, len(sh), _CHUNK):
            e = min(s + _CHUNK, len(sh))
            t = buf[: e - s]
            np.multiply(x[s:e], a, out=t)
            t += b
            t >>= np.uint64(32)
            out[s:e] = t
    return out


def window_starts(m: int, length: int, step: int) -> np.ndarray:
    """Start rows of the windows over ``m`` shingles (last one aligned to the end)."""
    if m <= length:
        return np.zeros(1 if m else 0, dtype=np.int64)
    starts = np.arange(0, m - length + 1, step, dtype=np.int64)
    if starts[-1] != m - length:
        starts = np.append(starts, m - length)
    return starts


def window_minima(pm: np.ndarray, length: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Column minima of every window: (starts, signatures (n_windows, num_perm) uint32)."""
    m = len(pm)
    starts = window_starts(m, length, step)
    if m <= length:
        return starts, (pm.min(axis=0, keepdims=True) if m else pm[:0])
    if length % step == 0:
        blocks = np.minimum.reduceat(pm, np.arange(0, m, step), axis=0)
        per = length // step
        n_reg = (m - length) // step + 1
        sig = blocks[:n_reg].copy()
        for j in range(1, per):
            np.minimum(sig, blocks[j : j + n_reg], out=sig)
        if len(starts) > n_reg:  # the end-aligned tail window
            sig = np.vstack([sig, pm[m - length :].min(axis=0, keepdims=True)])
        return starts, sig
    return starts, sliding_min(pm, length)[starts]


def sliding_min(pm: np.ndarray, length: int) -> np.ndarray:
    """Minimum over every run of ``length`` rows (van Herk/Gil-Werman): m-length+1 rows."""
    m, p = pm.shape
    nb = -(-m // length)
    pad = np.full((nb * length, p), np.iinfo(pm.dtype).max, dtype=pm.dtype)
    pad[:m] = pm
    blk = pad.reshape(nb, length, p)
    pre = np.minimum.accumulate(blk, axis=1).reshape(-1, p)
    suf = np.minimum.accumulate(blk[:, ::-1], axis=1)[:, ::-1].reshape(-1, p)
    n = m - length + 1
    return np.minimum(suf[:n], pre[length - 1 : length - 1 + n])


_BAND_MULT = np.array(
    [
        0x9E3779B97F4A7C15,
        0xBF58476D1CE4E5B9,
        0x94D049BB133111EB,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0x27D4EB2F165667C5,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
    ],
    dtype=np.uint64,
)


def band_keys(sig: np.ndarray, bands: int) -> np.ndarray:
    """(n_windows, bands) int64 keys in [0, 2**48): hash of each band's rows and its number."""
    n, p = sig.shape
    rows = p // bands
    v = sig.reshape(n, bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        acc = np.arange(bands, dtype=np.uint64) * np.uint64(0xD6E8FEB86659FD93)
        acc = np.broadcast_to(acc, (n, bands)).copy()
        for j in range(rows):
            acc += _mix64(v[:, :, j] + np.uint64(j + 1)) * _BAND_MULT[j % len(_BAND_MULT)]
        return (_mix64(acc) >> np.uint64(16)).astype(np.int64)


@dataclass(frozen=True)
class Sketch:
    """What the index keeps of one document's sketch."""

    keys: np.ndarray  # distinct band keys, packed band << 48 | key (int64, sorted)
    doc_sig: np.ndarray  # whole-document MinHash (num_perm uint32)
    windows: int
    shingles: np.ndarray  # distinct sampled shingle hashes (int64) for corpus frequencies


def doc_shingles(words, params: SketchParams) -> np.ndarray:
    return doc_shingles_k(words, params.shingle_words, classes=bool(params.word_classes))


def sample_shingles(sh: np.ndarray, df_sample: int) -> np.ndarray:
    """Distinct shingle hashes kept for corpus statistics, as non-negative int64."""
    v = sh >> np.uint64(1)
    if df_sample > 1:
        v = v[(sh % np.uint64(df_sample)) == 0]
    return _uniq(v.astype(np.int64))


def sketch_words(words, params: SketchParams, *, step: int | None = None) -> Sketch:
    """Sketch a document's words. ``step`` overrides the window step (query side)."""
    sh = doc_shingles(words, params)
    return sketch_shingles(sh, params, step=step)


def _perm_block_minima(sh: np.ndarray, num_perm: int, seed: int, step: int) -> np.ndarray:
    """Column minima of the permuted hashes over consecutive blocks of ``step`` shingles,
    without materialising the (shingles × num_perm) matrix: ``(a*x+b) >> 32`` is monotonic in
    the 64-bit ``a*x+b``, so the minimum is taken on it and shifted afterwards."""
    a, b = _perms(num_perm, seed)
    x = (sh >> np.uint64(32)).reshape(-1, 1)
    m = len(sh)
    ch = max(step, (_CHUNK // step) * step)
    out = np.empty((-(-m // step), num_perm), dtype=np.uint64)
    buf = np.empty((min(ch, m), num_perm), dtype=np.uint64)
    o = 0
    with np.errstate(over="ignore"):
        for s in range(0, m, ch):
            e = min(s + ch, m)
            t = buf[: e - s]
            np.multiply(x[s:e], a, out=t)
            t += b
            full = ((e - s) // step) * step  # reshape + min: ~2x faster than reduceat
            bm = t[:full].reshape(-1, step, num_perm).min(axis=1)
            if full < e - s:
                bm = np.vstack([bm, t[full:].min(axis=0, keepdims=True)])
            out[o : o + len(bm)] = bm
            o += len(bm)
    out >>= np.uint64(32)
    return out.astype(np.uint32)


def window_signatures(sh: np.ndarray, params: SketchParams, step: int):
    """(window signatures (n_windows, num_perm) uint32, whole-document signature)."""
    L = params.window_words
    m = len(sh)
    if m > L and L % step == 0:
        blocks = _perm_block_minima(sh, params.num_perm, params.seed, step)
        per = L // step
        n_reg = (m - L) // step + 1
        sig = blocks[:n_reg].copy()
        for j in range(1, per):
            np.minimum(sig, blocks[j : j + n_reg], out=sig)
        if (m - L) % step:  # the end-aligned tail window
            tail = permuted(sh[m - L :], params.num_perm, params.seed).min(axis=0, keepdims=True)
            sig = np.vstack([sig, tail])
        return sig, blocks.min(axis=0)
    pm = permuted(sh, params.num_perm, params.seed)
    _, sig = window_minima(pm, L, step)
    return sig, pm.min(axis=0)


def sketch_shingles(sh: np.ndarray, params: SketchParams, *, step: int | None = None) -> Sketch:
    step = step or params.window_step
    if len(sh) == 0:
        return Sketch(
            np.zeros(0, dtype=np.int64),
            np.full(params.num_perm, 0xFFFFFFFF, np.uint32),
            0,
            np.zeros(0, np.int64),
        )
    sig, doc_sig = window_signatures(sh, params, step)
    keys = band_keys(sig, params.lsh_bands)
    return Sketch(unique_pairs(keys), doc_sig, len(sig), sample_shingles(sh, params.df_sample))


def unique_pairs(keys: np.ndarray) -> np.ndarray:
    """Distinct (band, key) pairs of a (windows, bands) key matrix, packed ``band << 48 | key``
    into one sorted int64 array (keys < 2**48, bands < 2**15)."""
    bands = np.arange(keys.shape[1], dtype=np.int64) << np.int64(48)
    return _uniq((keys | bands).ravel())


def _uniq(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.sort + mask: several times faster than np.unique here)."""
    if len(a) == 0:
        return a
    y = np.sort(a)
    keep = np.empty(len(y), dtype=bool)
    keep[0] = True
    np.not_equal(y[1:], y[:-1], out=keep[1:])
    return y[keep]


def unpack(packed: np.ndarray) -> list[tuple[int, int]]:
    """Packed band keys → [(band, key), ...]."""
    return list(
        zip(
            (packed >> np.int64(48)).tolist(),
            (packed & np.int64((1 << 48) - 1)).tolist(),
            strict=True,
        )
    )


def doc_shingles_k(words, k: int, *, classes: bool = False) -> np.ndarray:
    """Hash of every k-word shingle; with ``classes``, of the words' matching keys."""
    if classes:
        from ..classes import match_keys

        words = match_keys(tuple(words))
    return shingle_hashes(word_hashes(words), k)
