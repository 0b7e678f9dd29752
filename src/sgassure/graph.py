"""The partnership as a graph: who sits where, who reports to whom, how concerns rise, and where the gaps are.

:func:`partnership_graph` builds a :class:`networkx.MultiDiGraph` of a
partnership (or of a workspace's partnership). Graph attributes: ``partnership``
(id), ``name`` and ``as_of`` (the ISO date the graph was read at, or ``""``).

Nodes are agency, body and office ids, with attributes:

- ``node_type``: ``"agency"``, ``"body"`` or ``"office"``;
- ``name``; ``kind`` (an :class:`~sgassure.AgencyKind` or :class:`~sgassure.BodyKind`
  value, ``"office"`` for offices); ``sector`` for agencies and bodies.

Boards, executives, subgroups, panels, programmes and bodies outside the
arrangements are all ``body`` nodes, told apart by ``kind``.

Edges are keyed by their ``edge_type`` (a second edge of the same type between
the same two nodes gets the key ``"<edge_type>#2"``, and so on), so several
typed edges may join the same two nodes. Every edge has ``edge_type``, ``start``
and ``end`` (ISO dates, ``""`` when open or undated):

- ``membership``: agency to body, with ``member_class``, ``deputies_allowed``,
  and ``attended`` / ``held``: meetings of the body during the seat (in the
  365 days ending on ``as_of`` when the graph is read at a date);
- ``reports-to``, ``annual-report-to``, ``accountable-to``, ``escalates-to``:
  body to body (``accountable-to`` also joins an office to the bodies its holder
  answers to, such as a chair to a chief executive);
- ``serves``: a shared body to each board it serves; ``chairs``: office to body;
- ``commissions``: commissioner to provider (agencies or bodies), with ``service``;
- ``shares-information``: between two agencies bound by the same agreement,
  with the ``agreement`` id and its ``title``; the relation has no direction, so
  the edge runs from the lower id to the higher.

Every attribute is a string, integer or boolean, so the graph exports to
GraphML and node-link JSON and reads back equal (:func:`graph_to_graphml`,
:func:`graph_from_graphml`, :func:`graph_to_node_link`,
:func:`graph_from_node_link`); :func:`graph_to_dot`, :func:`graph_to_mermaid`
and :func:`graph_to_svg` draw it, escaping every name.

:func:`escalation_route` and :func:`escalation_routes` walk seats, reporting
and escalation lines to find how a concern raised by an agency reaches the body
that must act on it; :func:`analyse_gaps` finds the gaps of the web (see
:class:`GapKind`).

Examples:
    >>> from sgassure import example_workspace_path, load_workspace
    >>> ws = load_workspace(example_workspace_path())
    >>> g = partnership_graph(ws.partnership)
    >>> g.nodes["wcsp"]["node_type"], g.nodes["wcsp"]["kind"]
    ('body', 'childrens-board')
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Mapping
from fractions import Fraction
from typing import Any

import attrs
import networkx as nx

from sgassure import _drawing, _gaps, _routes
from sgassure.partnership import Partnership
from sgassure.workspace import Workspace

__all__ = [
    "EscalationRoute",
    "EscalationRoutes",
    "Gap",
    "GapKind",
    "GapReport",
    "ReportingShare",
    "analyse_gaps",
    "escalation_route",
    "escalation_routes",
    "graph_from_graphml",
    "graph_from_node_link",
    "graph_to_dot",
    "graph_to_graphml",
    "graph_to_mermaid",
    "graph_to_node_link",
    "graph_to_svg",
    "partnership_graph",
]


def _partnership(source: Workspace | Partnership) -> Partnership:
    return source.partnership if isinstance(source, Workspace) else source


def partnership_graph(source: Workspace | Partnership, *, on: dt.date | None = None) -> nx.MultiDiGraph:
    """The partnership as a typed multigraph (see the module docs for attributes).

    Nodes and edges are added in sorted order, so the graph, and every walk
    over it, is the same whatever the order of the input file.

    Args:
        source: a workspace or a partnership.
        on: when given, only seats held, lines in force and agreements and
            commissioning in force on that day become edges, and attendance
            counts the 365 days ending on it.

    Returns:
        A new :class:`networkx.MultiDiGraph`.

    Examples:
        >>> from sgassure import parse_partnership
        >>> p = parse_partnership('''
        ... version: 1
        ... id: x
        ... name: X
        ... areas: [X]
        ... agencies: [{id: pol, name: X Police, kind: police, sectors: both}]
        ... bodies:
        ...   - {id: sab, name: X SAB, kind: adults-board, sector: adults}
        ...   - {id: exec, name: SAB Executive, kind: executive, sector: adults}
        ... memberships: [{agency: pol, body: exec, class: statutory, start: 2024-04-01}]
        ... reporting_lines: [{from: exec, to: sab}]
        ... ''')
        >>> sorted(partnership_graph(p).edges(keys=True))
        [('exec', 'sab', 'reports-to'), ('pol', 'exec', 'membership')]
    """
    return _gaps.build(_partnership(source), on)


# --- escalation routes --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class EscalationRoute:
    """How a concern raised by an agency reaches a body: the bodies it passes, in order.

    ``bodies`` starts with the body where the agency sits and ends with the target.

    Examples:
        >>> EscalationRoute(agency="pol", target="sab", bodies=("exec", "sab")).hops
        2
    """

    agency: str
    target: str
    bodies: tuple[str, ...]

    @property
    def hops(self) -> int:
        """The number of steps from the agency to the target."""
        return len(self.bodies)


@attrs.frozen(kw_only=True)
class EscalationRoutes:
    """The routes from an agency to a body that may have to act: the shortest first, then alternatives.

    Examples:
        >>> r = EscalationRoutes(agency="pol", target="sab", routes=(
        ...     EscalationRoute(agency="pol", target="sab", bodies=("exec", "sab")),
        ...     EscalationRoute(agency="pol", target="sab", bodies=("seg", "exec", "sab")),
        ... ))
        >>> r.shortest.bodies, len(r.alternatives)
        (('exec', 'sab'), 1)
    """

    agency: str
    target: str
    routes: tuple[EscalationRoute, ...] = ()

    @property
    def shortest(self) -> EscalationRoute | None:
        """The shortest route, or None when there is no route at all."""
        return self.routes[0] if self.routes else None

    @property
    def alternatives(self) -> tuple[EscalationRoute, ...]:
        """The other routes found, shortest first."""
        return self.routes[1:]


def escalation_route(
    source: Workspace | Partnership, agency: str, target: str, *, on: dt.date | None = None
) -> EscalationRoute | None:
    """The shortest route from an agency, through a seat it holds, up reporting and escalation lines to ``target``.

    Routes run over seats, ``reports-to`` and ``escalates-to`` lines and are
    found with :func:`networkx.shortest_simple_paths`; of routes of equal
    length, the one whose body ids sort first is taken.

    Args:
        source: a workspace or a partnership.
        agency: the id of the agency raising the concern.
        target: the id of the body that must act.
        on: count only seats held and lines in force on that day.

    Returns:
        The route, or None when there is none.

    Raises:
        KeyError: if ``agency`` or ``target`` is not in the partnership.

    Examples:
        >>> from sgassure import example_workspace_path, load_workspace
        >>> p = load_workspace(example_workspace_path()).partnership
        >>> route = escalation_route(p, "wendmoor-police", "wcsp")
        >>> route.bodies[-1]
        'wcsp'
    """
    p = _partnership(source)
    p.agency(agency)
    p.body(target)
    found = _routes.shortest_routes(_routes.route_graph(partnership_graph(p, on=on)), agency, target, 1)
    return found[0] if found else None


def escalation_routes(
    source: Workspace | Partnership, *, on: dt.date | None = None, alternatives: int = 2
) -> tuple[EscalationRoutes, ...]:
    """The routes from every agency to every body the escalation policy names, sorted by (agency, target).

    Each entry holds the shortest route (the one :func:`escalation_route`
    returns) and up to ``alternatives`` other routes, found with
    :func:`networkx.shortest_simple_paths` and sorted by length, then by body ids.

    Args:
        source: a workspace or a partnership.
        on: count only seats held and lines in force on that day.
        alternatives: how many routes besides the shortest to find (0 or more).

    Returns:
        One entry per (agency, body); an entry with no routes means the agency cannot reach the body.

    Raises:
        ValueError: if ``alternatives`` is negative.

    Examples:
        >>> import datetime as dt
        >>> from sgassure import example_workspace_path, load_workspace
        >>> ws = load_workspace(example_workspace_path())
        >>> found = escalation_routes(ws, on=dt.date(2025, 9, 30))
        >>> police = next(r for r in found if (r.agency, r.target) == ("wendmoor-police", "wcsp-exec"))
        >>> police.shortest.bodies
        ('wcsp-exec',)
        >>> [r.bodies for r in police.alternatives]
        [('case-review', 'wcsp-exec'), ('policy-procedures', 'wcsp-exec')]
    """
    p = _partnership(source)
    return _routes.all_routes(p, _routes.route_graph(partnership_graph(p, on=on)), alternatives)


# --- gap analysis -------------------------------------------------------------------------------------


class GapKind(enum.StrEnum):
    """The kinds of gap :func:`analyse_gaps` finds, in the order reports list them.

    - ``statutory-partner-no-seat``: a statutory partner a board must have holds no seat on it;
    - ``low-attendance``: a statutory partner attended less than the threshold of the board's meetings;
    - ``no-self-assessment``: an agency expected to return for a cycle whose deadline has passed sent nothing;
    - ``no-reporting-route``: a body inside the arrangements whose reporting lines reach no board
      and no body outside the arrangements (the apex bodies);
    - ``dead-end``: a body inside the arrangements that receives reports and reports to nobody;
    - ``reporting-cycle``: bodies that report to each other in a circle;
    - ``single-point-of-failure``: a body through which every reporting line to a board from the
      agencies without a seat on that board must pass;
    - ``one-board-only``: an agency serving children and adults that sits on one sector's board only;
    - ``no-information-sharing``: two agencies that work the same cases (in case-file audits) with
      no information-sharing agreement binding both;
    - ``no-escalation-route``: an agency from whose seats no body the escalation policy names can be reached.

    Examples:
        >>> GapKind("dead-end").is_structural
        True
    """

    STATUTORY_PARTNER_NO_SEAT = "statutory-partner-no-seat"
    LOW_ATTENDANCE = "low-attendance"
    NO_SELF_ASSESSMENT = "no-self-assessment"
    NO_REPORTING_ROUTE = "no-reporting-route"
    DEAD_END = "dead-end"
    REPORTING_CYCLE = "reporting-cycle"
    SINGLE_POINT_OF_FAILURE = "single-point-of-failure"
    ONE_BOARD_ONLY = "one-board-only"
    NO_INFORMATION_SHARING = "no-information-sharing"
    NO_ESCALATION_ROUTE = "no-escalation-route"

    @property
    def is_structural(self) -> bool:
        """Whether the gap is in the reporting structure rather than in an agency's part in it."""
        return self in (GapKind.NO_REPORTING_ROUTE, GapKind.DEAD_END, GapKind.REPORTING_CYCLE)


