"""Private helpers of :mod:`sgassure.graph`: building the graph, and the gap analysis.

The algorithms are networkx calls that return plain, sorted values;
:class:`Analysis` turns them into the public module's typed gaps.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx

# The public module imports this one; names of it are read only when called, so the cycle is harmless.
from sgassure import graph as api
from sgassure.partnership import BodyKind, Partnership, ReportingLineKind, Sector
from sgassure.workspace import Workspace, expected_returns

# --- the graph ----------------------------------------------------------------------------------------


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else ""


def _add(graph: nx.MultiDiGraph, source: str, target: str, edge_type: str, **data: Any) -> None:
    key, n = edge_type, 1
    while graph.has_edge(source, target, key):
        n += 1
        key = f"{edge_type}#{n}"
    graph.add_edge(source, target, key=key, edge_type=edge_type, **data)


def build(p: Partnership, on: dt.date | None) -> nx.MultiDiGraph:
    """The graph :func:`sgassure.graph.partnership_graph` documents."""
    graph = nx.MultiDiGraph(partnership=p.id, name=p.name, as_of=_iso(on))
    for agency in sorted(p.agencies, key=lambda a: a.id):
        graph.add_node(
            agency.id, node_type="agency", name=agency.name, kind=agency.kind.value, sector=agency.sectors.value
        )
    for body in sorted(p.bodies, key=lambda b: b.id):
        graph.add_node(body.id, node_type="body", name=body.name, kind=body.kind.value, sector=body.sector.value)
    for office in sorted(p.offices, key=lambda o: o.id):
        graph.add_node(office.id, node_type="office", name=office.title, kind="office")
    meetings = defaultdict(list)
    for meeting in p.meetings:
        meetings[meeting.body].append(meeting)
    window = on - dt.timedelta(days=364) if on is not None else dt.date.min
    seats = sorted((m for m in p.memberships if on is None or m.held_on(on)), key=lambda m: (m.agency, m.body, m.start))
    for seat in seats:
        last = min(seat.end or dt.date.max, on or dt.date.max)
        held = [m for m in meetings[seat.body] if max(seat.start, window) <= m.date <= last]
        _add(
            graph,
            seat.agency,
            seat.body,
            "membership",
            member_class=seat.member_class.value,
            start=_iso(seat.start),
            end=_iso(seat.end),
            deputies_allowed=seat.deputies_allowed,
            attended=sum(1 for m in held if seat.agency in m.attended),
            held=len(held),
        )
    lines = sorted(
        (r for r in p.reporting_lines if on is None or r.in_force_on(on)),
        key=lambda r: (r.source, r.target, r.kind.value, _iso(r.start)),
    )
    for line in lines:
        _add(graph, line.source, line.target, line.kind.value, start=_iso(line.start), end=_iso(line.end))
    for office in sorted(p.offices, key=lambda o: o.id):
        for body_id in sorted(office.accountable_to):
            _add(graph, office.id, body_id, ReportingLineKind.ACCOUNTABLE_TO.value, start="", end="")
    for body in sorted(p.bodies, key=lambda b: b.id):
        for board in sorted(body.serves):
            _add(graph, body.id, board, "serves", start="", end="")
        if body.chair is not None:
            _add(graph, body.chair, body.id, "chairs", start="", end="")
    deals = sorted(
        (c for c in p.commissioning if on is None or c.in_force_on(on)),
        key=lambda c: (c.commissioner, c.provider, c.service, c.start),
    )
    for deal in deals:
        _add(
            graph, deal.commissioner, deal.provider, "commissions", service=deal.service, start=_iso(deal.start),
            end=_iso(deal.end),
        )  # fmt: skip
    for isa in sorted(p.information_sharing, key=lambda a: a.id):
        if on is not None and not isa.in_force_on(on):
            continue
        for a, b in itertools.combinations(sorted(set(isa.parties)), 2):
            _add(
                graph, a, b, "shares-information", agreement=isa.id, title=isa.title, start=_iso(isa.start),
                end=_iso(isa.end),
            )  # fmt: skip
    return graph


# --- algorithms ---------------------------------------------------------------------------------------


def reaching(graph: nx.DiGraph, targets: Iterable[str]) -> set[str]:
    """The nodes from which some target can be reached (the targets included): one reverse edge search."""
    found = {t for t in targets if t in graph}
    for u, v, _ in nx.edge_bfs(graph, source=sorted(found), orientation="reverse"):
        found.update((u, v))
    return found


def cycles(graph: nx.DiGraph) -> list[tuple[list[str], list[str]]]:
    """Each strongly connected set of two or more nodes (sorted), with one cycle through it as a witness."""
    out = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        members = sorted(component)
        edges = nx.find_cycle(graph.subgraph(members), source=members[0])
        out.append((members, [edges[0][0], *(v for _, v, *_ in edges)]))
    return sorted(out)


def post_dominator_chains(graph: nx.DiGraph, board: str) -> dict[str, list[str]]:
    """For each node that reaches ``board``, the nodes every route from it to the board passes (itself first).

    These are the dominators of the node in the reversed graph rooted at the
    board (:func:`networkx.immediate_dominators`), the board itself excluded.
    """
    if board not in graph:
        return {}
    idom = nx.immediate_dominators(graph.reverse(copy=False), board)
    chains: dict[str, list[str]] = {}
    for node in sorted(idom):
        if node == board:
            continue
        chain, at = [], node
        while at != board:
            chain.append(at)
            at = idom[at]
        chains[node] = chain
    return chains


REPORTING_EDGES = frozenset(
    {
        ReportingLineKind.REPORTS_TO.value,
        ReportingLineKind.ANNUAL_REPORT_TO.value,
        ReportingLineKind.ACCOUNTABLE_TO.value,
    }
)


def policy_bodies(p: Partnership) -> list[str]:
    """The bodies the escalation policy names, sorted."""
    return sorted({rule.body for rule in p.escalation_policy.rules})


def _names(graph: nx.MultiDiGraph, ids: Iterable[str]) -> str:
    return ", ".join(f"{graph.nodes[i]['name']} ({i})" for i in ids) or "none"


class Analysis:
    """One gap analysis: the graph as at a date and the derived subgraphs."""

    def __init__(self, ws: Workspace, as_of: dt.date, threshold: int, days: int) -> None:
        self.ws, self.p, self.as_of, self.threshold, self.days = ws, ws.partnership, as_of, threshold, days
        self.graph = build(ws.partnership, as_of)
        self.reporting = nx.DiGraph()
        self.reporting.add_nodes_from(sorted(b.id for b in self.p.bodies))
        self.reporting.add_edges_from(
            sorted(
                {
                    (u, v)
                    for u, v, t in self.graph.edges(data="edge_type")
                    if t in REPORTING_EDGES and u in self.reporting and v in self.reporting
                }
            )
        )
        self.seats: dict[str, set[str]] = defaultdict(set)
        for u, v, t in self.graph.edges(data="edge_type"):
            if t == "membership":
                self.seats[u].add(v)
        kinds = {b.id: b.kind for b in self.p.bodies}
        self.apex = sorted(b for b, k in kinds.items() if k.is_board or k.is_external)
        self.internal = sorted(b for b, k in kinds.items() if not (k.is_board or k.is_external))

    def name(self, node: str) -> str:
        return str(self.graph.nodes[node]["name"])

    def statutory(self) -> Iterable[api.Gap]:
        seen: set[tuple[str, str]] = set()
        needs = sorted(
            (n for n in self.p.statutory_partners if n.in_force_on(self.as_of)), key=lambda n: (n.board, n.role)
        )
        first = self.as_of - dt.timedelta(days=self.days - 1)
        for need in needs:
            seats = [
                m for m in self.p.members(need.board, self.as_of) if self.p.agency(m.agency).kind in need.agency_kinds
            ]
            kinds = ", ".join(k.value for k in need.agency_kinds)
            if not seats:
                lapsed = sorted(
                    (
                        m
                        for m in self.p.members(need.board)
                        if m.start <= self.as_of and self.p.agency(m.agency).kind in need.agency_kinds
                    ),
                    key=lambda m: (m.end or dt.date.max, m.agency),
                )
                yield api.Gap(
                    kind=api.GapKind.STATUTORY_PARTNER_NO_SEAT,
                    board=need.board,
                    role=need.role,
                    agencies=tuple(sorted({m.agency for m in lapsed})),
                    message=f"{self.name(need.board)} has no seat held by its statutory partner "
                    f"'{need.role}' on {self.as_of}",
                    explanation=(
                        f"required from {need.start}: an agency of kind {kinds} ({need.citation})",
                        *(f"{self.name(m.agency)}'s seat ended {m.end}" for m in lapsed if m.end is not None),
                    ),
                )
                continue
            for seat in sorted(seats, key=lambda m: m.agency):
                attended, held = self.p.attendance(seat.agency, need.board, first, self.as_of)
                if not held or attended * 100 >= self.threshold * held or (need.board, seat.agency) in seen:
                    continue
                seen.add((need.board, seat.agency))
                yield api.Gap(
                    kind=api.GapKind.LOW_ATTENDANCE,
                    board=need.board,
                    role=need.role,
                    agency=seat.agency,
                    attended=attended,
                    held=held,
                    message=f"{self.name(seat.agency)}, statutory partner '{need.role}' of {self.name(need.board)}, "
                    f"attended {attended} of {held} meetings ({attended * 100 / held:.0f}%) "
                    f"between {first} and {self.as_of}, below {self.threshold}%",
                    explanation=(f"meetings held during the seat between {first} and {self.as_of}: {held}",),
                )

    def returns(self) -> Iterable[api.Gap]:
        for cycle in self.ws.cycles:
            if cycle.deadline >= self.as_of:
                continue
            returned = {sa.agency for sa in self.ws.assessments_for(cycle.id) if sa.submitted <= self.as_of}
            for agency in expected_returns(self.ws, cycle):
                if agency in returned:
                    continue
                basis = "invited" if agency in cycle.invited else "statutory"
                yield api.Gap(
                    kind=api.GapKind.NO_SELF_ASSESSMENT,
                    agency=agency,
                    cycle=cycle.id,
                    framework=cycle.framework,
                    message=f"{self.name(agency)} sent no self-assessment for {cycle.title} "
                    f"(deadline {cycle.deadline}) by {self.as_of}",
                    explanation=(f"expected on a {basis} basis", f"cycle opened {cycle.opens}"),
                )

    def structure(self) -> Iterable[api.Gap]:
        r = self.reporting
        reach = reaching(r, self.apex)
        for body in self.internal:
            if body in reach:
                continue
            lines = sorted(r.successors(body))
            yield api.Gap(
                kind=api.GapKind.NO_REPORTING_ROUTE,
                body=body,
                bodies=tuple(lines),
                message=f"{self.name(body)} has no reporting route to a board or to a body outside the arrangements",
                explanation=(
                    f"reports to: {_names(self.graph, lines)}",
                    f"apex bodies: boards and bodies outside the arrangements ({len(self.apex)})",
                ),
            )
        for body in self.internal:
            if r.out_degree(body) == 0 and r.in_degree(body) > 0:
                feeders = sorted(r.predecessors(body))
                yield api.Gap(
                    kind=api.GapKind.DEAD_END,
                    body=body,
                    bodies=tuple(feeders),
                    message=f"Reports from {', '.join(self.name(f) for f in feeders)} stop at {self.name(body)}, "
                    "which reports to nobody",
                    explanation=(f"reports received from: {_names(self.graph, feeders)}",),
                )
        for members, witness in cycles(r):
            yield api.Gap(
                kind=api.GapKind.REPORTING_CYCLE,
                body=members[0],
                bodies=tuple(members),
                message=f"{len(members)} bodies report to each other in a circle: "
                + " -> ".join(self.name(b) for b in witness),
                explanation=("cycle: " + " -> ".join(witness),),
            )

    def dominators(self) -> tuple[list[api.Gap], list[api.ReportingShare]]:
        gaps, shares = [], []
        for board in sorted(b.id for b in self.p.boards()):
            chains = post_dominator_chains(self.reporting, board)
            lines = [(a, s) for a in sorted(self.seats) for s in sorted(self.seats[a]) if s in chains or s == board]
            through: dict[str, int] = defaultdict(int)
            for _, seat in lines:
                for body in chains.get(seat, ()):
                    through[body] += 1
            shares += [
                api.ReportingShare(board=board, body=b, lines_through=n, lines_total=len(lines))
                for b, n in sorted(through.items())
            ]
            outside = sorted({a for a, _ in lines if board not in self.seats[a]})
            if not outside:
                continue
            common = set.intersection(*(set(chains[s]) for a, s in lines if a in outside))
            for body in sorted(common):
                gaps.append(
                    api.Gap(
                        kind=api.GapKind.SINGLE_POINT_OF_FAILURE,
                        board=board,
                        body=body,
                        agencies=tuple(outside),
                        lines_through=through[body],
                        lines_total=len(lines),
                        message=f"Every reporting line to {self.name(board)} from the {len(outside)} agencies "
                        f"without a seat on it passes through {self.name(body)} "
                        f"({through[body]} of {len(lines)} lines)",
                        explanation=(
                            f"agencies: {', '.join(outside)}",
                            "found with networkx.immediate_dominators on the reversed reporting lines from the board",
                        ),
                    )
                )
        return gaps, shares

    def boards(self) -> Iterable[api.Gap]:
        kinds = {b.id: b.kind for b in self.p.boards()}
        children = sorted(b for b, k in kinds.items() if k in (BodyKind.CHILDRENS_BOARD, BodyKind.JOINT_BOARD))
        adults = sorted(b for b, k in kinds.items() if k in (BodyKind.ADULTS_BOARD, BodyKind.JOINT_BOARD))
        if not children or not adults:
            return
        for agency in sorted(self.p.agencies, key=lambda a: a.id):
            if agency.sectors is not Sector.BOTH:
                continue
            on_c = sorted(self.seats[agency.id] & set(children))
            on_a = sorted(self.seats[agency.id] & set(adults))
            if bool(on_c) == bool(on_a):
                continue
            on, missing, sector = (on_c, adults, "adults'") if on_c else (on_a, children, "children's")
            yield api.Gap(
                kind=api.GapKind.ONE_BOARD_ONLY,
                agency=agency.id,
                board=on[0],
                bodies=tuple(missing),
                message=f"{agency.name} serves children and adults and sits on {self.name(on[0])} "
                f"but on no {sector} board",
                explanation=(f"seats on boards: {', '.join(on)}", f"no seat on: {', '.join(missing)}"),
            )

    def sharing(self) -> Iterable[api.Gap]:
        shared: dict[tuple[str, str], set[str]] = defaultdict(set)
        audits: dict[tuple[str, str], set[str]] = defaultdict(set)
        for audit in self.ws.case_file_audits:
            if audit.date > self.as_of:
                continue
            working: dict[str, set[str]] = defaultdict(set)
            for finding in audit.findings:
                for case in finding.cases:
                    working[case].add(finding.agency)
            for case, agencies in working.items():
                for pair in itertools.combinations(sorted(agencies), 2):
                    shared[pair].add(case)
                    audits[pair].add(audit.id)
        for (a, b), cases in sorted(shared.items()):
            if any(
                d["edge_type"] == "shares-information"
                for u, v in ((a, b), (b, a))
                for d in self.graph.get_edge_data(u, v, default={}).values()
            ):
                continue
            yield api.Gap(
                kind=api.GapKind.NO_INFORMATION_SHARING,
                agency=a,
                other_agency=b,
                cases=tuple(sorted(cases)),
                message=f"{self.name(a)} and {self.name(b)} work {len(cases)} of the same cases "
                f"with no information-sharing agreement between them on {self.as_of}",
                explanation=(f"cases: {', '.join(sorted(cases))}", f"audits: {', '.join(sorted(audits[(a, b)]))}"),
            )

    def escalation(self, routes: nx.DiGraph) -> Iterable[api.Gap]:
        targets = policy_bodies(self.p)
        if not targets:
            return
        reach = reaching(routes, targets)
        for agency in sorted(a.id for a in self.p.agencies):
            if agency in reach:
                continue
            seats = sorted(self.seats[agency])
            yield api.Gap(
                kind=api.GapKind.NO_ESCALATION_ROUTE,
                agency=agency,
                bodies=tuple(seats),
                message=f"{self.name(agency)} has no route to any body the escalation policy names",
                explanation=(
                    f"seats held on {self.as_of}: {_names(self.graph, seats)}",
                    f"bodies named by the policy: {', '.join(targets)}",
                ),
            )
