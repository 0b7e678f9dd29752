"""The Python stage: a workspace, read as at a date, becomes flat facts for the rules engine.

The engine matches, joins and negates; it cannot do date arithmetic, aggregate,
or read a rating scale. This stage does exactly that and nothing else: every
value it derives is a documented field of a fact (see :data:`FACT_KINDS`), so
rules stay declarative. Records dated after ``as_of`` are invisible here.

Fact ids are ``<kind>:<keys>`` strings, unique within a run. Dates are ISO
strings (they compare correctly as strings in the engine).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs

from sgassure.assessments import AuditCycle, SelfAssessment
from sgassure.graph import Gap, analyse_gaps
from sgassure.indicators import ComparatorKind, Indicator, Polarity
from sgassure.standards import Basis, Framework
from sgassure.workspace import Workspace, expected_returns

Fact = dict[str, Any]


@attrs.frozen(kw_only=True)
class FieldSpec:
    """A field of a fact kind: its type name and meaning."""

    type: str
    doc: str
    level: bool = False


def _f(type_: str, doc: str, *, level: bool = False) -> FieldSpec:
    return FieldSpec(type=type_, doc=doc, level=level)


_COMMON_RETURN = {
    "agency": _f("str", "agency id"),
    "agency_name": _f("str", "agency name"),
    "agency_kind": _f("str", "agency kind (AgencyKind value)"),
    "cycle": _f("str", "audit cycle id"),
    "framework": _f("str", "framework id"),
    "framework_version": _f("str", "catalog version the cycle answers"),
    "latest": _f("bool", "the cycle is the latest of its framework opened on or before as_of"),
}

FACT_KINDS: Mapping[str, Mapping[str, FieldSpec]] = {
    "rating": {
        **_COMMON_RETURN,
        "standard": _f("str", "standard id"),
        "standard_title": _f("str", "standard title"),
        "requirement": _f("str", "requirement id in the cycle's catalog version"),
        "level": _f("str|null", "the rating level (read as the condition's `reading`)", level=True),
        "self_level": _f("str|null", "the agency's own rating", level=True),
        "moderated_level": _f("str|null", "the moderated or challenged rating known as at as_of", level=True),
        "effective_level": _f("str|null", "moderated level if known as at as_of, else the self rating", level=True),
        "threshold": _f("str", "the catalog's compliance threshold level"),
        "not_applicable": _f("bool", "the agency says the requirement does not apply"),
        "has_reason": _f("bool", "a reason is given for not applicable"),
        "not_relevant": _f("bool", "the catalog marks the requirement not relevant to this agency's kind"),
        "evidence": _f("int", "evidence items recorded on or before as_of"),
        "fresh_evidence": _f("int", "of those, items whose validity had not run out by as_of"),
        "comment": _f("str|null", "the agency's comment"),
        "previous_cycle": _f("str|null", "the cycle before this one, if any"),
        "previous_requirement": _f("str|null", "this requirement's id in the previous cycle's catalog version"),
    },
    "action": {
        **_COMMON_RETURN,
        "requirement": _f("str", "requirement the action addresses"),
        "action": _f("str", "action item id"),
        "owner": _f("str", "owner"),
        "due": _f("date", "due date"),
        "status": _f("str", "status as at as_of (ActionStatus value)"),
        "closed": _f("bool", "complete or cancelled as at as_of"),
        "days_overdue": _f("int", "days past due as at as_of while open; 0 otherwise"),
    },
    "assessment": {
        **_COMMON_RETURN,
        "submitted": _f("date", "date the return was submitted"),
        "late": _f("bool", "submitted after the cycle's deadline"),
    },
    "expected-return": {
        **_COMMON_RETURN,
        "basis": _f("str", "why a return is expected: statutory or invited"),
        "deadline": _f("date", "the cycle's deadline"),
    },
    "case-finding": {
        "agency": _f("str", "agency id"),
        "agency_name": _f("str", "agency name"),
        "audit": _f("str", "case-file audit id"),
        "audit_title": _f("str", "case-file audit title"),
        "date": _f("date", "date of the audit"),
        "framework": _f("str", "framework whose themes the audit uses"),
        "framework_version": _f("str", "catalog version whose theme map was applied (the newest in the workspace)"),
        "finding": _f("int", "index of the finding in the audit"),
        "grade": _f("str", "grade (Grade value)"),
        "adverse": _f("bool", "requires improvement or inadequate"),
        "theme": _f("str", "theme id"),
        "requirement": _f("str", "a requirement the theme bears on"),
    },
    "survey-result": {
        "agency": _f("str", "agency id"),
        "agency_name": _f("str", "agency name"),
        "audit": _f("str", "practitioner audit id"),
        "date": _f("date", "date of the survey"),
        "framework": _f("str", "framework id"),
        "framework_version": _f("str", "catalog version of the survey"),
        "question": _f("str", "survey question id"),
        "requirement": _f("str", "a requirement the question bears on"),
        "respondents": _f("int", "number of respondents"),
        "agreed": _f("int", "number who agreed"),
        "agreement": _f("number", "percentage who agreed, 0 to 100, to 2 decimals"),
    },
    "indicator": {
        "indicator": _f("str", "indicator id"),
        "title": _f("str", "indicator title"),
        "polarity": _f("str", "higher-is-better, lower-is-better or context"),
        "unit": _f("str", "unit"),
        "period": _f("str|null", "period of the latest observation as at as_of"),
        "value": _f("number|null", "latest value"),
        "worse_than_national": _f("bool", "latest value worse than its national comparator, by polarity"),
        "worse_than_neighbours": _f("bool", "latest value worse than statistical neighbours, by polarity"),
        "worse_than_target": _f("bool", "latest value worse than its target, by polarity"),
        "national": _f("number|null", "national comparator of the latest observation"),
        "adverse_run": _f("int", "successive observations, ending at the latest, each worse than the one before"),
    },
    "gap": {
        "gap": _f("str", "gap kind (GapKind value, e.g. no-reporting-route)"),
        "board": _f("str|null", "board concerned (statutory partners, attendance, single points of failure)"),
        "board_name": _f("str|null", "board name"),
        "role": _f("str|null", "statutory role the board must have filled"),
        "body": _f("str|null", "body concerned (structural gaps; a reporting cycle's lowest id)"),
        "body_name": _f("str|null", "body name"),
        "agency": _f("str|null", "agency concerned"),
        "agency_name": _f("str|null", "agency name"),
        "other_agency": _f("str|null", "second agency of a pair (information sharing)"),
        "other_agency_name": _f("str|null", "second agency's name"),
        "cycle": _f("str|null", "audit cycle (no self-assessment)"),
        "framework": _f("str|null", "framework of that cycle"),
        "bodies": _f("str", "related body ids, comma-separated (cycle members, reporting lines, boards missed)"),
        "agencies": _f("str", "related agency ids, comma-separated (agencies behind a single point of failure)"),
        "cases": _f("str", "case references two agencies share, comma-separated"),
        "case_count": _f("int", "number of shared cases"),
        "attended": _f("int|null", "meetings attended in the attendance window"),
        "held": _f("int|null", "meetings held in the attendance window during the seat"),
        "attendance": _f("number|null", "percentage of meetings attended, to 2 decimals"),
        "lines_through": _f("int|null", "reporting lines to the board through the body"),
        "lines_total": _f("int|null", "reporting lines to the board"),
        "share": _f("number|null", "percentage of the board's reporting lines through the body, to 2 decimals"),
        "message": _f("str", "the gap, explained in a sentence"),
    },
    "finding": {
        "pack": _f("str", "pack id of the rule that found it"),
        "rule": _f("str", "rule id"),
        "severity": _f("str", "severity of the rule"),
        "fingerprint": _f("str", "the finding's fingerprint"),
        "agency": _f("str|null", "subject agency"),
        "cycle": _f("str|null", "subject cycle"),
        "framework": _f("str|null", "subject framework"),
        "requirement": _f("str|null", "subject requirement"),
        "indicator": _f("str|null", "subject indicator"),
        "body": _f("str|null", "subject body"),
    },
}

# Subject keys, in the order findings show them (board, role and other_agency name partnership-graph gaps).
SUBJECT_KEYS = (
    "agency",
    "cycle",
    "framework",
    "standard",
    "requirement",
    "audit",
    "question",
    "indicator",
    "body",
    "board",
    "role",
    "other_agency",
)


def _latest_cycles(ws: Workspace, as_of: dt.date) -> set[str]:
    latest: dict[str, AuditCycle] = {}
    for cycle in ws.cycles:
        if cycle.opens <= as_of and (cycle.framework not in latest or cycle.opens > latest[cycle.framework].opens):
            latest[cycle.framework] = cycle
    return {c.id for c in latest.values()}


def _previous_id(ws: Workspace, cycle: AuditCycle, requirement: str) -> str | None:
    """The id a requirement had in the previous cycle's catalog version (following `supersedes`)."""
    if cycle.previous is None:
        return None
    previous = ws.cycle(cycle.previous)
    framework = ws.framework_for(cycle)
    if previous.framework_version == framework.version or framework.supersedes is None:
        return requirement
    if framework.supersedes.previous != previous.framework_version:
        return None
    moved = {new: old for old, new in framework.supersedes.requirements.items()}
    if requirement in moved:
        return moved[requirement]
    old_ids = {r.id for _, r in ws.framework_for(previous).requirements()}
    if requirement in framework.supersedes.requirements or requirement not in old_ids:
        return None
    return requirement


