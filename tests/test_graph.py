"""The partnership graph: its nodes and edges, exports, escalation routes and every kind of gap."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import networkx as nx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import sgassure
from sgassure import _cli_graph
from sgassure._facts import build_facts
from sgassure.assessments import AuditFinding, CaseFileAudit, Grade
from sgassure.graph import (
    EscalationRoute,
    Gap,
    GapKind,
    ReportingShare,
    analyse_gaps,
    escalation_route,
    escalation_routes,
    graph_from_graphml,
    graph_from_node_link,
    graph_to_dot,
    graph_to_graphml,
    graph_to_mermaid,
    graph_to_node_link,
    graph_to_svg,
    partnership_graph,
)
from sgassure.partnership import Body, BodyKind, Membership, MembershipClass, Partnership, ReportingLine, Sector
from sgassure.workspace import Workspace, parse_partnership

AS_OF = dt.date(2025, 9, 30)
ROOT = Path(__file__).parent.parent
SNAPSHOTS = Path(__file__).parent / "snapshots"
SCHEMA = json.loads((Path(sgassure.__file__).parent / "schemas" / "graph.schema.json").read_text())

# A small partnership with no gaps as at 2025-09-30: every test below adds the one it is about.
BASE = """\
version: 1
id: fen
name: Fenmarsh Safeguarding Partnership
areas: [Fenmarsh]
agencies:
  - {id: csc, name: Fenmarsh Children's Services, kind: la-childrens, sectors: children}
  - {id: asc, name: Fenmarsh Adult Social Care, kind: la-adults, sectors: adults}
  - {id: icb, name: NHS Fenmarsh ICB, kind: icb, sectors: both}
  - {id: police, name: Fenmarsh Police, kind: police, sectors: both}
  - {id: trust, name: Fenmarsh Hospital, kind: nhs-acute-trust, sectors: both}
offices:
  - {id: chair, title: Independent Chair, accountable_to: [ceo]}
bodies:
  - {id: scp, name: Fenmarsh Safeguarding Children Partnership, kind: childrens-board, sector: children, chair: chair}
  - {id: sab, name: Fenmarsh Safeguarding Adults Board, kind: adults-board, sector: adults, chair: chair}
  - {id: scp-exec, name: SCP Executive, kind: executive, sector: children}
  - {id: sab-exec, name: SAB Executive, kind: executive, sector: adults}
  - {id: qa, name: Quality Assurance Subgroup, kind: subgroup, sector: both, serves: [scp, sab]}
  - {id: hwb, name: Fenmarsh Health and Wellbeing Board, kind: health-and-wellbeing-board, sector: both}
  - {id: ceo, name: Chief Executive, kind: chief-executive, sector: both}
memberships:
  - {agency: csc, body: scp, class: statutory, start: 2019-09-29}
  - {agency: csc, body: scp-exec, class: statutory, start: 2019-09-29}
  - {agency: asc, body: sab, class: statutory, start: 2015-04-01}
  - {agency: asc, body: sab-exec, class: statutory, start: 2015-04-01}
  - {agency: icb, body: scp, class: statutory, start: 2022-07-01}
  - {agency: icb, body: sab, class: statutory, start: 2022-07-01}
  - {agency: icb, body: qa, class: co-opted, start: 2022-07-01}
  - {agency: police, body: scp, class: statutory, start: 2019-09-29}
  - {agency: police, body: sab, class: statutory, start: 2015-04-01}
  - {agency: trust, body: scp, class: co-opted, start: 2019-09-29}
  - {agency: trust, body: sab, class: co-opted, start: 2015-04-01}
  - {agency: trust, body: qa, class: co-opted, start: 2019-09-29}
meetings:
  - {body: scp, date: 2025-06-04, attended: [csc, icb, police, trust]}
  - {body: sab, date: 2025-06-11, attended: [asc, icb, police, trust]}
reporting_lines:
  - {from: qa, to: scp-exec}
  - {from: qa, to: sab-exec}
  - {from: scp-exec, to: scp}
  - {from: sab-exec, to: sab}
  - {from: scp, to: hwb, kind: annual-report-to}
  - {from: sab, to: hwb, kind: annual-report-to}
  - {from: scp, to: hwb, kind: escalates-to}
  - {from: sab, to: hwb, kind: escalates-to}
statutory_partners:
  - {board: scp, role: local authority, agency_kinds: [la-childrens], start: 2019-09-29, citation: "CA 2004, s.16E"}
  - {board: scp, role: NHS commissioning body, agency_kinds: [icb], start: 2022-07-01, citation: "CA 2004, s.16E"}
  - {board: scp, role: chief officer of police, agency_kinds: [police], start: 2019-09-29, citation: "CA 2004, s.16E"}
  - {board: sab, role: local authority, agency_kinds: [la-adults], start: 2015-04-01, citation: "CA 2014, s.43"}
  - {board: sab, role: NHS commissioning body, agency_kinds: [icb], start: 2022-07-01, citation: "CA 2014, s.43"}
  - {board: sab, role: chief officer of police, agency_kinds: [police], start: 2015-04-01, citation: "CA 2014, s.43"}
escalation_policy:
  rules:
    - {concern: unresolved-risk, body: hwb}
information_sharing:
  - {id: isp, title: Fenmarsh Information Sharing Protocol, parties: [csc, asc, icb, police, trust], start: 2020-01-01}
commissioning:
  - {commissioner: icb, provider: trust, service: Acute hospital services, start: 2022-07-01}
"""


def _base(**changes: Any) -> Partnership:
    return attrs.evolve(parse_partnership(BASE), **changes)


def _ws(p: Partnership, **changes: Any) -> Workspace:
    return Workspace(partnership=p, frameworks=(), **changes)


def _gaps(p: Partnership | Workspace, kind: GapKind, as_of: dt.date = AS_OF) -> list[Gap]:
    ws = p if isinstance(p, Workspace) else _ws(p)
    return list(analyse_gaps(ws, as_of=as_of).of_kind(kind))


def _seat(agency: str, body: str, start: str = "2020-01-01", end: str | None = None) -> Membership:
    return Membership(
        agency=agency,
        body=body,
        member_class=MembershipClass.CO_OPTED,
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end) if end else None,
    )


def _line(source: str, target: str, **dates: str) -> ReportingLine:
    return ReportingLine(source=source, target=target, **{k: dt.date.fromisoformat(v) for k, v in dates.items()})


def _snapshot(name: str, text: str) -> None:
    """Compare with tests/snapshots/NAME; SGASSURE_UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / name
    if os.environ.get("SGASSURE_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


# --- the graph -----------------------------------------------------------------------------------------


def test_base_partnership_has_no_gaps() -> None:
    """The small partnership the gap tests start from has no gap at all."""
    assert analyse_gaps(_ws(_base()), as_of=AS_OF).gaps == ()


def test_graph_holds_typed_nodes_and_edges() -> None:
    """Agencies, bodies and offices become typed nodes; seats, lines, agreements and commissioning typed edges."""
    g = partnership_graph(_base(), on=AS_OF)
    assert g.graph == {"partnership": "fen", "name": "Fenmarsh Safeguarding Partnership", "as_of": "2025-09-30"}
    assert dict(g.nodes["qa"]) == {
        "node_type": "body",
        "name": "Quality Assurance Subgroup",
        "kind": "subgroup",
        "sector": "both",
    }
    assert dict(g.nodes["chair"]) == {"node_type": "office", "name": "Independent Chair", "kind": "office"}
    assert sorted({t for *_, t in g.edges(data="edge_type")}) == [
        "accountable-to",
        "annual-report-to",
        "chairs",
        "commissions",
        "escalates-to",
        "membership",
        "reports-to",
        "serves",
        "shares-information",
    ]
    assert g.edges["icb", "scp", "membership"] == {
        "edge_type": "membership",
        "member_class": "statutory",
        "start": "2022-07-01",
        "end": "",
        "deputies_allowed": True,
        "attended": 1,
        "held": 1,
    }
    assert g.edges["chair", "ceo", "accountable-to"] == {"edge_type": "accountable-to", "start": "", "end": ""}
    assert g.edges["icb", "trust", "commissions"] == {
        "edge_type": "commissions",
        "service": "Acute hospital services",
        "start": "2022-07-01",
        "end": "",
    }
    assert g.edges["asc", "csc", "shares-information"] == {
        "edge_type": "shares-information",
        "agreement": "isp",
        "title": "Fenmarsh Information Sharing Protocol",
        "start": "2020-01-01",
        "end": "",
    }
    assert not g.has_edge("csc", "asc")


def test_workspace_and_partnership_give_the_same_graph() -> None:
    """partnership_graph accepts a workspace as well as a partnership."""
    p = _base()
    a, b = partnership_graph(p), partnership_graph(_ws(p))
    assert (list(a.nodes(data=True)), list(a.edges(keys=True, data=True))) == (
        list(b.nodes(data=True)),
        list(b.edges(keys=True, data=True)),
    )


def test_graph_on_a_date_keeps_only_what_was_in_force() -> None:
    """Read at a date, the graph drops lines, seats, agreements and commissioning not in force on it."""
    p = _base(
        reporting_lines=(*_base().reporting_lines, _line("qa", "hwb", start="2026-01-01")),
        memberships=(*_base().memberships, _seat("police", "qa", end="2024-12-31")),
    )
    p = attrs.evolve(
        p,
        information_sharing=(attrs.evolve(p.information_sharing[0], end=dt.date(2025, 3, 31)),),
        commissioning=(attrs.evolve(p.commissioning[0], start=dt.date(2025, 10, 1)),),
    )
    every = partnership_graph(p)
    on = partnership_graph(p, on=AS_OF)
    gone = sorted(set(every.edges(keys=True)) - set(on.edges(keys=True)))
    assert [e for e in gone if e[2] != "shares-information"] == [
        ("icb", "trust", "commissions"),
        ("police", "qa", "membership"),
        ("qa", "hwb", "reports-to"),
    ]
    assert not any(k == "shares-information" for *_, k in on.edges(keys=True))
    assert every.graph["as_of"] == ""


def test_membership_edges_count_attendance_in_the_year_to_the_date() -> None:
    """A seat's attended/held count meetings of its body in the 365 days ending on the date, during the seat."""
    meetings = (
        *_base().meetings,
        attrs.evolve(_base().meetings[0], date=dt.date(2024, 9, 30), attended=("csc",)),
        attrs.evolve(_base().meetings[0], date=dt.date(2024, 10, 1), attended=("csc",)),
    )
    g = partnership_graph(_base(meetings=meetings), on=AS_OF)
    assert [
        (g.edges[a, "scp", "membership"]["attended"], g.edges[a, "scp", "membership"]["held"]) for a in ("csc", "icb")
    ] == [
        (2, 2),
        (1, 2),
    ]
    every = partnership_graph(_base(meetings=meetings))
    assert (every.edges["csc", "scp", "membership"]["attended"], every.edges["csc", "scp", "membership"]["held"]) == (
        3,
        3,
    )


def test_a_second_edge_of_a_type_gets_a_numbered_key() -> None:
    """Two seats of one agency on one body (successive tenures) are two edges, keyed membership and membership#2."""
    seats = (
        *_base().memberships,
        _seat("trust", "hwb", "2018-01-01", "2019-12-31"),
        _seat("trust", "hwb", "2021-01-01"),
    )
    g = partnership_graph(_base(memberships=seats))
    assert sorted(k for u, v, k in g.edges(keys=True) if (u, v) == ("trust", "hwb")) == ["membership", "membership#2"]
    assert g.edges["trust", "hwb", "membership#2"]["start"] == "2021-01-01"


def test_graph_does_not_depend_on_the_order_of_the_file() -> None:
    """Reversing every list of the partnership gives the same graph, edge for edge, and the same exports."""
    p = _base()
    flipped = attrs.evolve(
        p,
        **{
            f.name: tuple(reversed(getattr(p, f.name)))
            for f in attrs.fields(Partnership)
            if isinstance(getattr(p, f.name), tuple)
        },
    )
    a, b = partnership_graph(p, on=AS_OF), partnership_graph(flipped, on=AS_OF)
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))
    assert (graph_to_graphml(a), graph_to_dot(a), graph_to_mermaid(a), graph_to_svg(a)) == (
        graph_to_graphml(b),
        graph_to_dot(b),
        graph_to_mermaid(b),
        graph_to_svg(b),
    )