_KIND_ORDER = {kind: i for i, kind in enumerate(GapKind)}
_SUBJECT_FIELDS = ("board", "role", "body", "agency", "other_agency", "cycle")


@attrs.frozen(kw_only=True)
class Gap:
    """A gap in the partnership, with the ids it concerns and why it is one.

    Which fields are set depends on ``kind`` (see :class:`GapKind`): ``board``
    and ``role`` for statutory partners; ``body`` for structural gaps (the
    lowest id of a reporting cycle, whose members are in ``bodies``);
    ``board``, ``body`` and ``agencies`` for a single point of failure;
    ``agency`` and ``other_agency`` with the shared ``cases`` for information
    sharing. ``attended``/``held`` and ``lines_through``/``lines_total`` carry
    the counts behind attendance and reporting-share gaps.

    Examples:
        >>> gap = Gap(kind=GapKind.DEAD_END, body="cse", bodies=("ops",), message="Reports stop at CSE")
        >>> gap.subject
        {'body': 'cse'}
    """

    kind: GapKind
    message: str
    board: str | None = None
    role: str | None = None
    body: str | None = None
    agency: str | None = None
    other_agency: str | None = None
    cycle: str | None = None
    framework: str | None = None
    bodies: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    attended: int | None = None
    held: int | None = None
    lines_through: int | None = None
    lines_total: int | None = None
    explanation: tuple[str, ...] = ()

    @property
    def subject(self) -> dict[str, str]:
        """The ids that identify the gap, in a fixed order (board, role, body, agency, other_agency, cycle)."""
        return {f: v for f in _SUBJECT_FIELDS if (v := getattr(self, f)) is not None}

    def sort_key(self) -> tuple[int, tuple[str, ...]]:
        """Sort by kind (in :class:`GapKind` order), then by the subject ids."""
        return _KIND_ORDER[self.kind], tuple(getattr(self, f) or "" for f in _SUBJECT_FIELDS)


