"""Lay the lineage graph out with Graphviz ``dot`` when it is installed.

dot ranks the documents left to right (text flows from source to later bill), keeps crossings
few and places every edge label where it overlaps no box and no other label. Each family is
a cluster, and inside it each bill (its versions and its companion) is a cluster of its own,
so the arrows between bill clusters are the story. Only positions are taken from dot
(``-Tjson``): html_graph draws the SVG itself, escaping every string, so nothing dot writes
reaches the page. Without dot, or past ``MAX_NODES`` documents, the caller falls back to its
own layered layout.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass

MAX_NODES = 400  # dot's layout time grows fast; bigger graphs use the simple layout
TIMEOUT = 60.0
_PX_PER_INCH = 72.0  # dot's points are the SVG's pixels


@dataclass(frozen=True)
class Cluster:
    kind: str  # "family" | "bill"
    key: str  # family id, or the bill's first document id
    label: str
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class DotLayout:
    width: float
    height: float
    nodes: dict[str, tuple[float, float]]  # node id → top-left corner of its box
    edges: dict[str, tuple[str, float, float]]  # edge id → (SVG path, label x, label y)
    clusters: tuple[Cluster, ...]


def available() -> bool:
    return shutil.which("dot") is not None


def _q(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, control characters dropped."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_source(
    families: list[tuple[str, str, list[list[str]]]],
    edges: list[tuple[str, str, str, bool, str]],
    *,
    node_w: float,
    node_h: float,
) -> tuple[str, dict[str, str]]:
    """DOT text and the map dot name → node id.

    ``families``: (family id, heading, bills), a bill being the node ids of one bill's versions
    and companion; ``edges``: (edge id, source, target, directed, label[, type])."""
    names: dict[str, str] = {}
    out = [
        "digraph lineage {",
        '  graph [rankdir=TB, nodesep=0.25, ranksep=0.45, newrank=true, fontname="Helvetica", '
        "fontsize=13, labeljust=l, labelloc=t];",
        f'  node [shape=box, fixedsize=true, label="", width={node_w / _PX_PER_INCH:.4f}, '
        f"height={node_h / _PX_PER_INCH:.4f}];",
        '  edge [fontname="Helvetica", fontsize=11];',
    ]
    for k, (_fid, heading, bills) in enumerate(families):
        out.append(f"  subgraph cluster_f{k} {{ label={_q(heading)}; margin=12;")
        for j, bill in enumerate(bills):
            ids = []
            for nid in bill:
                names[nid] = f"n{len(names)}"
                ids.append(names[nid])
            if len(bill) > 1:
                out.append(
                    f'    subgraph cluster_f{k}_b{j} {{ label=""; margin=8; {"; ".join(ids)}; }}'
                )
            else:
                out.append(f"    {ids[0]};")
        out.append("  }")
    same: list[str] = []
    for eid, s, t, directed, label, *kind in edges:
        etype = kind[0] if kind else ""
        if s not in names or t not in names:
            continue
        attrs = [f"id={_q(eid)}", f"label={_q('  ' + label + '  ')}"]
        if not directed:
            attrs.append("dir=none")
        if etype == "companion-of":  # one bill in both chambers: side by side, same rank
            same.append(f"  {{ rank=same; {names[s]}; {names[t]}; }}")
        out.append(f"  {names[s]} -> {names[t]} [{', '.join(attrs)}];")
    out += same
    out.append("}")
    return "\n".join(out) + "\n", {v: k for k, v in names.items()}


def _pt(s: str) -> tuple[float, float]:
    x, y = s.split(",")[:2]
    return float(x), float(y)


def _path(pos: str, flip) -> str:
    """dot's spline ('e,x,y p0 p1 p2 p3 …') as an SVG path, ending at the arrow's tip."""
    end = None
    pts = []
    for tok in pos.split():
        if tok.startswith("e,"):
            end = _pt(tok[2:])
        elif tok.startswith("s,"):
            continue
        else:
            pts.append(_pt(tok))
    if not pts:
        return ""
    p = [flip(*q) for q in pts]
    d = [f"M{p[0][0]:.1f},{p[0][1]:.1f}"]
    for i in range(1, len(p) - 2, 3):
        (x1, y1), (x2, y2), (x3, y3) = p[i], p[i + 1], p[i + 2]
        d.append(f"C{x1:.1f},{y1:.1f} {x2:.1f},{y2:.1f} {x3:.1f},{y3:.1f}")
    if end is not None:
        ex, ey = flip(*end)
        d.append(f"L{ex:.1f},{ey:.1f}")
    return " ".join(d)


def run_dot(
    families: list[tuple[str, str, list[list[str]]]],
    edges: list[tuple[str, str, str, bool, str]],
    *,
    node_w: float,
    node_h: float,
    margin: float = 0.0,
    top: float = 0.0,
) -> DotLayout | None:
    """The layout, shifted by ``margin`` (x) and ``top`` (y); None without dot, past
    ``MAX_NODES``, or when dot fails or takes longer than ``TIMEOUT``."""
    n_nodes = sum(len(b) for _, _, bills in families for b in bills)
    if not n_nodes or n_nodes > MAX_NODES or not available():
        return None
    src, by_name = dot_source(families, edges, node_w=node_w, node_h=node_h)
    try:
        r = subprocess.run(
            ["dot", "-Tjson"], input=src.encode(), capture_output=True, timeout=TIMEOUT
        )
        data = json.loads(r.stdout) if r.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    if not data or "bb" not in data:
        return None
    _, _, bw, bh = (float(v) for v in data["bb"].split(","))

    def flip(x: float, y: float) -> tuple[float, float]:
        return x + margin, bh - y + top

    nodes: dict[str, tuple[float, float]] = {}
    clusters: list[Cluster] = []
    fam_of_cluster = {f"cluster_f{k}": fam for k, fam in enumerate(families)}
    gvid: dict[int, str] = {}
    for obj in data.get("objects", []):
        name = obj.get("name", "")
        if name in by_name and "pos" in obj:
            cx, cy = flip(*_pt(obj["pos"]))
            nodes[by_name[name]] = (cx - node_w / 2, cy - node_h / 2)
            gvid[obj.get("_gvid", -1)] = by_name[name]
        elif name.startswith("cluster_") and "bb" in obj:
            x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
            (ax, ay), (bx, by) = flip(x0, y1), flip(x1, y0)
            if name in fam_of_cluster:
                fid, heading, _ = fam_of_cluster[name]
                clusters.append(Cluster("family", fid, heading, ax, ay, bx - ax, by - ay))
            else:
                clusters.append(Cluster("bill", name, "", ax, ay, bx - ax, by - ay))
    if len(nodes) != n_nodes:
        return None
    paths: dict[str, tuple[str, float, float]] = {}
    for e in data.get("edges", []):
        eid, pos = e.get("id"), e.get("pos")
        if not eid or not pos:
            continue
        lx, ly = flip(*_pt(e["lp"])) if e.get("lp") else (0.0, 0.0)
        paths[eid] = (_path(pos, flip), lx, ly)
    return DotLayout(bw + margin, bh + top, nodes, paths, tuple(clusters))
