"""The corpus index: passage-level MinHash/LSH sketches in one SQLite file.

``Index(path)`` opens or creates an index (``default_db_path()`` honours ``BILLDIFF_DB``);
``sketch`` holds the numpy MinHash, ``store`` the SQLite schema, ``presets`` the named
parameter sets. ``check(path)`` says whether an index file is sound; ``rebuild(path)`` makes a
new one from the texts a damaged file still holds (``salvage`` reads them).
"""

from __future__ import annotations

from .check import CheckResult, check
from .core import Index, default_db_path
from .presets import DEFAULT_PRESET, PRESETS
from .rebuild import RebuildResult, rebuild
from .writer import AddResult

__all__ = [
    "Index",
    "AddResult",
    "default_db_path",
    "PRESETS",
    "DEFAULT_PRESET",
    "check",
    "CheckResult",
    "rebuild",
    "RebuildResult",
]