def _return_base(ws: Workspace, agency: str, cycle: AuditCycle, latest: set[str]) -> Fact:
    a = ws.partnership.agency(agency)
    return {
        "agency": agency,
        "agency_name": a.name,
        "agency_kind": a.kind.value,
        "cycle": cycle.id,
        "framework": cycle.framework,
        "framework_version": cycle.framework_version,
        "latest": cycle.id in latest,
    }


def _rating_facts(ws: Workspace, sa: SelfAssessment, as_of: dt.date, latest: set[str]) -> Iterator[Fact]:
    cycle = ws.cycle(sa.cycle)
    framework = ws.framework_for(cycle)
    kind = ws.partnership.agency(sa.agency).kind
    base = _return_base(ws, sa.agency, cycle, latest)
    for rating in sa.ratings:
        standard = framework.standard_of(rating.requirement)
        requirement = framework.requirement(rating.requirement)
        evidence = rating.evidence_on(as_of)
        yield {
            "id": f"rating:{sa.cycle}:{sa.agency}:{rating.requirement}",
            "kind": "rating",
            **base,
            "standard": standard.id,
            "standard_title": standard.title,
            "requirement": rating.requirement,
            "self_level": rating.level,
            "moderated_level": rating.moderated_level(as_of),
            "effective_level": rating.effective_level(as_of),
            "threshold": framework.scale.threshold,
            "not_applicable": rating.not_applicable,
            "has_reason": bool(rating.reason and rating.reason.strip()),
            "not_relevant": kind in requirement.not_relevant_to,
            "evidence": len(evidence),
            "fresh_evidence": sum(1 for e in evidence if not e.is_stale(as_of)),
            "comment": rating.comment,
            "previous_cycle": cycle.previous,
            "previous_requirement": _previous_id(ws, cycle, rating.requirement),
        }