# --- escalation routes ---------------------------------------------------------------------------------


def test_escalation_routes_give_the_shortest_and_alternatives() -> None:
    """Each agency's routes to each policy body: the shortest first, then alternatives, with the bodies on them."""
    routes = {(r.agency, r.target): r for r in escalation_routes(_base(), on=AS_OF)}
    assert sorted(routes) == [("asc", "hwb"), ("csc", "hwb"), ("icb", "hwb"), ("police", "hwb"), ("trust", "hwb")]
    assert [r.bodies for r in routes["icb", "hwb"].routes] == [
        ("sab", "hwb"),
        ("scp", "hwb"),
        ("qa", "sab-exec", "sab", "hwb"),
    ]
    assert routes["icb", "hwb"].shortest == EscalationRoute(agency="icb", target="hwb", bodies=("sab", "hwb"))
    assert routes["icb", "hwb"].shortest == escalation_route(_base(), "icb", "hwb", on=AS_OF)
    assert [r.bodies for r in escalation_routes(_base(), on=AS_OF, alternatives=0)[2].routes] == [("sab", "hwb")]


def test_no_route_is_none() -> None:
    """An agency whose seats lead nowhere near the target has no route."""
    p = _base(memberships=(_seat("trust", "ceo"), _seat("icb", "qa")))
    assert escalation_route(p, "trust", "hwb") is None
    assert escalation_route(p, "icb", "sab") == EscalationRoute(
        agency="icb", target="sab", bodies=("qa", "sab-exec", "sab")
    )
    assert [r.agency for r in escalation_routes(p) if not r.routes] == ["asc", "csc", "police", "trust"]


