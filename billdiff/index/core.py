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
            raise IndexError_(
                f"{self.path} is not a billdiff index or is damaged (sketch parameters: {err})"
            ) from None
        self._staged = 0
        self._con.execute("CREATE TEMP TABLE IF NOT EXISTS lsh_stage(band, key, rid)")
        self._con.execute("CREATE TEMP TABLE IF NOT EXISTS df_stage(h, bills, states)")
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
                self._flush()
                self._delete(row[0])
            removed.append(i)
        return tuple(removed)

    # --- reading -------------------------------------------------------------------------------
    def list(self) -> list[Metadata]:
        rows = self._con.execute(f"SELECT {', '.join(store.META_COLS)} FROM documents ORDER BY id")
        return [store.row_meta(r) for r in rows]

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
            raise IndexError_(
                f"{self.path} is damaged: document #{rid} has no text",
                hint="remove it with `billdiff index remove` and add it again",
            )
        return store.rebuild(store.row_meta(row[:-2]), row[-2], row[-1])

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
            "shingles_counted": con.execute("SELECT count(*) FROM shingle_df").fetchone()[0],
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
        """rid → [shared band keys, rarity weight] for the given (band, key) pairs. The weight
        sums 1/size of each shared bucket, so rare shared windows count more than common
        ones; buckets larger than ``bucket_cap()`` documents are left out."""
        cap = self.bucket_cap()
        hits: dict[int, list] = {}
        q = "SELECT rid FROM lsh WHERE band=? AND key=? LIMIT ?"
        con = self._con
        for b, k in keys:
            rows = con.execute(q, (b, k, cap + 1)).fetchall()
            if len(rows) > cap:
                continue
            w = 1.0 / len(rows) if rows else 0.0
            for (r,) in rows:
                h = hits.get(r)
                if h is None:
                    hits[r] = [1, w]
                else:
                    h[0] += 1
                    h[1] += w
        return hits

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
        cap = self.bucket_cap()
        shared: dict[tuple[int, int], list] = {}
        cur = None
        members: list[int] = []

        def flush():
            if 2 <= len(members) <= cap:
                ms = sorted(members)
                w = 1.0 / (len(ms) - 1)
                for x in range(len(ms)):
                    for y in range(x + 1, len(ms)):
                        p = (ms[x], ms[y])
                        h = shared.get(p)
                        if h is None:
                            shared[p] = [1, w]
                        else:
                            h[0] += 1
                            h[1] += w

        for band, key, rid in self._con.execute("SELECT band, key, rid FROM lsh"):
            if (band, key) != cur:
                flush()
                cur = (band, key)
                members = []
            members.append(rid)
        flush()
        info = {
            r: (i, k)
            for r, i, k in self._con.execute(
                "SELECT d.rid, d.id, s.keys FROM documents d JOIN sketches s ON s.rid=d.rid"
            )
        }
        out = []
        for (ra, rb), (c, w) in shared.items():
            (ia, ka), (ib, kb) = info[ra], info[rb]
            est = min(1.0, c / max(1, min(ka, kb)))
            if est >= min_estimate and w >= min_weight - 1e-9:
                out.append((min(ia, ib), max(ia, ib), est, round(w, 4)))
        out.sort()
        yield from out

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
