"""The partnership as a graph: who sits where, who reports to whom, how concerns rise.

:func:`partnership_graph` builds a :class:`networkx.MultiDiGraph` of a
partnership. Nodes are agency, body and office ids, with attributes:

- ``node_type``: ``"agency"``, ``"body"`` or ``"office"``;
- ``name``; ``kind`` (an :class:`~sgassure.AgencyKind` or :class:`~sgassure.BodyKind` value);
  ``sector`` for agencies and bodies.

Edges are keyed by their ``edge_type``, so several typed edges may join the same two nodes:

- ``membership``: agency to body, with ``member_class``, ``start``, ``end`` (ISO date or "")
  and ``deputies_allowed``;
- ``reports-to``, ``annual-report-to``, ``accountable-to``, ``escalates-to``: body to body;
- ``serves``: a shared body to each board it serves;
- ``chairs``: office to body.

:func:`escalation_route` walks membership and reporting lines to find how a
concern raised by an agency reaches the body that must act on it.

Examples:
    >>> from sgassure import example_workspace_path, load_workspace
    >>> ws = load_workspace(example_workspace_path())
    >>> g = partnership_graph(ws.partnership)
    >>> g.nodes["wcsp"]["node_type"], g.nodes["wcsp"]["kind"]
    ('body', 'childrens-board')
"""

from __future__ import annotations

import datetime as dt

import attrs
import networkx as nx

from sgassure.partnership import Partnership, ReportingLineKind

__all__ = ["EscalationRoute", "escalation_route", "partnership_graph"]

_ROUTE_EDGES = frozenset({"membership", ReportingLineKind.REPORTS_TO.value, ReportingLineKind.ESCALATES_TO.value})


def partnership_graph(partnership: Partnership, *, on: dt.date | None = None) -> nx.MultiDiGraph:
    """The partnership as a typed multigraph (see the module docs for attributes).

    Nodes and edges are added in sorted order, so the graph, and every walk
    over it, is the same whatever the order of the input file.

    Args:
        partnership: the partnership.
        on: when given, only memberships held on that day become edges.

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
    graph = nx.MultiDiGraph(partnership=partnership.id)
    for agency in sorted(partnership.agencies, key=lambda a: a.id):
        graph.add_node(
            agency.id, node_type="agency", name=agency.name, kind=agency.kind.value, sector=agency.sectors.value
        )
    for body in sorted(partnership.bodies, key=lambda b: b.id):
        graph.add_node(body.id, node_type="body", name=body.name, kind=body.kind.value, sector=body.sector.value)
    for office in sorted(partnership.offices, key=lambda o: o.id):
        graph.add_node(office.id, node_type="office", name=office.title, kind="office")
    seats = sorted(
        (m for m in partnership.memberships if on is None or m.held_on(on)),
        key=lambda m: (m.agency, m.body, m.start),
    )
    for seat in seats:
        graph.add_edge(
            seat.agency,
            seat.body,
            key="membership",
            edge_type="membership",
            member_class=seat.member_class.value,
            start=seat.start.isoformat(),
            end=seat.end.isoformat() if seat.end else "",
            deputies_allowed=seat.deputies_allowed,
        )
    for line in sorted(partnership.reporting_lines, key=lambda r: (r.source, r.target, r.kind.value)):
        graph.add_edge(line.source, line.target, key=line.kind.value, edge_type=line.kind.value)
    for body in sorted(partnership.bodies, key=lambda b: b.id):
        for board in sorted(body.serves):
            graph.add_edge(body.id, board, key="serves", edge_type="serves")
        if body.chair is not None:
            graph.add_edge(body.chair, body.id, key="chairs", edge_type="chairs")
    return graph


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


def escalation_route(
    partnership: Partnership, agency: str, target: str, *, on: dt.date | None = None
) -> EscalationRoute | None:
    """The shortest route from an agency, through a seat it holds, up reporting lines to ``target``.

    Ties between routes of equal length are broken by the sorted order of
    body ids, so the answer is deterministic.

    Args:
        partnership: the partnership.
        agency: the id of the agency raising the concern.
        target: the id of the body that must act.
        on: count only seats held on that day.

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
    partnership.agency(agency)
    partnership.body(target)
    graph = partnership_graph(partnership, on=on)
    routes = nx.subgraph_view(graph, filter_edge=lambda u, v, k: k in _ROUTE_EDGES)
    try:
        path = nx.shortest_path(routes, agency, target)
    except nx.NetworkXNoPath:
        return None
    return EscalationRoute(agency=agency, target=target, bodies=tuple(path[1:]))
