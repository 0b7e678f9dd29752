"""Benchmark: build and analyse the partnership graph of a generated partnership of about 5,000 nodes.

Run from the repository root:

    python benchmarks/graph_bench.py               # 5,000 nodes
    python benchmarks/graph_bench.py --nodes 1000  # another size
    python benchmarks/graph_bench.py --alternatives 0

The generated partnership has areas of two boards (children's and adults'),
two executives, a shared effectiveness group, six subgroups and four bodies
outside the arrangements each; an office per area; and agencies of every kind,
each with seats on three to five of its area's bodies. Meetings, statutory
partners, information-sharing agreements, a case-file audit and an escalation
policy naming three bodies (one a chief officers group every board escalates
to) give every gap kind something to find, and a few
defects are planted (lapsed seats, a subgroup reporting nowhere, a reporting
cycle). The script prints the time of each step, then the gaps found by kind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from sgassure import _gaps
from sgassure._routes import route_graph
from sgassure.assessments import AuditCycle, AuditFinding, CaseFileAudit, Grade
from sgassure.graph import (
    GapReport,
    analyse_gaps,
    escalation_routes,
    graph_from_graphml,
    graph_from_node_link,
    graph_to_dot,
    graph_to_graphml,
    graph_to_mermaid,
    graph_to_node_link,
    partnership_graph,
)
from sgassure.partnership import (
    Agency,
    AgencyKind,
    Body,
    BodyKind,
    EscalationPolicy,
    EscalationRule,
    InformationSharingAgreement,
    Meeting,
    Membership,
    MembershipClass,
    Office,
    Partnership,
    ReportingLine,
    ReportingLineKind,
    Sector,
    StatutoryPartner,
)
from sgassure.standards import bundled_frameworks
from sgassure.workspace import Workspace

AS_OF = dt.date(2025, 9, 30)
T = TypeVar("T")
SUBGROUPS = ("case-review", "learning", "policy", "engagement", "cse", "cdop")
EXTERNAL = (
    (BodyKind.HEALTH_AND_WELLBEING_BOARD, "hwb"),
    (BodyKind.CABINET, "cabinet"),
    (BodyKind.SCRUTINY_COMMITTEE, "scrutiny"),
    (BodyKind.CHIEF_EXECUTIVE, "ceo"),
)
AGENCY_KINDS = (
    (AgencyKind.LA_CHILDRENS, Sector.CHILDREN),
    (AgencyKind.LA_ADULTS, Sector.ADULTS),
    (AgencyKind.ICB, Sector.BOTH),
    (AgencyKind.POLICE, Sector.BOTH),
    (AgencyKind.NHS_ACUTE_TRUST, Sector.BOTH),
    (AgencyKind.NHS_COMMUNITY_TRUST, Sector.BOTH),
    (AgencyKind.NHS_MENTAL_HEALTH_TRUST, Sector.BOTH),
    (AgencyKind.PROBATION, Sector.BOTH),
    (AgencyKind.DISTRICT_COUNCIL, Sector.BOTH),
    (AgencyKind.SCHOOL, Sector.CHILDREN),
    (AgencyKind.HOUSING_PROVIDER, Sector.BOTH),
    (AgencyKind.VOLUNTARY_SECTOR, Sector.BOTH),
)
# Nodes per area: 15 bodies, 1 office and this many agencies.
AGENCIES_PER_AREA = 34


def generate(nodes: int, seed: int = 20250930) -> Workspace:
    """A workspace whose partnership graph has about ``nodes`` nodes."""
    rng = random.Random(seed)
    areas = max(1, nodes // (15 + 1 + AGENCIES_PER_AREA))
    agencies: list[Agency] = []
    bodies: list[Body] = []
    offices: list[Office] = []
    seats: list[Membership] = []
    meetings: list[Meeting] = []
    lines: list[ReportingLine] = []
    needs: list[StatutoryPartner] = []
    agreements: list[InformationSharingAgreement] = []
    findings: list[AuditFinding] = []
    cases: list[str] = []

    def seat(agency: str, body: str, member_class: MembershipClass = MembershipClass.CO_OPTED) -> None:
        end = dt.date(2025, 3, 31) if rng.random() < 0.01 else None
        seats.append(
            Membership(agency=agency, body=body, member_class=member_class, start=dt.date(2019, 4, 1), end=end)
        )

    for n in range(areas):
        a = f"a{n:03d}"
        offices.append(Office(id=f"{a}-chair", title=f"Independent Chair, Area {n}", accountable_to=(f"{a}-ceo",)))
        scp, sab = f"{a}-scp", f"{a}-sab"
        bodies += [
            Body(id=scp, name=f"Area {n} Safeguarding Children Partnership", kind=BodyKind.CHILDRENS_BOARD,
                 sector=Sector.CHILDREN, chair=f"{a}-chair"),
            Body(id=sab, name=f"Area {n} Safeguarding Adults Board", kind=BodyKind.ADULTS_BOARD,
                 sector=Sector.ADULTS, chair=f"{a}-chair"),
            Body(id=f"{scp}-exec", name=f"Area {n} SCP Executive", kind=BodyKind.EXECUTIVE, sector=Sector.CHILDREN),
            Body(id=f"{sab}-exec", name=f"Area {n} SAB Executive", kind=BodyKind.EXECUTIVE, sector=Sector.ADULTS),
            Body(id=f"{a}-seg", name=f"Area {n} Effectiveness Group", kind=BodyKind.SUBGROUP, sector=Sector.BOTH,
                 serves=(scp, sab)),
        ]  # fmt: skip
        bodies += [
            Body(id=f"{a}-{s}", name=f"Area {n} {s} subgroup", kind=BodyKind.SUBGROUP, sector=Sector.BOTH)
            for s in SUBGROUPS
        ]
        bodies += [Body(id=f"{a}-{k}", name=f"Area {n} {k}", kind=kind, sector=Sector.BOTH) for kind, k in EXTERNAL]
        structure = [f"{a}-seg", *(f"{a}-{s}" for s in SUBGROUPS)]
        for body in structure:
            lines += [
                ReportingLine(source=body, target=f"{scp}-exec"),
                ReportingLine(source=body, target=f"{sab}-exec"),
            ]
        if n % 25 == 7:  # planted: the CSE subgroup's lines lapsed, and CDOP reports only to it
            lines = [ln for ln in lines if ln.source not in (f"{a}-cse", f"{a}-cdop")]
            lines.append(ReportingLine(source=f"{a}-cdop", target=f"{a}-cse"))
        if n % 25 == 11:  # planted: engagement and CDOP report to each other
            lines.append(ReportingLine(source=f"{a}-cdop", target=f"{a}-engagement"))
            lines.append(ReportingLine(source=f"{a}-engagement", target=f"{a}-cdop"))
        lines += [
            ReportingLine(source=f"{scp}-exec", target=scp),
            ReportingLine(source=f"{sab}-exec", target=sab),
            *(ReportingLine(source=b, target=f"{a}-{k}", kind=ReportingLineKind.ANNUAL_REPORT_TO)
              for b in (scp, sab) for _, k in EXTERNAL),
            ReportingLine(source=scp, target=f"{a}-hwb", kind=ReportingLineKind.ESCALATES_TO),
            ReportingLine(source=sab, target=f"{a}-hwb", kind=ReportingLineKind.ESCALATES_TO),
            ReportingLine(source=scp, target="cog", kind=ReportingLineKind.ESCALATES_TO),
            ReportingLine(source=sab, target="cog", kind=ReportingLineKind.ESCALATES_TO),
        ]  # fmt: skip
        for board, la in ((scp, AgencyKind.LA_CHILDRENS), (sab, AgencyKind.LA_ADULTS)):
            for role, kinds in (
                ("local authority", (la,)),
                ("NHS", (AgencyKind.ICB,)),
                ("police", (AgencyKind.POLICE,)),
            ):
                needs.append(
                    StatutoryPartner(board=board, role=role, agency_kinds=kinds, start=dt.date(2019, 4, 1), citation="")
                )
        ids = []
        for i in range(AGENCIES_PER_AREA):
            kind, sector = AGENCY_KINDS[i % len(AGENCY_KINDS)]
            agency = f"{a}-g{i:02d}"
            ids.append(agency)
            agencies.append(Agency(id=agency, name=f"Area {n} agency {i} ({kind.value})", kind=kind, sectors=sector))
            statutory = i < len(AGENCY_KINDS) and kind in (
                AgencyKind.LA_CHILDRENS, AgencyKind.LA_ADULTS, AgencyKind.ICB, AgencyKind.POLICE
            )  # fmt: skip
            if statutory:
                for board in (scp, sab) if sector is Sector.BOTH else (scp if sector is Sector.CHILDREN else sab,):
                    seat(agency, board, MembershipClass.STATUTORY)
                    seat(agency, f"{board}-exec", MembershipClass.STATUTORY)
            held = {s.body for s in seats if s.agency == agency}
            for body in rng.sample([scp, sab, *structure], rng.randint(3, 5)):
                if body not in held:
                    seat(agency, body)
        for month in (1, 4, 7, 10):
            for board in (scp, sab):
                day = dt.date(2025 if month < 10 else 2024, month, 15)
                members = [s.agency for s in seats[-AGENCIES_PER_AREA * 8 :] if s.body == board and s.held_on(day)]
                meetings.append(Meeting(body=board, date=day, attended=tuple(m for m in members if rng.random() < 0.8)))
        agreements.append(
            InformationSharingAgreement(
                id=f"{a}-isp", title=f"Area {n} protocol", parties=tuple(ids[:-3]), start=dt.date(2019, 4, 1)
            )
        )
        case = f"CFA-25-{n:03d}"
        cases.append(case)
        findings += [
            AuditFinding(agency=g, grade=Grade.GOOD, themes=("recording",), cases=(case,), summary="Fine.")
            for g in rng.sample(ids, 4)
        ]
    bodies.append(Body(id="cog", name="Chief Officers Group", kind=BodyKind.CHIEF_OFFICERS_GROUP, sector=Sector.BOTH))
    policy = EscalationPolicy(
        rules=(
            EscalationRule(concern="structure", body="cog"),
            EscalationRule(concern="risk", body="a000-hwb"),
            EscalationRule(concern="review", body="a000-seg"),
        )
    )
    partnership = Partnership(
        id="bench",
        name="Generated partnership",
        areas=tuple(f"Area {n}" for n in range(areas)),
        agencies=tuple(agencies),
        offices=tuple(offices),
        bodies=tuple(bodies),
        memberships=tuple(seats),
        meetings=tuple(meetings),
        reporting_lines=tuple(lines),
        statutory_partners=tuple(needs),
        escalation_policy=policy,
        information_sharing=tuple(agreements),
    )
    audit = CaseFileAudit(
        id="cfa-bench",
        title="Generated audit",
        topic="neglect",
        framework="section-11",
        date=dt.date(2025, 7, 1),
        cases=tuple(cases),
        agencies=tuple(sorted({f.agency for f in findings})),
        findings=tuple(findings),
    )
    cycle = AuditCycle(
        id="s11-2025",
        title="Section 11 audit 2025",
        framework="section-11",
        framework_version="2025",
        opens=dt.date(2025, 3, 1),
        deadline=dt.date(2025, 5, 31),
    )
    return Workspace(
        partnership=partnership,
        frameworks=tuple(f for f in bundled_frameworks() if (f.id, f.version) == ("section-11", "2025")),
        cycles=(cycle,),
        case_file_audits=(audit,),
    )


def timed(label: str, step: Callable[[], T]) -> T:
    """Run a step, print its wall time, return its result."""
    start = time.perf_counter()
    result = step()
    print(f"  {label:<44} {time.perf_counter() - start:8.3f} s", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    """Generate, build, export and analyse; print the time of each step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000, help="about how many nodes (default: 5000)")
    parser.add_argument("--alternatives", type=int, default=2, help="alternative escalation routes (default: 2)")
    args = parser.parse_args(argv)
    print(f"graph benchmark, about {args.nodes} nodes, as at {AS_OF}")
    ws = timed("generate the workspace", lambda: generate(args.nodes))
    graph = timed("build the graph (partnership_graph)", lambda: partnership_graph(ws, on=AS_OF))
    print(f"    {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    text = timed("export GraphML", lambda: graph_to_graphml(graph))
    timed("read GraphML back", lambda: graph_from_graphml(text))
    data = timed("export node-link data", lambda: graph_to_node_link(graph))
    timed("read node-link data back", lambda: graph_from_node_link(data))
    timed("export DOT", lambda: graph_to_dot(graph))
    timed("export Mermaid", lambda: graph_to_mermaid(graph))
    run: Any = timed("gap analysis: graph and reporting subgraph", lambda: _gaps.Analysis(ws, AS_OF, 75, 365))
    timed("gaps: statutory partners and attendance", lambda: list(run.statutory()))
    timed("gaps: self-assessments", lambda: list(run.returns()))
    timed("gaps: routes, dead ends, cycles", lambda: list(run.structure()))
    timed("gaps: dominators and shares", run.dominators)
    timed("gaps: one board only", lambda: list(run.boards()))
    timed("gaps: information sharing", lambda: list(run.sharing()))
    timed("gaps: escalation reach", lambda: list(run.escalation(route_graph(run.graph))))
    timed(
        f"escalation routes (+{args.alternatives} alternatives)",
        lambda: escalation_routes(ws, on=AS_OF, alternatives=args.alternatives),
    )
    report: GapReport = timed(
        "analyse_gaps, all of it", lambda: analyse_gaps(ws, as_of=AS_OF, alternatives=args.alternatives)
    )
    print("gaps found:")
    for kind, count in Counter(g.kind.value for g in report.gaps).items():
        print(f"  {kind:<28} {count}")
    print(
        f"routes: {len(report.routes)} (agency, body) pairs, {sum(1 for r in report.routes if not r.routes)} with none"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
