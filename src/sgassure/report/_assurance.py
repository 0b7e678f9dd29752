"""Building the assurance report's data from a workspace (private; see :mod:`sgassure.report.assurance`).

Everything here is a pure function of the workspace, the date and the audit.
Requirement ids move between catalog versions only through
:func:`sgassure._facts._previous_id`, the helper the rules engine's facts use,
so trends and the recurring-gap rule follow the same ``supersedes`` map.

Gaps in the partnership's structure come from :data:`GAP_DETECTORS`: each
detector reads the workspace, the partnership's graph as at the date and the date, and
yields ``(kind, node id, message)``. This is the hook through which further
gap kinds (from the partnership-graph analysis) join the picture: append a
detector; gaps are numbered after sorting by (kind, node, message).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence

import attrs
import networkx as nx

from sgassure._facts import _previous_id
from sgassure.appraisal import Appraisal, analyse_sensitivity, check_appraisal, score_appraisal
from sgassure.assessments import AuditCycle, Rating, SelfAssessment
from sgassure.audit import run_audit
from sgassure.errors import SgassureError
from sgassure.findings import AuditResult, Escalation, Explanation, Finding
from sgassure.graph import analyse_gaps, partnership_graph
from sgassure.indicators import ComparatorKind, Indicator
from sgassure.partnership import AgencyKind, BodyKind, Partnership, ReportingLineKind
from sgassure.privacy import mask_identifiers
from sgassure.report.assurance import (
    BUSINESS_OFFICE,
    AssuranceReport,
    BodyGroup,
    CellStatus,
    Heatmap,
    HeatmapCell,
    HeatmapRow,
    Judgement,
    KpiComparison,
    KpiRow,
    PartnershipPicture,
    PictureEdge,
    PictureNode,
    ReportedAppraisal,
    ReportedFinding,
    StructuralGap,
    Trend,
    TrendKind,
    TrendTable,
)
from sgassure.rules import RulePack, Severity, bundled_rule_packs
from sgassure.standards import Framework, RatingScale, Standard
from sgassure.workspace import Workspace, expected_returns, scan_workspace

Masker = Callable[[str], str]
"""Masks personal identifiers in a text shown by the report (or leaves it, when masking is off)."""

REPORTING_EDGES = tuple(k.value for k in ReportingLineKind)
PICTURE_EDGES = ("membership", *REPORTING_EDGES)

# --- heatmaps -----------------------------------------------------------------------------------------


def visible_cycles(ws: Workspace, as_of: dt.date) -> list[AuditCycle]:
    """Cycles opened on or before ``as_of``, the newest first (by opening date, then id)."""
    return sorted((c for c in ws.cycles if c.opens <= as_of), key=lambda c: (-c.opens.toordinal(), c.id))


def returns_on(ws: Workspace, cycle: AuditCycle, as_of: dt.date) -> dict[str, SelfAssessment]:
    """The returns of a cycle submitted on or before ``as_of``, by agency."""
    return {sa.agency: sa for sa in ws.assessments_for(cycle.id) if sa.submitted <= as_of}


def _rated(rating: Rating | None) -> bool:
    return rating is not None and not rating.not_applicable and rating.level is not None


def _worst(scale: RatingScale, levels: Sequence[str]) -> str:
    return max(levels, key=scale.rank)


def cell(
    framework: Framework,
    sa: SelfAssessment | None,
    standard: Standard,
    *,
    kind: AgencyKind,
    agency: str,
    as_of: dt.date,
) -> HeatmapCell:
    """One agency's cell for one standard (see the aggregation rule in :mod:`sgassure.report.assurance`)."""
    if sa is None:
        return HeatmapCell(agency=agency, standard=standard.id, status=CellStatus.NO_RETURN)
    scale = framework.scale
    effective: list[str] = []
    own: list[str] = []
    not_applicable = unrated = moderated = 0
    for requirement in standard.requirements:
        rating = sa.rating(requirement.id)
        if rating is not None and _rated(rating):
            level, own_level = str(rating.effective_level(as_of)), str(rating.level)
            effective.append(level)
            own.append(own_level)
            moderated += level != own_level
        elif (rating is not None and rating.not_applicable) or (rating is None and kind in requirement.not_relevant_to):
            not_applicable += 1
        else:
            unrated += 1
    if not effective:
        status = CellStatus.NOT_APPLICABLE if not_applicable and not unrated else CellStatus.NOT_RATED
        return HeatmapCell(
            agency=agency, standard=standard.id, status=status, not_applicable=not_applicable, unrated=unrated
        )
    return HeatmapCell(
        agency=agency,
        standard=standard.id,
        status=CellStatus.RATED,
        level=_worst(scale, effective),
        self_level=_worst(scale, own),
        counts={level: effective.count(level) for level in scale.level_ids},
        met=sum(1 for level in effective if scale.is_compliant(level)),
        not_applicable=not_applicable,
        unrated=unrated,
        moderated=moderated,
    )


