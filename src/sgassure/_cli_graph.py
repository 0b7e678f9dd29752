"""The ``sgassure graph`` command: the partnership graph, its exports and its gaps.

``sgassure graph WORKSPACE [--format text|json|graphml|dot|mermaid|svg] [--gaps] [--as-of DATE]
[--attendance-threshold PERCENT] [--out FILE]``

Without ``--as-of`` the graph holds every seat, line and agreement ever
recorded; with it, those in force on that day. ``--gaps`` needs ``--as-of``
(gaps are read as at a date) and adds the gap analysis: listed in text and JSON,
outlined in red in DOT, Mermaid and SVG. Exit codes: 0 (no gaps, or none asked
for), 1 (gaps found), 2 (bad input or usage; :class:`~sgassure.errors.LoadError`
and :class:`~sgassure.errors.SgassureError` reach the caller, which prints them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections import Counter
from typing import Any

import networkx as nx

from sgassure._files import write_output
from sgassure.errors import SgassureError
from sgassure.graph import (
    GapKind,
    GapReport,
    analyse_gaps,
    graph_to_dot,
    graph_to_graphml,
    graph_to_mermaid,
    graph_to_node_link,
    graph_to_svg,
    partnership_graph,
)
from sgassure.workspace import load_workspace

SCHEMA_VERSION = 1
FORMATS = ("text", "json", "graphml", "dot", "mermaid", "svg")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD; got {text!r}") from None


def _percent(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a whole percentage from 0 to 100; got {text!r}")
    return value


def add_parser(subparsers: Any) -> None:
    """Add the ``graph`` command to an argparse subparsers object (its parser class is the caller's)."""
    graph = subparsers.add_parser("graph", help="the partnership graph: export it, or find its gaps")
    graph.add_argument("workspace", help="the workspace folder")
    graph.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    graph.add_argument("--gaps", action="store_true", help="analyse the gaps (needs --as-of)")
    graph.add_argument("--as-of", type=_date, help="read seats, lines and agreements in force on this date")
    graph.add_argument(
        "--attendance-threshold",
        type=_percent,
        default=75,
        help="percentage of board meetings a statutory partner must attend (default: 75)",
    )
    graph.add_argument("--out", help="write the output to this file (atomically) instead of stdout")


def _counts(graph: nx.MultiDiGraph) -> dict[str, dict[str, int]]:
    nodes = Counter(str(t) for _, t in graph.nodes(data="node_type"))
    edges = Counter(str(t) for *_, t in graph.edges(data="edge_type"))
    return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}


def _percent_text(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.0f}%" if whole else "-"


def document(graph: nx.MultiDiGraph, report: GapReport | None) -> dict[str, Any]:
    """The JSON output: schema_version, the graph as node-link data and, when analysed, gaps, shares and routes."""
    return {
        "schema_version": SCHEMA_VERSION,
        "partnership": graph.graph["partnership"],
        "name": graph.graph["name"],
        "as_of": graph.graph["as_of"] or None,
        "summary": _counts(graph),
        "graph": graph_to_node_link(graph),
        "gaps": None
        if report is None
        else [
            {
                "kind": g.kind.value,
                "subject": g.subject,
                "message": g.message,
                "explanation": list(g.explanation),
                "framework": g.framework,
                "bodies": list(g.bodies),
                "agencies": list(g.agencies),
                "cases": list(g.cases),
                "attended": g.attended,
                "held": g.held,
                "lines_through": g.lines_through,
                "lines_total": g.lines_total,
            }
            for g in report.gaps
        ],
        "shares": None
        if report is None
        else [
            {"board": s.board, "body": s.body, "lines_through": s.lines_through, "lines_total": s.lines_total}
            for s in report.shares
        ],
        "routes": None
        if report is None
        else [
            {
                "agency": r.agency,
                "target": r.target,
                "shortest": list(r.shortest.bodies) if r.shortest else None,
                "alternatives": [list(a.bodies) for a in r.alternatives],
            }
            for r in report.routes
        ],
    }


def render_text(graph: nx.MultiDiGraph, report: GapReport | None) -> str:
    """The graph summarised, and the gaps, shares and routes when analysed, for a terminal."""
    counts = _counts(graph)
    when = f" as at {graph.graph['as_of']}" if graph.graph["as_of"] else " (every record, any date)"
    lines = [
        f"{graph.graph['name']} ({graph.graph['partnership']}){when}",
        f"  {graph.number_of_nodes()} nodes: " + ", ".join(f"{n} {k}" for k, n in counts["nodes"].items()),
        f"  {graph.number_of_edges()} edges: " + ", ".join(f"{n} {k}" for k, n in counts["edges"].items()),
    ]
    if report is None:
        return "\n".join(lines) + "\n"
    lines += ["", f"Gaps as at {report.as_of}: {len(report.gaps)}"]
    kind = None
    for gap in report.gaps:
        if gap.kind != kind:
            kind = gap.kind
            lines.append(f"  {kind.value} ({len(report.of_kind(kind))})")
        lines.append(f"    - {gap.message}")
        lines += [f"        {line}" for line in gap.explanation]
    lines += ["", "Reporting lines through each body, by board:"]
    for share in report.shares:
        lines.append(
            f"  {share.board}: {share.body} {share.lines_through} of {share.lines_total} "
            f"({_percent_text(share.lines_through, share.lines_total)})"
        )
    lines += ["", "Escalation routes (shortest; alternatives found):"]
    for route in report.routes:
        if route.shortest is None:
            lines.append(f"  {route.agency} -> {route.target}: no route")
            continue
        more = f" (+{len(route.alternatives)} alternatives)" if route.alternatives else ""
        lines.append(f"  {route.agency} -> {route.target}: {' -> '.join(route.shortest.bodies)}{more}")
    return "\n".join(lines) + "\n"


def _highlight(report: GapReport | None) -> set[str]:
    if report is None:
        return set()
    found: set[str] = set()
    for gap in report.gaps:
        found.update(v for v in (gap.body, gap.agency, gap.other_agency) if v is not None)
        if gap.kind == GapKind.STATUTORY_PARTNER_NO_SEAT and gap.board is not None:
            found.add(gap.board)
        if gap.kind.is_structural:
            found.update(gap.bodies)
    return found


def run(args: argparse.Namespace) -> int:
    """Run ``sgassure graph``: 0 when no gaps were found (or asked for), 1 when some were.

    Raises:
        LoadError: the workspace does not load.
        SgassureError: the options do not fit together.
    """
    if args.gaps and args.as_of is None:
        raise SgassureError("--gaps needs --as-of DATE: gaps are read as at a date")
    if args.gaps and args.format == "graphml":
        raise SgassureError("--gaps works with --format text, json, dot, mermaid or svg, not graphml")
    workspace = load_workspace(args.workspace)
    graph = partnership_graph(workspace, on=args.as_of)
    report = (
        analyse_gaps(workspace, as_of=args.as_of, attendance_threshold=args.attendance_threshold) if args.gaps else None
    )
    highlight = _highlight(report)
    renderers = {
        "text": lambda: render_text(graph, report),
        "json": lambda: json.dumps(document(graph, report), indent=2, ensure_ascii=False) + "\n",
        "graphml": lambda: graph_to_graphml(graph),
        "dot": lambda: graph_to_dot(graph, highlight=highlight),
        "mermaid": lambda: graph_to_mermaid(graph, highlight=highlight),
        "svg": lambda: graph_to_svg(graph, highlight=highlight),
    }
    write_output(renderers[args.format](), args.out)
    return 1 if report is not None and report.gaps else 0
