"""Private helpers of :mod:`sgassure.graph`: walking escalation routes.

Routes run over seats, ``reports-to`` and ``escalates-to`` lines of a
partnership graph; :func:`shortest_routes` finds them with
:func:`networkx.shortest_simple_paths` and sorts them by length, then by body
ids, into the public module's :class:`~sgassure.graph.EscalationRoute` values.
"""

from __future__ import annotations

import networkx as nx

from sgassure import _gaps

# The public module imports this one; names of it are read only when called, so the cycle is harmless.
from sgassure import graph as api
from sgassure.partnership import Partnership, ReportingLineKind

_ROUTE_EDGES = frozenset({"membership", ReportingLineKind.REPORTS_TO.value, ReportingLineKind.ESCALATES_TO.value})


def route_graph(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """The seats and the reporting and escalation lines of a partnership graph, as a plain digraph."""
    routes = nx.DiGraph()
    routes.add_nodes_from(graph.nodes)
    routes.add_edges_from(sorted({(u, v) for u, v, t in graph.edges(data="edge_type") if t in _ROUTE_EDGES}))
    return routes


# Routes of the same length as the last one wanted are gathered (up to this many more) so that ties sort by ids.
_TIES = 32


def shortest_routes(routes: nx.DiGraph, agency: str, target: str, limit: int) -> tuple[api.EscalationRoute, ...]:
    """Up to ``limit`` routes from ``agency`` to ``target``, by length and then by body ids."""
    found: list[list[str]] = []
    try:
        for path in nx.shortest_simple_paths(routes, agency, target):
            if len(found) >= limit and (len(path) > len(found[limit - 1]) or len(found) >= limit + _TIES):
                break
            found.append(path)
    except nx.NetworkXNoPath:
        return ()
    found.sort(key=lambda path: (len(path), path))
    return tuple(api.EscalationRoute(agency=agency, target=target, bodies=tuple(path[1:])) for path in found[:limit])


def all_routes(p: Partnership, routes: nx.DiGraph, alternatives: int) -> tuple[api.EscalationRoutes, ...]:
    """The routes of :func:`sgassure.graph.escalation_routes`, over a route graph already built."""
    if alternatives < 0:
        raise ValueError(f"alternatives must be 0 or more; got {alternatives}")
    return tuple(
        api.EscalationRoutes(
            agency=agency, target=target, routes=shortest_routes(routes, agency, target, 1 + alternatives)
        )
        for agency in sorted(a.id for a in p.agencies)
        for target in _gaps.policy_bodies(p)
    )