def _same(text: str) -> str:
    return text


def masker(mask: bool) -> Masker:
    """:func:`~sgassure.privacy.mask_identifiers` when masking, else a function that changes nothing."""
    return mask_identifiers if mask else _same


def _by_name(ws: Workspace, agencies: set[str], text: Masker) -> list[tuple[str, str]]:
    named = [(a, text(ws.partnership.agency(a).name)) for a in agencies]
    return sorted(named, key=lambda pair: (pair[1].casefold(), pair[0]))


def heatmap(ws: Workspace, cycle: AuditCycle, as_of: dt.date, text: Masker) -> Heatmap:
    """The heatmap of one cycle: expected agencies and those that returned, by name."""
    framework = ws.framework_for(cycle)
    returns = returns_on(ws, cycle, as_of)
    rows = []
    for agency, name in _by_name(ws, set(expected_returns(ws, cycle)) | set(returns), text):
        sa = returns.get(agency)
        kind = ws.partnership.agency(agency).kind
        cells = tuple(cell(framework, sa, s, kind=kind, agency=agency, as_of=as_of) for s in framework.standards)
        rows.append(HeatmapRow(agency=agency, agency_name=name, submitted=sa.submitted if sa else None, cells=cells))
    return Heatmap(
        framework=framework.id,
        framework_title=framework.title,
        framework_version=framework.version,
        cycle=cycle.id,
        cycle_title=cycle.title,
        scale=framework.scale,
        standards=framework.standards,
        rows=tuple(rows),
    )


# --- trends -------------------------------------------------------------------------------------------


def _stale(rating: Rating, as_of: dt.date) -> bool:
    evidence = rating.evidence_on(as_of)
    return bool(evidence) and all(e.is_stale(as_of) for e in evidence)


def trend(
    ws: Workspace,
    cycle: AuditCycle,
    standard: Standard,
    *,
    agency: str,
    scales: tuple[RatingScale, RatingScale],
    returns: tuple[SelfAssessment | None, SelfAssessment | None],
    as_of: dt.date,
) -> Trend:
    """The trend of one agency on one standard from ``cycle.previous`` to ``cycle``."""
    before_sa, after_sa = returns

    def none(reason: str) -> Trend:
        return Trend(agency=agency, standard=standard.id, kind=TrendKind.NOT_COMPARABLE, reason=reason)

    if before_sa is None or after_sa is None:
        missing = [c for c, sa in ((cycle.previous, before_sa), (cycle.id, after_sa)) if sa is None]
        return none(f"no return in {' or '.join(map(str, missing))}")
    if scales[0].level_ids != scales[1].level_ids:
        return none("the rating scale changed between the cycles")
    pairs: list[tuple[str, str]] = []
    before: list[str] = []
    after: list[Rating] = []
    for requirement in standard.requirements:
        previous_id = _previous_id(ws, cycle, requirement.id)
        old, new = (before_sa.rating(previous_id) if previous_id else None), after_sa.rating(requirement.id)
        if previous_id is None or old is None or new is None or not (_rated(old) and _rated(new)):
            continue
        pairs.append((previous_id, requirement.id))
        before.append(str(old.effective_level(as_of)))
        after.append(new)
    if not pairs:
        return none("no requirement rated in both cycles")
    scale = scales[1]
    was = _worst(scale, before)
    now = _worst(scale, [str(r.effective_level(as_of)) for r in after])
    if scale.rank(now) < scale.rank(was):
        kind = TrendKind.IMPROVED
    elif scale.rank(now) > scale.rank(was):
        kind = TrendKind.REGRESSED
    elif any(_stale(r, as_of) for r in after):
        kind = TrendKind.UNCHANGED_STALE
    else:
        kind = TrendKind.UNCHANGED
    return Trend(agency=agency, standard=standard.id, kind=kind, before=was, after=now, pairs=tuple(pairs))


