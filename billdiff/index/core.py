"""Index: the embedded corpus index (one SQLite file) — add, remove, list, get, search."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from .._version import __version__
from ..errors import IndexError_
from ..model import Document, Metadata, SearchResult, Tokens
from ..settings import DEFAULT, Settings
from . import store
from .presets import DEFAULT_PRESET, PRESETS
from .sketch import SketchParams
from .writer import Writer

_SKETCH_FIELDS = ("shingle_words", "window_words", "window_step", "num_perm", "lsh_bands", "seed")


def default_db_path() -> Path:
    """``$BILLDIFF_DB``, else ``$XDG_DATA_HOME/billdiff/index.sqlite`` (~/.local/share/…)."""
    env = os.environ.get("BILLDIFF_DB")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "billdiff" / "index.sqlite"


def drop_if_empty(path: str | os.PathLike) -> bool:
    """Delete the index file at ``path`` (and its WAL) when it holds no document and no
    other connection has it open; True when it was deleted. For a first ``index add`` that
    indexed nothing: it never deletes a document, nor a file another billdiff (a second
    first add started at the same time) is writing."""
    path = Path(path)
    try:
        con = store.connect(path, create=False)
    except Exception:  # not a readable index: leave it for the user to look at
        return False
    try:
        con.execute("PRAGMA busy_timeout=0")
        if con.execute("SELECT count(*) FROM documents").fetchone()[0]:
            return False
        # leaving WAL mode needs every other connection closed: the test that we are alone
        if con.execute("PRAGMA journal_mode=DELETE").fetchone()[0] != "delete":
            return False
        with store.exclusive(con):
            if not con.execute("SELECT count(*) FROM documents").fetchone()[0]:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                return True
        store.to_wal(con)  # someone added a document meanwhile: keep it, as it was
        return False
    except Exception:  # busy (someone else has it open), or unreadable: keep it
        return False
    finally:
        con.close()


def _params_for(settings: Settings, preset: str | None) -> SketchParams:
    if preset is None and any(getattr(settings, f) != getattr(DEFAULT, f) for f in _SKETCH_FIELDS):
        return SketchParams.from_settings(settings)  # the caller tuned the sketch by hand
    name = preset or DEFAULT_PRESET
    if name not in PRESETS:
        raise IndexError_(
            f"unknown index preset {name!r}", hint=f"use one of: {', '.join(sorted(PRESETS))}"
        )
    return PRESETS[name]


class Index(Writer):
    """A corpus index in one SQLite file (WAL): documents, texts, sketches, LSH band keys and
    corpus shingle frequencies. ``Index()`` opens ``default_db_path()``."""

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        *,
        settings: Settings | None = None,
        preset: str | None = None,
        create: bool = True,
    ):
        self.path = Path(path) if path is not None else default_db_path()
        self.settings = settings or DEFAULT
        self._con = store.connect(self.path, create=create)
        stored = store.get_meta(self._con, "sketch_params")
        if stored is None:
            self.params = _params_for(self.settings, preset)
            with store.transaction(self._con) as con:
                con.execute(
                    "INSERT OR IGNORE INTO meta VALUES('sketch_params', ?)",
                    (json.dumps(self.params.to_dict(), sort_keys=True),),
                )
                con.execute(
                    "INSERT OR IGNORE INTO meta VALUES('preset', ?)",
                    (preset or ("" if self.params not in PRESETS.values() else DEFAULT_PRESET),),
                )
                con.execute("INSERT OR IGNORE INTO meta VALUES('created_by', ?)", (__version__,))
            stored = store.get_meta(self._con, "sketch_params")
        try:
            self.params = SketchParams(**json.loads(stored))
        except (TypeError, ValueError) as err:
            self.close()
            raise store.damaged(self.path, f"its sketch parameters cannot be read: {err}") from None
        self._run_stores: dict = {}
        self._reset_stage()
        if preset is not None and PRESETS.get(preset) != self.params:
            raise IndexError_(
                f"{self.path} was built with other sketch parameters than preset {preset!r}",
                hint="leave out --preset, or use a new --db file",
            )

    # --- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __len__(self) -> int:
        return self._con.execute("SELECT count(*) FROM documents").fetchone()[0]

    # --- what a corpus fetch could not get -------------------------------------------------------
    def record_not_had(self, manifest: str, items: list[tuple[str, str]]) -> None:
        """Remember which entries of ``manifest`` could not be had, and why (``corpus fetch``
        writes this; ``lineage --db`` lists them in its report). Replaces the manifest's list."""
        with store.transaction(self._con) as con:
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES(?, ?)",
                (f"not_had:{manifest}", json.dumps([list(x) for x in items])),
            )

    def not_had(self) -> list[tuple[str, str]]:
        """(id, why) of manifest entries a fetch could not get and that are not indexed since."""
        rows = self._con.execute("SELECT value FROM meta WHERE key LIKE 'not_had:%' ORDER BY key")
        have = set(self.ids())
        out: list[tuple[str, str]] = []
        for (value,) in rows.fetchall():
            try:
                items = json.loads(value)
            except ValueError:
                continue
            out += [(str(i), str(w)) for i, w in items if i not in have]
        return out

    # --- adding --------------------------------------------------------------------------------
    def bills(self) -> int:
        """Number of distinct bills (a document without a bill number counts as one)."""
        return self._con.execute(
            "SELECT count(DISTINCT CASE WHEN bill_key!='' THEN bill_key ELSE '#'||rid END) "
            "FROM documents"
        ).fetchone()[0]

    def remove(self, ids: Iterable[str]) -> tuple[str, ...]:
        """Remove documents by id (one transaction each); returns the ids that were removed."""
        removed = []
        for i in ids:
            row = self._con.execute("SELECT rid FROM documents WHERE id=?", (i,)).fetchone()
            if row is None:
                raise IndexError_(
                    f"no document {i!r} in {self.path}",
                    hint="see `billdiff index list` for the ids",
                )
            with store.transaction(self._con):
                self._delete(row[0])
                self._flush()
            removed.append(i)
        self._maintain(vacuum=True)
        return tuple(removed)

    # --- tags (model-bill lists) --------------------------------------------------------------
    def tag(self, ids: Iterable[str], tags: Iterable[str]) -> int:
        """Tag documents (``model-bill``): one transaction; returns the tags newly set."""
        pairs = sorted({(i, t) for i in ids for t in tags})
        for _, t in pairs:
            if not t.strip() or len(t) > 100:
                raise IndexError_(
                    f"not a usable tag: {t!r}", hint="a tag is a short word, e.g. model-bill"
                )
        with store.transaction(self._con) as con:
            for stmt in store.TAGS_SCHEMA:
                con.execute(stmt)
            before = con.total_changes
            con.executemany("INSERT OR IGNORE INTO tags VALUES(?, ?)", pairs)
            return con.total_changes - before

    def tagged(self, tag: str) -> frozenset[str]:
        """Ids of the documents carrying ``tag`` (none on a file without the tags table)."""
        import sqlite3

        try:
            rows = self._con.execute("SELECT id FROM tags WHERE tag=?", (tag,)).fetchall()
        except sqlite3.OperationalError:  # an older read-only file: no tags table
            return frozenset()
        return frozenset(r[0] for r in rows)

    # --- reading -------------------------------------------------------------------------------
    def list(self) -> list[Metadata]:
        rows = self._con.execute(f"SELECT {', '.join(store.META_COLS)} FROM documents ORDER BY id")
        out = []
        for r in rows:
            try:
                out.append(store.row_meta(r))
            except store.DECODE_ERRORS as err:
                raise store.damaged(
                    self.path, f"the metadata of document {r[0]!r} cannot be read: {err}"
                ) from err
        return out

    def ids(self) -> list[str]:
        return [r[0] for r in self._con.execute("SELECT id FROM documents ORDER BY id")]

    def words(self, doc_id: str) -> int:
        row = self._con.execute("SELECT words FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            raise IndexError_(f"no document {doc_id!r} in {self.path}")
        return row[0]

    def _get_rid(self, rid: int) -> Document:
        row = self._con.execute(
            f"SELECT {', '.join('d.' + c for c in store.META_COLS)}, t.text, t.spans "
            "FROM documents d JOIN texts t ON t.rid=d.rid WHERE d.rid=?",
            (rid,),
        ).fetchone()
        if row is None:
            raise store.damaged(self.path, f"document #{rid} has no stored text")
        try:
            return store.rebuild(store.row_meta(row[:-2]), row[-2], row[-1])
        except store.DECODE_ERRORS as err:
            raise store.damaged(
                self.path, f"the stored text of document {row[0]!r} cannot be read: {err}"
            ) from err

    def rid(self, doc_id: str) -> int:
        row = self._con.execute("SELECT rid FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            raise IndexError_(
                f"no document {doc_id!r} in {self.path}",
                hint="see `billdiff index list` for the ids",
            )
        return row[0]

    def get(self, doc_id: str) -> Document:
        return self._get_rid(self.rid(doc_id))

    def tokens(self, doc_id: str) -> Tokens:
        from ..normalize import tokenize

        return tokenize(self.get(doc_id), keep_deleted=self.settings.keep_deleted)

    def stats(self) -> dict:
        from .runs import DF, LSH

        con = self._con
        n, words = con.execute("SELECT count(*), coalesce(sum(words),0) FROM documents").fetchone()
        states = con.execute(
            "SELECT count(DISTINCT state) FROM documents WHERE state!=''"
        ).fetchone()[0]
        size = sum(
            p.stat().st_size for p in (self.path, Path(str(self.path) + "-wal")) if p.exists()
        )
        return {
            "path": str(self.path),
            "schema_version": int(store.get_meta(con, "schema_version", "0")),
            "created_by": store.get_meta(con, "created_by", ""),
            "preset": store.get_meta(con, "preset", ""),
            "sketch_params": self.params.to_dict(),
            "documents": n,
            "words": words,
            "bills": self.bills(),
            "states": states,
            "windows": con.execute("SELECT coalesce(sum(windows),0) FROM documents").fetchone()[0],
            "band_keys": con.execute("SELECT coalesce(sum(keys),0) FROM sketches").fetchone()[0],
            "shingles_counted": self._runs(DF).rows(),
            "runs": {k.name: len(self._runs(k).runs()) for k in (LSH, DF)},
            "bytes_on_disk": size,
        }

    # --- candidates, boilerplate, search --------------------------------------------------------
    def bucket_cap(self) -> int:
        """Largest LSH bucket (in documents) still used for candidates: a window shared by
        more documents is boilerplate (an enacting clause, a severability section). The cap is
        ``boilerplate_doc_share`` of the corpus, at least 10, at most ``max_bucket``."""
        import math

        n = len(self)
        return min(
            self.params.max_bucket, max(10, math.ceil(self.settings.boilerplate_doc_share * n))
        )

    def probe(self, keys) -> dict[int, list]:
        """rid → [shared band keys, rarity weight] for the given band keys (packed
        ``band << 48 | key`` int64 array, or (band, key) pairs). The weight sums 1/size of
        each shared bucket, so rare shared windows count more than common ones; buckets
        larger than ``bucket_cap()`` documents are left out."""
        import numpy as np

        from .runs import LSH, group_starts

        if not isinstance(keys, np.ndarray):
            pairs = list(keys)
            keys = np.array([(b << 48) | k for b, k in pairs], dtype=np.int64)
        cap = self.bucket_cap()
        with store.reading(self._con):
            key, (rid,) = self._runs(LSH).lookup(keys)
            dead = self._dead()
        if len(dead):
            live = ~np.isin(rid, dead)
            key, rid = key[live], rid[live]
        if not len(key):
            return {}
        if len(key) > 1 and not (key[1:] >= key[:-1]).all():  # several runs
            o = np.argsort(key, kind="stable")
            key, rid = key[o], rid[o]
        starts = group_starts(key)
        size = np.diff(np.append(starts, len(key)))  # live documents in each bucket
        per = np.repeat(size, size)
        ok = per <= cap
        rid, w = rid[ok], 1.0 / per[ok]
        n = np.bincount(rid)
        ws = np.bincount(rid, weights=w)
        ur = np.flatnonzero(n)
        return {
            r: [c, x] for r, c, x in zip(ur.tolist(), n[ur].tolist(), ws[ur].tolist(), strict=True)
        }

    def topic_scores(self, words, *, max_df_share: float = 0.05) -> dict[int, float]:
        """rid -> topic similarity with ``words`` (tf-idf over topic vectors, 1.0 = the query's
        own vector; billdiff/topics.py) of every document sharing a topic term. Terms held by
        more than ``max_df_share`` of the documents (at least 50) are left out: they cost the
        most and say the least."""
        import sqlite3

        import numpy as np

        from ..topics import scores, term_vector

        q_terms, q_w = term_vector(words)
        if not len(q_terms):
            return {}
        n = len(self)
        cap = max(50, int(max_df_share * n))
        postings, df = {}, {}
        try:
            with store.reading(self._con):  # (a removal deletes its postings at once)
                for t in q_terms.tolist():
                    rows = self._con.execute(
                        "SELECT rid, w FROM term_postings WHERE term=? LIMIT ?", (t, cap + 1)
                    ).fetchall()
                    if not rows or len(rows) > cap:
                        continue
                    df[t] = len(rows)
                    postings[t] = (
                        np.array([r for r, _ in rows], dtype=np.int64),
                        np.array([w for _, w in rows], dtype=np.float64),
                    )
        except sqlite3.OperationalError:
            return {}  # an index file without topic tables (opened read-only)
        return scores(q_terms, q_w, postings, df, n)

    def doc_by_rid(self, rid: int) -> Document:
        return self._get_rid(rid)

    def candidate_pairs(
        self, *, min_estimate: float = 0.0, min_weight: float = 0.0
    ) -> Iterator[tuple[str, str, float]]:
        """Every pair of indexed documents sharing at least one LSH bucket of passage windows,
        with an *estimated* similarity: the share of the smaller document's band keys that the
        other also has (an estimate, verify with alignment). Sorted by (id_a, id_b), id_a < id_b.
        Buckets holding more than ``bucket_cap()`` documents are boilerplate: they give no pairs.
        ``min_weight`` keeps pairs whose shared buckets weigh at least that much, a bucket of
        ``s`` documents weighing ``1/(s-1)``: one bucket shared by exactly two documents is
        1.0, text shared by many documents (boilerplate) weighs little unless it is long."""
        for a, b, est, _w in self.weighted_pairs(min_estimate=min_estimate, min_weight=min_weight):
            yield a, b, est

    def weighted_pairs(self, *, min_estimate: float = 0.0, min_weight: float = 0.0):
        """(id_a, id_b, estimate, weight) for the candidate pairs (see candidate_pairs)."""
        import numpy as np

        ra, rb, count, weight = self.pair_arrays()
        info = {
            r: (i, k)
            for r, i, k in self._con.execute(
                "SELECT d.rid, d.id, s.keys FROM documents d JOIN sketches s ON s.rid=d.rid"
            )
        }
        unknown = set(ra.tolist()).union(rb.tolist()).difference(info)
        if unknown:  # a live posting always belongs to a document: the runs are damaged
            raise store.damaged(self.path, f"LSH postings refer to no document (#{min(unknown)})")
        keys = np.array([info[r][1] for r in ra.tolist()], dtype=np.float64)
        keys_b = np.array([info[r][1] for r in rb.tolist()], dtype=np.float64)
        est = np.minimum(1.0, count / np.maximum(1.0, np.minimum(keys, keys_b)))
        keep = (est >= min_estimate) & (weight >= min_weight - 1e-9)
        out = []
        for a, b, e, w in zip(
            ra[keep].tolist(),
            rb[keep].tolist(),
            est[keep].tolist(),
            weight[keep].tolist(),
            strict=True,
        ):
            ia, ib = info[a][0], info[b][0]
            out.append((min(ia, ib), max(ia, ib), e, round(w, 4)))
        out.sort()
        yield from out

    def pair_arrays(self):
        """Candidate pairs as arrays (rid_a, rid_b, shared buckets, weight), rid_a < rid_b:
        one scan of the LSH runs in key order (a bucket of ``s`` <= ``bucket_cap()`` live
        documents gives its s(s-1)/2 pairs, each weighing 1/(s-1))."""
        import numpy as np

        from .runs import LSH, group_starts

        cap = self.bucket_cap()
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        codes: list[np.ndarray] = []
        wts: list[np.ndarray] = []
        pending = 0

        def reduce(cs, ws, counts=None):
            c = np.concatenate(cs)
            w = np.concatenate(ws)
            n = np.ones(len(c), np.int64) if counts is None else np.concatenate(counts)
            u, inv = np.unique(c, return_inverse=True)
            return u, np.bincount(inv, weights=n).astype(np.int64), np.bincount(inv, weights=w)

        with store.reading(self._con):
            dead = self._dead()
            for key, (rid,) in self._runs(LSH).scan():
                if len(dead):
                    live = ~np.isin(rid, dead)
                    key, rid = key[live], rid[live]
                if len(key) < 2:
                    continue
                starts = group_starts(key)
                sizes = np.diff(np.append(starts, len(key)))
                for s in np.unique(sizes[(sizes >= 2) & (sizes <= cap)]).tolist():
                    g = starts[sizes == s]
                    members = np.sort(rid[g[:, None] + np.arange(s)], axis=1)
                    iu, ju = np.triu_indices(s, 1)
                    c = (members[:, iu] << np.int64(32)) | members[:, ju]
                    codes.append(c.ravel())
                    wts.append(np.full(c.size, 1.0 / (s - 1)))
                    pending += c.size
                if pending > 20_000_000:
                    parts.append(reduce(codes, wts))
                    codes, wts, pending = [], [], 0
        if codes:
            parts.append(reduce(codes, wts))
        if not parts:
            z = np.zeros(0, np.int64)
            return z, z, z, np.zeros(0)
        u, n, w = (
            parts[0]
            if len(parts) == 1
            else reduce([p[0] for p in parts], [p[2] for p in parts], [p[1] for p in parts])
        )
        return u >> np.int64(32), u & np.int64(0xFFFFFFFF), n, w

    def df_counts(self, hashes) -> tuple:
        """(distinct bills, number of states) of each shingle hash (as ``sample_shingles``
        gives them), summed over the runs of corpus counts."""
        import numpy as np

        from .runs import DF
        from .writer import df_key

        hk = df_key(np.asarray(hashes, dtype=np.int64))
        bills = np.zeros(len(hk), dtype=np.int64)
        states = np.zeros(len(hk), dtype=np.int64)
        if not len(hk):
            return bills, states
        with store.reading(self._con):
            key, (_d, b, st) = self._runs(DF).lookup(hk)
        if len(key):
            from .writer import combine_counts

            o = np.argsort(key, kind="stable")
            key, (_d, b, st) = combine_counts(key[o], [_d[o], b[o], st[o]])
            pos = np.searchsorted(key, hk)
            pos_c = np.minimum(pos, len(key) - 1)
            found = key[pos_c] == hk
            bills[found] = b[pos_c[found]]
            from ..boilerplate import popcount

            states[found] = popcount(st[pos_c[found]])
        return bills, states

    def lsh_rows(self) -> list[tuple[int, int, str]]:
        """Every live LSH posting as (band, key, document id), sorted (tests, debugging)."""
        from .runs import LSH

        ids = dict(self._con.execute("SELECT rid, id FROM documents"))
        out = []
        with store.reading(self._con):
            for key, (rid,) in self._runs(LSH).scan():
                for k, r in zip(key.tolist(), rid.tolist(), strict=True):
                    if r in ids:
                        out.append((k >> 48, k & ((1 << 48) - 1), ids[r]))
        return sorted(out)

    def df_rows(self) -> list[tuple[int, int, int]]:
        """Corpus counts as (shingle key, documents, bills), summed over runs, sorted."""
        from .runs import DF
        from .writer import combine_counts

        out = []
        with store.reading(self._con):
            for key, cols in self._runs(DF).scan():
                k, (d, b, _s) = combine_counts(key, cols)
                out.extend(zip(k.tolist(), d.tolist(), b.tolist(), strict=True))
        return out

    def boilerplate(self):
        from ..boilerplate import Boilerplate

        return Boilerplate.from_index(self)

    def search(
        self,
        doc,
        *,
        top: int = 10,
        min_words: int | None = None,
        fail_on_match: bool = False,
        **read_kw,
    ) -> SearchResult:
        from ..search import search

        return search(
            self,
            doc,
            top=top,
            min_words=min_words,
            fail_on_match=fail_on_match,
            settings=self.settings,
            **read_kw,
        )