@attrs.frozen(kw_only=True)
class ReportingShare:
    """How many of the reporting lines that reach a board flow through a body.

    A line is an agency's seat on a body from which the board can be reached
    (a seat on the board itself is a line through no other body); it flows
    through every body that all its routes to the board must pass, the seat's
    own body included.

    Examples:
        >>> ReportingShare(board="sab", body="exec", lines_through=6, lines_total=8).share
        Fraction(3, 4)
    """

    board: str
    body: str
    lines_through: int
    lines_total: int

    @property
    def share(self) -> Fraction:
        """The exact share of the board's lines through the body."""
        return Fraction(self.lines_through, self.lines_total) if self.lines_total else Fraction(0)


@attrs.frozen(kw_only=True)
class GapReport:
    """The gaps of a partnership as at a date, with reporting shares and escalation routes.

    ``gaps`` are sorted by :meth:`Gap.sort_key`; ``shares`` by (board, body);
    ``routes`` by (agency, target).

    Examples:
        >>> report = GapReport(as_of=dt.date(2025, 9, 30), gaps=(
        ...     Gap(kind=GapKind.DEAD_END, body="cse", message="Reports stop at CSE"),))
        >>> [g.body for g in report.of_kind(GapKind.DEAD_END)]
        ['cse']
    """

    as_of: dt.date
    gaps: tuple[Gap, ...] = ()
    shares: tuple[ReportingShare, ...] = ()
    routes: tuple[EscalationRoutes, ...] = ()

    def of_kind(self, kind: GapKind) -> tuple[Gap, ...]:
        """The gaps of one kind."""
        return tuple(g for g in self.gaps if g.kind == kind)