def trend_tables(ws: Workspace, as_of: dt.date, heatmaps: Sequence[Heatmap], text: Masker) -> tuple[TrendTable, ...]:
    """A table for each visible cycle whose ``previous`` cycle is visible too, in heatmap order."""
    shown = {h.cycle: h for h in heatmaps}
    tables = []
    for cycle in visible_cycles(ws, as_of):
        if cycle.previous is None or cycle.previous not in shown:
            continue
        previous = ws.cycle(cycle.previous)
        framework, before = ws.framework_for(cycle), ws.framework_for(previous)
        agencies = {row.agency for row in shown[cycle.id].rows} | {row.agency for row in shown[previous.id].rows}
        rows = _by_name(ws, agencies, text)
        now, then = returns_on(ws, cycle, as_of), returns_on(ws, previous, as_of)
        trends = tuple(
            trend(
                ws,
                cycle,
                s,
                agency=a,
                scales=(before.scale, framework.scale),
                returns=(then.get(a), now.get(a)),
                as_of=as_of,
            )
            for a, _ in rows
            for s in framework.standards
        )
        tables.append(
            TrendTable(
                framework=framework.id,
                previous_cycle=previous.id,
                previous_title=previous.title,
                cycle=cycle.id,
                cycle_title=cycle.title,
                scale=framework.scale,
                standards=framework.standards,
                agencies=tuple(rows),
                trends=trends,
            )
        )
    return tuple(tables)


# --- findings by the body that must act ----------------------------------------------------------------


def _route_names(p: Partnership, escalation: Escalation, text: Masker) -> tuple[str, ...]:
    if escalation.agency is None or not escalation.route:
        return ()
    names = {b.id: b.name for b in p.bodies}
    return tuple(map(text, (p.agency(escalation.agency).name, *(names.get(b, b) for b in escalation.route))))


def _standing_in_for(e: Escalation) -> Finding:
    """An escalation whose finding the audit does not list (its rule makes none), in the form report entries take.

    It stays an escalation: it is listed under its body only, and the report counts it among escalations.
    """
    return Finding(
        pack=e.pack,
        rule=e.rule,
        title=e.title,
        severity=e.severity or Severity.INFO,
        source=e.source,
        subject=dict(e.subject),
        message=e.message,
        explanation=e.explanation or Explanation(conditions=()),
        rule_index=e.rule_index,
        status=e.status,
    )


def body_groups(ws: Workspace, result: AuditResult, text: Masker) -> tuple[BodyGroup, ...]:
    """Escalations under the body that must act (by name), then the rest under the business office.

    Each body's entries are in the audit's order of escalations; an escalation
    whose rule makes no finding is an entry of its own.
    """
    findings = {f.fingerprint: f for f in result.findings}
    escalated = {e.finding for e in result.escalations}

    def entry(f: Finding, e: Escalation | None) -> ReportedFinding:
        lines = tuple(map(text, f.explanation.lines()))
        route = _route_names(ws.partnership, e, text) if e else ()
        return ReportedFinding(finding=f, explanation=lines, escalation=e, route=route)

    bodies: dict[str, list[ReportedFinding]] = {}
    for e in result.escalations:
        f = findings.get(e.finding)
        bodies.setdefault(e.body, []).append(entry(f if f is not None else _standing_in_for(e), e))
    office = [entry(f, None) for f in result.findings if f.fingerprint not in escalated]
    names = {e.body: text(e.body_name) for e in result.escalations}
    groups = [
        BodyGroup(body=b, name=names[b], entries=tuple(entries))
        for b, entries in sorted(bodies.items(), key=lambda kv: (names[kv[0]].casefold(), kv[0]))
    ]
    if office:
        office.sort(key=lambda r: r.finding.pack)  # stable: the audit's order within each pack
        groups.append(BodyGroup(body=None, name=BUSINESS_OFFICE, entries=tuple(office)))
    return tuple(groups)


# --- indicators ---------------------------------------------------------------------------------------


COMPARATOR_ORDER = list(ComparatorKind)