def test_escalation_routes_reject_a_negative_number_of_alternatives() -> None:
    """Asking for fewer than no alternatives is a ValueError."""
    with pytest.raises(ValueError, match=r"^alternatives must be 0 or more; got -1$"):
        escalation_routes(_base(), alternatives=-1)


def test_escalation_route_of_the_example_reaches_the_body(example_ws: Workspace) -> None:
    """The audit's escalation route is the first of the routes escalation_routes finds."""
    ws = example_ws
    for entry in escalation_routes(ws, on=AS_OF, alternatives=1):
        assert escalation_route(ws, entry.agency, entry.target, on=AS_OF) == entry.shortest
        for route in entry.routes:
            assert route.bodies[-1] == entry.target


# --- gaps: each kind, present and absent ---------------------------------------------------------------


def test_statutory_partner_with_no_seat() -> None:
    """A board whose statutory partner's seat ended has a gap naming the role and the lapsed seat."""
    seats = tuple(
        attrs.evolve(m, end=dt.date(2025, 3, 31)) if (m.agency, m.body) == ("police", "sab") else m
        for m in _base().memberships
    )
    assert _gaps(_base(memberships=seats), GapKind.STATUTORY_PARTNER_NO_SEAT) == [
        Gap(
            kind=GapKind.STATUTORY_PARTNER_NO_SEAT,
            board="sab",
            role="chief officer of police",
            agencies=("police",),
            message="Fenmarsh Safeguarding Adults Board has no seat held by its statutory partner "
            "'chief officer of police' on 2025-09-30",
            explanation=(
                "required from 2015-04-01: an agency of kind police (CA 2014, s.43)",
                "Fenmarsh Police's seat ended 2025-03-31",
            ),
        )
    ]
    assert _gaps(_base(memberships=seats), GapKind.STATUTORY_PARTNER_NO_SEAT, dt.date(2025, 3, 31)) == []


