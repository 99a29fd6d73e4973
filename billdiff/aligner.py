"""Candidate pair → every reused passage, with word-level edit operations.

Seed, chain, verify:

1. **Seeds.** Words become integers; every exact run of at least ``settings.seed_words``
   words that A and B share is found through a dictionary of word n-grams (all of them:
   repeated text gives one run per occurrence pair).
2. **Chains.** Runs that follow each other on nearby diagonals — a few substituted, inserted
   or deleted words between them (step 3 enforces ``settings.max_gap``) — are chained by
   dynamic programming (score = words matched minus words skipped). A block
   moved far away lies on another diagonal, so it forms a chain of its own instead of being
   swallowed by the main one; a block present twice on one side yields two chains.
3. **Passages.** The words between the runs of a chain are aligned — by their matching keys
   (``billdiff/classes.py``: a state's name, legislature, code abbreviation and numbers as
   classes) when ``settings.word_classes`` — with rapidfuzz's Indel
   opcodes (longest common subsequence on tiny slices; a stretch of deleted and inserted words
   becomes one ``replace``), giving ``EditOp``s with absolute word indexes that tile the
   passage on both sides. A chain is cut where more than ``settings.max_gap`` words on either
   side are edited; a passage whose share of identical words is below
   ``settings.min_identity`` is split at its largest edit; pieces shorter than
   ``settings.min_words`` (on either side) are dropped, and so is a passage whose words larger
   passages already cover on both sides. Words equal only by class become one-word
   ``replace`` ops (reports show the words as written; ``Passage.class_words`` counts them),
   and a passage must still be ``min_identity`` identical as written.

Deterministic, and symmetric: ties are broken by keys that treat A and B alike, so
``align(b, a)`` mirrors ``align(a, b)``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import replace
from itertools import repeat

from .classes import keys_of, match_keys
from .model import EditOp, Passage, Tokens
from .settings import DEFAULT, Settings
from .stock import stock_phrase

# An n-gram found on both sides so often that count_a * count_b exceeds this is paired by
# rank, not every occurrence with every other: guards against quadratic blow-up on
# degenerate text ("the the the ...", long tables) and keeps its colinear matches.
_MAX_PAIRS_PER_GRAM = 4096
# Longest passage that is checked for being made of stock phrases only.
_STOCK_MAX_WORDS = 200


def exact_runs(ia: list[int], ib: list[int], k: int) -> list[tuple[int, int, int]]:
    """Every maximal exact run ``(i, j, length)`` with length >= k, sorted by (i, j).

    A shared k-gram at (i, j) starts a run when the words before it differ
    (``ia[i-1] != ib[j-1]``); the run is then extended word by word in chunks. Most k-grams
    occur once in A, so the lookups are done by ``map``/comprehensions, not a Python loop.
    A k-gram so frequent on both sides that pairing every occurrence would be quadratic
    ("crowded": degenerate text, long lists) pairs its occurrences by rank instead (the r-th
    in B with the proportional one in A and its neighbours), which keeps colinear text.
    """
    if len(ia) < k or len(ib) < k:
        return []
    return _exact_runs(_ASide(ia, k), ib, k)


class _ASide:
    """What exact_runs needs of side A alone: its k-grams, where each occurs, which repeat.
    Built once per A (a search aligns one query against many candidates).

    ``codes`` (A's k-gram codes, sorted) prefilter B's k-grams with numpy. They pay only when
    one A meets many B's, so they are built on A's second use: a two-bill compare never
    imports numpy (60 ms of its start-up), a search builds them once for all its candidates.
    """

    def __init__(self, ia: list[int], k: int):
        self.ia, self.k, self.uses, self.codes = ia, k, 0, None
        # k-grams as tuples; zip stops at the shortest slice (the last full k-gram)
        self.ga = ga = list(zip(*(ia[t:] for t in range(k)), strict=False))
        self.last = dict(zip(ga, range(len(ga)), strict=True))  # k-gram -> last position in A
        self.count_a = count_a = Counter(ga)
        self.multi = multi = {g for g, c in count_a.items() if c > 1}
        self.pos: dict[tuple, list[int]] = {}
        if multi:
            for i in [i for i, g in enumerate(ga) if g in multi]:
                self.pos.setdefault(ga[i], []).append(i)

    def shared_starts(self, ib: list[int]) -> list[int]:
        """Positions j of B whose k-gram A may have (a superset; the caller looks each up)."""
        k = self.k
        self.uses += 1
        if self.uses == 1:  # one pair: B's k-grams as tuples, looked up directly
            last, grams = self.last, zip(*(ib[t:] for t in range(k)), strict=False)
            return [j for j, g in enumerate(grams) if g in last]
        import numpy as np

        if self.codes is None:
            self.codes = np.sort(_gram_codes(self.ia, k))
        hb, ca = _gram_codes(ib, k), self.codes
        at = np.minimum(np.searchsorted(ca, hb), len(ca) - 1)  # sorted A codes: no sort of B
        return np.flatnonzero(ca[at] == hb).tolist()


def _gram_codes(ids: list[int], k: int):
    """A 64-bit code per k-gram of ``ids`` (wrapping multiply-add), as a numpy array: equal
    k-grams get equal codes, so a k-gram whose code A lacks is not in A. Codes only filter;
    the k-grams themselves are compared, so a collision costs a lookup, never a wrong run."""
    import numpy as np

    x = np.array(ids, dtype=np.int64).astype(np.uint64)
    n = len(x) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = x[:n].copy()
        for t in range(1, k):
            h = h * np.uint64(0x9E3779B97F4A7C15) + x[t : t + n]
    return h


_A_CACHE: list = []  # [(words tuple, k, vocab, _ASide)], newest first, a few entries


def _a_side(words: tuple[str, ...], k: int):
    """A's vocabulary and k-gram tables, cached by the identity of A's words tuple (a search
    aligns one query against many candidates)."""
    for w, kk, vocab, side in _A_CACHE:
        if w is words and kk == k:
            return vocab, side
    vocab: dict[str, int] = {}
    ia = [vocab.setdefault(w, len(vocab)) for w in words]
    side = _ASide(ia, k)
    _A_CACHE.insert(0, (words, k, vocab, side))
    del _A_CACHE[4:]
    return vocab, side


class _KeyIds:
    """B's matching-key ids, computed per slice: only the words between two runs of a chain
    are ever looked at (most of B is not, and computing all of B's keys for every candidate
    of a search cost as much as the alignment)."""

    __slots__ = ("words", "vocab")

    def __init__(self, words: tuple[str, ...], vocab: dict[str, int]):
        self.words, self.vocab = words, vocab

    def __getitem__(self, sl: slice) -> list[int]:
        get = self.vocab.get
        return [get(k, -1) for k in keys_of(self.words[sl])]


_K_CACHE: list = []  # [(words tuple, key vocab, key ids)], newest first, a few entries


def _a_keys(words: tuple[str, ...]):
    """A's matching keys (billdiff/classes.py) as ids, with their vocabulary; cached as
    ``_a_side`` is."""
    for w, vocab, ids in _K_CACHE:
        if w is words:
            return vocab, ids
    vocab: dict[str, int] = {}
    ids = [vocab.setdefault(k, len(vocab)) for k in match_keys(words)]
    _K_CACHE.insert(0, (words, vocab, ids))
    del _K_CACHE[4:]
    return vocab, ids


def _exact_runs(side: _ASide, ib: list[int], k: int) -> list[tuple[int, int, int]]:
    ia = side.ia
    na, nb = len(ia), len(ib)
    if na < k or nb < k:
        return []
    last, count_a, multi = side.last, side.count_a, side.multi
    # only B's k-grams that A may have can be shared (most of B, for most candidates, is not):
    # the tuples are built and looked up for those positions only
    js = side.shared_starts(ib)
    gb = {j: tuple(ib[j : j + k]) for j in js}
    starts: list[tuple[int, int]] = []
    if multi:
        count_b = Counter(g for g in gb.values() if g in multi)
        pos = side.pos
        crowded = {g for g in count_b if count_a[g] * count_b[g] > _MAX_PAIRS_PER_GRAM}
        rank: dict[tuple, int] = {}
        for j in [j for j in js if gb[j] in multi]:
            g = gb[j]
            pa = pos[g]
            if g in crowded:
                r = rank[g] = rank.get(g, -1) + 1
                c = r * (len(pa) - 1) // max(count_b[g] - 1, 1)
                starts += [(pa[t], j) for t in range(max(c - 1, 0), min(c + 2, len(pa)))]
            elif j > 0 and gb.get(j - 1) in crowded:
                starts += [(i, j) for i in pa]
            else:
                starts += [(i, j) for i in pa if i == 0 or j == 0 or ia[i - 1] != ib[j - 1]]
    for j in js:
        g = gb[j]
        i = last.get(g)
        if i is not None and (i == 0 or j == 0 or ia[i - 1] != ib[j - 1]) and g not in multi:
            starts.append((i, j))
    runs = []
    run_end: dict[int, int] = {}  # diagonal j - i -> end (in A) of the last run found on it
    for i, j in sorted(starts, key=lambda s: (s[1], s[0])):
        d = j - i
        if i < run_end.get(d, -1):
            continue  # inside a run already found
        while i and j and ia[i - 1] == ib[j - 1]:  # only for seeds of crowded k-grams
            i, j = i - 1, j - 1
        n, step = k, 16
        while step:  # gallop in chunks of 16 words, then halve the chunk down to 1
            if (
                ia[i + n : i + n + step] == ib[j + n : j + n + step]
                and i + n + step <= na
                and j + n + step <= nb
            ):
                n += step
            elif (
                step == 16
                and ia[i + n : i + n + 1] == ib[j + n : j + n + 1]
                and i + n < na
                and j + n < nb
            ):
                step = 8
            else:
                step = step // 2 if step < 16 else 0
        runs.append((i, j, n))
        run_end[d] = i + n
    runs.sort()
    return runs


def _chains(runs: list[tuple[int, int, int]], max_gap: int) -> list[list[int]]:
    """Chain runs by dynamic programming; returns chains (lists of run indexes, in order)."""
    n = len(runs)
    if not n:
        return []
    order = sorted(range(n), key=lambda r: (runs[r][0] + runs[r][2], runs[r][0], runs[r][1]))
    ends = [runs[r][0] + runs[r][2] for r in order]
    score = [0.0] * n
    prev = [-1] * n
    # ties are broken by a key that treats A and B alike, so that swapping the documents
    # mirrors the result; a predecessor has a smaller i + j, so it is final when used
    sym = [(i + j, abs(i - j), i) for i, j, _ in runs]
    for r in sorted(range(n), key=sym.__getitem__):
        i, j, ln = runs[r]
        best, arg = 0.0, -1
        lo = bisect_left(ends, i - max_gap)
        hi = bisect_right(ends, i + max_gap)
        for t in range(lo, hi):
            p = order[t]
            pi, pj, pl = runs[p]
            if pi >= i or pj >= j:
                continue
            ga, gb = i - (pi + pl), j - (pj + pl)
            if ga > max_gap or gb > max_gap or ga < -max_gap or gb < -max_gap:
                continue
            overlap = max(0, -ga, -gb)
            if overlap >= ln:
                continue
            # words left unmatched between the runs, and words of this run already counted
            cand = score[p] - max(ga, gb, 0) - overlap
            if cand > best or (cand == best and arg >= 0 and sym[p] < sym[arg]):
                best, arg = cand, p
        score[r] = ln + best
        prev[r] = arg if best > 0 else -1
    used = [False] * n
    out = []
    for r in sorted(range(n), key=lambda r: (-score[r], sym[r])):
        if used[r]:
            continue
        chain = []
        t = r
        while t >= 0 and not used[t]:
            used[t] = True
            chain.append(t)
            t = prev[t]
        chain.reverse()
        out.append(chain)
    return out


def _gap_ops(x: list[int], y: list[int]) -> list[tuple[str, int, int, int, int]]:
    """Word opcodes for the words between two runs: rapidfuzz's Indel (longest common
    subsequence, so the most identical words, the same count whichever side is A), with each
    stretch of deleted and inserted words between two identical ones merged into one
    'replace' (or a lone 'delete' / 'insert')."""
    from rapidfuzz.distance import Indel

    out: list[tuple[str, int, int, int, int]] = []
    for o in Indel.opcodes(x, y):
        tag, a0, a1, b0, b1 = o.tag, o.src_start, o.src_end, o.dest_start, o.dest_end
        if tag != "equal" and out and out[-1][0] != "equal":
            _, a0, _, b0, _ = out.pop()
        if tag != "equal":
            tag = "replace" if a1 > a0 and b1 > b0 else ("delete" if a1 > a0 else "insert")
        out.append((tag, a0, a1, b0, b1))
    return out


def _chain_ops(chain: list[tuple[int, int, int]], ia, ib, max_gap: int) -> list[list[EditOp]]:
    """Edit operations tiling a chain of runs (absolute word indexes). The chain is cut where
    the words between two runs hold more than ``max_gap`` edited words on either side."""
    pieces: list[list[EditOp]] = []
    ops: list[EditOp] = []

    def add(tag, a0, a1, b0, b1):
        if a0 == a1 and b0 == b1:
            return
        if ops and ops[-1].tag == tag and ops[-1].a_end == a0 and ops[-1].b_end == b0:
            last = ops.pop()
            a0, b0 = last.a_start, last.b_start
        ops.append(EditOp(tag, a0, a1, b0, b1))

    ae = be = None
    for i, j, ln in chain:
        if ae is not None:
            cut = max(0, ae - i, be - j)  # overlap with the previous run: trim this one
            i, j, ln = i + cut, j + cut, ln - cut
            if i > ae or j > be:
                if i == ae:
                    gap = [("insert", 0, 0, 0, j - be)]
                elif j == be:
                    gap = [("delete", 0, i - ae, 0, 0)]
                else:
                    gap = _gap_ops(ia[ae:i], ib[be:j])
                edited_a = sum(a1 - a0 for t, a0, a1, _, _ in gap if t != "equal")
                edited_b = sum(b1 - b0 for t, _, _, b0, b1 in gap if t != "equal")
                if edited_a > max_gap or edited_b > max_gap:
                    pieces.append(ops)
                    ops = []
                else:
                    for t, a0, a1, b0, b1 in gap:
                        add(t, ae + a0, ae + a1, be + b0, be + b1)
        add("equal", i, i + ln, j, j + ln)
        ae, be = i + ln, j + ln
    pieces.append(ops)
    return pieces


def _identical(ops: list[EditOp]) -> int:
    return sum(o.a_end - o.a_start for o in ops if o.tag == "equal")


def _split(ops: list[EditOp], s: Settings) -> list[list[EditOp]]:
    """Split at the largest gap until identity is high enough; drop short pieces."""
    while ops and ops[0].tag != "equal":
        ops = ops[1:]
    while ops and ops[-1].tag != "equal":
        ops = ops[:-1]
    if not ops:
        return []
    aw = ops[-1].a_end - ops[0].a_start
    bw = ops[-1].b_end - ops[0].b_start
    if min(aw, bw) < s.min_words:  # at least min_words on both sides
        return []
    if _identical(ops) >= s.min_identity * max(aw, bw):
        return [ops]
    _, neg_k = max(
        (max(o.a_end - o.a_start, o.b_end - o.b_start), -k)
        for k, o in enumerate(ops)
        if o.tag != "equal"
    )
    k = -neg_k  # the largest gap, the first one on a tie
    return _split(ops[:k], s) + _split(ops[k + 1 :], s)


def _surface(ops: list[EditOp], wa, wb) -> tuple[list[EditOp], int]:
    """Split 'equal' ops (equal by matching key) where the words as written differ into
    'replace' ops one word wide ("washington" / "colorado"): reports show the words, and
    ``identical_words`` counts only words that are the same as written. Also returns how
    many words were equal by class only."""
    out: list[EditOp] = []
    by_class = 0
    for o in ops:
        if o.tag != "equal" or wa[o.a_start : o.a_end] == wb[o.b_start : o.b_end]:
            out.append(o)
            continue
        d = o.b_start - o.a_start
        run_start, run_same = o.a_start, True
        for i in range(o.a_start, o.a_end + 1):
            same = i < o.a_end and wa[i] == wb[i + d]
            if i == o.a_end or same != run_same:
                if i > run_start:
                    tag = "equal" if run_same else "replace"
                    if not run_same:
                        by_class += i - run_start
                    out.append(EditOp(tag, run_start, i, run_start + d, i + d))
                run_start, run_same = i, same
    return out, by_class


def _passage(ops: list[EditOp], a: Tokens, b: Tokens, s: Settings) -> Passage | None:
    """The passage of these ops, or None when, with the words as written, it is shorter than
    ``s.min_words`` or its identical words are below ``s.min_identity``: matching keys chain
    an adoption's edited text, but a passage must still be mostly the same words."""
    ops, by_class = _surface(ops, a.words, b.words)
    # a passage starts and ends with identical words: class matches at its ends are trimmed
    while ops and ops[0].tag != "equal":
        o = ops.pop(0)
        by_class -= o.a_end - o.a_start
    while ops and ops[-1].tag != "equal":
        o = ops.pop()
        by_class -= o.a_end - o.a_start
    if not ops:
        return None
    a0, a1, b0, b1 = ops[0].a_start, ops[-1].a_end, ops[0].b_start, ops[-1].b_end
    if min(a1 - a0, b1 - b0) < s.min_words:
        return None
    if _identical(ops) < s.min_identity * max(a1 - a0, b1 - b0):
        return None
    same = _identical(ops)
    edits = sum(max(o.a_end - o.a_start, o.b_end - o.b_start) for o in ops if o.tag != "equal")
    return Passage(
        a0,
        a1,
        b0,
        b1,
        a.starts[a0],
        a.ends[a1 - 1],
        b.starts[b0],
        b.ends[b1 - 1],
        identical_words=same,
        ops=tuple(ops),
        score=float(same - edits),
        class_words=by_class,
    )


