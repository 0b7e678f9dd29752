"""Private drawings of :mod:`sgassure.graph`: DOT, Mermaid and SVG, every name escaped.

Quotes, brackets, ampersands and non-ASCII text cannot break a drawing: the
output is ASCII only and deterministic (nodes and edges in sorted order).
"""

from __future__ import annotations

import re
import textwrap
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

import networkx as nx

from sgassure.partnership import BodyKind

# --- drawing ------------------------------------------------------------------------------------------

EDGE_LABELS = {
    "membership": "member",
    "reports-to": "reports to",
    "annual-report-to": "annual report",
    "accountable-to": "accountable to",
    "escalates-to": "escalates to",
    "serves": "serves",
    "chairs": "chairs",
    "commissions": "commissions",
    "shares-information": "shares information",
}
_EDGE_STYLE = {  # colour, SVG dash pattern, DOT style, Mermaid arrow
    "membership": ("#7b8a8b", "", "dashed", "-.->"),
    "reports-to": ("#1f4e79", "", "solid", "-->"),
    "annual-report-to": ("#6c3483", "6 4", "dashed", "-.->"),
    "accountable-to": ("#6c3483", "2 3", "dotted", "-.->"),
    "escalates-to": ("#c0392b", "", "bold", "==>"),
    "serves": ("#7f8c8d", "4 3", "dashed", "-.->"),
    "chairs": ("#7d6608", "1 3", "dotted", "-.->"),
    "commissions": ("#a04000", "8 3", "dashed", "-.->"),
    "shares-information": ("#1e8449", "3 3", "dashed", "<-->"),
}
_NODE_STYLE = {  # fill, stroke
    "board": ("#dbe9f6", "#1f4e79"),
    "structure": ("#eaf4e4", "#3b6e22"),
    "programme": ("#fdf2e9", "#a04000"),
    "external": ("#f4ecf7", "#6c3483"),
    "office": ("#fef9e7", "#7d6608"),
    "agency": ("#f2f3f4", "#566573"),
}
_HIGHLIGHT = "#c0392b"
_MERMAID_SHAPES = {"agency": ('(["', '"])'), "office": ('{{"', '"}}'), "board": ('[["', '"]]')}


def node_class(data: dict[str, Any]) -> str:
    """The drawing class of a node: agency, office, board, programme, external or structure."""
    if data.get("node_type") in ("agency", "office"):
        return str(data["node_type"])
    try:
        kind = BodyKind(str(data.get("kind")))
    except ValueError:
        return "structure"
    if kind.is_board:
        return "board"
    if kind is BodyKind.PROGRAMME:
        return "programme"
    return "external" if kind.is_external else "structure"


def edge_label(data: dict[str, Any]) -> str:
    """The words an edge is drawn with."""
    edge_type = str(data.get("edge_type", ""))
    if edge_type == "membership" and data.get("member_class"):
        return str(data["member_class"])
    if edge_type == "commissions" and data.get("service"):
        return f"commissions: {data['service']}"
    return EDGE_LABELS.get(edge_type, edge_type)


