"""A bounded memo for per-word functions, looked up from C (``map(memo.__getitem__, words)``)."""

from __future__ import annotations

from collections.abc import Callable


class Memo(dict):
    """key -> ``fn(key)``; a miss computes the value and keeps it while the memo holds fewer
    than ``limit`` keys (a cache only: the values never depend on it)."""

    def __init__(self, fn: Callable, limit: int):
        super().__init__()
        self.fn = fn
        self.limit = limit

    def __missing__(self, key):
        value = self.fn(key)
        if len(self) < self.limit:
            self[key] = value
        return value
