"""The lineage graph as inline SVG, no JavaScript, no CDN.

With Graphviz installed, positions come from dot (dot_layout.py: bill and family clusters,
labels that overlap nothing). Without it, or for very big graphs, the simple layout here:
one horizontal band per family (largest first). Inside a band, a node's column is the
length of the longest chain of directed drawn edges (version-of, copied-from …) leading to it,
so the text flows left to right; an undirected partner (companion-of …) shares its partner's
column. Nodes in a column are ordered by the mean row of their parents, then by date and id.
Documents in no family go in a grid in a last band. Every string is escaped; nodes link to the
document's provenance, edges to their passages.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..model import EDGE_TYPES, LineageEdge, LineageGraph, LineageNode
from ..plural import count
from .lineage_json import EDGE_MEANING, bills_of, edge_style, node_label, pct

NODE_W, NODE_H = 210, 58
COL_W, ROW_H = 310, 80
MARGIN, BAND_HEAD = 24, 30
LABEL_CHARS = 24  # bold 12.5px; the full label is in the node's tooltip and provenance


# edges that shape the layout (lineage); the others are drawn but do not move boxes
_LAYOUT_TYPES = ("version-of", "copied-from", "shares-source-with", "companion-of")
_SAME_COLUMN = ("companion-of", "shares-source-with")  # undirected partners stand side by side


@dataclass(frozen=True)
class Placed:
    node: LineageNode
    x: float
    y: float
    root: bool


def _short(text: str, n: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _longest_path(
    members: list[str], edges: list[LineageEdge], key, seed: dict[str, int]
) -> dict[str, int]:
    """Column = longest chain of directed edges into a node (at least ``seed``); a cycle is
    broken at its earliest node (by ``key``), so every arrow but a cycle's runs rightwards."""
    import heapq

    succ: dict[str, list[str]] = {}
    indeg = dict.fromkeys(members, 0)
    for e in edges:
        if e.directed and e.source in indeg and e.target in indeg and e.source != e.target:
            succ.setdefault(e.source, []).append(e.target)
            indeg[e.target] += 1
    col = {m: seed.get(m, 0) for m in members}
    remaining = set(members)
    ready = [(key(m), m) for m in members if indeg[m] == 0]
    heapq.heapify(ready)
    while remaining:
        if not ready:  # a cycle: start from its earliest node
            m = min(remaining, key=key)
            heapq.heappush(ready, (key(m), m))
        _, n = heapq.heappop(ready)
        if n not in remaining:
            continue
        remaining.discard(n)
        for t in succ.get(n, []):
            if t in remaining:
                col[t] = max(col[t], col[n] + 1)
                indeg[t] -= 1
                if indeg[t] == 0:
                    heapq.heappush(ready, (key(t), t))
    return col


def _columns(members: list[str], edges: list[LineageEdge], key) -> dict[str, int]:
    col = _longest_path(members, edges, key, {})
    # an undirected partner (companion, sibling) with no parent of its own stands beside
    # its partner; then the columns are worked out again from there
    has_parent = {e.target for e in edges if e.directed}
    seed: dict[str, int] = {}
    for e in sorted(edges, key=lambda e: (e.source, e.target, e.type)):
        if e.directed or e.type not in _SAME_COLUMN:
            continue
        for x, y in ((e.source, e.target), (e.target, e.source)):
            if x in col and y in col and x not in has_parent and col[x] < col[y]:
                seed[x] = max(seed.get(x, 0), col[y])
    return _longest_path(members, edges, key, seed) if seed else col


def _band(
    members: list[str], root: str, edges: list[LineageEdge], nodes: dict[str, LineageNode]
) -> list[list[str]]:
    """Columns of node ids, each ordered top to bottom."""
    edges = [e for e in edges if e.type in _LAYOUT_TYPES]

    def date_key(nid: str) -> tuple:
        n = nodes.get(nid)
        return (nid != root, (n.meta.date if n else "") or "9999", nid)

    col = _columns(members, edges, date_key)
    ncols = max(col.values(), default=0) + 1
    cols: list[list[str]] = [[] for _ in range(ncols)]
    for m in members:
        cols[col[m]].append(m)

    parents: dict[str, list[str]] = {}
    for e in edges:
        parents.setdefault(e.target, []).append(e.source)
    row: dict[str, float] = {}
    for c, ids in enumerate(cols):
        if c == 0:
            ids.sort(key=date_key)
        else:

            def bary(nid: str) -> float:
                ps = [row[p] for p in parents.get(nid, []) if p in row]
                return sum(ps) / len(ps) if ps else 1e9

            ids.sort(key=lambda nid: (bary(nid), date_key(nid)))
        for i, nid in enumerate(ids):
            row[nid] = i
    return cols