def _edges(graph: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Edges in sorted order; an information-sharing pair is drawn once (from the lower id)."""
    out = []
    for u, v, k, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        if data.get("edge_type") == "shares-information" and u > v and graph.has_edge(v, u):
            continue
        out.append((u, v, str(k), data))
    return out


def _escape(text: str, table: dict[str, str], code: str) -> str:
    out = []
    for ch in str(text):
        if ch in table:
            out.append(table[ch])
        elif ch in "\r\n\t":
            out.append(" ")
        elif ord(ch) < 32 or ord(ch) > 126:
            out.append(code.format(ord(ch)) if ord(ch) > 126 else "")
        else:
            out.append(ch)
    return "".join(out)


_DOT = {"\\": "\\\\", '"': '\\"', "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MERMAID = {ch: f"#{ord(ch)};" for ch in '"#&<>[](){}|;`\\'}
_XML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def dot_string(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, ``& < >`` and non-ASCII as HTML entities."""
    return '"' + _escape(text, _DOT, "&#{};") + '"'


def mermaid_text(text: str) -> str:
    """Mermaid label text: punctuation Mermaid reads and non-ASCII as ``#NNN;`` entity codes."""
    return _escape(text, _MERMAID, "#{};")


def xml_text(text: str) -> str:
    """XML text or attribute value, ASCII only."""
    return _escape(text, _XML, "&#{};")


def dot(graph: Any, highlight: Collection[str]) -> str:
    """The graph in Graphviz DOT."""
    title = f"{graph.graph.get('name', '')} (as at {graph.graph['as_of']})" if graph.graph.get("as_of") else ""
    lines = [
        f"digraph {dot_string(str(graph.graph.get('partnership', 'partnership')))} {{",
        f'  graph [rankdir=BT, fontname="Helvetica", label={dot_string(title or graph.graph.get("name", ""))}];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8];',
    ]
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        fill, stroke = _NODE_STYLE[node_class(data)]
        extra = f', color="{_HIGHLIGHT}", penwidth=2.5' if node in highlight else f', color="{stroke}"'
        lines.append(f'  {dot_string(node)} [label={dot_string(data.get("name", node))}, fillcolor="{fill}"{extra}];')
    for u, v, _, data in _edges(graph):
        colour, _, style, _ = _EDGE_STYLE.get(str(data.get("edge_type")), ("#000000", "", "solid", "-->"))
        both = ", dir=both" if data.get("edge_type") == "shares-information" else ""
        lines.append(
            f"  {dot_string(u)} -> {dot_string(v)} "
            f'[label={dot_string(edge_label(data))}, color="{colour}", style={style}{both}];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def mermaid_ids(nodes: Iterable[str]) -> dict[str, str]:
    """Safe, unique Mermaid node ids for graph node ids, in sorted order."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for node in sorted(nodes):
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node)
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        ids[node] = name
    return ids


def mermaid(graph: Any, highlight: Collection[str]) -> str:
    """The graph as a Mermaid flowchart."""
    ids = mermaid_ids(graph.nodes)
    lines = ["flowchart BT"]
    classes: dict[str, list[str]] = defaultdict(list)
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        cls = node_class(data)
        classes[cls].append(ids[node])
        if node in highlight:
            classes["gap"].append(ids[node])
        left, right = _MERMAID_SHAPES.get(cls, ('["', '"]'))
        lines.append(f"  {ids[node]}{left}{mermaid_text(data.get('name', node))}{right}")
    for u, v, _, data in _edges(graph):
        arrow = _EDGE_STYLE.get(str(data.get("edge_type")), ("", "", "", "-->"))[3]
        lines.append(f'  {ids[u]} {arrow}|"{mermaid_text(edge_label(data))}"| {ids[v]}')
    for cls, (fill, stroke) in _NODE_STYLE.items():
        if classes.get(cls):
            lines.append(f"  classDef {cls} fill:{fill},stroke:{stroke},color:#1b2631")
            lines.append(f"  class {','.join(classes[cls])} {cls}")
    if classes.get("gap"):
        lines.append(f"  classDef gap stroke:{_HIGHLIGHT},stroke-width:3px")
        lines.append(f"  class {','.join(classes['gap'])} gap")
    return "\n".join(lines) + "\n"


# --- SVG: a layered drawing, reporting flowing left to right ------------------------------------------

_BOX_W, _GAP_X, _GAP_Y, _LINE_H, _PAD, _WRAP = 220, 120, 12, 14, 8, 32


# Edges that say nothing about who reports to whom do not push a node into a later column.
_NO_RANK = frozenset({"serves", "chairs", "commissions", "shares-information"})


def _layers(graph: Any) -> list[list[str]]:
    """Columns: each node after everything that reports or sits on it (cycles share a column), by barycentre."""
    simple = nx.DiGraph()
    simple.add_nodes_from(sorted(graph.nodes))
    simple.add_edges_from(sorted({(u, v) for u, v, t in graph.edges(data="edge_type") if u != v and t not in _NO_RANK}))
    condensed = nx.condensation(simple)
    mapping = condensed.graph["mapping"]
    column = {c: i for i, generation in enumerate(nx.topological_generations(condensed)) for c in generation}
    columns: list[list[str]] = [[] for _ in range(max(column.values(), default=-1) + 1)]
    for node in sorted(simple):
        columns[column[mapping[node]]].append(node)
    position: dict[str, float] = {}

    def order(nodes: list[str], neighbours: Any) -> None:
        def barycentre(node: str) -> tuple[float, float, str]:
            placed = [position[n] for n in neighbours(node) if n in position]
            mean = sum(placed) / len(placed) if placed else position.get(node, -1.0)
            return mean, position.get(node, -1.0), node

        nodes.sort(key=barycentre)
        position.update((node, float(i)) for i, node in enumerate(nodes))

    for nodes in columns:  # left to right, after what reports in; then right to left, near what it reports to
        order(nodes, simple.predecessors)
    for nodes in reversed(columns[:-1]):
        order(nodes, simple.successors)
    return columns


def svg(graph: Any, highlight: Collection[str]) -> str:
    """The graph as a standalone SVG drawing, with a legend."""
    columns = _layers(graph)
    texts = {n: textwrap.wrap(str(graph.nodes[n].get("name", n)), _WRAP) or [n] for n in graph.nodes}
    tall = {n: 2.0 * _PAD + _LINE_H * len(t) for n, t in texts.items()}
    extent = [sum(tall[n] + _GAP_Y for n in nodes) for nodes in columns]
    height = 40.0 + max(extent, default=0.0)
    boxes: dict[str, tuple[float, float, float, list[str]]] = {}
    for i, nodes in enumerate(columns):
        y = 40.0 + (height - 40.0 - extent[i]) / 2  # each column centred on the tallest
        for node in nodes:
            boxes[node] = (20.0 + i * (_BOX_W + _GAP_X), y, tall[node], texts[node])
            y += tall[node] + _GAP_Y
    edges = _edges(graph)
    used = sorted({str(d.get("edge_type")) for *_, d in edges} & set(_EDGE_STYLE))
    kinds = sorted({node_class(graph.nodes[n]) for n in graph.nodes})
    width = max(20 + len(columns) * (_BOX_W + _GAP_X) - _GAP_X + 20, 640)
    legend_y = height + 20
    total = legend_y + 20 * ((len(used) + len(kinds) + 2) // 3 + 1)
    title = str(graph.graph.get("name", ""))
    if graph.graph.get("as_of"):
        title += f" (as at {graph.graph['as_of']})"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{total:.0f}" '
        f'viewBox="0 0 {width:.0f} {total:.0f}" role="img" aria-label="{xml_text(title)}">',
        "<defs>",
    ]
    for edge_type in used:
        colour = _EDGE_STYLE[edge_type][0]
        out.append(
            f'<marker id="sg-arrow-{edge_type}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out += [
        "</defs>",
        '<g font-family="Helvetica, Arial, sans-serif" font-size="11">',
        f'<text x="20" y="24" font-size="14" font-weight="bold">{xml_text(title)}</text>',
    ]
    for u, v, _, data in edges:
        edge_type = str(data.get("edge_type"))
        colour, dash, *_ = _EDGE_STYLE.get(edge_type, ("#000000", "", "", ""))
        x1, y1, h1, _ = boxes[u]
        x2, y2, h2, _ = boxes[v]
        sy, ty = y1 + h1 / 2, y2 + h2 / 2
        if x2 > x1:
            sx, tx = x1 + _BOX_W, x2
            bend = (tx - sx) / 2
            d = f"M{sx:.1f},{sy:.1f} C{sx + bend:.1f},{sy:.1f} {tx - bend:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
        else:
            sx, tx = x1 + _BOX_W, x2 + _BOX_W
            d = f"M{sx:.1f},{sy:.1f} C{sx + 60:.1f},{sy:.1f} {tx + 60:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
        both = f' marker-start="url(#sg-arrow-{edge_type})"' if edge_type == "shares-information" else ""
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        arrow = f' marker-end="url(#sg-arrow-{edge_type})"' if edge_type in _EDGE_STYLE else ""
        out.append(
            f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.2"{dashes}{arrow}{both}>'
            f"<title>{xml_text(f'{u} {edge_label(data)} {v}')}</title></path>"
        )
    for node in sorted(boxes):
        x, y, h, text = boxes[node]
        fill, stroke = _NODE_STYLE[node_class(graph.nodes[node])]
        line_width = "3" if node in highlight else "1.2"
        stroke = _HIGHLIGHT if node in highlight else stroke
        out.append(
            f'<g><title>{xml_text(node)}</title><rect x="{x:.0f}" y="{y:.0f}" width="{_BOX_W}" height="{h:.0f}" '
            f'rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{line_width}"/>'
        )
        for j, line in enumerate(text):
            out.append(f'<text x="{x + _PAD:.0f}" y="{y + _PAD + 11 + j * _LINE_H:.0f}">{xml_text(line)}</text>')
        out.append("</g>")
    items = [(k, "node") for k in kinds] + [(e, "edge") for e in used]
    if highlight:
        items.append(("gap", "node"))
    for i, (item, what) in enumerate(items):
        lx, ly = 20 + (i % 3) * 260, legend_y + (i // 3) * 20
        if what == "node":
            fill, stroke = _NODE_STYLE.get(item, ("#ffffff", _HIGHLIGHT))
            out.append(
                f'<rect x="{lx}" y="{ly - 10:.0f}" width="24" height="12" rx="3" fill="{fill}" stroke="{stroke}"/>'
            )
            label = "in a gap" if item == "gap" else item
        else:
            colour, dash, *_ = _EDGE_STYLE[item]
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<path d="M{lx},{ly - 4:.0f} h24" stroke="{colour}" stroke-width="1.5"{dashes} '
                f'marker-end="url(#sg-arrow-{item})"/>'
            )
            label = EDGE_LABELS[item]
        out.append(f'<text x="{lx + 32}" y="{ly:.0f}">{xml_text(label)}</text>')
    out += ["</g>", "</svg>"]
    return "\n".join(out) + "\n"