def test_statutory_partner_attending_too_little() -> None:
    """A statutory partner that attended less than the threshold of board meetings in the year has a gap."""
    meetings = (
        *_base().meetings,
        attrs.evolve(_base().meetings[0], date=dt.date(2025, 1, 8), attended=("csc", "police")),
    )
    assert _gaps(_base(meetings=meetings), GapKind.LOW_ATTENDANCE) == [
        Gap(
            kind=GapKind.LOW_ATTENDANCE,
            board="scp",
            role="NHS commissioning body",
            agency="icb",
            attended=1,
            held=2,
            message="NHS Fenmarsh ICB, statutory partner 'NHS commissioning body' of Fenmarsh Safeguarding Children "
            "Partnership, attended 1 of 2 meetings (50%) between 2024-10-01 and 2025-09-30, below 75%",
            explanation=("meetings held during the seat between 2024-10-01 and 2025-09-30: 2",),
        )
    ]
    ws = _ws(_base(meetings=meetings))
    assert analyse_gaps(ws, as_of=AS_OF, attendance_threshold=50).of_kind(GapKind.LOW_ATTENDANCE) == ()


def test_no_self_assessment(make_workspace: Any) -> None:
    """Agencies bound to return for a cycle whose deadline has passed, with no return, have a gap each."""
    ws = sgassure.load_workspace(make_workspace())
    assert [(g.agency, g.cycle, g.message) for g in _gaps(ws, GapKind.NO_SELF_ASSESSMENT, dt.date(2024, 9, 30))] == [
        ("fcc-csc", "s11-2024", "Fenmarsh County Council Children's Services sent no self-assessment for Section 11 "
         "audit 2024 (deadline 2024-05-31) by 2024-09-30"),
        ("fen-icb", "s11-2024", "NHS Fenmarsh ICB sent no self-assessment for Section 11 audit 2024 (deadline "
         "2024-05-31) by 2024-09-30"),
    ]  # fmt: skip
    assert _gaps(ws, GapKind.NO_SELF_ASSESSMENT, dt.date(2024, 5, 31)) == []


def test_no_reporting_route_and_dead_end() -> None:
    """A subgroup reporting only to a subgroup that reports to nobody: both lack a route; reports stop at the second."""
    ops = Body(id="ops", name="Operational Group", kind=BodyKind.SUBGROUP, sector=Sector.CHILDREN)
    cse = Body(id="cse", name="CSE Subgroup", kind=BodyKind.SUBGROUP, sector=Sector.CHILDREN)
    p = _base(bodies=(*_base().bodies, ops, cse), reporting_lines=(*_base().reporting_lines, _line("ops", "cse")))
    assert [(g.body, g.bodies, g.message) for g in _gaps(p, GapKind.NO_REPORTING_ROUTE)] == [
        ("cse", (), "CSE Subgroup has no reporting route to a board or to a body outside the arrangements"),
        ("ops", ("cse",), "Operational Group has no reporting route to a board or to a body outside the arrangements"),
    ]
    assert _gaps(p, GapKind.DEAD_END) == [
        Gap(
            kind=GapKind.DEAD_END,
            body="cse",
            bodies=("ops",),
            message="Reports from Operational Group stop at CSE Subgroup, which reports to nobody",
            explanation=("reports received from: Operational Group (ops)",),
        )
    ]
    fixed = attrs.evolve(p, reporting_lines=(*p.reporting_lines, _line("cse", "scp-exec")))
    assert (_gaps(fixed, GapKind.NO_REPORTING_ROUTE), _gaps(fixed, GapKind.DEAD_END)) == ([], [])


def test_reporting_cycle() -> None:
    """Two bodies reporting to each other are a cycle, named by its lowest id, with the circle as explanation."""
    p = _base(reporting_lines=(*_base().reporting_lines, _line("scp-exec", "qa", start="2024-09-01")))
    assert _gaps(p, GapKind.REPORTING_CYCLE) == [
        Gap(
            kind=GapKind.REPORTING_CYCLE,
            body="qa",
            bodies=("qa", "scp-exec"),
            message="2 bodies report to each other in a circle: Quality Assurance Subgroup -> SCP Executive -> "
            "Quality Assurance Subgroup",
            explanation=("cycle: qa -> scp-exec -> qa",),
        )
    ]
    assert _gaps(p, GapKind.REPORTING_CYCLE, dt.date(2024, 8, 31)) == []