def kpi_row(kpi: Indicator, as_of: dt.date, text: Masker) -> KpiRow:
    """An indicator's latest observation as at ``as_of`` against the one before and its comparators."""
    seen = kpi.observations_on(as_of)
    latest = seen[-1] if seen else None
    previous = seen[-2] if len(seen) > 1 else None
    comparisons: tuple[KpiComparison, ...] = ()
    if latest is not None:
        comparisons = tuple(
            KpiComparison(kind=c.kind, value=c.value, judgement=Judgement.of(kpi.polarity, latest.value, c.value))
            for c in sorted(latest.comparators, key=lambda c: COMPARATOR_ORDER.index(c.kind))
        )
    return KpiRow(
        indicator=kpi.id,
        title=text(kpi.title),
        unit=kpi.unit,
        polarity=kpi.polarity,
        period=latest.period if latest else None,
        value=latest.value if latest else None,
        source=text(latest.source) if latest else None,
        previous_period=previous.period if previous else None,
        previous_value=previous.value if previous else None,
        change=Judgement.of(kpi.polarity, latest.value, previous.value) if latest and previous else None,
        comparisons=comparisons,
    )


# --- option appraisals -------------------------------------------------------------------------------


def reported_appraisal(a: Appraisal, text: Masker) -> ReportedAppraisal:
    """An appraisal scored, checked for completeness and tested for robustness with the file's own seed."""
    findings = tuple(attrs.evolve(f, message=text(f.message)) for f in check_appraisal(a))
    base = ReportedAppraisal(
        appraisal=a.id,
        title=text(a.title),
        programme=text(a.programme),
        event=a.event,
        options={o.id: text(o.label) for o in a.shortlist},
        groups={g.id: text(g.label) for g in a.groups},
        criteria={c.id: text(c.label) for _, c in a.criteria()},
        result=None,
        findings=findings,
        preferred=a.preferred.id if a.preferred else None,
    )
    try:
        result = score_appraisal(a)
    except SgassureError as exc:
        return attrs.evolve(base, unscored=text(str(exc)))
    sensitivity = analyse_sensitivity(a, result=result)
    return attrs.evolve(
        base, result=result, robust=sensitivity.robust, robust_reasons=tuple(map(text, sensitivity.reasons))
    )


# --- the partnership picture ---------------------------------------------------------------------------

GapDetector = Callable[[Workspace, nx.MultiDiGraph, dt.date], Iterator[tuple[str, str, str]]]


def _edge_type(key: str) -> str:
    return key.split("#", 1)[0]


def graph_gaps(ws: Workspace, graph: nx.MultiDiGraph, as_of: dt.date) -> Iterator[tuple[str, str, str]]:
    """Every gap the partnership-graph analysis finds, marked on the body (or else the agency) it concerns."""
    del graph  # the analysis builds its own graph as at the date
    for gap in analyse_gaps(ws, as_of=as_of).gaps:
        node = gap.body or gap.board or gap.agency or (gap.bodies[0] if gap.bodies else None)
        if node is not None:
            yield gap.kind.value, node, gap.message


GAP_DETECTORS: tuple[GapDetector, ...] = (graph_gaps,)
"""The gap detectors the picture marks: the partnership-graph analysis (:func:`sgassure.analyse_gaps`)."""

BOX_WIDTH, BOX_HEIGHT, GAP_X, GAP_Y, LAYER_GAP, BAND_LABEL, MARGIN, PER_ROW = 150, 52, 14, 14, 40, 24, 16, 8
LAYERS = (
    "Outside the arrangements",
    "Boards",
    "Executives, subgroups and panels",
    "Agencies",
)


def layer_of(node_type: str, kind: str) -> int | None:
    """The picture layer of a graph node from its ``node_type`` and ``kind``; None for offices (not drawn)."""
    if node_type == "agency":
        return 3
    if node_type != "body":
        return None
    body = BodyKind(kind)
    return 0 if body.is_external else 1 if body.is_board else 2


def _order(node_type: str, kind: str) -> int:
    kinds: list[str] = [k.value for k in (AgencyKind if node_type == "agency" else BodyKind)]
    return kinds.index(kind) if kind in kinds else len(kinds)


