"""Word classes for matching: what a state changes when it adopts another state's bill.

A state that adopts a model bill puts in its own name, its legislature's name and its own
citations and section numbers. ``match_keys(words)`` maps such words to a class key, one key
per word (so word offsets, and through them character offsets, are untouched):

* every number ("43", "386", "010", "1798", "2nd") -> ``#``: statute and section numbers;
* a state's name ("washington", "new jersey" -> both words) -> ``@state``;
* a legislature's name ("legislature", "general assembly", "general court", "legislative
  assembly") -> ``@legis``;
* a statute-code abbreviation ("rcw", "crs", "mca", "ilcs", "usc" ...) -> ``@code``.

The keys are used for *matching only*: the aligner aligns the words between two identical runs
by their keys (so they are not edits and do not cut a passage; seeds stay runs of words
identical as written, which is 4x cheaper on citation-dense statute text), and MinHash
shingles, corpus shingle counts and topic vectors are taken over keys. Reports still show the words as written: a passage's edit operations mark
"Washington" against "Colorado" as a replacement, and ``identical_words`` counts only words
that are the same as written.
"""

from __future__ import annotations

import re

from .memo import Memo

NUM = "#"
STATE = "@state"
LEGIS = "@legis"
CODE = "@code"

_STATES_1 = frozenset(
    "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia "
    "hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts "
    "michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon "
    "pennsylvania tennessee texas utah vermont virginia washington wisconsin wyoming".split()
)
# two-word names: first word -> the second words it takes
_STATES_2 = {
    "new": frozenset({"hampshire", "jersey", "mexico", "york"}),
    "north": frozenset({"carolina", "dakota"}),
    "south": frozenset({"carolina", "dakota"}),
    "west": frozenset({"virginia"}),
    "rhode": frozenset({"island"}),
}
_LEGIS_2 = {
    "general": frozenset({"assembly", "court"}),
    "legislative": frozenset({"assembly"}),
}
_CODES = frozenset(
    "rcw wac crs mca ors ilcs usc cfr nrs ksa ocga mcl rsmo hrs tca ncgs ars gs ccr nmsa "
    "mrs mrsa rsa cgs alm".split()
)
_NUMBER = re.compile(r"\d+(?:st|nd|rd|th)?")

_CACHE: list = []  # [(words tuple, keys tuple)], newest first
_CACHE_SIZE = 64  # a search matches one query against dozens of candidates


def word_class(word: str) -> str:
    """The class key of one word seen alone (two-word names need ``match_keys``)."""
    if word in _STATES_1:
        return STATE
    if word == "legislature":
        return LEGIS
    if word in _CODES:
        return CODE
    if word[:1].isdigit() and _NUMBER.fullmatch(word):
        return NUM
    return word


def match_keys(words: tuple[str, ...]) -> tuple[str, ...]:
    """One matching key per word: the word itself, or its class (see the module docstring).
    Cached for the last few word tuples (a search matches one query against many bills)."""
    for w, keys in _CACHE:
        if w is words:
            return keys
    out = keys_of(words)
    _CACHE.insert(0, (words, out))
    del _CACHE[_CACHE_SIZE:]
    return out


def keys_of(words) -> tuple[str, ...]:
    """``match_keys`` without the cache (for short slices)."""
    keys = list(map(_SINGLE.__getitem__, words))  # dict lookups in C; new words: __missing__
    n = len(words)
    for i in _positions(words, _PAIR_FIRST.intersection(words)):
        if i + 1 < n:
            nxt = words[i + 1]
            if nxt in _STATES_2.get(words[i], ()):
                keys[i] = keys[i + 1] = STATE
            elif nxt in _LEGIS_2.get(words[i], ()):
                keys[i] = keys[i + 1] = LEGIS
    return tuple(keys)


_PAIR_FIRST = frozenset(_STATES_2) | frozenset(_LEGIS_2)


def _positions(words, wanted) -> list[int]:
    """Sorted positions of the ``wanted`` words (``list.index`` scans in C: a Python loop
    over every word took half of ``keys_of``'s time)."""
    if not wanted:
        return []
    if not isinstance(words, (list, tuple)):
        words = list(words)
    out = []
    for w in wanted:
        i = -1
        try:
            while True:
                i = words.index(w, i + 1)
                out.append(i)
        except ValueError:
            pass
    out.sort()
    return out


_SINGLE = Memo(word_class, 1 << 20)