def test_single_point_of_failure_and_shares() -> None:
    """When every line to a board from agencies without a seat on it passes one body, that body is a gap."""
    p = _base(memberships=(*_base().memberships, _seat("csc", "qa")))
    assert _gaps(p, GapKind.SINGLE_POINT_OF_FAILURE) == [
        Gap(
            kind=GapKind.SINGLE_POINT_OF_FAILURE,
            board="sab",
            body="qa",
            agencies=("csc",),
            lines_through=3,
            lines_total=8,
            message="Every reporting line to Fenmarsh Safeguarding Adults Board from the 1 agencies without a seat "
            "on it passes through Quality Assurance Subgroup (3 of 8 lines)",
            explanation=(
                "agencies: csc",
                "found with networkx.immediate_dominators on the reversed reporting lines from the board",
            ),
        ),
        Gap(
            kind=GapKind.SINGLE_POINT_OF_FAILURE,
            board="sab",
            body="sab-exec",
            agencies=("csc",),
            lines_through=4,
            lines_total=8,
            message="Every reporting line to Fenmarsh Safeguarding Adults Board from the 1 agencies without a seat "
            "on it passes through SAB Executive (4 of 8 lines)",
            explanation=(
                "agencies: csc",
                "found with networkx.immediate_dominators on the reversed reporting lines from the board",
            ),
        ),
    ]
    assert analyse_gaps(_ws(p), as_of=AS_OF).shares == (
        ReportingShare(board="sab", body="qa", lines_through=3, lines_total=8),
        ReportingShare(board="sab", body="sab-exec", lines_through=4, lines_total=8),
        ReportingShare(board="scp", body="qa", lines_through=3, lines_total=8),
        ReportingShare(board="scp", body="scp-exec", lines_through=4, lines_total=8),
    )
    bypass = attrs.evolve(p, reporting_lines=(*p.reporting_lines, _line("qa", "sab")))
    assert [(g.board, g.body) for g in _gaps(bypass, GapKind.SINGLE_POINT_OF_FAILURE)] == [("sab", "qa")]
    second = attrs.evolve(bypass, memberships=(*bypass.memberships, _seat("csc", "sab-exec")))
    assert _gaps(second, GapKind.SINGLE_POINT_OF_FAILURE) == []
    assert _gaps(_base(), GapKind.SINGLE_POINT_OF_FAILURE) == []


def test_agency_on_one_board_only() -> None:
    """An agency serving children and adults that sits on the adults' board only has a gap."""
    seats = tuple(m for m in _base().memberships if (m.agency, m.body) != ("trust", "scp"))
    assert _gaps(_base(memberships=seats), GapKind.ONE_BOARD_ONLY) == [
        Gap(
            kind=GapKind.ONE_BOARD_ONLY,
            agency="trust",
            board="sab",
            bodies=("scp",),
            message="Fenmarsh Hospital serves children and adults and sits on Fenmarsh Safeguarding Adults Board "
            "but on no children's board",
            explanation=("seats on boards: sab", "no seat on: scp"),
        )
    ]
    assert _base().agency("asc").sectors.value == "adults"
    assert _gaps(_base(), GapKind.ONE_BOARD_ONLY) == []


def _audit(date: str, *findings: tuple[str, tuple[str, ...]]) -> CaseFileAudit:
    cases = tuple(sorted({c for _, cs in findings for c in cs}))
    return CaseFileAudit(
        id=f"cfa-{date}",
        title="Neglect",
        topic="neglect",
        framework="section-11",
        date=dt.date.fromisoformat(date),
        cases=cases,
        agencies=tuple(sorted({a for a, _ in findings})),
        findings=tuple(
            AuditFinding(agency=a, grade=Grade.GOOD, themes=("recording",), cases=cs, summary="Fine.")
            for a, cs in findings
        ),
    )


def test_agencies_sharing_cases_without_an_agreement() -> None:
    """Two agencies whose case-file audit findings name the same case, bound by no agreement, have a gap."""
    p = _base(
        agencies=(*_base().agencies, attrs.evolve(_base().agency("trust"), id="college", name="Fenmarsh College"))
    )
    audit = _audit(
        "2025-07-16", ("csc", ("NEG-25-001", "NEG-25-002")), ("college", ("NEG-25-002",)), ("police", ("NEG-25-001",))
    )
    assert _gaps(_ws(p, case_file_audits=(audit,)), GapKind.NO_INFORMATION_SHARING) == [
        Gap(
            kind=GapKind.NO_INFORMATION_SHARING,
            agency="college",
            other_agency="csc",
            cases=("NEG-25-002",),
            message="Fenmarsh College and Fenmarsh Children's Services work 1 of the same cases with no "
            "information-sharing agreement between them on 2025-09-30",
            explanation=("cases: NEG-25-002", "audits: cfa-2025-07-16"),
        )
    ]
    assert _gaps(_ws(p, case_file_audits=(audit,)), GapKind.NO_INFORMATION_SHARING, dt.date(2025, 7, 15)) == []


def test_agency_with_no_escalation_route() -> None:
    """An agency whose only seat is on a body with no line upward cannot reach any body of the escalation policy."""
    p = _base(
        agencies=(*_base().agencies, attrs.evolve(_base().agency("trust"), id="rhi", name="Return Interviews")),
        memberships=(*_base().memberships, _seat("rhi", "ceo")),
    )
    assert _gaps(p, GapKind.NO_ESCALATION_ROUTE) == [
        Gap(
            kind=GapKind.NO_ESCALATION_ROUTE,
            agency="rhi",
            bodies=("ceo",),
            message="Return Interviews has no route to any body the escalation policy names",
            explanation=("seats held on 2025-09-30: Chief Executive (ceo)", "bodies named by the policy: hwb"),
        )
    ]
    moved = attrs.evolve(p, memberships=(*_base().memberships, _seat("rhi", "qa")))
    assert _gaps(moved, GapKind.NO_ESCALATION_ROUTE) == []


def test_gap_analysis_rejects_parameters_out_of_range() -> None:
    """Thresholds outside 0-100, an empty window or negative alternatives are ValueErrors."""
    for kwargs, message in [
        ({"attendance_threshold": 101}, "attendance_threshold must be between 0 and 100; got 101"),
        ({"attendance_days": 0}, "attendance_days must be 1 or more; got 0"),
        ({"alternatives": -1}, "alternatives must be 0 or more; got -1"),
    ]:
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            analyse_gaps(_ws(_base()), as_of=AS_OF, **kwargs)