def picture(ws: Workspace, as_of: dt.date, text: Masker) -> PartnershipPicture:
    """Lay the partnership's graph as at ``as_of`` out in layers, rows of at most :data:`PER_ROW` boxes."""
    graph = partnership_graph(ws.partnership, on=as_of)
    found = sorted({g for detect in GAP_DETECTORS for g in detect(ws, graph, as_of)})
    gaps = tuple(
        StructuralGap(number=i, kind=kind, node=node, message=text(message))
        for i, (kind, node, message) in enumerate(found, start=1)
    )
    layers: dict[int, list[tuple[int, str, str, str, str]]] = {}
    for node, data in graph.nodes(data=True):
        layer = layer_of(str(data["node_type"]), str(data["kind"]))
        if layer is not None:
            entry = (_order(data["node_type"], data["kind"]), text(data["name"]), node, data["node_type"], data["kind"])
            layers.setdefault(layer, []).append(entry)
    width = 2 * MARGIN + PER_ROW * BOX_WIDTH + (PER_ROW - 1) * GAP_X
    y = MARGIN
    nodes: list[PictureNode] = []
    bands = []
    for layer in sorted(layers):
        bands.append((LAYERS[layer], y))
        y += BAND_LABEL
        members = sorted(layers[layer], key=lambda e: (e[0], e[1].casefold(), e[2]))
        for start in range(0, len(members), PER_ROW):
            row = members[start : start + PER_ROW]
            x = (width - len(row) * BOX_WIDTH - (len(row) - 1) * GAP_X) // 2
            for _, name, node, node_type, kind in row:
                marks = tuple(g.number for g in gaps if g.node == node)
                nodes.append(
                    PictureNode(
                        id=node,
                        name=name,
                        node_type=node_type,
                        kind=kind,
                        layer=layer,
                        x=x,
                        y=y,
                        width=BOX_WIDTH,
                        height=BOX_HEIGHT,
                        gaps=marks,
                    )
                )
                x += BOX_WIDTH + GAP_X
            y += BOX_HEIGHT + GAP_Y
        y += LAYER_GAP - GAP_Y
    drawn = {n.id for n in nodes}
    edges = sorted(
        {
            (_edge_type(k), u, v)
            for u, v, k in graph.edges(keys=True)
            if u in drawn and v in drawn and _edge_type(k) in PICTURE_EDGES
        }
    )
    return PartnershipPicture(
        width=width,
        height=y - LAYER_GAP + MARGIN,
        bands=tuple(bands),
        nodes=tuple(nodes),
        edges=tuple(PictureEdge(source=u, target=v, edge_type=t) for t, u, v in edges),
        gaps=gaps,
    )


# --- the whole report ----------------------------------------------------------------------------------


def _masked(result: AuditResult, text: Masker) -> AuditResult:
    """The audit with decisions' free text and escalation body names masked (messages are masked by the audit)."""
    findings = tuple(attrs.evolve(f, decision=text(f.decision)) if f.decision else f for f in result.findings)
    escalations = tuple(attrs.evolve(e, body_name=text(e.body_name)) for e in result.escalations)
    return attrs.evolve(result, findings=findings, escalations=escalations)


def build(ws: Workspace, *, as_of: dt.date, packs: Sequence[RulePack] | None, mask: bool) -> AssuranceReport:
    """The report's data (see :func:`sgassure.report.assurance.build_report`)."""
    chosen = list(packs) if packs is not None else list(bundled_rule_packs())
    text = masker(mask)
    result = _masked(run_audit(ws, chosen, as_of=as_of, mask=mask), text)
    heatmaps = tuple(heatmap(ws, c, as_of, text) for c in visible_cycles(ws, as_of))
    return AssuranceReport(
        partnership=ws.partnership.id,
        partnership_name=text(ws.partnership.name),
        as_of=as_of,
        packs=result.packs,
        mask=mask,
        identifiers=scan_workspace(ws),
        audit=result,
        heatmaps=heatmaps,
        trends=trend_tables(ws, as_of, heatmaps, text),
        groups=body_groups(ws, result, text),
        kpis=tuple(kpi_row(k, as_of, text) for k in sorted(ws.indicators, key=lambda k: k.id)),
        picture=picture(ws, as_of, text),
        appraisals=tuple(reported_appraisal(a, text) for a in ws.appraisals if a.event is None or a.event <= as_of),
    )