def layout(
    graph: LineageGraph, drawn: list[LineageEdge]
) -> tuple[dict[str, Placed], list, float, float]:
    """Positions of every node, the band headings, and the canvas size."""
    nodes = {n.id: n for n in graph.nodes}
    placed: dict[str, Placed] = {}
    heads: list[tuple[float, str]] = []
    y0, width = MARGIN, MARGIN * 2 + NODE_W
    fams = sorted(graph.families, key=lambda f: (-len(f.members), f.id))
    fam_of: dict[str, int] = {}
    for k, fam in enumerate(fams):
        for m in (*fam.members, fam.root):
            fam_of.setdefault(m, k)
    by_fam: dict[int, list[LineageEdge]] = {}
    for e in drawn:
        k = fam_of.get(e.source, -1)
        if k >= 0 and fam_of.get(e.target, -2) == k:
            by_fam.setdefault(k, []).append(e)
    for k, fam in enumerate(fams):
        members = sorted({m for m in (*fam.members, fam.root) if m in nodes and fam_of.get(m) == k})
        if not members:
            continue
        inside = by_fam.get(k, [])
        cols = _band(members, fam.root, inside, nodes)
        root_label = node_label(nodes.get(fam.root), fam.root)
        heads.append(
            (y0, f"family {fam.id} — {count(len(members), 'document')} — root: {root_label}")
        )
        for c, ids in enumerate(cols):
            for r, nid in enumerate(ids):
                placed[nid] = Placed(
                    nodes[nid], MARGIN + c * COL_W, y0 + BAND_HEAD + r * ROW_H, nid == fam.root
                )
        width = max(width, MARGIN * 2 + (len(cols) - 1) * COL_W + NODE_W)
        y0 += BAND_HEAD + max(len(ids) for ids in cols) * ROW_H + 16
    width, y0 = _place_alone(nodes, placed, heads, width, y0)
    # room on the right for the arcs between boxes of one column (see _edge_path)
    return placed, heads, float(width + 160), float(y0 + 8)


