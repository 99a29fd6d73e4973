"""Candidate pair → every reused passage.

PLACEHOLDER (skeleton): equal blocks of rapidfuzz's Indel opcodes merged into passages.
The alignment work replaces this with seed-and-extend that also finds moved blocks.
"""

from __future__ import annotations

from .model import EditOp, Passage, Tokens
from .settings import DEFAULT, Settings


def align(a: Tokens, b: Tokens, *, settings: Settings = DEFAULT) -> tuple[Passage, ...]:
    from rapidfuzz.distance import Indel

    vocab: dict[str, int] = {}
    ia = [vocab.setdefault(w, len(vocab)) for w in a.words]
    ib = [vocab.setdefault(w, len(vocab)) for w in b.words]
    out = []
    for blk in Indel.opcodes(ia, ib).as_matching_blocks():
        if blk.size >= settings.min_words:
            i, j, n = blk.a, blk.b, blk.size
            out.append(Passage(i, i + n, j, j + n, a.starts[i], a.ends[i + n - 1],
                               b.starts[j], b.ends[j + n - 1], n,
                               (EditOp("equal", i, i + n, j, j + n),), float(n)))
    return tuple(out)
