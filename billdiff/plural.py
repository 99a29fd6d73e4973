"""Counted nouns for messages and reports: ``count(1, "family", "families")`` → '1 family'."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None, *, sep: bool = False) -> str:
    """``n`` and the noun, singular for exactly one; ``sep``: thousands separators."""
    word = noun if n == 1 else (plural or noun + "s")
    return f"{n:,} {word}" if sep else f"{n} {word}"
