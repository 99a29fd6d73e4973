"""Topic vectors: a second shortlist, by tf-idf cosine, for bills that share a topic but
little verbatim text (an adoption rewritten in places, a bill that took a few sections).

Each indexed document keeps its ``TOP_TERMS`` most frequent content terms (matching keys of
``billdiff.classes``, not stop words, not classes such as numbers or state names), weighted by
sublinear term frequency (1 + log tf) and scaled to unit length. The index stores them as
postings ``(term, rid, weight)``. A search scores the documents sharing the query's terms by
``sum(idf(t)^2 * w_query(t) * w_doc(t))`` — a tf-idf dot product with the idf taken at query time
from the postings (so it follows every add and remove without a refit) — over the terms held
by few enough documents, scaled so that the query's own vector scores 1.0 (``scores``). Pure
functions: the index does the storing.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .memo import Memo

TOP_TERMS = 64

# function words and words every bill carries: they say nothing of a bill's topic
STOP = frozenset(
    """a about above after against all also an and any are as at be because been before being
    below between both but by can could did do does each either for from further had has have
    having he her here hers him his how if in into is it its itself may more most must no nor
    not of off on once only or other otherwise our out over own per same shall she should so
    some such than that the their them then there these they this those through to under until
    upon us was we were what when where whether which while who whom why will with within
    without would you your act bill section sections subsection chapter title code rcw sec
    new following provided provide provides person persons include includes including means
    mean apply applies use used any made make under state laws law""".split()
)


def _is_term(key: str) -> bool:
    return len(key) >= 3 and key[0].isalpha() and key not in STOP


_TERM = Memo(_is_term, 1 << 20)


def term_vector(words, *, top: int = TOP_TERMS) -> tuple[np.ndarray, np.ndarray]:
    """(term hashes int64, weights float32) of a document's ``top`` most frequent content
    terms, unit length; ties broken by the term itself, so the same words give the same
    vector."""
    from .classes import match_keys
    from .index.sketch import word_hashes

    counts = Counter(match_keys(tuple(words)))  # counted in C
    cand = list(filter(_TERM.__getitem__, counts))  # content terms, tested once per key
    cvals = list(map(counts.__getitem__, cand))
    if len(cand) > top:  # only the terms at least as frequent as the top-th go to the sort
        keep = np.flatnonzero(np.array(cvals) >= sorted(cvals)[-top]).tolist()
        cand, cvals = [cand[i] for i in keep], [cvals[i] for i in keep]
    # most frequent first, ties by the term (so the same words give the same vector)
    ranked = sorted(zip([-c for c in cvals], cand, strict=True))[:top]
    best = [(k, -neg) for neg, k in ranked]
    if not best:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    terms = (word_hashes([t for t, _ in best]) >> np.uint64(1)).astype(np.int64)
    w = np.array([1.0 + math.log(c) for _, c in best], dtype=np.float64)
    w /= np.linalg.norm(w)
    return terms, w.astype(np.float32)


def scores(
    q_terms: np.ndarray,
    q_weights: np.ndarray,
    postings: dict[int, tuple[np.ndarray, np.ndarray]],
    df: dict[int, int],
    n_docs: int,
) -> dict[int, float]:
    """rid -> topic similarity with the query, over the terms whose ``postings`` (rids,
    weights) were looked up (``df``: documents holding each term):
    ``sum(idf(t)^2 * w_q(t) * w_d(t)) / sum(idf(t)^2 * w_q(t)^2)``, the tf-idf dot product
    scaled so that a document with the query's own topic vector scores 1.0."""
    qt, qw = q_terms.tolist(), q_weights.tolist()
    idf2 = {}
    for t in qt:
        if t in postings:
            idf2[t] = (math.log((1 + n_docs) / (1 + df.get(t, 0))) + 1.0) ** 2
    self_score = sum(w * w * idf2[t] for t, w in zip(qt, qw, strict=True) if t in idf2)
    if not self_score:
        return {}
    acc: dict[int, float] = {}
    for t, w_q in zip(qt, qw, strict=True):
        if t not in postings:
            continue
        rids, ws = postings[t]
        f = w_q * idf2[t] / self_score
        for r, w in zip(rids.tolist(), ws.tolist(), strict=True):
            acc[r] = acc.get(r, 0.0) + f * w
    return acc