def _place_alone(
    nodes: dict[str, LineageNode],
    placed: dict[str, Placed],
    heads: list[tuple[float, str]],
    width: float,
    y0: float,
) -> tuple[float, float]:
    """The documents in no family, in a grid of a last band from ``y0``; the new width and
    bottom of the canvas (both layouts end with it)."""
    alone = sorted(n for n in nodes if n not in placed)
    if not alone:
        return width, y0
    per_row = 4 if len(alone) <= 40 else 8
    heads.append((y0, f"not in any family — {count(len(alone), 'document')}"))
    for i, nid in enumerate(alone):
        placed[nid] = Placed(
            nodes[nid],
            MARGIN + (i % per_row) * COL_W,
            y0 + BAND_HEAD + (i // per_row) * ROW_H,
            False,
        )
    width = max(width, MARGIN * 2 + (min(len(alone), per_row) - 1) * COL_W + NODE_W)
    return width, y0 + BAND_HEAD + ((len(alone) + per_row - 1) // per_row) * ROW_H + 16


def _edge_path(a: Placed, b: Placed) -> tuple[str, float, float]:
    """SVG path from a to b, and where its label goes."""
    ay, by = a.y + NODE_H / 2, b.y + NODE_H / 2
    if b.x > a.x:  # forward: right side of a → left side of b
        x1, x2 = a.x + NODE_W, b.x
        dx = (x2 - x1) / 2
        d = f"M{x1:.1f},{ay:.1f} C{x1 + dx:.1f},{ay:.1f} {x2 - dx:.1f},{by:.1f} {x2:.1f},{by:.1f}"
        return d, (x1 + x2) / 2, (ay + by) / 2
    if b.x < a.x:  # backward: left side of a → right side of b, bowing below
        x1, x2 = a.x, b.x + NODE_W
        low = max(ay, by) + ROW_H / 2
        d = f"M{x1:.1f},{ay:.1f} C{x1 - 40:.1f},{low:.1f} {x2 + 40:.1f},{low:.1f} {x2:.1f},{by:.1f}"
        return d, (x1 + x2) / 2, low - 8
    # same column: an arc on the right-hand side
    x = a.x + NODE_W
    bulge = x + 40 + min(abs(by - ay), 4 * ROW_H) / 4
    d = f"M{x:.1f},{ay:.1f} C{bulge:.1f},{ay:.1f} {bulge:.1f},{by:.1f} {x:.1f},{by:.1f}"
    return d, bulge - 6, (ay + by) / 2


def _dot_layout(graph: LineageGraph, edges: list[tuple[str, LineageEdge]]):
    """Positions from Graphviz (see dot_layout.py), the documents in no family in a grid
    below; None when dot cannot be used."""
    from .dot_layout import MAX_NODES as MAX_DOT_NODES
    from .dot_layout import run_dot

    nodes = {n.id: n for n in graph.nodes}
    fams = sorted(graph.families, key=lambda f: (-len(f.members), f.id))
    seen: set[str] = set()
    families = []
    for fam in fams:
        members = sorted({m for m in (*fam.members, fam.root) if m in nodes and m not in seen})
        if not members:
            continue
        seen.update(members)
        inside = [e for _, e in edges if e.source in members and e.target in members]
        root_label = node_label(nodes.get(fam.root), fam.root)
        heading = f"family {fam.id} — {count(len(members), 'document')} — root: {root_label}"
        families.append((fam.id, heading, bills_of(members, inside, nodes)))
    if not families or sum(len(m) for _, _, bills in families for m in bills) > MAX_DOT_NODES:
        return None
    # one dot run per family, stacked top to bottom like the simple layout's bands
    roots = {f.root for f in graph.families}
    placed: dict[str, Placed] = {}
    paths: dict[str, tuple[str, float, float]] = {}
    clusters: list = []
    width, y0 = 0.0, float(MARGIN)
    for fam in families:
        members = {m for bill in fam[2] for m in bill}
        dot_edges = [
            (
                eid,
                e.source,
                e.target,
                e.directed,
                f"{e.shared_words} w · {pct(e.coverage_target)}",
                e.type,
            )
            for eid, e in edges
            if e.source in members and e.target in members
        ]
        got = run_dot([fam], dot_edges, node_w=NODE_W, node_h=NODE_H, margin=MARGIN, top=y0)
        if got is None:
            return None
        placed.update(
            (nid, Placed(nodes[nid], x, y, nid in roots)) for nid, (x, y) in got.nodes.items()
        )
        paths.update(got.edges)
        clusters += got.clusters
        width, y0 = max(width, got.width + MARGIN), got.height + 16
    heads: list[tuple[float, str]] = []
    width, y0 = _place_alone(nodes, placed, heads, width, y0)
    return placed, heads, float(width), float(y0 + 8), paths, tuple(clusters)


def render_svg(
    graph: LineageGraph, edges: list[tuple[str, LineageEdge]], doc_anchor: dict[str, str]
) -> str:
    """Inline ``<svg>`` of the drawn edges; ``doc_anchor`` maps node id → HTML anchor id."""
    drawn = [e for _, e in edges]
    got = _dot_layout(graph, edges)
    clusters: tuple = ()
    paths: dict[str, tuple[str, float, float]] = {}
    if got is None:  # no Graphviz here, or too big for it: the simple layered layout
        placed, heads, width, height = layout(graph, drawn)
    else:
        placed, heads, width, height, paths, clusters = got
    out = [
        f'<svg id="lineage-graph" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-labelledby="graph-title">',
        '<title id="graph-title">Lineage graph: documents as boxes, reuse as arrows</title>',
        "<defs>",
    ]
    for t in EDGE_TYPES:
        st = edge_style(t)
        out.append(
            f'<marker id="arrow-{t}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" '
            f'markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{st["color"]}"/></marker>'
        )
    out.append("</defs>")
    for c in clusters:  # families, and each bill's versions and companion inside them
        out.append(
            f'<rect class="cluster {c.kind}" x="{c.x:.0f}" y="{c.y:.0f}" width="{c.w:.0f}" '
            f'height="{c.h:.0f}" rx="{10 if c.kind == "family" else 8}"/>'
        )
    for c in clusters:
        if c.kind == "family" and c.label:
            out.append(
                f'<text class="band" x="{c.x + 10:.0f}" y="{c.y + 18:.0f}">{escape(c.label)}</text>'
            )
    for y, text in heads:
        out.append(f'<text class="band" x="{MARGIN}" y="{y + 16:.0f}">{escape(text)}</text>')
    for eid, e in edges:
        a, b = placed.get(e.source), placed.get(e.target)
        if a is None or b is None:
            continue
        st = edge_style(e.type)
        if eid in paths and paths[eid][0]:
            d, lx, ly = paths[eid]
            ly += 8  # dot gives the label's centre; SVG text sits on its baseline
        else:
            d, lx, ly = _edge_path(a, b)
        dash = f' stroke-dasharray="{st["dash"]}"' if st["dash"] else ""
        marker = (
            f' marker-end="url(#arrow-{e.type})"' if e.directed and e.type in EDGE_TYPES else ""
        )
        out.append(
            f'<a class="edge t-{e.type if e.type in EDGE_TYPES else "other"}" href="#{eid}" '
            f'data-edge="{eid}" data-type="{escape(e.type)}">'
            f"<title>{escape(eid)} {escape(e.type)}: {escape(e.reason)}</title>"
            f'<path d="{d}" fill="none" stroke="{st["color"]}" stroke-width="{st["width"]}"'
            f"{dash}{marker}/>"
            f'<text class="elabel" x="{lx:.1f}" y="{ly - 4:.1f}" text-anchor="middle" '
            f'fill="{st["color"]}">{e.shared_words} w · {pct(e.coverage_target)}</text></a>'
        )
    for nid in sorted(placed, key=lambda k: (placed[k].y, placed[k].x, k)):
        p = placed[nid]
        n = p.node
        full = node_label(n, nid)
        m = n.meta
        if n.inferred:
            lines = (full, "inferred unseen ancestor", f"{n.words} shared words")
        elif m.state or m.bill:
            lines = (
                " ".join(x for x in (m.state, m.bill) if x),
                m.version or "",
                (m.date or "date unknown") + (" · root" if p.root else ""),
            )
        else:
            lines = (full, "", (m.date or "date unknown") + (" · root" if p.root else ""))
        cls = "node" + (" inferred" if n.inferred else "") + (" root" if p.root else "")
        tip = f"{full} — {m.title}" if m.title else full
        texts = "".join(
            f'<text x="{p.x + 10:.0f}" y="{p.y + 18 + 16 * k:.0f}" class="{c}">'
            f"{escape(_short(t, LABEL_CHARS if k == 0 else LABEL_CHARS + 8))}</text>"
            for k, (t, c) in enumerate(zip(lines, ("nlabel", "nver", "ndate"), strict=True))
            if t
        )
        out.append(
            f'<a class="{cls}" href="#{doc_anchor[nid]}" data-node="{escape(nid)}">'
            f"<title>{escape(tip)}</title>"
            f'<rect x="{p.x:.0f}" y="{p.y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="7"/>'
            f"{texts}</a>"
        )
    out.append("</svg>")
    return "\n".join(out)


def legend_html(present: set[str]) -> str:
    """The key to edge colours and dashes (all types; the ones in this graph first)."""
    rows = []
    for t in sorted(EDGE_TYPES, key=lambda t: (t not in present, EDGE_TYPES.index(t))):
        st = edge_style(t)
        dash = f' stroke-dasharray="{st["dash"]}"' if st["dash"] else ""
        # arrowheads: the types that always have a direction
        head = (
            f'<path d="M36,2 L44,6 L36,10 z" fill="{st["color"]}"/>'
            if t in ("version-of", "copied-from")
            else ""
        )
        rows.append(
            f'<li class="{"present" if t in present else "absent"}">'
            f'<svg width="46" height="12" aria-hidden="true"><line x1="2" y1="6" x2="40" y2="6" '
            f'stroke="{st["color"]}" stroke-width="{st["width"]}"{dash}/>{head}'
            f"</svg> <b>{escape(t)}</b> — {escape(EDGE_MEANING[t])}</li>"
        )
    rows.append(
        '<li class="present"><svg width="46" height="16" aria-hidden="true">'
        '<rect x="2" y="2" width="40" height="12" rx="3" class="key-root"/></svg> '
        "<b>root</b> — a family's model-bill candidate</li>"
    )
    rows.append(
        '<li class="present"><svg width="46" height="16" aria-hidden="true">'
        '<rect x="2" y="2" width="40" height="12" rx="3" class="key-inferred"/></svg> '
        "<b>inferred unseen ancestor</b> — text several bills share that no document "
        "here holds</li>"
    )
    return '<ul class="legend">' + "".join(rows) + "</ul>"
