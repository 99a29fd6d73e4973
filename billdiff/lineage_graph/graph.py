"""Typed edges → lineage: companions folded, common sources found, the graph reduced, families.

Steps, in order (each keeps every edge and its evidence; "reduced" edges are not drawn):

1. companions: once two bills are companions, every edge between their versions is a
   ``companion-of`` edge; only the pair of earliest versions is drawn;
2. common source: a copied-from edge S → T whose shared text T also shares, at least as
   fully, with an ancestor U of S (U → … → S, U → T) is really "both took it from U":
   it becomes ``shares-source-with`` (reduced); a shares-source-with edge both of whose ends
   took the shared text from one indexed U is reduced the same way;
3. inferred ancestors: bills joined by the remaining shares-source-with edges share text that
   no indexed document explains; each such group gets an inferred unseen-ancestor node with
   the shared text and an inferred copied-from edge to every member;
4. transitive reduction of the directed (copied-from, version-of) edges: A → C is reduced
   when C is reachable from A another way;
5. families: connected components over the lineage edges (all but boilerplate-only and
   amends-same-law: bills that only quote the same statute are not kin); the root is the
   model-bill candidate.
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
                kin = cluster.get(u, u) == cluster.get(s, s)
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
                f"a version or companion of {sn}, which explains it better (reduced)"
            )


def infer_ancestors(
    drafts: list[Draft], info: list[BillInfo], docs, *, min_words: int
) -> tuple[list[LineageNode], list[int]]:
    """One inferred node per group of bills joined by unexplained shares-source-with edges
    whose strongest edge shares at least ``min_words`` words (weaker groups keep their
    shares-source-with edges but get no ancestor: too little text to describe one)."""
    open_edges = [d for d in drafts if d.type == "shares-source-with" and not d.reduced]
    uf = _UnionFind()
    for d in open_edges:
        uf.union(d.source, d.target)
    groups: dict[int, list[int]] = defaultdict(list)
    for n in sorted(uf.parent):
        groups[uf.find(n)].append(n)
    nodes = []
    next_id = -1
    for members in sorted(groups.values()):
        edges = [d for d in open_edges if d.source in members]
        best = max(edges, key=lambda d: (d.shared_words, -d.source, -d.target))
        if best.shared_words < min_words:
            continue
        rep = best.report
        src_doc = rep.a_doc if rep is not None else None
        pieces = (
            [src_doc.text[p.a_char_start : p.a_char_end] for p in best.ev.subst]
            if src_doc is not None
            else []
        )
        shared_text = "\n…\n".join(pieces)
        words = best.shared_words
        ids = [docs[m].id for m in members]
        hid = hashlib.sha1("\n".join(ids).encode()).hexdigest()[:8]
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
    drafts: list[Draft], node_ids: dict[int, str], dates: dict[int, str], inferred: set[int]
) -> list[Family]:
    uf = _UnionFind()
    for d in drafts:
        if d.type not in ("boilerplate-only", "amends-same-law"):
            uf.union(d.source, d.target, key=lambda n: node_ids[n])
    comps: dict[int, list[int]] = defaultdict(list)
    for n in uf.parent:
        comps[uf.find(n)].append(n)
    reach = _reach(drafts)
    incoming = {d.target for d in drafts if d.type in DIRECTED and not d.reduced}
    out = []
    for members in comps.values():
        if len(members) < 2:
            continue
        mset = set(members)
        cands = [m for m in members if m not in incoming] or members

        def span(m: int, mset: set = mset) -> int:
            return len(reach.get(m, set()) & mset)

        widest = max(span(m) for m in cands)
        common = [m for m in cands if m in inferred and span(m) == widest]
        if common:
            root = min(common, key=lambda m: node_ids[m])
        else:
            root = min(cands, key=lambda m: (dates.get(m) or "9999", -span(m), node_ids[m]))
        out.append((root, sorted(node_ids[m] for m in members)))
    out.sort(key=lambda r: (-len(r[1]), node_ids[r[0]]))
    return [Family(f"F{k}", node_ids[root], tuple(ms)) for k, (root, ms) in enumerate(out, 1)]
