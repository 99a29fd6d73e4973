"""LineageGraph → edges.csv: one row per edge (reduced ones included and flagged), with header.

Columns are stable (see ``COLUMNS``); shares are written as fractions 0..1 with 4 decimals;
line endings are ``\\n``; the edge ids match lineage.json, lineage.dot and index.html.
"""

from __future__ import annotations

import csv
import io

from ..model import LineageGraph
from .lineage_json import node_label, node_map, ordered_edges, unique_labels

COLUMNS = (
    "edge_id",
    "type",
    "source",
    "target",
    "source_label",
    "target_label",
    "source_date",
    "target_date",
    "directed",
    "reduced",
    "direction_basis",
    "confidence",
    "probability",
    "shared_words",
    "coverage_source",
    "coverage_target",
    "passages",
    "reason",
)


def _clean(value: str) -> str:
    """One physical line per row (a newline inside a label or reason becomes a space); a text
    cell that a spreadsheet would run as a formula (=, +, -, @) gets a leading apostrophe."""
    text = " ".join(str(value).split())
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def edges_csv(graph: LineageGraph) -> str:
    """See ``_edges_csv``; every document gets a label of its own (``unique_labels``)."""
    with unique_labels(graph):
        return _edges_csv(graph)


def _edges_csv(graph: LineageGraph) -> str:
    nodes = node_map(graph)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for eid, e in ordered_edges(graph):
        src, tgt = nodes.get(e.source), nodes.get(e.target)
        w.writerow(
            [
                eid,
                e.type,
                e.source,
                e.target,
                _clean(node_label(src, e.source)),
                _clean(node_label(tgt, e.target)),
                src.meta.date if src else "",
                tgt.meta.date if tgt else "",
                "true" if e.directed else "false",
                "true" if e.reduced else "false",
                e.direction_basis,
                f"{e.confidence:.4f}",
                "" if e.probability is None else f"{e.probability:.4f}",
                e.shared_words,
                f"{e.coverage_source:.4f}",
                f"{e.coverage_target:.4f}",
                e.passages,
                _clean(e.reason),
            ]
        )
    return buf.getvalue()
