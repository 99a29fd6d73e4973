"""Typed edges → lineage: companions folded, common sources found, the graph reduced, families.

Steps, in order (each keeps every edge and its evidence; "reduced" edges are not drawn):

1. companions: once two bills are companions, every edge between their versions is a
   ``companion-of`` edge; only the pair of earliest versions is drawn;
2. common source: a copied-from edge S → T whose shared text T also shares, at least as
   fully, with an ancestor U of S (U → … → S, U → T) is really "both took it from U":
   it becomes ``shares-source-with`` (reduced); a shares-source-with edge both of whose ends
   took the shared text from one indexed U is reduced the same way;
3. inferred ancestors: bills joined by the remaining shares-source-with edges share text that
   no indexed document explains; a group whose members *all* share one text of at least
   2 x min_shared_words words (each pair joined by such an edge, not a chain of weak ones)
   gets an inferred unseen-ancestor node with the shared text and an inferred copied-from
   edge to every member;
4. transitive reduction of the directed (copied-from, version-of) edges: A → C is reduced
   when C is reachable from A another way;
5. families: connected components over the lineage edges (all but boilerplate-only and
   amends-same-law: bills that only quote the same statute are not kin); the root is the
   model-bill candidate: the document of the corpus whose wording spread to the most states
   and members when each member hangs from its best parent (a bill whose best parent is an
   inferred node may be the root); an inferred node is the root only of a family of its
   siblings alone (nothing descends from any of its documents).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from ..model import Family, LineageNode, Metadata
from .bills import BillInfo, describe
from .classify import Draft

DIRECTED = ("copied-from", "version-of")
EXPLAINED_SHARE = 0.8  # of the shared words that must lie in text shared with the ancestor


def _covered(inner: list[tuple[int, int]], outer: list[tuple[int, int]]) -> float:
    """Share of the words of ``inner`` spans lying inside the union of ``outer`` spans."""
    total = sum(e - s for s, e in inner)
    if not total:
        return 0.0
    inside = 0
    for s, e in inner:
        for os_, oe in outer:
            lo, hi = max(s, os_), min(e, oe)
            if hi > lo:
                inside += hi - lo
    return min(inside / total, 1.0)


def _side_spans(d: Draft, node: int) -> list[tuple[int, int]]:
    """Word spans on ``node``'s side of the edge's substantive passages."""
    if d.ev is None:
        return []
    return d.ev.spans("i" if d.ev.i == node else "j")


def fold_companions(drafts: list[Draft], info: list[BillInfo]) -> None:
    comp_bills: dict[tuple, list[Draft]] = defaultdict(list)
    for d in drafts:
        if d.type == "companion-of":
            comp_bills[tuple(sorted((info[d.source].key, info[d.target].key)))].append(d)
    for pair, ds in comp_bills.items():
        ds.sort(
            key=lambda d: (
                info[d.source].rank + info[d.target].rank,
                -min(d.coverage_source, d.coverage_target),
                d.source,
                d.target,
            )
        )
        keep = ds[0]
        kn = " ↔ ".join(describe(info[x])[0] for x in (keep.source, keep.target))
        for d in drafts:
            if d is keep or d.type in ("version-of", "boilerplate-only"):
                continue
            if tuple(sorted((info[d.source].key, info[d.target].key))) == pair:
                d.type, d.directed, d.reduced = "companion-of", False, True
                d.reason += f"; explained by the companion pair {kn} and the version chains"


def _reach(drafts: list[Draft]) -> dict[int, set[int]]:
    """Descendants of every node over directed, non-reduced edges (cycle-safe)."""
    kids: dict[int, list[int]] = defaultdict(list)
    for d in drafts:
        if d.type in DIRECTED and not d.reduced:
            kids[d.source].append(d.target)
    memo: dict[int, set[int]] = {}

    def desc(n: int, stack: frozenset) -> set[int]:
        if n in memo:
            return memo[n]
        out: set[int] = set()
        for k in kids.get(n, ()):
            if k in stack:
                continue
            out.add(k)
            out |= desc(k, stack | {k})
        memo[n] = out
        return out

    for n in list(kids):
        desc(n, frozenset({n}))
    return memo


class _UnionFind:
    """Disjoint sets over node numbers (path halving); ``parent`` keeps first-seen order."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int, *, key=None) -> None:
        """Join a's set to b's; with ``key`` the root is the smaller root by that key."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if key is None:
            self.parent[ra] = rb
        else:
            self.parent[max(ra, rb, key=key)] = min(ra, rb, key=key)


def _clusters(drafts: list[Draft]) -> dict[int, int]:
    """Bill clusters: nodes joined by version-of or companion-of edges (versions + companions)."""
    uf = _UnionFind()
    for d in drafts:
        if d.type in ("version-of", "companion-of"):
            uf.union(d.source, d.target)
    return {n: uf.find(n) for n in uf.parent}


def _key(d: Draft, info: list[BillInfo]) -> tuple:
    """How well a source edge explains its target: more shared words, then the older source."""
    day = info[d.source].date.toordinal() if d.source >= 0 and info[d.source].date else 10**9
    return (d.shared_words, -day, -d.source)


def common_sources(drafts: list[Draft], info: list[BillInfo]) -> None:
    reach = _reach(drafts)
    cluster = _clusters(drafts)
    # pairs that themselves share substantive text: when T took S's text and all of it also
    # from a better source U that S is related to (siblings of one unseen draft, say), U
    # explains it (WA SB 6281 → CO is explained by RCW 43.386 → CO)
    related = {
        tuple(sorted((d.source, d.target)))
        for d in drafts
        if d.type in ("copied-from", "shares-source-with", "companion-of", "version-of")
    }
    into: dict[int, list[Draft]] = defaultdict(list)
    for d in drafts:
        if d.type in DIRECTED and d.ev is not None:
            into[d.target].append(d)
    changes = []
    for d in drafts:
        if d.reduced or d.ev is None:
            continue
        if d.type == "copied-from":
            s, t = d.source, d.target
            tspans = _side_spans(d, t)
            for u_edge in sorted(into[t], key=lambda e: (-e.shared_words, e.source)):
                u = u_edge.source
                if u == s or _key(u_edge, info) <= _key(d, info):
                    continue  # only a strictly better source explains (ties: the older)
                ancestor = s in reach.get(u, ())
                kin = cluster.get(u, u) == cluster.get(s, s) or (tuple(sorted((u, s))) in related)
                if not (ancestor or kin):
                    continue
                if _covered(tspans, _side_spans(u_edge, t)) >= EXPLAINED_SHARE:
                    changes.append((d, u, ancestor))
                    break
        elif d.type == "shares-source-with":
            x, y = d.source, d.target
            ux = {e.source: e for e in into[x]}
            for uy in sorted(into[y], key=lambda e: (-e.shared_words, e.source)):
                u, ex = uy.source, ux.get(uy.source)
                if ex is None:
                    continue
                if (
                    _covered(_side_spans(d, x), _side_spans(ex, x)) >= EXPLAINED_SHARE
                    and _covered(_side_spans(d, y), _side_spans(uy, y)) >= EXPLAINED_SHARE
                ):
                    changes.append((d, u, True))
                    break
    for d, u, ancestor in changes:
        un, uw = describe(info[u])
        sn, sw = describe(info[d.source])
        tn, tw = describe(info[d.target])
        d.reduced = True
        if ancestor:
            d.type, d.directed = "shares-source-with", False
            d.reason = (
                f"{sn} ({sw}) and {tn} ({tw}) share {d.shared_words} words, but both "
                f"took this text from {un} ({uw}), which is in the corpus (reduced)"
            )
        else:
            d.reason += (
                f"; but {tn} shares this text at least as fully with {un} ({uw}), "
                f"a version, companion or kin of {sn}, which explains it better (reduced)"
            )


def _groups(
    open_edges: list[Draft], min_words: int, cluster: dict[int, int] | None = None
) -> list[tuple[list[int], Draft, int]]:
    """Groups of bills that share one text: seeded by the strongest open edge (x, y); a bill
    m joins when it has an open edge to x and the part of x that x shares with *every*
    member (the core) stays at least ``min_words`` words. Weak edges never chain unrelated
    bills together: each member shares the core itself. A bill belongs to one group."""
    by_pair = {}
    for d in open_edges:
        by_pair.setdefault(tuple(sorted((d.source, d.target))), d)
    cluster = cluster or {}
    taken: set[int] = set()
    out: list[tuple[list[int], Draft, int]] = []
    bills: list[set[int]] = []  # the bill clusters (versions, companions) of each group
    for seed in sorted(open_edges, key=lambda d: (-d.shared_words, d.source, d.target)):
        x, y = seed.source, seed.target
        if x in taken or y in taken or seed.ev is None or seed.shared_words < min_words:
            continue
        cx, cy = cluster.get(x, x), cluster.get(y, y)
        home = next((k for k, b in enumerate(bills) if {cx, cy} <= b), None)
        if home is not None:  # other versions of the same bills: the same unseen source
            out[home][0].extend(m for m in (x, y) if m not in out[home][0])
            out[home][0].sort()
            taken.update((x, y))
            continue
        core = _side_spans(seed, x)
        members = [x, y]
        cands = sorted(
            (d for d in open_edges if x in (d.source, d.target) and d is not seed),
            key=lambda d: (-d.shared_words, d.source, d.target),
        )
        for d in cands:
            m = d.target if d.source == x else d.source
            if m in taken or m in members or d.ev is None:
                continue
            # m must share the core with x and with every member already in
            if any(tuple(sorted((m, o))) not in by_pair for o in members if o != x):
                continue
            inter = _intersect(core, _side_spans(d, x))
            if sum(e - s_ for s_, e in inter) >= min_words:
                core = inter
                members.append(m)
        taken.update(members)
        out.append((sorted(members), seed, sum(e - s_ for s_, e in core)))
        bills.append({cluster.get(m, m) for m in members})
    return out


def _intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Intersection of two lists of word spans (each sorted; overlaps allowed)."""
    out = []
    for s1, e1 in _union(a):
        for s2, e2 in _union(b):
            lo, hi = max(s1, s2), min(e1, e2)
            if hi > lo:
                out.append((lo, hi))
    return out


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def infer_ancestors(
    drafts: list[Draft], info: list[BillInfo], ids: list[str], *, min_words: int
) -> tuple[list[LineageNode], list[int]]:
    """One inferred node per group of bills that all share one text no indexed document
    explains (joined by unexplained shares-source-with edges, see ``_groups``), at least
    ``min_words`` words of it; bills outside any group keep their shares-source-with edges
    but get no ancestor: too little common text to describe one."""
    open_edges = [d for d in drafts if d.type == "shares-source-with" and not d.reduced]
    nodes = []
    next_id = -1
    for members, best, _core in _groups(open_edges, min_words, _clusters(drafts)):
        edges = [d for d in open_edges if d.source in members and d.target in members]
        rep = best.report
        src_doc = rep.a_doc if rep is not None else None
        pieces = (
            [src_doc.text[p.a_char_start : p.a_char_end] for p in best.ev.subst]
            if src_doc is not None
            else []
        )
        shared_text = "\n…\n".join(pieces)
        words = best.shared_words
        hid = hashlib.sha1("\n".join(ids[m] for m in members).encode()).hexdigest()[:8]
        names = sorted({describe(info[m])[0] for m in members})
        states = sorted({info[m].state for m in members if info[m].state})
        meta = Metadata(
            id=f"inferred-{hid}",
            title=f"inferred unseen common source of {', '.join(names)}",
            state=states[0] if len(states) == 1 else "",
        )
        nid = next_id
        next_id -= 1
        nodes.append(
            (nid, LineageNode(meta.id, meta, words, inferred=True, shared_text=shared_text))
        )
        for m in members:
            mine = [d for d in edges if m in (d.source, d.target)]
            top = max(mine, key=lambda d: (d.shared_words, -d.source, -d.target))
            cov_m = top.coverage_source if top.source == m else top.coverage_target
            others = sorted(
                {describe(info[x])[0] for d in mine for x in (d.source, d.target) if x != m}
            )
            mn, mw = describe(info[m])
            who = "the other" if len(others) == 1 else "another"
            reason = (
                f"{mn} ({mw}) shares {top.shared_words} words ({100 * cov_m:.0f}%) "
                f"with {', '.join(others)}: text no indexed document explains, and "
                f"none took it from {who}; an unseen common source is inferred"
            )
            drafts.append(
                Draft(
                    nid,
                    m,
                    "copied-from",
                    True,
                    round(0.5 * top.confidence, 4),
                    top.shared_words,
                    min(top.shared_words / max(words, 1), 1.0),
                    cov_m,
                    top.passages,
                    reason,
                    "inferred",
                )
            )
    return [n for _, n in nodes], [nid for nid, _ in nodes]


