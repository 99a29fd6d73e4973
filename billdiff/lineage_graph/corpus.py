"""The documents lineage works on, their candidate pairs and a boilerplate model.

Two kinds of source:

* an ``Index`` (anything with ``list``/``get``/``tokens``/``candidate_pairs``/``boilerplate``):
  its LSH candidates and its corpus-frequency boilerplate model are used as they are;
* a list of Documents (or paths): candidates are the pairs that share a word 8-gram that is
  not common (see ``max_df``), found with hashed 8-grams in numpy; the
  boilerplate model counts, for each 5-word shingle, how many *bills* (all versions of one
  bill count once) contain it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import InputError
from ..model import Document, Tokens
from ..settings import Settings
from .bills import BillInfo, bill_info

CANDIDATE_GRAM = 8  # words per hashed gram used to find candidate pairs
SMALL = 200  # documents; up to this many, every shared gram makes a candidate pair
MAX_DF = 200  # above SMALL, a gram in more documents than this is never a lineage clue
SAMPLE_ABOVE = 2000  # documents; above this only 1 gram in 4 is kept (hash-sampled)


def max_df(n: int, settings: Settings) -> int:
    """Grams in more documents than this are common text (not candidates): all grams count
    in small corpora; above SMALL documents the boilerplate share decides (at least 20
    documents, at most MAX_DF)."""
    if n <= SMALL:
        return n
    return min(MAX_DF, max(20, int(settings.boilerplate_doc_share * n)))


@dataclass
class Corpus:
    """Documents (sorted by id) with their tokens and parsed bill facts."""

    docs: list[Document]
    tokens: list[Tokens]
    info: list[BillInfo]
    index: dict[str, int] = field(default_factory=dict)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, why): not read

    def __post_init__(self) -> None:
        self.index = {d.id: i for i, d in enumerate(self.docs)}

    def group_of(self, i: int) -> object:
        """Documents of one bill share a group; a document without bill facts is alone."""
        return self.info[i].key or ("doc", self.docs[i].id)


_PREFERRED = (".htm", ".html", ".txt", ".pdf")  # one file per stem, in this order


def expand_paths(paths) -> list[str]:
    """Files to read: folders become their bill files, one per stem (.htm before .txt …)."""
    from pathlib import Path

    out: list[str] = []
    for p in paths:
        path = Path(p)
        if not path.is_dir():
            out.append(str(p))
            continue
        by_stem: dict[str, Path] = {}
        for f in sorted(path.iterdir()):
            if f.suffix.lower() in _PREFERRED:
                cur = by_stem.get(f.stem)
                if cur is None or (
                    _PREFERRED.index(f.suffix.lower()) < _PREFERRED.index(cur.suffix.lower())
                ):
                    by_stem[f.stem] = f
        if not by_stem:
            raise InputError(
                "the folder holds no .htm, .html, .txt or .pdf file",
                path=str(p),
                hint="point at a folder of bills",
            )
        out.extend(str(by_stem[k]) for k in sorted(by_stem))
    return out


def _read_each(paths: list[str], docs: list[Document]) -> list[tuple[str, str]]:
    """Read ``paths`` into ``docs``; a file that cannot be read is one (file, why) and the rest
    go on (issue 9). Nothing read at all is the first file's error."""
    from ..errors import BilldiffError
    from ..ingest import read

    failed: list[tuple[str, str]] = []
    first: BilldiffError | None = None
    for p in paths:
        try:
            docs.append(read(p))
        except BilldiffError as err:
            first = first or err
            failed.append((_label(p), str(err)))  # as the Spark engine lists them
    if first is not None and not docs:
        raise first
    return failed


def _label(path) -> str:
    """The id a file would have had: its stem, control characters escaped."""
    import os

    from ..errors import shown

    return shown(os.path.splitext(os.path.basename(path))[0])


def check_ids(metas) -> None:
    """Every document has an id, and no two the same (both engines check their inputs)."""
    seen: set[str] = set()
    for m in metas:
        if not m.id:
            raise InputError(
                "a document has no id",
                path=m.source or None,
                hint="give every document an id (the file stem is the default)",
            )
        if m.id in seen:
            raise InputError(
                f"two documents have the id {m.id!r}",
                hint="give each document a distinct id, or drop the duplicate",
            )
        seen.add(m.id)


