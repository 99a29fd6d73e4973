"""The corpus index: passage-level MinHash/LSH sketches in one SQLite file.

``Index(path)`` opens or creates an index (``default_db_path()`` honours ``BILLDIFF_DB``);
``sketch`` holds the numpy MinHash, ``store`` the SQLite schema, ``presets`` the named
parameter sets.
"""

from __future__ import annotations

from .core import Index, default_db_path
from .presets import DEFAULT_PRESET, PRESETS
from .writer import AddResult

__all__ = ["Index", "AddResult", "default_db_path", "PRESETS", "DEFAULT_PRESET"]
