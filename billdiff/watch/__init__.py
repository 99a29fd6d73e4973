"""Watchdog mode: new bill versions from Open States, a folder or a URL list, checked
against the index once each; the state lives in the index file (``state``)."""

from __future__ import annotations

from .config import EXAMPLE, OpenStatesQuery, WatchConfig, load_config
from .round import RoundResult, run_round
from .state import RoundLock, WatchBusyError

__all__ = [
    "EXAMPLE",
    "OpenStatesQuery",
    "RoundLock",
    "RoundResult",
    "WatchBusyError",
    "WatchConfig",
    "load_config",
    "run_round",
    "rounds",
]


def rounds(db=None, *, last: int = 10) -> list[dict]:
    """The last watch rounds on an index, newest first."""
    from ..index import Index
    from .state import rounds as _rounds

    with Index(db, create=False) as ix:
        return _rounds(ix._con, last)