def analyse_gaps(
    workspace: Workspace,
    *,
    as_of: dt.date,
    attendance_threshold: int = 75,
    attendance_days: int = 365,
    alternatives: int = 2,
) -> GapReport:
    """Find the gaps of a workspace's partnership as at a date (see :class:`GapKind`).

    Everything is read as at ``as_of``: seats held, lines, agreements and
    statutory requirements in force, meetings and case-file audits on or before it.

    Args:
        workspace: a loaded workspace.
        as_of: the date to read the partnership at.
        attendance_threshold: the percentage of meetings a statutory partner must attend (0 to 100).
        attendance_days: the attendance window, in days ending on ``as_of``.
        alternatives: alternative escalation routes to find besides the shortest.

    Returns:
        The gaps, the reporting shares and the escalation routes.

    Raises:
        ValueError: if a parameter is out of range.

    Examples:
        >>> import datetime as dt
        >>> from sgassure import example_workspace_path, load_workspace
        >>> report = analyse_gaps(load_workspace(example_workspace_path()), as_of=dt.date(2025, 9, 30))
        >>> [g.subject for g in report.of_kind(GapKind.STATUTORY_PARTNER_NO_SEAT)]
        [{'board': 'wsab', 'role': 'chief officer of police'}]
        >>> report.of_kind(GapKind.SINGLE_POINT_OF_FAILURE)[0].body
        'wsab-exec'
    """
    if alternatives < 0:
        raise ValueError(f"alternatives must be 0 or more; got {alternatives}")
    if not 0 <= attendance_threshold <= 100:
        raise ValueError(f"attendance_threshold must be between 0 and 100; got {attendance_threshold}")
    if attendance_days < 1:
        raise ValueError(f"attendance_days must be 1 or more; got {attendance_days}")
    run = _gaps.Analysis(workspace, as_of, attendance_threshold, attendance_days)
    spof, shares = run.dominators()
    routes = _routes.route_graph(run.graph)
    gaps = [
        *run.statutory(),
        *run.returns(),
        *run.structure(),
        *spof,
        *run.boards(),
        *run.sharing(),
        *run.escalation(routes),
    ]
    return GapReport(
        as_of=as_of,
        gaps=tuple(sorted(gaps, key=Gap.sort_key)),
        shares=tuple(shares),
        routes=_routes.all_routes(workspace.partnership, routes, alternatives),
    )


# --- exports ------------------------------------------------------------------------------------------


def graph_to_graphml(graph: nx.MultiDiGraph) -> str:
    """The graph as GraphML text, every node, edge and graph attribute with its type.

    Examples:
        >>> text = graph_to_graphml(nx.MultiDiGraph(partnership="x"))
        >>> text.splitlines()[0].startswith("<graphml")
        True
    """
    return "\n".join(nx.generate_graphml(graph)) + "\n"