# --- the example workspace -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_report(example_ws: Workspace) -> sgassure.graph.GapReport:
    """The gaps of the example workspace as at the planted date."""
    return analyse_gaps(example_ws, as_of=AS_OF)


def _planted(example_path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load((example_path / "planted.yaml").read_text())["defects"])


def test_example_gaps_are_the_planted_graph_defects(example_path: Path, example_report: Any) -> None:
    """Every gap of the example is a planted `caught_by: graph` defect, and every such defect is found."""
    planted = sorted(
        (d["kind"], tuple(sorted((k, str(v)) for k, v in d["subject"].items())))
        for d in _planted(example_path)
        if d["caught_by"] == "graph"
    )
    found = sorted(
        (g.kind.value, tuple(sorted((k, v) for k, v in g.subject.items() if k in _keys(example_path, g))))
        for g in example_report.gaps
    )
    assert found == planted
    assert {g.kind for g in example_report.gaps} == set(GapKind)


def _keys(example_path: Path, gap: Gap) -> set[str]:
    """The subject keys planted.yaml gives for a gap of this kind."""
    return {k for d in _planted(example_path) if d["kind"] == gap.kind.value for k in d["subject"]}


def test_planted_flags_point_at_the_pack_findings(example_path: Path) -> None:
    """Each graph defect the partnership pack flags names a `caught_by: rules` entry of the same kind and subject."""
    defects = {d["id"]: d for d in _planted(example_path)}
    flagged = [d for d in defects.values() if "flagged_by" in d]
    assert len(flagged) == 7
    for d in flagged:
        rule = defects[d["flagged_by"]]
        assert (rule["caught_by"], rule["kind"], rule["subject"]) == ("rules", d["kind"], d["subject"]), d["id"]


def test_example_gap_facts(example_ws: Workspace, example_report: Any) -> None:
    """The rules engine sees one `gap` fact per gap, carrying its kind, ids and counts."""
    facts = [f for f in build_facts(example_ws, AS_OF) if f["kind"] == "gap"]
    assert [f["gap"] for f in facts] == [g.kind.value for g in example_report.gaps]
    attendance = next(f for f in facts if f["gap"] == "low-attendance")
    assert {k: attendance[k] for k in ("id", "board", "agency", "agency_name", "attended", "held", "attendance")} == {
        "id": "gap:low-attendance:board=wcsp/role=NHS commissioning body/agency=wc-icb",
        "board": "wcsp",
        "agency": "wc-icb",
        "agency_name": "NHS Wendmoor and Castleby Integrated Care Board",
        "attended": 1,
        "held": 2,
        "attendance": 50.0,
    }


@pytest.mark.parametrize("on", [None, AS_OF], ids=["every-record", "as-of"])
def test_example_round_trips_through_graphml(example_ws: Workspace, on: dt.date | None) -> None:
    """The example's graph written as GraphML reads back with every node, edge and graph attribute intact."""
    g = partnership_graph(example_ws, on=on)
    h = graph_from_graphml(graph_to_graphml(g))
    assert h.graph == g.graph
    assert sorted(h.nodes(data=True)) == sorted(g.nodes(data=True))
    assert sorted(h.edges(keys=True, data=True)) == sorted(g.edges(keys=True, data=True))


@pytest.mark.parametrize("on", [None, AS_OF], ids=["every-record", "as-of"])
def test_example_round_trips_through_node_link_json(example_ws: Workspace, on: dt.date | None) -> None:
    """The example's graph as node-link JSON text reads back with every attribute intact."""
    g = partnership_graph(example_ws, on=on)
    h = graph_from_node_link(json.loads(json.dumps(graph_to_node_link(g))))
    assert h.graph == g.graph
    assert list(h.nodes(data=True)) == list(g.nodes(data=True))
    assert list(h.edges(keys=True, data=True)) == list(g.edges(keys=True, data=True))


def test_reading_junk_is_a_value_error() -> None:
    """Text that is not GraphML and data that is not node-link data are ValueErrors, not networkx errors."""
    with pytest.raises(ValueError, match=r"^not GraphML: "):
        graph_from_graphml("<graph>")
    with pytest.raises(ValueError, match=r"^not node-link data: "):
        graph_from_node_link({"nodes": [{"name": "no id"}]})


# --- drawings: escaping, snapshots, the docs page ------------------------------------------------------

NASTY = """\
version: 1
id: esc
name: 'Escaping "test" & <partnership>'
areas: [X]
agencies:
  - {id: 'a"b', name: 'The "Quoted" Agency', kind: police, sectors: both}
  - {id: q-1, name: 'Café & Crèche — Ünïcode Ltd 😀', kind: voluntary-sector, sectors: children}
  - {id: q_1, name: 'Back\\slash C:\\temp; #1 `tick` | pipe', kind: other, sectors: both}
bodies:
  - {id: 'b[1]', name: 'Policy [& Procedures] (Subgroup) {x} <y>', kind: subgroup, sector: both}
  - {id: board, name: "Board\\nwith a line break", kind: joint-board, sector: both}
memberships:
  - {agency: 'a"b', body: 'b[1]', class: statutory, start: 2020-01-01}
  - {agency: q-1, body: board, class: co-opted, start: 2020-01-01}
reporting_lines:
  - {from: 'b[1]', to: board}
information_sharing:
  - {id: 'isa "1"', title: 'Agreement <"A&B">', parties: ['a"b', q_1], start: 2020-01-01}
commissioning:
  - {commissioner: q_1, provider: q-1, service: 'Service [1] & "2"', start: 2020-01-01}
"""


