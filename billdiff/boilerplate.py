"""How common a phrase is in the corpus; the share of a passage that is boilerplate.

Corpus statistics are document frequencies of word shingles (the index's ``shingle_df``
table: in how many documents, how many distinct bills and which states each shingle occurs;
incremental, no refit). Versions of one bill count once, so a bill with many versions does
not make its own text look common. A shingle is *common* when it occurs in more than
``settings.boilerplate_doc_share`` of the bills (or more than ``boilerplate_sqrt`` times the
square root of their number, whichever is fewer) and in at least
``settings.boilerplate_min_docs`` of them. The boilerplate
share of a passage is the share of its words covered by common shingles; scores are
discounted by it (after Linder et al., who divide an alignment's score by how often its text
recurs in the corpus).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .model import Tokens
from .settings import DEFAULT, Settings


class Boilerplate:
    """``share(tokens, start, end)`` → share of ``tokens.words[start:end]`` that is common text.

    ``lookup(hashes) -> (docs, states)`` answers the document and state counts of shingle
    hashes (int64 array, as stored by the index); ``n_docs`` is the corpus size.
    """

    def __init__(
        self,
        lookup: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
        n_docs: int,
        n_states: int,
        *,
        shingle_words: int,
        df_sample: int = 1,
        classes: bool = False,
        settings: Settings = DEFAULT,
    ):
        self._lookup = lookup
        self.classes = classes
        self.n_docs = n_docs
        self.n_states = n_states
        self.k = shingle_words
        self.df_sample = df_sample
        self.min_docs = max(2, settings.boilerplate_min_docs)
        self.limit = max(
            float(settings.boilerplate_min_docs),
            np.nextafter(
                min(
                    settings.boilerplate_doc_share * n_docs,
                    settings.boilerplate_sqrt * float(np.sqrt(n_docs)),
                ),
                np.inf,
            ),
        )
        self._cache: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    # --- construction --------------------------------------------------------------------------
    @classmethod
    def from_index(cls, index) -> Boilerplate:
        con = index._con
        n_docs = index.bills()
        n_states = con.execute(
            "SELECT count(DISTINCT state) FROM documents WHERE state!=''"
        ).fetchone()[0]

        def lookup(hashes: np.ndarray):
            return index.df_counts(hashes)

        p = index.params
        return cls(
            lookup,
            n_docs,
            n_states,
            shingle_words=p.shingle_words,
            df_sample=p.df_sample,
            classes=bool(p.word_classes),
            settings=index.settings,
        )

    @classmethod
    def from_tokens(
        cls,
        docs: list[Tokens],
        states: list[str] | None = None,
        *,
        shingle_words: int = 4,
        settings: Settings = DEFAULT,
    ) -> Boilerplate:
        """In-memory statistics over a list of documents' tokens (no index needed)."""
        from .index.sketch import doc_shingles_k, sample_shingles

        counts: dict[int, int] = {}
        bits: dict[int, int] = {}
        state_ids: dict[str, int] = {}
        for i, t in enumerate(docs):
            st = (states or [""] * len(docs))[i]
            bit = 0
            if st:
                bit = 1 << min(state_ids.setdefault(st, len(state_ids)), 62)
            sh = doc_shingles_k(t.words, shingle_words, classes=settings.word_classes)
            for h in sample_shingles(sh, 1).tolist():
                counts[h] = counts.get(h, 0) + 1
                bits[h] = bits.get(h, 0) | bit

        def lookup(hashes: np.ndarray):
            hl = hashes.tolist()
            return (
                np.array([counts.get(h, 0) for h in hl], dtype=np.int64),
                popcount([bits.get(h, 0) for h in hl]),
            )

        return cls(
            lookup,
            len(docs),
            len(state_ids),
            shingle_words=shingle_words,
            classes=settings.word_classes,
            settings=settings,
        )

    # --- questions -------------------------------------------------------------------------------
    def _doc(self, tokens: Tokens, ranges=None):
        """(sampled?, doc counts, state counts) of every shingle start, cached per tokens.
        Counts are looked up lazily: only for the shingles starting in ``ranges`` ((start,
        end) word ranges; all shingles when None) that were not looked up before."""
        key = id(tokens)
        hit = self._cache.get(key)
        if hit is not None and hit[0] is tokens:
            hv, keep, looked, docs, states = hit[1]
        else:
            from .index.sketch import doc_shingles_k

            sh = doc_shingles_k(tokens.words, self.k, classes=self.classes)
            hv = (sh >> np.uint64(1)).astype(np.int64)
            if self.df_sample > 1:
                keep = (sh % np.uint64(self.df_sample)) == 0
            else:
                keep = np.ones(len(sh), dtype=bool)
            looked = np.zeros(len(sh), dtype=bool)
            docs = np.zeros(len(sh), dtype=np.int64)
            states = np.zeros(len(sh), dtype=np.int64)
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = (tokens, (hv, keep, looked, docs, states))
        if ranges is None:
            want = ~looked
        else:
            want = np.zeros(len(hv), dtype=bool)
            for lo, hi in ranges:
                want[max(0, lo) : max(0, hi)] = True
            want &= ~looked
        want &= keep
        if want.any():
            d, s = self._lookup(hv[want])
            docs[want], states[want] = d, s
        looked |= want if ranges is not None else True
        return keep, docs, states

    def _net(self, docs: np.ndarray, family, lo: int, hi: int, k: int) -> np.ndarray:
        """Counts of the shingles starting at lo..hi-1, net of the query's family: the family
        bills that contain a shingle (``family``: per word, how many family bills hold it in
        an identical stretch; a shingle is held where all its words are) count as one."""
        d = docs[lo:hi]
        if family is None or hi <= lo:
            return d
        fam = np.asarray(family)  # no dtype: a copy of a whole query's counts per passage
        n = len(fam)
        idx = np.arange(lo, hi)
        held = fam[idx]
        for t in range(1, k):
            held = np.minimum(held, fam[np.minimum(idx + t, n - 1)])
        return np.where(held > 0, np.maximum(d - held.astype(np.int64) + 1, 1), d)

    def _is_common(self, docs, states, family, lo: int, hi: int, k: int) -> np.ndarray:
        """Shingles starting at lo..hi-1 that are common: in at least ``limit`` bills net of
        the query's family, or a *one-state* phrase (a site's banner, a state's standard
        wording) in at least ``min_docs`` bills net of the family and in one state only."""
        net = self._net(docs, family, lo, hi, k)
        if self.n_states < 2:  # a one-state corpus: "one state only" says nothing
            return net >= self.limit
        return (net >= self.limit) | ((net >= self.min_docs) & (states[lo:hi] == 1))

    def common_words(self, tokens: Tokens, ranges, *, family=None) -> np.ndarray:
        """Boolean per word of ``tokens``: inside some common shingle of the document, for
        the words of the (start, end) ``ranges`` (False elsewhere). Unlike ``share`` this does
        not depend on where a passage starts or ends. ``family``: see ``_net``."""
        n = len(tokens.words)
        k = min(self.k, n) or 1
        keep, docs, states = self._doc(tokens, [(max(0, s - k + 1), e) for s, e in ranges])
        starts = np.flatnonzero(keep & self._is_common(docs, states, family, 0, len(docs), k))
        cover = np.zeros(n + 1, dtype=np.int32)
        np.add.at(cover, starts, 1)
        np.subtract.at(cover, np.minimum(starts + k, n), 1)
        return np.cumsum(cover[:n]) > 0

    def prefetch(self, tokens: Tokens, passages) -> None:
        """Look up, in one batch, the counts ``share`` will need for these (start, end) word
        ranges of ``tokens`` (a search asks about many passages of one query)."""
        k = min(self.k, len(tokens.words)) or 1
        self._doc(tokens, [(s, max(s, e - k + 1)) for s, e in passages])

    def common(self, tokens: Tokens) -> np.ndarray:
        """Boolean per shingle start: the shingle is common in the corpus."""
        keep, docs, states = self._doc(tokens)
        return keep & self._is_common(docs, states, None, 0, len(docs), self.k)

    def share(self, tokens: Tokens, start: int, end: int, *, family=None) -> float:
        """Share of the words ``start:end`` covered by common shingles lying inside them
        (counts net of the query's ``family``, see ``_net``)."""
        n = end - start
        if n <= 0:
            return 0.0
        k = min(self.k, len(tokens.words)) or 1
        lo, hi = start, max(start, end - k + 1)  # shingles fully inside the passage
        if hi <= lo:
            return 0.0
        keep, docs, states = self._doc(tokens, [(lo, hi)])
        sampled = keep[lo:hi]
        common = sampled & self._is_common(docs, states, family, lo, hi, k)
        if self.df_sample > 1:  # sampled statistics: share of sampled shingles
            m = int(sampled.sum())
            return float(common.sum()) / m if m else 0.0
        cover = np.zeros(n + 1, dtype=np.int32)
        idx = np.flatnonzero(common)
        cover[idx] += 1
        np.subtract.at(cover, np.minimum(idx + k, n), 1)
        return float((np.cumsum(cover[:n]) > 0).sum()) / n

    def recurrence(self, tokens: Tokens, start: int, end: int) -> float:
        """Mean number of indexed documents the passage's shingles occur in (>= 1)."""
        keep, docs, _ = self._doc(tokens)
        d = docs[start : max(start + 1, end - self.k + 1)][
            keep[start : max(start + 1, end - self.k + 1)]
        ]
        return float(max(1.0, d.mean())) if len(d) else 1.0

    def states_of(self, tokens: Tokens, start: int, end: int) -> int:
        """Most states any shingle of the passage occurs in."""
        _, _, states = self._doc(tokens)
        s = states[start : max(start + 1, end - self.k + 1)]
        return int(s.max()) if len(s) else 0


def popcount(x) -> np.ndarray:
    """Set bits of each int64 (state bit sets), for an array or a list of ints."""
    x = np.asarray(x, dtype=np.int64).view(np.uint64)
    n = np.zeros(x.shape, dtype=np.int64)
    while x.any():
        n += (x & np.uint64(1)).astype(np.int64)
        x = x >> np.uint64(1)
    return n