def graph_from_graphml(text: str) -> nx.MultiDiGraph:
    """Read a graph written by :func:`graph_to_graphml` back, equal to the one written.

    Raises:
        ValueError: if the text is not GraphML.

    Examples:
        >>> from sgassure import example_workspace_path, load_workspace
        >>> g = partnership_graph(load_workspace(example_workspace_path()))
        >>> h = graph_from_graphml(graph_to_graphml(g))
        >>> sorted(h.edges(keys=True, data=True)) == sorted(g.edges(keys=True, data=True))
        True
    """
    try:
        graph = nx.parse_graphml(text, force_multigraph=True)
    except (nx.NetworkXError, SyntaxError) as exc:  # ElementTree's ParseError is a SyntaxError
        raise ValueError(f"not GraphML: {exc}") from None
    for extra in ("node_default", "edge_default"):
        graph.graph.pop(extra, None)
    return nx.MultiDiGraph(graph)


def graph_to_node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The graph as node-link data (``nodes`` and ``edges`` lists with their attributes), ready for JSON.

    Examples:
        >>> g = nx.MultiDiGraph(partnership="x")
        >>> g.add_node("pol", node_type="agency", name="X Police", kind="police", sector="both")
        >>> data = graph_to_node_link(g)
        >>> sorted(data)
        ['directed', 'edges', 'graph', 'multigraph', 'nodes']
        >>> data["nodes"][0]["id"], data["nodes"][0]["name"]
        ('pol', 'X Police')
    """
    data: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    return data


def graph_from_node_link(data: Mapping[str, Any]) -> nx.MultiDiGraph:
    """Read node-link data written by :func:`graph_to_node_link` back, equal to the graph written.

    Raises:
        ValueError: if the data is not node-link data.

    Examples:
        >>> g = nx.MultiDiGraph(partnership="x")
        >>> g.add_edge("a", "b", key="reports-to", edge_type="reports-to", start="", end="")
        'reports-to'
        >>> list(graph_from_node_link(graph_to_node_link(g)).edges(keys=True, data="edge_type"))
        [('a', 'b', 'reports-to', 'reports-to')]
    """
    try:
        graph = nx.node_link_graph(dict(data), directed=True, multigraph=True, edges="edges")
    except (KeyError, TypeError, nx.NetworkXError) as exc:
        raise ValueError(f"not node-link data: missing or malformed {exc}") from None
    return nx.MultiDiGraph(graph)


def graph_to_dot(graph: nx.MultiDiGraph, *, highlight: Collection[str] = ()) -> str:
    """The graph in Graphviz DOT, names escaped (quotes, backslashes, ``& < >``, non-ASCII as entities).

    Args:
        graph: a partnership graph, or a subgraph of one.
        highlight: node ids to outline in red (e.g. the bodies in gaps).

    Examples:
        >>> g = nx.MultiDiGraph(partnership="x", name="X")
        >>> g.add_node('a"b', node_type="body", name='The "A&B" [panel]', kind="panel")
        >>> print(graph_to_dot(g).splitlines()[4])
          "a\\"b" [label="The \\"A&amp;B\\" [panel]", fillcolor="#eaf4e4", color="#3b6e22"];
    """
    return _drawing.dot(graph, highlight)


def graph_to_mermaid(graph: nx.MultiDiGraph, *, highlight: Collection[str] = ()) -> str:
    """The graph as a Mermaid flowchart; labels use ``#NNN;`` entity codes for punctuation and non-ASCII.

    Node ids become ``n_`` plus the id with every character but letters,
    digits and underscores replaced by ``_`` (a numeric suffix keeps them unique).

    Args:
        graph: a partnership graph, or a subgraph of one.
        highlight: node ids to outline in red.

    Examples:
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("seg", node_type="body", name="Effectiveness [QA] & Performance", kind="subgroup")
        >>> print(graph_to_mermaid(g).splitlines()[1])
          n_seg["Effectiveness #91;QA#93; #38; Performance"]
    """
    return _drawing.mermaid(graph, highlight)


def graph_to_svg(graph: nx.MultiDiGraph, *, highlight: Collection[str] = ()) -> str:
    """The graph as a standalone SVG drawing: columns by reporting order, with a legend; no script, no fonts fetched.

    Each node sits in the column after every node that reaches it (bodies in a
    reporting cycle share a column), so reporting flows left to right.

    Args:
        graph: a partnership graph, or a subgraph of one (draw the bodies only for a readable chart).
        highlight: node ids to outline in red.

    Examples:
        >>> g = nx.MultiDiGraph(name="X")
        >>> g.add_node("exec", node_type="body", name="Executive", kind="executive")
        >>> g.add_node("sab", node_type="body", name="Adults Board", kind="adults-board")
        >>> _ = g.add_edge("exec", "sab", key="reports-to", edge_type="reports-to")
        >>> svg = graph_to_svg(g)
        >>> svg.startswith("<svg"), "Adults Board" in svg
        (True, True)
    """
    return _drawing.svg(graph, highlight)
