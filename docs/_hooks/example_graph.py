"""MkDocs hook: the example partnership's graph page, drawn by sgassure itself at build time.

``example-partnership.md`` is generated from the bundled example workspace
(``examples/wendmoor``): the Mermaid diagram is the output of
:func:`sgassure.graph_to_mermaid` (what ``sgassure graph --format mermaid``
prints) for the partnership's structure as at :data:`AS_OF`, and the gaps are
those :func:`sgassure.analyse_gaps` finds on that date. Nothing is copied by
hand, so the page always shows what the code does.
"""

from __future__ import annotations

import datetime as dt
import html

import networkx as nx
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

import sgassure
from sgassure import GapReport

PAGE = "example-partnership.md"
AS_OF = dt.date(2025, 9, 30)
"""The date the example is read at: the date the guides audit the example workspace at."""


def structure(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The bodies and offices of a partnership graph, without the agencies and the ``serves`` lines."""
    view = nx.subgraph_view(
        graph,
        filter_node=lambda n: graph.nodes[n]["node_type"] != "agency",
        filter_edge=lambda u, v, k: graph.edges[u, v, k]["edge_type"] != "serves",
    )
    return nx.MultiDiGraph(view)


def structural_gap_nodes(report: GapReport) -> set[str]:
    """The bodies in a structural gap (no reporting route, dead end, reporting cycle): the nodes outlined in red."""
    return {x for g in report.gaps if g.kind.is_structural for x in (g.body, *g.bodies) if x}


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def gaps_section(report: GapReport) -> list[str]:
    """The gaps found, by kind, each with its explanation."""
    lines = [f"## The gaps as at {report.as_of.isoformat()}", ""]
    if not report.gaps:
        return [*lines, "No gap is found."]
    lines += [
        f"`analyse_gaps` finds {len(report.gaps)} gaps. What each kind means is on "
        "[the partnership graph](graph.md#gaps) page.",
    ]
    kind = None
    for gap in report.gaps:
        if gap.kind != kind:
            kind = gap.kind
            lines += ["", f"### `{kind.value}` ({len(report.of_kind(kind))})", ""]
        lines.append(f"- {_text(gap.message)}")
        lines += [f"    - {_text(line)}" for line in gap.explanation]
    return lines


def page() -> str:
    """The Markdown of the example partnership's graph page."""
    workspace = sgassure.load_workspace(sgassure.example_workspace_path())
    graph = sgassure.partnership_graph(workspace, on=AS_OF)
    report = sgassure.analyse_gaps(workspace, as_of=AS_OF)
    view = structure(graph)
    mermaid = sgassure.graph_to_mermaid(view, highlight=structural_gap_nodes(report))
    name = graph.graph["name"]
    agencies = sum(1 for _, t in graph.nodes(data="node_type") if t == "agency")
    lines = [
        "# The example partnership",
        "",
        f"The example workspace that ships with sgassure, `examples/wendmoor`, holds the {_text(name)}: a "
        f"fictional children's safeguarding partnership and Safeguarding Adults Board, {agencies} agencies, and "
        "the executives, subgroups and panels they share. Its agencies and people are invented.",
        "",
        f'!!! note "Generated from the example workspace as at {AS_OF.isoformat()}"',
        "    This page is written each time the site is built: the diagram is sgassure's own Mermaid export",
        "    (`graph_to_mermaid`) and the gaps are what `analyse_gaps` finds. On the command line:",
        "",
        "        sgassure graph examples/wendmoor --as-of 2025-09-30 --gaps --format mermaid",
        "",
        "    draws the whole graph, agencies and their seats included, with every node in a gap outlined.",
        "",
        "## The structure",
        "",
        f"The bodies and offices of the partnership on {AS_OF.isoformat()}, with the lines between them: who "
        "reports to whom, who chairs what, who is accountable or escalates to whom, who commissions what. "
        "The agencies, their seats and their information-sharing agreements are left out so that the "
        "structure can be read; arrows point from the body that reports to the body it reports to. Bodies in "
        "a structural gap (no reporting route, a dead end, a reporting cycle) are outlined in red.",
        "",
        "```mermaid",
        mermaid.rstrip("\n"),
        "```",
        "",
        *gaps_section(report),
        "",
    ]
    return "\n".join(lines)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated example-partnership page to the site."""
    files.append(File.generated(config, PAGE, content=page()))
    return files