@pytest.fixture(scope="module")
def nasty() -> nx.MultiDiGraph:
    """A graph whose names hold quotes, brackets, ampersands, backslashes, pipes and non-ASCII text."""
    return partnership_graph(parse_partnership(NASTY))


def test_dot_escapes_every_name(nasty: nx.MultiDiGraph) -> None:
    """DOT output is ASCII, every quote and backslash escaped and & < > and non-ASCII written as entities."""
    text = graph_to_dot(nasty, highlight=["b[1]"])
    _snapshot("escaping.dot", text)
    assert text.isascii()
    for line in text.splitlines():
        bare = re.sub(r'\\["\\]', "", line)
        assert bare.count('"') % 2 == 0, line


def test_mermaid_escapes_every_name(nasty: nx.MultiDiGraph) -> None:
    """Mermaid output is ASCII, labels use #NNN; codes, and ids are letters, digits and underscores, unique."""
    text = graph_to_mermaid(nasty, highlight=["b[1]"])
    _snapshot("escaping.mmd", text)
    assert text.isascii()
    ids = re.findall(r"^  (n_\w+)[\[\(\{]", text, flags=re.MULTILINE)
    assert ids == ["n_a_b", "n_b_1_", "n_board", "n_q_1", "n_q_1_2"]


def test_svg_escapes_every_name(nasty: nx.MultiDiGraph) -> None:
    """SVG output is well-formed ASCII XML that shows each name as written."""
    text = graph_to_svg(nasty, highlight=["b[1]"])
    _snapshot("escaping.svg", text)
    assert text.isascii()
    root = ET.fromstring(text)
    shown = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Café & Crèche — Ünïcode Ltd 😀" in shown
    start = shown.index("Policy [& Procedures] (Subgroup)")
    assert shown[start : start + 2] == ["Policy [& Procedures] (Subgroup)", "{x} <y>"]


@settings(max_examples=60, deadline=None)
@given(name=st.text(max_size=30))
def test_any_name_is_escaped(name: str) -> None:
    """Whatever a name holds, DOT strings stay closed and Mermaid labels hold no character Mermaid reads."""
    g = nx.MultiDiGraph(partnership="p", name="P")
    g.add_node("x", node_type="body", name=name, kind="subgroup")
    dot, mermaid, svg = graph_to_dot(g), graph_to_mermaid(g), graph_to_svg(g)
    assert [dot.isascii(), mermaid.isascii(), svg.isascii()] == [True, True, True]
    label = re.search(r'\[label=(".*?(?<!\\)(?:\\\\)*"), fill', dot)
    assert label is not None
    assert '"' not in re.sub(r"\\.", "", label.group(1)[1:-1])
    text = mermaid.splitlines()[1].removeprefix('  n_x["').removesuffix('"]')
    assert not set(re.sub(r"#\d+;", "", text)) & set('"#&<>[](){}|;`\\')
    ET.fromstring(svg)


def _structure(ws: Workspace) -> Any:
    g = partnership_graph(ws, on=AS_OF)
    return nx.subgraph_view(
        g,
        filter_node=lambda n: g.nodes[n]["node_type"] != "agency",
        filter_edge=lambda u, v, k: g.edges[u, v, k]["edge_type"] != "serves",
    )


def test_docs_page_shows_the_example_diagram(example_ws: Workspace, example_report: Any) -> None:
    """docs/graph.md shows the example's current Mermaid source and, drawn from it offline, its SVG; no script."""
    highlight = sorted({x for g in example_report.gaps if g.kind.is_structural for x in (g.body, *g.bodies) if x})
    view = _structure(example_ws)
    mermaid, svg = graph_to_mermaid(view, highlight=highlight), graph_to_svg(view, highlight=highlight)
    _snapshot("wendmoor-structure.mmd", mermaid)
    page = (ROOT / "docs" / "graph.md").read_text(encoding="utf-8")
    assert f"```text\n{mermaid}```" in page
    assert svg in page
    assert "<script" not in page
    assert "mermaid.js" not in page.lower()


# --- the command line ----------------------------------------------------------------------------------