def _with_stock(p: Passage, a: Tokens, b: Tokens) -> Passage:
    stock = _stock(a.words[p.a_start : p.a_end], b.words[p.b_start : p.b_end])
    return replace(p, stock_phrase=stock) if stock else p


def _stock(wa, wb) -> str:
    # a stock passage is a few stock phrases in a row: long passages are substantive
    if min(len(wa), len(wb)) > _STOCK_MAX_WORDS:
        return ""
    return stock_phrase(wa) or (stock_phrase(wb) if wb != wa else "")


def align(a: Tokens, b: Tokens, *, settings: Settings = DEFAULT) -> tuple[Passage, ...]:
    """Every passage of at least ``settings.min_words`` words shared by A and B.

    Sorted by (a_start, b_start). Word offsets index ``a.words`` / ``b.words``; character
    offsets index the documents' text.
    """
    s = settings
    # words of B that A lacks all get id -1: only A-B comparisons are ever made, and no word
    # of A has that id (A's vocabulary and k-grams are built once per A: see _a_side)
    vocab, side = _a_side(a.words, s.seed_words)
    ia = side.ia
    ib = list(map(vocab.get, b.words, repeat(-1)))  # dict.get(w, -1) called from C
    runs = _exact_runs(side, ib, s.seed_words)
    if s.word_classes:
        # seeds are runs of words identical as written (class keys would seed every "RCW
        # 43.21C.030"-like run against every other: 4x the work on statute text); the words
        # between two runs are aligned by matching keys, so a state's own name, citations
        # and numbers are not edits and do not cut a passage
        kvocab, ia = _a_keys(a.words)
        ib = _KeyIds(b.words, kvocab)
    found: list[Passage] = []
    # runs are chained across up to max_gap edited words plus the seed_words - 1 identical
    # words on each side of an edit that no seed covers; _chain_ops then cuts the chain
    # where the words between two runs really hold more than max_gap edits
    reach = s.max_gap + 2 * (s.seed_words - 1)
    for chain in _chains(runs, reach):
        for piece in _chain_ops([runs[r] for r in chain], ia, ib, s.max_gap):  # key ids
            for ops in _split(piece, s):
                p = _passage(ops, a, b, s)
                if p is not None:
                    found.append(p)
    return tuple(_with_stock(p, a, b) for p in _explained_away(found, len(a), len(b)))


