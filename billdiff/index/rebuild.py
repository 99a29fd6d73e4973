"""``rebuild(path)``: a new index from the texts a (damaged) index file still holds.

Every document whose stored text can still be read (``salvage``) is added, with its metadata,
to a new file next to the old one, built with the old file's sketch parameters. The new file
then takes the old one's name in one step (``os.replace``), and the old file is kept beside it
as ``<name>.damaged-<timestamp>`` (with its WAL): nothing a user indexed is deleted. When not
one document can be read, the new file is removed and the old one is left as it was.

Run it while no other billdiff writes the index: a write to the old file during the rebuild
stays in the kept copy only.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .._version import __version__
from ..errors import IndexError_
from ..settings import Settings
from . import salvage, store
from .presets import DEFAULT_PRESET, PRESETS
from .sketch import SketchParams


@dataclass(frozen=True)
class RebuildResult:
    path: str  # the rebuilt index (the old file's name)
    kept_as: str  # the old file, kept
    recovered: tuple[str, ...]  # ids of the documents that came back
    without_metadata: tuple[str, ...]  # of them, those whose metadata row was lost
    lost: tuple[tuple[str, str], ...]  # (id, or #number when the id is lost too; why)
    params_note: str  # where the sketch parameters came from, when not from the old file
    seconds: float

    @property
    def exit_code(self) -> int:
        return 2 if self.lost else 0


def rebuild(
    path,
    *,
    settings: Settings | None = None,
    workers: int | None = None,
    batch: int = 256,
    progress: Callable[[int, int, int], None] | None = None,
) -> RebuildResult:
    """Rebuild the index file at ``path`` from its readable documents (see the module).
    ``progress(done, total, words)`` is called after each batch of documents."""
    path = Path(path)
    t0 = time.perf_counter()
    old = store.open_raw(path)
    tmp = _free_name(path, f"rebuild-{os.getpid()}")
    try:
        meta = salvage.meta_values(old)
        params, note = _params(meta)
        got, lost, bare = _fill(tmp, old, params, meta, settings, workers, batch, progress)
    except BaseException:
        _remove(tmp)
        raise
    finally:
        old.close()
    if not got:
        _remove(tmp)
        named = f" ({len(lost)} named, none readable)" if lost else ""
        raise IndexError_(
            f"no document can be read from {path}{named}; it is left as it was",
            hint="add the bills again from their sources with `billdiff index add` into a "
            "new --db file",
        )
    kept = _swap(path, tmp)
    return RebuildResult(
        str(path),
        str(kept),
        tuple(got),
        tuple(bare),
        tuple(lost),
        note,
        time.perf_counter() - t0,
    )


def _params(meta: dict[str, str]) -> tuple[SketchParams, str]:
    """The old index's sketch parameters, or its preset's, or the default preset's."""
    try:
        return SketchParams(**json.loads(meta["sketch_params"])), ""
    except (KeyError, TypeError, ValueError):
        pass
    name = meta.get("preset") if meta.get("preset") in PRESETS else DEFAULT_PRESET
    return PRESETS[name], f"the sketch parameters could not be read: preset {name} was used"


def _fill(tmp, old, params, meta, settings, workers, batch, progress):
    """Add every readable document of ``old`` to a new index at ``tmp``: (ids that came
    back, [(label, why)] lost, ids that came back without their metadata)."""
    from .core import Index

    con = store.connect(tmp, create=True)
    try:
        with store.transaction(con):
            preset = meta.get("preset")
            if preset is None:  # unreadable: the name of a preset with these parameters
                preset = next((n for n, p in PRESETS.items() if p == params), "")
            for key, value in (
                ("sketch_params", json.dumps(params.to_dict(), sort_keys=True)),
                ("preset", preset),
                ("created_by", __version__),
            ):
                con.execute("INSERT OR REPLACE INTO meta VALUES(?, ?)", (key, value))
    finally:
        con.close()
    got: list[str] = []
    lost: list[tuple[str, str]] = []
    bare: list[str] = []
    known = salvage.known_rids(old)
    total = len(known[0])
    done = words = 0
    with Index(tmp, settings=settings) as ix:
        docs = []

        def flush():
            nonlocal done, words
            if not docs:
                return
            res = ix.add(docs, workers=workers)
            got.extend(res.added)
            named = {d.meta.source or d.id: d.id for d in docs}  # how add names a failure
            lost.extend((named.get(src, src), why) for src, why in res.failed)
            done += len(docs)
            words += res.words
            docs.clear()
            if progress is not None:
                progress(done, max(total, done), words)

        for found in salvage.documents(old, known=known):
            if found.doc is None:
                lost.append((found.label, found.problem))
                continue
            if not found.meta_ok:
                bare.append(found.id)
            docs.append(found.doc)
            if len(docs) >= batch:
                flush()
        flush()
        for key, value in meta.items():  # what a corpus fetch could not get
            if key.startswith("not_had:"):
                try:
                    ix.record_not_had(
                        key[len("not_had:") :], [(i, w) for i, w in json.loads(value)]
                    )
                except (TypeError, ValueError):
                    pass
        ix._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all in the file: no WAL to move
    came = set(got)
    return got, lost, [i for i in bare if i in came]


def _free_name(path: Path, tag: str) -> Path:
    """``<name>.<tag>``, or ``<name>.<tag>-2`` … when that (or its WAL) exists."""
    n = 1
    while True:
        cand = path.with_name(f"{path.name}.{tag}" + (f"-{n}" if n > 1 else ""))
        if not any(Path(f"{cand}{s}").exists() for s in ("", "-wal", "-shm", "-journal")):
            return cand
        n += 1


def _swap(path: Path, new: Path) -> Path:
    """Keep ``path`` (and its WAL) as ``<name>.damaged-<timestamp>``, then move ``new`` to
    ``path`` in one step; returns the kept name."""
    kept = _free_name(path, "damaged-" + time.strftime("%Y%m%d-%H%M%S"))
    try:
        os.link(path, kept)  # path stays an index until the replace below
    except OSError:
        os.replace(path, kept)  # no hard links on this file system
    for side in ("-wal", "-shm"):
        if Path(f"{path}{side}").exists():
            os.replace(f"{path}{side}", f"{kept}{side}")
    for side in ("-wal", "-shm"):  # empty after the checkpoint; never paired with the old file
        Path(f"{new}{side}").unlink(missing_ok=True)
    os.replace(new, path)
    return kept


def _remove(path: Path) -> None:
    """Remove a file this rebuild created (and its WAL)."""
    for side in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{side}").unlink(missing_ok=True)