def _is_index(source) -> bool:
    return all(hasattr(source, a) for a in ("candidate_pairs", "boilerplate", "list", "get"))


def load(source, *, settings: Settings) -> tuple[Corpus, set[tuple[int, int]] | None, object]:
    """(corpus, candidate pairs from the index or None, the index's boilerplate model or None)."""
    from ..normalize import tokenize

    if _is_index(source):
        ids = sorted(m.id for m in source.list())
        docs = [source.get(i) for i in ids]
        toks = [source.tokens(i) for i in ids]
    else:
        import os

        items = [source] if isinstance(source, (str, os.PathLike, Document)) else list(source)
        paths = expand_paths([x for x in items if not isinstance(x, Document)])
        docs = [x for x in items if isinstance(x, Document)]
        failed = _read_each(paths, docs)
        docs.sort(key=lambda d: d.id)
        toks = [tokenize(d, keep_deleted=settings.keep_deleted) for d in docs]
    check_ids(d.meta for d in docs)
    corpus = Corpus(docs, toks, [bill_info(d.meta) for d in docs])
    if not _is_index(source):
        corpus.failed = failed
        return corpus, None, None
    pairs = set()
    for a, b, _est in source.candidate_pairs():
        ia, ib = corpus.index.get(a), corpus.index.get(b)
        if ia is not None and ib is not None and ia != ib:
            pairs.add((min(ia, ib), max(ia, ib)))
    return corpus, pairs, source.boilerplate()


# --- hashing -----------------------------------------------------------------------------------


def word_hash(word: str) -> int:
    """A word's 64-bit id: the same in every process and on every machine (a gram's hash
    must not depend on which documents one process happened to see first)."""
    import hashlib

    digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def word_ids(tokens, cache: dict | None = None):
    """Each document's words as an array of ``word_hash`` ids (``cache``: word → id)."""
    import numpy as np

    cache = {} if cache is None else cache
    out = []
    for t in tokens:
        ws = t.words
        ids = [cache.get(w) for w in ws]
        for x, w in enumerate(ws):
            if ids[x] is None:
                ids[x] = cache.setdefault(w, word_hash(w))
        out.append(np.array(ids, dtype=np.uint64))
    return out


def _word_ids(corpus: Corpus):
    return word_ids(corpus.tokens)


def _gram_hashes(ids, k: int):
    """64-bit hash of every k-word gram (position i = words i..i+k-1)."""
    import numpy as np

    n = len(ids) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * np.uint64(1099511628211) + ids[j : j + n] + np.uint64(1)
        h ^= h >> np.uint64(31)
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
    return h


def sample_step(n: int) -> int:
    """1 gram in this many is kept (by hash) in a corpus of ``n`` documents."""
    return 4 if n > SAMPLE_ABOVE else 1