def _explained_away(found: list[Passage], n_a: int, n_b: int) -> tuple[Passage, ...]:
    """Drop a passage when larger passages already cover ALL of its words on BOTH sides.

    A phrase repeated in both bills otherwise matches every occurrence with every other
    (k x k passages) although the colinear passages already explain each occurrence. A block
    present twice on one side still matches twice: its second copy is covered by nothing
    else. No word covered by some passage stops being covered.
    """
    found.sort(
        key=lambda p: (
            -(p.a_words + p.b_words),
            -p.identical_words,
            p.a_start + p.b_start,
            abs(p.a_start - p.b_start),
            p.a_start,
        )
    )
    cov_a, cov_b = bytearray(n_a), bytearray(n_b)
    kept: list[Passage] = []
    for p in found:
        if cov_a.find(0, p.a_start, p.a_end) < 0 and cov_b.find(0, p.b_start, p.b_end) < 0:
            continue
        kept.append(p)
        cov_a[p.a_start : p.a_end] = b"\x01" * p.a_words
        cov_b[p.b_start : p.b_end] = b"\x01" * p.b_words
    kept.sort(key=lambda p: (p.a_start, p.b_start, p.a_end, p.b_end))
    return tuple(kept)


def coverage(passages, n_a: int, n_b: int) -> tuple[float, float]:
    """Share of A's and of B's words inside the union of the passages."""
    return (
        _union((p.a_start, p.a_end) for p in passages) / n_a if n_a else 0.0,
        _union((p.b_start, p.b_end) for p in passages) / n_b if n_b else 0.0,
    )


def _union(spans) -> int:
    total, end = 0, -1
    for s, e in sorted(spans):
        if e <= end:
            continue
        total += e - max(s, end)
        end = e
    return total
