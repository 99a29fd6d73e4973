"""LineageGraph → a versioned, deterministic JSON document (``billdiff.lineage/1``).

Everything the graph holds is written out, reduced edges included (flagged ``reduced``), each
edge with its passages (word and character offsets in both documents, the word-level edit
operations, boilerplate flags). No timestamp is written, so the same graph gives the same bytes.

The small helpers here (edge order and ids, labels) are shared by the other lineage renderers
so that ``e3`` means the same edge in lineage.json, edges.csv, lineage.dot and index.html.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from typing import Any

from ..model import EDGE_TYPES, LineageEdge, LineageGraph, LineageNode, Metadata

SCHEMA = "billdiff.lineage/1"

_TYPE_RANK = {t: i for i, t in enumerate(EDGE_TYPES)}


# --- helpers shared by the lineage renderers ---------------------------------------------------


def ordered_nodes(graph: LineageGraph) -> list[LineageNode]:
    """Nodes sorted by id (stable output whatever order the graph holds them in)."""
    return sorted(graph.nodes, key=lambda n: n.id)


def ordered_edges(graph: LineageGraph) -> list[tuple[str, LineageEdge]]:
    """``(edge id, edge)`` for every edge, drawn edges first, strongest first, then by ids.

    The ids (``e1``, ``e2`` …) are the same in every output written for one graph.
    """
    keyed = sorted(
        graph.edges,
        key=lambda e: (
            e.reduced,
            _TYPE_RANK.get(e.type, 99),
            -e.shared_words,
            e.source,
            e.target,
            e.type,
        ),
    )
    return [(f"e{i}", e) for i, e in enumerate(keyed, 1)]


# The order a reader wants: text that went from one bill to another first (the story), then
# the relations inside one bill (versions, companions), then quoting the same law, then text
# that is common across the corpus. Within a type, the most shared words first.
CROSS_BILL = ("copied-from", "shares-source-with")
_STORY_RANK = {
    "copied-from": 0,
    "shares-source-with": 1,
    "version-of": 2,
    "companion-of": 3,
    "amends-same-law": 4,
    "boilerplate-only": 5,
}


def story_order(edges: list[tuple[str, LineageEdge]]) -> list[tuple[str, LineageEdge]]:
    """``(edge id, edge)`` pairs, cross-bill reuse first (see ``_STORY_RANK``), then by shared
    words, confidence and edge number."""
    return sorted(
        edges,
        key=lambda ie: (
            _STORY_RANK.get(ie[1].type, 9),
            -ie[1].shared_words,
            -ie[1].confidence,
            int(ie[0][1:]) if ie[0][1:].isdigit() else 0,
        ),
    )


def bills_of(members: list[str], edges: list[LineageEdge], nodes) -> list[list[str]]:
    """Members grouped by bill: joined by version-of or companion-of edges; earliest first."""
    up = {m: m for m in members}

    def find(x: str) -> str:
        while up[x] != x:
            up[x] = up[up[x]]
            x = up[x]
        return x

    for e in edges:
        if e.type in ("version-of", "companion-of") and e.source in up and e.target in up:
            up[find(e.source)] = find(e.target)
    groups: dict[str, list[str]] = {}
    for m in members:
        groups.setdefault(find(m), []).append(m)

    def when(nid: str) -> tuple:
        n = nodes.get(nid)
        return ((n.meta.date if n else "") or "9999", nid)

    out = [sorted(g, key=when) for g in groups.values()]
    return sorted(out, key=lambda g: when(g[0]))


def bill_of(graph: LineageGraph, edges: list[LineageEdge]) -> dict[str, str]:
    """node id → one id per bill (``bills_of`` over all the graph's nodes)."""
    members = [n.id for n in graph.nodes]
    return {m: g[0] for g in bills_of(members, edges, node_map(graph)) for m in g}


def fold_story(
    cross: list[tuple[str, LineageEdge]], bill: dict[str, str]
) -> list[list[tuple[str, LineageEdge]]]:
    """Bill-to-bill edges (strongest first) in lines: the edges between the same two bills
    (their versions, their companions) on one line, headed by the strongest."""
    lines: dict[tuple, list[tuple[str, LineageEdge]]] = {}
    for i, e in cross:
        key = (bill.get(e.source, e.source), bill.get(e.target, e.target), e.type)
        lines.setdefault(key, []).append((i, e))
    return list(lines.values())


_UNIQUE: dict[str, str] = {}  # node id → label, while a renderer of one graph runs


def node_label(node: LineageNode | None, node_id: str = "") -> str:
    """'WA SB 6280 (introduced)'; the id for an inferred ancestor or when no bill is known.
    Inside ``unique_labels(graph)``, labels that two documents share get what tells them
    apart ('· 116th Congress', a year, a date, else the id)."""
    if node is None:
        return node_id
    return _UNIQUE.get(node.id) or _plain_label(node)


def _plain_label(node: LineageNode) -> str:
    if node.inferred or not node.meta.bill:
        return node.meta.id or node.id
    return node.meta.label


_CONGRESS = re.compile(r"\b\d+(?:st|nd|rd|th) (?:Congress|Legislature)", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _tell_apart(n: LineageNode) -> list[str]:
    m = n.meta
    found = _CONGRESS.search(m.session or "")
    year = _YEAR.search(m.session or "")
    return [found.group(0) if found else "", year.group(0) if year else "", m.date, n.id]


@contextmanager
def unique_labels(graph: LineageGraph):
    """Within the block, ``node_label`` gives every node of ``graph`` a label no other node
    of it has."""
    _UNIQUE.clear()  # a label map of an earlier graph never applies to this one
    _UNIQUE.update(label_map(graph))
    try:
        yield
    finally:
        _UNIQUE.clear()


def label_map(graph: LineageGraph) -> dict[str, str]:
    """node id → a label no other node of ``graph`` has."""
    base = {n.id: _plain_label(n) for n in graph.nodes}
    out = dict(base)
    by_label: dict[str, list[LineageNode]] = {}
    for n in graph.nodes:
        by_label.setdefault(base[n.id], []).append(n)
    for lab, same in by_label.items():
        if len(same) < 2:
            continue
        options = [_tell_apart(n) for n in same]
        for k in range(4):  # the first distinction that tells all of them apart
            tags = [o[k] for o in options]
            if all(tags) and len(set(tags)) == len(tags):
                break
        for n, tag in zip(same, tags, strict=True):
            out[n.id] = f"{lab} · {tag}"
    return out


def node_map(graph: LineageGraph) -> dict[str, LineageNode]:
    return {n.id: n for n in graph.nodes}


def pct(share: float) -> str:
    """0.4567 → '46%' (shares are 0..1)."""
    return f"{100.0 * share:.0f}%"


def _r(x: float) -> float:
    return round(float(x), 6)


def source_side(edge: LineageEdge) -> str:
    """'a' or 'b': which document of the edge's alignment is the edge's source."""
    rep = edge.report
    if rep is None:
        return "a"
    if rep.a.meta.id == edge.source or rep.b.meta.id == edge.target:
        return "a"
    if rep.b.meta.id == edge.source or rep.a.meta.id == edge.target:
        return "b"
    return "a"


# --- per-edge evidence --------------------------------------------------------------------------


def evidence_dict(edge: LineageEdge) -> dict[str, Any] | None:
    """The edge's verified alignment: ``source_side`` ('a' or 'b': which document of the
    alignment is the edge's source), both documents' id, words and coverage, the summary and
    every passage in the compare format (``billdiff.report.json_``, docs/compare.md), with
    each passage's text on both sides when the documents are at hand. Document metadata and
    settings are not repeated here: they are in ``nodes`` and ``settings``."""
    from .json_ import pair_to_dict

    rep = edge.report
    if rep is None:
        return None
    full = pair_to_dict(rep)
    body: dict[str, Any] = {"source_side": source_side(edge)}
    for side in ("a", "b"):
        body[side] = {k: full[side][k] for k in ("id", "words", "coverage")}
    body["summary"] = full["summary"]
    body["passages"] = full["passages"]
    for pd, p in zip(body["passages"], rep.passages, strict=True):
        if rep.a_doc is not None:
            pd["a"]["text"] = rep.a_doc.text[p.a_char_start : p.a_char_end]
        if rep.b_doc is not None:
            pd["b"]["text"] = rep.b_doc.text[p.b_char_start : p.b_char_end]
    return body


# --- the document ---------------------------------------------------------------------------------


def _meta_dict(meta: Metadata) -> dict[str, Any]:
    d = meta.to_dict()
    return {k: d[k] for k in sorted(d)}


def node_dict(node: LineageNode) -> dict[str, Any]:
    return {
        "id": node.id,
        "label": node_label(node),
        "inferred": node.inferred,
        "words": node.words,
        "shared_text": node.shared_text,
        "meta": _meta_dict(node.meta),
    }


def edge_dict(edge_id: str, e: LineageEdge) -> dict[str, Any]:
    return {
        "id": edge_id,
        "source": e.source,
        "target": e.target,
        "type": e.type,
        "directed": e.directed,
        "reduced": e.reduced,
        "direction_basis": e.direction_basis,
        "confidence": _r(e.confidence),
        "probability": e.probability,  # calibrated P(substantive reuse); null: inferred node
        "features": e.features,
        "shared_words": e.shared_words,
        "coverage_source": _r(e.coverage_source),
        "coverage_target": _r(e.coverage_target),
        "passages": e.passages,
        "reason": e.reason,
        "evidence": evidence_dict(e),
    }


def graph_to_dict(graph: LineageGraph) -> dict[str, Any]:
    """The whole graph as plain JSON-able values (schema ``billdiff.lineage/1``)."""
    edges = ordered_edges(graph)
    counts: dict[str, int] = {}
    for _, e in edges:
        if not e.reduced:
            counts[e.type] = counts.get(e.type, 0) + 1
    return {
        "schema": SCHEMA,
        "tool_version": graph.tool_version,
        "settings": {k: graph.settings[k] for k in sorted(graph.settings)},
        "summary": {
            "nodes": len(graph.nodes),
            "documents": sum(1 for n in graph.nodes if not n.inferred),
            "inferred_ancestors": sum(1 for n in graph.nodes if n.inferred),
            "edges": len(graph.edges),
            "drawn_edges": sum(1 for _, e in edges if not e.reduced),
            "reduced_edges": sum(1 for _, e in edges if e.reduced),
            "families": len(graph.families),
            "drawn_edge_types": {t: counts[t] for t in sorted(counts, key=_type_key)},
        },
        "families": [
            {"id": f.id, "root": f.root, "members": sorted(f.members)}
            for f in sorted(graph.families, key=lambda f: f.id)
        ],
        "nodes": [node_dict(n) for n in ordered_nodes(graph)],
        "edges": [edge_dict(i, e) for i, e in edges],
        # inputs that could not be read (a file, or a record's id): both engines go on
        "failed": [{"id": i, "reason": r} for i, r in graph.failed],
    }


def _type_key(t: str) -> tuple[int, str]:
    return (_TYPE_RANK.get(t, 99), t)


def dumps(graph: LineageGraph) -> str:
    """The JSON text written as lineage.json (UTF-8, 2-space indent, trailing newline)."""
    return json.dumps(graph_to_dict(graph), ensure_ascii=False, indent=2) + "\n"


# How each edge type is drawn (HTML/SVG and DOT): colour (Okabe–Ito, colour-blind safe), an SVG
# dash pattern and the DOT style, so a type reads without colour too.
EDGE_STYLE: dict[str, dict[str, str]] = {
    "version-of": {"color": "#0072B2", "dash": "", "dot": "solid", "width": "2"},
    "copied-from": {"color": "#D55E00", "dash": "", "dot": "bold", "width": "3"},
    "shares-source-with": {"color": "#CC79A7", "dash": "7 4", "dot": "dashed", "width": "2"},
    "companion-of": {"color": "#009E73", "dash": "12 3 2 3", "dot": "dashed", "width": "2"},
    "amends-same-law": {"color": "#E69F00", "dash": "2 3", "dot": "dotted", "width": "2"},
    "boilerplate-only": {"color": "#8C8C8C", "dash": "1 4", "dot": "dotted", "width": "1.5"},
}
FALLBACK_STYLE = {"color": "#555555", "dash": "4 4", "dot": "dashed", "width": "1.5"}

EDGE_MEANING = {
    "version-of": "versions of the same bill, in legislative order",
    "copied-from": "substantive reuse with a known direction",
    "shares-source-with": "both took text from a common source (neither from the other)",
    "companion-of": "the same bill introduced in both chambers (undirected)",
    "amends-same-law": "both quote the statute they amend (not copying)",
    "boilerplate-only": "only text common across the corpus is shared",
}


def edge_style(edge_type: str) -> dict[str, str]:
    return EDGE_STYLE.get(edge_type, FALLBACK_STYLE)
