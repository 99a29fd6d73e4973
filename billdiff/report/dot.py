"""LineageGraph → Graphviz DOT (lineage.dot): one cluster per family, edges styled per type.

Only drawn edges are written; reduced edges (explained by a path) stay in lineage.json and
edges.csv. Every string is a quoted DOT string with backslashes, quotes and control characters
escaped, so no bill metadata can change the graph's structure. Render with
``dot -Tsvg lineage.dot -o lineage.svg``.
"""

from __future__ import annotations

import re

from ..model import LineageGraph
from ..plural import count
from .lineage_json import (
    edge_style,
    node_label,
    node_map,
    ordered_edges,
    ordered_nodes,
    unique_labels,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def quote(text: str) -> str:
    """A DOT double-quoted string holding ``text`` literally (one line)."""
    t = _CONTROL.sub(" ", str(text)).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{t}"'


def _label(*lines: str) -> str:
    """Several literal lines as one DOT label (``\\n`` between them)."""
    parts = [quote(x)[1:-1] for x in lines if x]
    return '"' + "\\n".join(parts) + '"'


def to_dot(graph: LineageGraph) -> str:
    """See ``_to_dot``; every document gets a label of its own (``unique_labels``)."""
    with unique_labels(graph):
        return _to_dot(graph)


def _to_dot(graph: LineageGraph) -> str:
    nodes = node_map(graph)
    out = [
        "digraph lineage {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=11];',
        '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]

    def node_line(n, indent: str) -> str:
        date = n.meta.date or "date unknown"
        if n.inferred:
            return (
                f"{indent}{quote(n.id)} [label={_label('inferred unseen ancestor', node_label(n))}"
                f', style="rounded,dashed", color="#666666"];'
            )
        return f"{indent}{quote(n.id)} [label={_label(node_label(n), date)}];"

    placed: set[str] = set()
    for k, fam in enumerate(sorted(graph.families, key=lambda f: f.id), 1):
        root = nodes.get(fam.root)
        out.append(f"  subgraph cluster_{k} {{")
        out.append(
            f"    label={_label(f'family {fam.id}', 'root: ' + node_label(root, fam.root))};"
        )
        out.append('    style="rounded"; color="#bbbbbb";')
        for mid in sorted(fam.members):
            if mid in nodes and mid not in placed:
                placed.add(mid)
                out.append(node_line(nodes[mid], "    "))
        out.append("  }")
    for n in ordered_nodes(graph):
        if n.id not in placed:
            out.append(node_line(n, "  "))

    reduced = 0
    for eid, e in ordered_edges(graph):
        if e.reduced:
            reduced += 1
            continue
        st = edge_style(e.type)
        attrs = [
            f"id={quote(eid)}",
            f"label={_label(e.type, f'{e.shared_words} words')}",
            f"tooltip={quote(e.reason)}",
            f"color={quote(st['color'])}",
            f"fontcolor={quote(st['color'])}",
            f"style={st['dot']}",
            f"dir={'forward' if e.directed else 'none'}",
        ]
        out.append(f"  {quote(e.source)} -> {quote(e.target)} [{', '.join(attrs)}];")
    if reduced:
        out.append(
            f"  // {count(reduced, 'reduced edge')} not drawn (explained by a path; see lineage.json)"
        )
    out.append("}")
    return "\n".join(out) + "\n"