@pytest.fixture
def loaded_once(example_ws: Workspace, example_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command reads the example from the session's already-loaded copy (loading is tested elsewhere)."""
    real = _cli_graph.load_workspace

    def load(path: Any) -> Workspace:
        return example_ws if Path(path) == example_path else real(path)

    monkeypatch.setattr(_cli_graph, "load_workspace", load)


def _run(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="sgassure")
    _cli_graph.add_parser(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = _cli_graph.run(parser.parse_args(["graph", *argv]))
    return code, out.getvalue()


def test_cli_text_summarises_the_graph(example_path: Path) -> None:
    """`sgassure graph` prints the counts of nodes and edges by type and exits 0."""
    code, out = _run(str(example_path), "--as-of", "2025-09-30")
    assert code == 0
    assert out == (
        "Wendmoor and Castleby Safeguarding Partnership (wendmoor-castleby) as at 2025-09-30\n"
        "  55 nodes: 20 agency, 31 body, 4 office\n"
        "  340 edges: 5 accountable-to, 24 annual-report-to, 5 chairs, 6 commissions, 4 escalates-to, 96 membership, "
        "18 reports-to, 16 serves, 166 shares-information\n"
    )


@pytest.mark.usefixtures("loaded_once")
def test_cli_gaps_lists_gaps_and_exits_1(example_path: Path, example_report: Any) -> None:
    """With --gaps the text lists every gap, the shares and the routes, and the exit code is 1."""
    code, out = _run(str(example_path), "--as-of", "2025-09-30", "--gaps")
    assert code == 1
    assert "Gaps as at 2025-09-30: 13\n  statutory-partner-no-seat (1)\n" in out
    assert all(f"    - {g.message}\n" in out for g in example_report.gaps)
    assert "  wsab: wsab-exec 43 of 56 (77%)\n" in out
    assert "  castleby-rhi -> seg: no route\n" in out


@pytest.mark.parametrize("gaps", [False, True], ids=["graph", "gaps"])
@pytest.mark.usefixtures("loaded_once")
def test_cli_json_matches_the_schema(example_path: Path, gaps: bool) -> None:
    """The JSON output validates against the shipped schema and its graph reads back as the graph."""
    code, out = _run(str(example_path), "--as-of", "2025-09-30", "--format", "json", *(["--gaps"] if gaps else []))
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert (code, data["schema_version"], data["as_of"], data["gaps"] is None) == (int(gaps), 1, "2025-09-30", not gaps)
    g = graph_from_node_link(data["graph"])
    assert g.number_of_edges() == sum(data["summary"]["edges"].values())


@pytest.mark.usefixtures("loaded_once")
def test_cli_exports_and_highlights(example_path: Path, example_ws: Workspace, tmp_path: Path) -> None:
    """Exports come out as the library writes them; --gaps outlines the gap nodes; --out writes a file."""
    ws = example_ws
    g = partnership_graph(ws, on=AS_OF)
    assert _run(str(example_path), "--as-of", "2025-09-30", "--format", "graphml") == (0, graph_to_graphml(g))
    code, mermaid = _run(str(example_path), "--as-of", "2025-09-30", "--format", "mermaid", "--gaps")
    assert code == 1
    assert mermaid.splitlines()[-1] == (
        "  class n_castleby_college,n_castleby_rhi,n_ccc_csc,n_cse_missing,n_engagement,n_exploitation_ops,"
        "n_moorside_homes,n_shadow_board,n_st_aldhelm,n_wc_icb,n_wendmoor_police,n_wsab,n_wsab_exec gap"
    )
    out = tmp_path / "graph.dot"
    assert _run(str(example_path), "--format", "dot", "--out", str(out)) == (0, "")
    assert out.read_text() == graph_to_dot(partnership_graph(ws))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.dot"]


@pytest.mark.usefixtures("loaded_once")
def test_cli_usage_errors(example_path: Path) -> None:
    """--gaps without --as-of, and --gaps with GraphML, are usage errors the caller reports."""
    with pytest.raises(sgassure.SgassureError, match=r"^--gaps needs --as-of DATE: gaps are read as at a date$"):
        _run(str(example_path), "--gaps")
    with pytest.raises(sgassure.SgassureError, match=r"^--gaps works with --format text, json, dot, mermaid or svg"):
        _run(str(example_path), "--gaps", "--as-of", "2025-09-30", "--format", "graphml")


def test_cli_bad_workspace_is_a_load_error(tmp_path: Path) -> None:
    """A folder that is not a workspace raises LoadError for the caller to print."""
    with pytest.raises(sgassure.LoadError):
        _run(str(tmp_path / "missing"))


@pytest.mark.usefixtures("loaded_once")
def test_cli_output_is_deterministic(example_path: Path) -> None:
    """Two runs print the same bytes in every format."""
    for fmt in _cli_graph.FORMATS:
        args = (str(example_path), "--as-of", "2025-09-30", "--format", fmt)
        extra = () if fmt == "graphml" else ("--gaps",)
        assert _run(*args, *extra) == _run(*args, *extra)


# --- validation of the new partnership fields ----------------------------------------------------------


def test_new_partnership_fields_are_checked() -> None:
    """Unknown parties, commissioners and accountable bodies, lone parties and reversed dates are located errors."""
    text = BASE.replace("accountable_to: [ceo]", "accountable_to: [cco]")
    text = text.replace("parties: [csc, asc, icb, police, trust]", "parties: [csc, polce]")
    text = text.replace("{commissioner: icb,", "{commissioner: icbb,")
    text = text.replace("{from: qa, to: scp-exec}", "{from: qa, to: scp-exec, start: 2024-01-01, end: 2023-01-01}")
    text = text.replace(
        "commissioning:\n", "  - {id: solo, title: Solo, parties: [csc], start: 2020-01-01}\ncommissioning:\n"
    )
    with pytest.raises(sgassure.LoadError) as info:
        parse_partnership(text, source="partnership.yaml")
    assert str(info.value).splitlines() == [
        "partnership.yaml:12:60: offices[0].accountable_to[0]: unknown body 'cco'; did you mean 'ceo'?",
        "partnership.yaml:38:54: reporting_lines[0].end: line ends (2023-01-01) before it starts (2024-01-01)",
        "partnership.yaml:57:76: information_sharing[0].parties[1]: unknown agency 'polce'; did you mean 'police'?",
        "partnership.yaml:58:38: information_sharing[1].parties: an agreement needs at least two parties",
        "partnership.yaml:60:20: commissioning[0].commissioner: unknown agency or body 'icbb'; did you mean 'icb'?",
    ]