def grams_needed(n: int, settings: Settings) -> int:
    """Grams a pair must share to be a candidate: any in small corpora (so that
    boilerplate-only and short quoted-law edges are found); in large ones enough for
    min_shared_words of text."""
    step = sample_step(n)
    if n <= SMALL:
        return 1
    return max(1, (settings.min_shared_words - CANDIDATE_GRAM + 1) // (2 * step))


def doc_grams(ids, n: int):
    """A document's distinct candidate-gram hashes (sampled as ``sample_step(n)`` says)."""
    import numpy as np

    step = sample_step(n)
    h = np.unique(_gram_hashes(ids, CANDIDATE_GRAM))
    if step > 1:
        h = h[(h % np.uint64(step)) == 0]
    return h


def same_bill_pairs(info: list[BillInfo]) -> set[tuple[int, int]]:
    """Every pair of versions of one bill (compared whatever the grams say)."""
    by_bill: dict[object, list[int]] = {}
    for i, inf in enumerate(info):
        if inf.key:
            by_bill.setdefault(inf.key, []).append(i)
    return {(x, y) for ms in by_bill.values() for x in ms for y in ms if x < y}


def candidate_pairs(corpus: Corpus, ids=None, *, settings: Settings) -> set[tuple[int, int]]:
    """Pairs of documents sharing an uncommon word 8-gram (plus all versions of one bill).

    A gram in 2..``max_df`` documents makes each pair of them share one gram; a pair
    sharing ``grams_needed`` grams is a candidate. (The Spark engine groups the same
    ``doc_grams`` with the same limits, billdiff/spark/lineage.py.)"""
    import numpy as np

    ids = ids if ids is not None else _word_ids(corpus)
    n = len(corpus.docs)
    need = grams_needed(n, settings)
    hs, ds = [], []
    for i, w in enumerate(ids):
        h = doc_grams(w, n)
        hs.append(h)
        ds.append(np.full(len(h), i, dtype=np.int64))
    pairs: set[tuple[int, int]] = set()
    if hs:
        h = np.concatenate(hs)
        d = np.concatenate(ds)
        order = np.argsort(h, kind="stable")
        h, d = h[order], d[order]
        cuts = np.flatnonzero(np.diff(h)) + 1
        starts = np.concatenate(([0], cuts))
        sizes = np.diff(np.concatenate((starts, [len(h)])))
        counts: dict[int, int] = {}
        two = starts[sizes == 2]
        a, b = d[two], d[two + 1]
        keys = np.minimum(a, b) * n + np.maximum(a, b)
        uk, uc = np.unique(keys, return_counts=True)
        for k, c in zip(uk.tolist(), uc.tolist(), strict=False):
            counts[k] = counts.get(k, 0) + c
        top = max_df(n, settings)
        for s, z in zip(
            starts[(sizes > 2) & (sizes <= top)].tolist(),
            sizes[(sizes > 2) & (sizes <= top)].tolist(),
            strict=False,
        ):
            grp = sorted(set(d[s : s + z].tolist()))
            for x in range(len(grp)):
                for y in range(x + 1, len(grp)):
                    k = grp[x] * n + grp[y]
                    counts[k] = counts.get(k, 0) + 1
        pairs = {(k // n, k % n) for k, c in counts.items() if c >= need}
    return pairs | same_bill_pairs(corpus.info)


KIN_SHARE = 3  # x min_shared_words: shingles two bills share to be kin (one lineage)
KIN_MAX_GROUPS = 50  # shingles in more bills than this never count towards kinship
MOST_BILLS = 0.5  # a shingle in more than this share of the bills is common in any case


def kin_clusters(per_group, *, min_shared: int, cap: int | None = None):
    """Cluster number of each bill group: groups sharing at least ``min_shared`` distinct
    shingles are kin, and kinship is transitive (a family of versions, adoptions, copies).
    ``per_group``: each group's unique shingle hashes. Shingles in more than ``cap`` groups
    are not counted (None: all are)."""
    import numpy as np

    n = len(per_group)
    keys = []
    if n > 1:
        h = np.concatenate(per_group)
        g = np.concatenate([np.full(len(p), i, dtype=np.int64) for i, p in enumerate(per_group)])
        order = np.argsort(h, kind="stable")
        h, g = h[order], g[order]
        starts = np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1])))
        sizes = np.diff(np.concatenate((starts, [len(h)])))
        for z in np.unique(sizes[sizes >= 2]).tolist():
            if cap is not None and z > cap:
                break
            rows = g[starts[sizes == z][:, None] + np.arange(z)]  # R x z group numbers
            for a in range(z):
                for b in range(a + 1, z):
                    keys.append(rows[:, a] * n + rows[:, b])
    kin = []
    if keys:
        uk, uc = np.unique(np.concatenate(keys), return_counts=True)
        kin = [(k // n, k % n) for k in uk[uc >= min_shared].tolist()]
    return join_kin(n, kin)


def join_kin(n: int, kin) -> list[int]:
    """Cluster number of each of ``n`` groups given the kin pairs (a, b): the smallest
    group number of its transitive closure."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in sorted(kin):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


@dataclass(frozen=True)
class BoilerLimits:
    """The counts that make a shingle common (see LocalBoilerplate): ``kin_cap`` (shingles in
    more groups never count towards kinship), ``kin_min`` (shared shingles that make kin),
    ``family_limit`` (families a common shingle is in) and ``most`` (groups: common whatever
    the kinship)."""

    kin_cap: int
    kin_min: int
    family_limit: float
    most: float


def boiler_limits(groups: int, families: int | None, *, settings: Settings) -> BoilerLimits:
    limit0 = max(settings.boilerplate_min_docs, settings.boilerplate_doc_share * groups)
    # kinship is judged on text *not* already common by bill count: bills that share only
    # widespread text (site navigation, a state's standard clauses) never become kin
    cap = min(math.ceil(limit0) - 1, KIN_MAX_GROUPS)
    fams = groups if families is None else families
    limit = max(settings.boilerplate_min_docs, settings.boilerplate_doc_share * fams)
    return BoilerLimits(
        cap, KIN_SHARE * settings.min_shared_words, limit, max(limit0, MOST_BILLS * groups)
    )


def coverage_sums(h, n: int, common, k: int):
    """Cumulative count of a document's words covered by a common shingle (``h``: its
    shingle hashes in order, ``n`` its words): words s..e are covered c[e] - c[s] times."""
    import numpy as np

    cover = np.zeros(n + 1, dtype=np.int32)
    if len(h) and len(common):
        starts = np.flatnonzero(np.isin(h, common, assume_unique=False))
        # word j is covered when a common shingle starts in [j-k+1, j]
        cover[starts] += 1
        cover[np.minimum(starts + k, n)] -= 1
    covered = (np.cumsum(cover[:n]) > 0).astype(np.int32)
    return np.concatenate(([0], np.cumsum(covered))).astype(np.int32)


def covered_share(cum, start: int, end: int) -> float:
    if end <= start:
        return 0.0
    return float(cum[end] - cum[start]) / (end - start)


class LocalBoilerplate:
    """Share of a passage made of shingles common across *unrelated* bills of this corpus.

    A shingle's commonness counts the kin families it appears in, not the bills: twenty
    adoptions of one act share its wording as lineage, not as boilerplate (issue 8). Bills
    are kin when they share at least KIN_SHARE x min_shared_words shingles that are each in
    fewer bills than the plain boilerplate limit (so site navigation or a state's standard
    clauses, found in many bills, never make bills kin); kinship is transitive. Common = in
    at least ``boilerplate_min_docs`` families (or ``boilerplate_doc_share`` of them), or in
    more than MOST_BILLS of all the bills whatever their kinship."""

    def __init__(self, corpus: Corpus, ids, *, settings: Settings):
        import numpy as np

        k = settings.shingle_words
        groups: dict[object, list[int]] = {}
        for i in range(len(corpus.docs)):
            groups.setdefault(corpus.group_of(i), []).append(i)
        hashes = [_gram_hashes(w, k) for w in ids]
        per_group = [np.unique(np.concatenate([hashes[i] for i in g])) for g in groups.values()]
        lim = boiler_limits(len(groups), None, settings=settings)
        fam = kin_clusters(per_group, min_shared=lim.kin_min, cap=lim.kin_cap)
        # a shingle counts once per family: the union of each family's shingles (1-D sorts;
        # a 2-column unique over (shingle, family) rows cost a second on 1,000 bills)
        members: dict[int, list[int]] = {}
        for g, f in enumerate(fam):
            members.setdefault(int(f), []).append(g)
        per_family = [
            per_group[m[0]] if len(m) == 1 else np.unique(np.concatenate([per_group[g] for g in m]))
            for m in members.values()
        ]
        all_h = np.concatenate(per_family) if per_family else np.zeros(0, dtype=np.uint64)
        uh, uc = np.unique(all_h, return_counts=True)
        families = len(set(fam))
        lim = boiler_limits(len(groups), families, settings=settings)
        common = uh[uc >= lim.family_limit]
        # text in most of the bills is common whatever their kinship (a state's standard
        # clauses in a corpus of mostly one state's bills, a federal bill's header)
        if len(per_family) == len(per_group):  # no kin: counted by bill already
            gh, gc = uh, uc
        else:
            gh, gc = np.unique(np.concatenate(per_group), return_counts=True)
        common = np.union1d(common, gh[gc >= lim.most])
        self.groups = len(groups)
        self.families = families
        self.limit = lim.family_limit
        self._cum = [coverage_sums(h, len(ids[i]), common, k) for i, h in enumerate(hashes)]

    def share(self, doc: int, start: int, end: int) -> float:
        return covered_share(self._cum[doc], start, end)