def reduce(drafts: list[Draft]) -> None:
    """Mark u → v reduced when v also descends, through another parent w, from u and the
    text v shares with u lies (mostly) inside what v shares with w — the path explains it."""
    reach = _reach(drafts)
    parents: dict[int, list[Draft]] = defaultdict(list)
    for d in drafts:
        if d.type in DIRECTED and not d.reduced:
            parents[d.target].append(d)
    marks = []
    for d in drafts:
        if d.type not in DIRECTED or d.reduced:
            continue
        mine = _side_spans(d, d.target)
        for w_edge in parents[d.target]:
            w = w_edge.source
            if w == d.source or w not in reach.get(d.source, ()):
                continue
            if (
                d.ev is None
                or w_edge.ev is None
                or not mine
                or _covered(mine, _side_spans(w_edge, d.target)) >= EXPLAINED_SHARE
            ):
                marks.append((d, w))
                break
    for d, _w in marks:
        d.reduced = True
        d.reason += "; explained by a longer path (reduced)"


def families(
    drafts: list[Draft],
    node_ids: dict[int, str],
    dates: dict[int, str],
    inferred: set[int],
    states: dict[int, str] | None = None,
) -> list[Family]:
    uf = _UnionFind()
    for d in drafts:
        if d.type not in ("boilerplate-only", "amends-same-law"):
            uf.union(d.source, d.target, key=lambda n: node_ids[n])
    comps: dict[int, list[int]] = defaultdict(list)
    for n in uf.parent:
        comps[uf.find(n)].append(n)
    reach = _reach(drafts)
    # the root is a document of the corpus that hangs from no other document of it (a
    # bill whose best source is an inferred, unseen one can be the root)
    below, incoming = _below(drafts, inferred)
    st = states or {}
    out = []
    for members in comps.values():
        if len(members) < 2:
            continue
        mset = set(members)
        real = [m for m in members if m not in inferred]
        cands = [m for m in real if m not in incoming] or real or members

        def span(m: int, mset: set = mset) -> int:
            return len(reach.get(m, set()) & mset)

        # the document whose wording spread furthest when each member hangs from its best
        # parent (as the tree is drawn): the most states below it, then the most members
        # below it; ties: the widest reach, the earliest, the id
        def spread(m: int) -> tuple[int, int]:
            kids = below.get(m, set())
            return len({st.get(k) for k in kids if st.get(k)} - {st.get(m)}), len(kids)

        root = min(
            cands,
            key=lambda m: (
                tuple(-x for x in spread(m)),
                -span(m),
                dates.get(m) or "9999",
                node_ids[m],
            ),
        )
        unseen = [m for m in members if m in inferred]
        if unseen and not below.get(root):
            # nothing descends from any document: siblings of one unseen source, its root
            root = min(unseen, key=lambda m: (-span(m), node_ids[m]))
        out.append((root, sorted(node_ids[m] for m in members)))
    out.sort(key=lambda r: (-len(r[1]), node_ids[r[0]]))
    return [Family(f"F{k}", node_ids[root], tuple(ms)) for k, (root, ms) in enumerate(out, 1)]


_PARENT_RANK = {"version-of": 0, "copied-from": 1}


def _below(drafts: list[Draft], inferred: set[int]) -> tuple[dict[int, set[int]], dict[int, int]]:
    """(members below each node, each node's parent) when every node hangs from its best
    drawn directed edge (version-of first, then the most shared words), as the tree is
    drawn; a node whose best parent is an inferred (unseen) source hangs from nothing here."""
    best: dict[int, tuple[tuple, int]] = {}
    for d in drafts:
        if d.type not in DIRECTED or d.reduced or d.source == d.target:
            continue
        k = (_PARENT_RANK[d.type], -d.shared_words, d.source)
        if d.target not in best or k < best[d.target][0]:
            best[d.target] = (k, d.source)
    parent = {t: s for t, (_, s) in best.items() if s not in inferred}
    for start in sorted(parent):  # break cycles
        path, n = [], start
        while n in parent and n not in path:
            path.append(n)
            n = parent[n]
        if n in path:
            del parent[n]
    out: dict[int, set[int]] = defaultdict(set)
    for n in parent:
        seen, p = {n}, parent.get(n)
        while p is not None and p not in seen:
            out[p].add(n)
            seen.add(p)
            p = parent.get(p)
    return out, parent
