"""LineageGraph → rich renderables for the terminal: a tree per family, then the strongest edges.

Every label is a ``rich.text.Text`` (never markup), so a bill title holding ``[bold]`` or
``[/]`` prints literally. Edge types are spelled out and arrows are characters, so the output
reads the same without colour (NO_COLOR, or piped to a file).
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..model import LineageEdge, LineageGraph, LineageNode
from ..plural import count
from .lineage_json import (
    CROSS_BILL,
    bill_of,
    fold_story,
    node_label,
    node_map,
    ordered_edges,
    pct,
    story_order,
    unique_labels,
)

_TYPE_COLOUR = {
    "version-of": "blue",
    "copied-from": "red",
    "shares-source-with": "magenta",
    "companion-of": "green",
    "amends-same-law": "yellow",
    "boilerplate-only": "dim",
}


def _node_text(node: LineageNode | None, node_id: str) -> Text:
    t = Text()
    if node is not None and node.inferred:
        t.append("◇ inferred unseen ancestor ", style="italic")
        t.append(node_label(node, node_id), style="bold italic")
        if node.words:
            t.append(f" · {node.words} shared words")
        return t
    t.append(node_label(node, node_id), style="bold")
    date = node.meta.date if node is not None else ""
    t.append(f" · {date}" if date else " · date unknown", style="cyan" if date else "dim")
    return t


def _edge_text(e: LineageEdge, child: str) -> Text:
    """How the child hangs on its parent: '→ copied-from' reuses x% …, or '↔ companion-of'."""
    t = Text()
    arrow = "→" if e.directed else "↔"
    t.append(f"{arrow} {e.type}", style=_TYPE_COLOUR.get(e.type, ""))
    if e.directed:  # the tree only follows directed edges forwards: the child is the target
        t.append(f" · {pct(e.coverage_target)} of it reused from parent")
    else:
        t.append(f" · {pct(e.coverage_target)} / {pct(e.coverage_source)} shared")
    t.append(f" · {e.shared_words} words · conf {e.confidence:.2f}")
    return t


# which edge makes a node's parent in the tree: versions first, then copying, then the rest
_PARENT_RANK = {
    "version-of": 0,
    "copied-from": 1,
    "shares-source-with": 2,
    "companion-of": 2,
    "amends-same-law": 3,
}


def _edge_key(e: LineageEdge, other: str) -> tuple:
    return (_PARENT_RANK.get(e.type, 4), -e.shared_words, -e.confidence, other)


def tree_parents(
    root: str, members: set[str], drawn: list[LineageEdge]
) -> dict[str, list[tuple[LineageEdge, str]]]:
    """Children of each node in a spanning tree of the family: every member once.

    A node hangs from its best incoming directed edge (version-of before copied-from, then
    most shared words); a node with none hangs, through a companion-of / shares-source-with /
    amends-same-law edge, from a node already in the tree. Boilerplate-only edges are never
    used. Members still unattached are left out (the caller lists them).
    """
    best: dict[str, tuple[tuple, LineageEdge]] = {}
    side: dict[str, list[tuple[tuple, LineageEdge, str]]] = {}
    for e in drawn:
        if e.type == "boilerplate-only" or e.source == e.target:
            continue
        if e.source not in members or e.target not in members:
            continue
        if e.directed:
            if e.target != root:
                k = _edge_key(e, e.source)
                if e.target not in best or k < best[e.target][0]:
                    best[e.target] = (k, e)
        else:
            side.setdefault(e.source, []).append((_edge_key(e, e.target), e, e.target))
            side.setdefault(e.target, []).append((_edge_key(e, e.source), e, e.source))
    parent = {t: e for t, (_, e) in best.items()}
    for start in sorted(parent):  # break any cycle of directed parents
        path, n = [], start
        while n in parent and n not in path:
            path.append(n)
            n = parent[n].source
        if n in path:
            del parent[n]
    kids: dict[str, list[tuple[LineageEdge, str]]] = {}
    for t in sorted(parent):
        kids.setdefault(parent[t].source, []).append((parent[t], t))

    def reach(start: str, into: set[str]) -> None:
        stack = [start]
        while stack:
            n = stack.pop()
            if n not in into:
                into.add(n)
                stack.extend(c for _, c in kids.get(n, []))

    reached: set[str] = set()
    reach(root, reached)
    tops = sorted(m for m in members if m not in parent and m != root)
    changed = True
    while changed:
        changed = False
        for top in tops:
            if top in reached:
                continue
            links = sorted((k, e, o) for k, e, o in side.get(top, []) if o in reached)
            if links:
                _, e, o = links[0]
                kids.setdefault(o, []).append((e, top))
                reach(top, reached)
                changed = True
    return kids


def _family_tree(fam, nodes: dict[str, LineageNode], drawn: list[LineageEdge]) -> Tree:
    members = set(fam.members) | {fam.root}
    head = Text("family ")
    head.append(fam.id, style="bold")
    head.append(f" · {count(len(members), 'member')} · root (model-bill candidate): ")
    head.append_text(_node_text(nodes.get(fam.root), fam.root))
    root = Tree(head)
    kids = tree_parents(fam.root, members, drawn)

    def date_of(nid: str) -> tuple[str, str]:
        n = nodes.get(nid)
        return ((n.meta.date if n else "") or "9999", nid)

    shown: set[str] = set()

    def grow(start: str, branch: Tree) -> None:
        shown.add(start)
        stack = [(start, branch)]
        while stack:
            nid, br = stack.pop()
            for e, child in sorted(kids.get(nid, []), key=lambda x: date_of(x[1])):
                if child in shown:
                    continue
                shown.add(child)
                label = _edge_text(e, child)
                label.append("  ")
                label.append_text(_node_text(nodes.get(child), child))
                stack.append((child, br.add(label)))

    grow(fam.root, root)
    rest = members - shown
    if rest:
        other = root.add(
            Text(
                "also in this family (joined to it only by edges the tree does "
                "not follow; see the table):",
                style="dim",
            )
        )
        has_parent = {c for lst in kids.values() for _, c in lst}
        for nid in sorted(rest, key=lambda n: (n in has_parent, date_of(n))):
            if nid not in shown:
                grow(nid, other.add(_node_text(nodes.get(nid), nid)))
    return root


def edges_table(graph: LineageGraph, *, top: int = 15) -> Group:
    """The strongest drawn edges: a compact table, then each edge's one-line reason.

    The reasons stand under the table rather than in a column so that the table stays
    readable at 80 columns (a piped terminal) and the reasons wrap as whole sentences.
    """
    nodes = node_map(graph)
    drawn = story_order([(i, e) for i, e in ordered_edges(graph) if not e.reduced])
    shown = drawn[:top]
    title = (
        f"strongest edges ({len(shown)} of {len(drawn)} drawn; text taken from another bill "
        "first, then versions and companions)"
    )
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("edge", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("source → target")
    table.add_column("words", justify="right")
    table.add_column("src / tgt", justify="right", no_wrap=True)
    table.add_column("conf", justify="right")
    reasons = Text()
    for eid, e in shown:
        arrow = " → " if e.directed else " ↔ "
        pair = Text(node_label(nodes.get(e.source), e.source))
        pair.append(arrow)
        pair.append(node_label(nodes.get(e.target), e.target))
        table.add_row(
            Text(eid),
            Text(e.type, style=_TYPE_COLOUR.get(e.type, "")),
            pair,
            Text(str(e.shared_words)),
            Text(f"{pct(e.coverage_source)} / {pct(e.coverage_target)}"),
            Text(f"{e.confidence:.2f}"),
        )
        reasons.append(f"{eid}: ", style="bold")
        reasons.append(e.reason)
        reasons.append("\n")
    reasons.rstrip()
    return Group(table, reasons)


def render_lineage(graph: LineageGraph, *, top: int = 15, max_families: int | None = None) -> Group:
    """See ``_render_lineage``; every document gets a label of its own (``unique_labels``)."""
    with unique_labels(graph):
        return _render_lineage(graph, top=top, max_families=max_families)


def _render_lineage(
    graph: LineageGraph, *, top: int = 15, max_families: int | None = None
) -> Group:
    """A Group: one Tree per family (largest first), unrelated documents, the edge table.

    ``top``: rows of the strongest-edges table; ``max_families``: show only the largest
    families (the rest are counted in one line), for big corpora.
    """
    nodes = node_map(graph)
    drawn = [e for _, e in ordered_edges(graph) if not e.reduced]
    fams = sorted(graph.families, key=lambda f: (-len(f.members), f.id))
    parts: list = []
    n_docs = sum(1 for n in graph.nodes if not n.inferred)
    n_inf = len(graph.nodes) - n_docs
    summary = Text(count(n_docs, "document"))
    if n_inf:
        summary.append(f" + {count(n_inf, 'inferred unseen ancestor')}")
    n_common = sum(1 for e in drawn if e.type == "boilerplate-only")
    summary.append(
        f" · {count(len(fams), 'family', 'families')} · "
        f"{count(len(drawn) - n_common, 'edge')} of lineage"
    )
    if n_common:
        summary.append(f" · {count(n_common, 'pair')} sharing only common text")
    reduced = len(graph.edges) - len(drawn)
    if reduced:
        summary.append(f" ({reduced} more explained by a path, kept in the JSON)")
    parts.append(summary)
    story = story_order(ordered_edges(graph))
    cross = [(i, e) for i, e in story if not e.reduced and e.type in CROSS_BILL]
    if cross:  # the story first: which bill's text went where (as the HTML report says it)
        lines = fold_story(cross, bill_of(graph, drawn))

        def who(nid: str) -> str:
            n = nodes.get(nid)
            return "an unseen common source (inferred)" if n and n.inferred else node_label(n, nid)

        tree = Tree(Text("who took whose text", style="bold"), guide_style="dim")
        for group in lines[:10]:
            _, e = group[0]
            line = Text(who(e.source), style="bold")
            line.append(" → " if e.directed else " ↔ ")
            line.append(who(e.target), style="bold")
            share = f"{pct(e.coverage_target)} of it" if e.directed else "a common source"
            line.append(f" · {count(e.shared_words, 'word')} ({share}) · ")
            line.append(e.type, style=_TYPE_COLOUR.get(e.type, ""))
            if len(group) > 1:
                line.append(f" (+{len(group) - 1} between their versions or companions)")
            tree.add(line)
        if len(lines) > 10:
            tree.add(Text(f"… {len(lines) - 10} more in the table below", style="dim"))
        parts.append(tree)
    shown = fams if max_families is None else fams[: max(max_families, 0)]
    for fam in shown:
        parts.append(_family_tree(fam, nodes, drawn))
    if len(shown) < len(fams):
        parts.append(
            Text(
                f"… {len(fams) - len(shown)} smaller families not shown here "
                "(all are in the HTML report and lineage.json)",
                style="dim",
            )
        )
    grouped = set().union(*(set(f.members) | {f.root} for f in fams)) if fams else set()
    alone = sorted(n.id for n in graph.nodes if n.id not in grouped)
    if alone:
        t = Tree(Text(f"not in any family ({len(alone)})", style="dim"))
        for nid in alone:
            t.add(_node_text(nodes.get(nid), nid))
        parts.append(t)
    if drawn:
        parts.append(edges_table(graph, top=top))
    return Group(*parts)