def _action_facts(ws: Workspace, sa: SelfAssessment, as_of: dt.date, latest: set[str]) -> Iterator[Fact]:
    base = _return_base(ws, sa.agency, ws.cycle(sa.cycle), latest)
    for item in sa.actions:
        status = item.status_on(as_of)
        yield {
            "id": f"action:{sa.cycle}:{sa.agency}:{item.id}",
            "kind": "action",
            **base,
            "requirement": item.requirement,
            "action": item.id,
            "owner": item.owner,
            "due": item.due.isoformat(),
            "status": status.value,
            "closed": status.is_closed,
            "days_overdue": (as_of - item.due).days if item.is_overdue(as_of) else 0,
        }


def _indicator_fact(kpi: Indicator, as_of: dt.date) -> Fact:
    seen = kpi.observations_on(as_of)
    latest = seen[-1] if seen else None

    def worse(kind: ComparatorKind) -> bool:
        if latest is None or (cmp := latest.comparator(kind)) is None:
            return False
        return bool(kpi.polarity.is_worse(latest.value, cmp.value))

    run = 0
    if kpi.polarity is not Polarity.CONTEXT:
        for before, after in zip(reversed(seen[:-1]), reversed(seen), strict=False):
            if not kpi.polarity.is_worse(after.value, before.value):
                break
            run += 1
    national = latest.comparator(ComparatorKind.NATIONAL) if latest else None
    return {
        "id": f"indicator:{kpi.id}",
        "kind": "indicator",
        "indicator": kpi.id,
        "title": kpi.title,
        "polarity": kpi.polarity.value,
        "unit": kpi.unit.value,
        "period": latest.period if latest else None,
        "value": _number(latest.value) if latest else None,
        "worse_than_national": worse(ComparatorKind.NATIONAL),
        "worse_than_neighbours": worse(ComparatorKind.STATISTICAL_NEIGHBOURS),
        "worse_than_target": worse(ComparatorKind.TARGET),
        "national": _number(national.value) if national else None,
        "adverse_run": run,
    }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _newest(ws: Workspace, framework_id: str) -> Framework:
    return max((f for f in ws.frameworks if f.id == framework_id), key=lambda f: f.version)


def _percent(part: int | None, whole: int | None) -> float | None:
    return round(part * 100 / whole, 2) if part is not None and whole else None


