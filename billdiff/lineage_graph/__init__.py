"""Lineage: passages + dates → directed, typed, explained edges; families with a root.

``lineage(source, *, settings=DEFAULT, progress=None) -> LineageGraph`` — see
docs/lineage.md for the edge types, how direction is decided and the JSON fields.
"""

from .build import lineage

__all__ = ["lineage"]