def gap_fact(ws: Workspace, gap: Gap) -> Fact:
    """The ``gap`` fact of one gap of the partnership graph (see :func:`sgassure.graph.analyse_gaps`)."""
    p = ws.partnership
    names = {a.id: a.name for a in p.agencies} | {b.id: b.name for b in p.bodies}
    keys = "/".join(f"{k}={v}" for k, v in gap.subject.items())
    return {
        "id": f"gap:{gap.kind.value}:{keys}",
        "kind": "gap",
        "gap": gap.kind.value,
        "board": gap.board,
        "board_name": names.get(gap.board) if gap.board else None,
        "role": gap.role,
        "body": gap.body,
        "body_name": names.get(gap.body) if gap.body else None,
        "agency": gap.agency,
        "agency_name": names.get(gap.agency) if gap.agency else None,
        "other_agency": gap.other_agency,
        "other_agency_name": names.get(gap.other_agency) if gap.other_agency else None,
        "cycle": gap.cycle,
        "framework": gap.framework,
        "bodies": ",".join(gap.bodies),
        "agencies": ",".join(gap.agencies),
        "cases": ",".join(gap.cases),
        "case_count": len(gap.cases),
        "attended": gap.attended,
        "held": gap.held,
        "attendance": _percent(gap.attended, gap.held),
        "lines_through": gap.lines_through,
        "lines_total": gap.lines_total,
        "share": _percent(gap.lines_through, gap.lines_total),
        "message": gap.message,
    }


def build_facts(ws: Workspace, as_of: dt.date) -> list[Fact]:
    """Every base fact of a workspace as at ``as_of``, in a deterministic order."""
    latest = _latest_cycles(ws, as_of)
    facts: list[Fact] = []
    visible_cycles = [c for c in ws.cycles if c.opens <= as_of]
    for cycle in visible_cycles:
        returns = {sa.agency: sa for sa in ws.assessments_for(cycle.id) if sa.submitted <= as_of}
        invited = set(cycle.invited)
        for agency in expected_returns(ws, cycle):
            fact = {
                "id": f"expected-return:{cycle.id}:{agency}",
                "kind": "expected-return",
                **_return_base(ws, agency, cycle, latest),
                "basis": Basis.STATUTORY.value if agency not in invited else "invited",
                "deadline": cycle.deadline.isoformat(),
            }
            facts.append(fact)
        for agency, sa in sorted(returns.items()):
            facts.append(
                {
                    "id": f"assessment:{cycle.id}:{agency}",
                    "kind": "assessment",
                    **_return_base(ws, agency, cycle, latest),
                    "submitted": sa.submitted.isoformat(),
                    "late": sa.submitted > cycle.deadline,
                }
            )
            facts.extend(_rating_facts(ws, sa, as_of, latest))
            facts.extend(_action_facts(ws, sa, as_of, latest))
    for audit in ws.case_file_audits:
        if audit.date > as_of:
            continue
        framework = _newest(ws, audit.framework)
        themes = {t.id: t.requirements for t in framework.themes}
        for index, finding in enumerate(audit.findings):
            for theme in finding.themes:
                for requirement in themes.get(theme, ()):
                    facts.append(
                        {
                            "id": f"case-finding:{audit.id}:{index}:{theme}:{requirement}",
                            "kind": "case-finding",
                            "agency": finding.agency,
                            "agency_name": ws.partnership.agency(finding.agency).name,
                            "audit": audit.id,
                            "audit_title": audit.title,
                            "date": audit.date.isoformat(),
                            "framework": framework.id,
                            "framework_version": framework.version,
                            "finding": index,
                            "grade": finding.grade.value,
                            "adverse": finding.grade.is_adverse,
                            "theme": theme,
                            "requirement": requirement,
                        }
                    )
    for survey in ws.practitioner_audits:
        if survey.date > as_of:
            continue
        framework = ws.framework(survey.framework, survey.framework_version)
        questions = {q.id: q.requirements for q in framework.survey_questions}
        for result in survey.results:
            for requirement in questions.get(result.question, ()):
                facts.append(
                    {
                        "id": f"survey-result:{survey.id}:{result.agency}:{result.question}:{requirement}",
                        "kind": "survey-result",
                        "agency": result.agency,
                        "agency_name": ws.partnership.agency(result.agency).name,
                        "audit": survey.id,
                        "date": survey.date.isoformat(),
                        "framework": survey.framework,
                        "framework_version": survey.framework_version,
                        "question": result.question,
                        "requirement": requirement,
                        "respondents": result.respondents,
                        "agreed": result.agreed,
                        "agreement": round(float(result.agreement * 100), 2),
                    }
                )
    facts.extend(_indicator_fact(kpi, as_of) for kpi in ws.indicators)
    facts.extend(gap_fact(ws, gap) for gap in analyse_gaps(ws, as_of=as_of, alternatives=0).gaps)
    return facts
