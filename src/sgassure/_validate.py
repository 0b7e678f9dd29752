"""Checks that structuring cannot make: uniqueness, choices and references.

Each check takes typed values with the located documents they came from and
returns located problems; the loaders raise them all at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sgassure._convert import did_you_mean
from sgassure._yaml import Document, Path
from sgassure.assessments import AuditCycle, CaseFileAudit, PractitionerAudit, SelfAssessment
from sgassure.consistency import PublishedFigures
from sgassure.errors import Problem
from sgassure.findings import DecisionLog
from sgassure.indicators import IndicatorSet
from sgassure.partnership import Partnership
from sgassure.privacy import case_reference_problem
from sgassure.standards import Framework


class Checker:
    """Collects located problems for one document."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, path: Path, message: str, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, key=key))

    def unique(self, items: Iterable[tuple[Path, Any]], what: str) -> None:
        """Report every repeat of a value after its first appearance."""
        seen: dict[Any, Path] = {}
        for path, value in items:
            if value in seen:
                first = self.doc.locate(seen[value])
                self.add(path, f"duplicate {what} {value!r} (first given at line {first.line})")
            else:
                seen[value] = path

    def ref(self, path: Path, value: str, known: Sequence[str], what: str) -> bool:
        """Report ``value`` unless it is one of ``known``; True when it is known."""
        if value in known:
            return True
        self.add(path, f"unknown {what} {value!r}{did_you_mean(value, known)}")
        return False


def check_partnership(p: Partnership, doc: Document) -> list[Problem]:
    """Unique ids and references inside a partnership file."""
    c = Checker(doc)
    agencies = [a.id for a in p.agencies]
    bodies = [b.id for b in p.bodies]
    offices = [o.id for o in p.offices]
    boards = [b.id for b in p.boards()]
    c.unique(((("agencies", i, "id"), a.id) for i, a in enumerate(p.agencies)), "agency id")
    c.unique(((("bodies", i, "id"), b.id) for i, b in enumerate(p.bodies)), "body id")
    c.unique(((("offices", i, "id"), o.id) for i, o in enumerate(p.offices)), "office id")
    both = set(agencies) & set(bodies)
    for i, b in enumerate(p.bodies):
        if b.id in both:
            c.add(("bodies", i, "id"), f"id {b.id!r} names both an agency and a body")
        for j, served in enumerate(b.serves):
            c.ref(("bodies", i, "serves", j), served, boards, "board")
        if b.chair is not None:
            c.ref(("bodies", i, "chair"), b.chair, offices, "office")
    for i, m in enumerate(p.memberships):
        c.ref(("memberships", i, "agency"), m.agency, agencies, "agency")
        c.ref(("memberships", i, "body"), m.body, bodies, "body")
        if m.end is not None and m.end < m.start:
            c.add(("memberships", i, "end"), f"tenure ends ({m.end}) before it starts ({m.start})")
    c.unique(((("meetings", i), (m.body, m.date)) for i, m in enumerate(p.meetings)), "meeting (body, date)")
    for i, meeting in enumerate(p.meetings):
        c.ref(("meetings", i, "body"), meeting.body, bodies, "body")
        c.unique(((("meetings", i, "attended", j), a) for j, a in enumerate(meeting.attended)), "attendee")
        for j, agency in enumerate(meeting.attended):
            c.ref(("meetings", i, "attended", j), agency, agencies, "agency")
    for i, line in enumerate(p.reporting_lines):
        c.ref(("reporting_lines", i, "from"), line.source, bodies, "body")
        c.ref(("reporting_lines", i, "to"), line.target, bodies, "body")
        if line.source == line.target:
            c.add(("reporting_lines", i), f"body {line.source!r} reports to itself")
        if line.start is not None and line.end is not None and line.end < line.start:
            c.add(("reporting_lines", i, "end"), f"line ends ({line.end}) before it starts ({line.start})")
    for i, office in enumerate(p.offices):
        for j, body in enumerate(office.accountable_to):
            c.ref(("offices", i, "accountable_to", j), body, bodies, "body")
    c.unique(((("information_sharing", i, "id"), a.id) for i, a in enumerate(p.information_sharing)), "agreement id")
    for i, isa in enumerate(p.information_sharing):
        c.unique(((("information_sharing", i, "parties", j), a) for j, a in enumerate(isa.parties)), "party")
        for j, agency in enumerate(isa.parties):
            c.ref(("information_sharing", i, "parties", j), agency, agencies, "agency")
        if len(set(isa.parties)) < 2:
            c.add(("information_sharing", i, "parties"), "an agreement needs at least two parties")
        if isa.end is not None and isa.end < isa.start:
            c.add(("information_sharing", i, "end"), f"agreement ends ({isa.end}) before it starts ({isa.start})")
    for i, deal in enumerate(p.commissioning):
        c.ref(("commissioning", i, "commissioner"), deal.commissioner, [*agencies, *bodies], "agency or body")
        c.ref(("commissioning", i, "provider"), deal.provider, [*agencies, *bodies], "agency or body")
        if deal.end is not None and deal.end < deal.start:
            c.add(("commissioning", i, "end"), f"commissioning ends ({deal.end}) before it starts ({deal.start})")
    for i, need in enumerate(p.statutory_partners):
        c.ref(("statutory_partners", i, "board"), need.board, boards, "board")
    c.unique(
        ((("escalation_policy", "rules", i, "concern"), r.concern) for i, r in enumerate(p.escalation_policy.rules)),
        "concern",
    )
    for i, rule in enumerate(p.escalation_policy.rules):
        c.ref(("escalation_policy", "rules", i, "body"), rule.body, bodies, "body")
        c.unique(
            (
                (("escalation_policy", "rules", i, "parameters", j, "start"), q.start)
                for j, q in enumerate(rule.parameters)
            ),
            "parameters start date",
        )
    for i, a in enumerate(p.agencies):
        for j, alias in enumerate(a.aliases):
            clash = [o.id for o in p.agencies if o.id != a.id and o.known_as(alias)]
            if clash:
                c.add(("agencies", i, "aliases", j), f"alias {alias!r} also names agency {clash[0]!r}")
    return c.problems


def check_framework(f: Framework, doc: Document) -> list[Problem]:
    """Unique ids, the threshold and internal references of a catalog."""
    c = Checker(doc)
    levels = list(f.scale.level_ids)
    c.unique(((("scale", "levels", i, "id"), lv) for i, lv in enumerate(levels)), "level id")
    c.ref(("scale", "threshold"), f.scale.threshold, levels, "level")
    names = Counter(name.casefold() for lv in f.scale.levels for name in {lv.id, lv.label, *lv.aliases})
    for i, lv in enumerate(f.scale.levels):
        for j, alias in enumerate(lv.aliases):
            if names[alias.casefold()] > 1:
                c.add(("scale", "levels", i, "aliases", j), f"alias {alias!r} names more than one level")
    c.unique(((("standards", i, "id"), s.id) for i, s in enumerate(f.standards)), "standard id")
    c.unique(
        (
            (("standards", i, "requirements", j, "id"), r.id)
            for i, s in enumerate(f.standards)
            for j, r in enumerate(s.requirements)
        ),
        "requirement id",
    )
    requirements = [r.id for _, r in f.requirements()]
    c.unique(((("themes", i, "id"), t.id) for i, t in enumerate(f.themes)), "theme id")
    for i, theme in enumerate(f.themes):
        for j, req in enumerate(theme.requirements):
            c.ref(("themes", i, "requirements", j), req, requirements, "requirement")
    c.unique(((("survey_questions", i, "id"), q.id) for i, q in enumerate(f.survey_questions)), "question id")
    for i, question in enumerate(f.survey_questions):
        for j, req in enumerate(question.requirements):
            c.ref(("survey_questions", i, "requirements", j), req, requirements, "requirement")
    if f.supersedes is not None:
        for old, new in f.supersedes.requirements.items():
            c.ref(("supersedes", "requirements", old), new, requirements, "requirement")
        if f.supersedes.previous == f.version:
            c.add(("supersedes", "previous"), f"catalog version {f.version!r} cannot supersede itself")
    return c.problems


class Context:
    """What a workspace knows, for checking references across files."""

    def __init__(self, partnership: Partnership, frameworks: Sequence[Framework], cycles: Sequence[AuditCycle]) -> None:
        self.partnership = partnership
        self.agencies = [a.id for a in partnership.agencies]
        self.bodies = [b.id for b in partnership.bodies]
        self.offices = [o.id for o in partnership.offices]
        self.frameworks = {(f.id, f.version): f for f in frameworks}
        self.framework_ids = sorted({f.id for f in frameworks})
        self.cycles = {cycle.id: cycle for cycle in cycles}

    def framework(self, c: Checker, path: Path, framework_id: str, version: str | None) -> Framework | None:
        """The framework named, reporting an unknown id or version at ``path``."""
        if not c.ref((*path, "framework"), framework_id, self.framework_ids, "framework"):
            return None
        if version is None:
            return max((f for (i, _), f in self.frameworks.items() if i == framework_id), key=lambda f: f.version)
        versions = sorted(v for (i, v) in self.frameworks if i == framework_id)
        if not c.ref((*path, "framework_version"), version, versions, f"version of {framework_id!r}"):
            return None
        return self.frameworks[(framework_id, version)]


def _level(c: Checker, path: Path, level: str, f: Framework) -> None:
    if level in f.scale.level_ids:
        return
    meant = f.scale.resolve(level)
    if meant is not None:
        c.add(path, f"write the level id {meant!r} for {level!r} (ratings use the scale's level ids)")
        return
    choices = f.scale.level_ids
    c.add(path, f"expected one of {', '.join(repr(x) for x in choices)}; got {level!r}{did_you_mean(level, choices)}")


def check_cycle(cycle: AuditCycle, doc: Document, ctx: Context) -> list[Problem]:
    """References of an audit cycle."""
    c = Checker(doc)
    ctx.framework(c, (), cycle.framework, cycle.framework_version)
    c.unique(((("invited", i), a) for i, a in enumerate(cycle.invited)), "agency")
    for i, agency in enumerate(cycle.invited):
        c.ref(("invited", i), agency, ctx.agencies, "agency")
    if cycle.previous is not None and c.ref(("previous",), cycle.previous, sorted(ctx.cycles), "cycle"):
        earlier = ctx.cycles[cycle.previous]
        if earlier.framework != cycle.framework:
            c.add(
                ("previous",),
                f"cycle {cycle.previous!r} is of framework {earlier.framework!r}, not {cycle.framework!r}",
            )
    if cycle.deadline < cycle.opens:
        c.add(("deadline",), f"deadline {cycle.deadline} is before the cycle opens ({cycle.opens})")
    return c.problems


def check_assessment(sa: SelfAssessment, doc: Document, ctx: Context) -> list[Problem]:
    """References, levels and rating shapes of a self-assessment."""
    c = Checker(doc)
    c.ref(("agency",), sa.agency, ctx.agencies, "agency")
    if c.ref(("cycle",), sa.cycle, sorted(ctx.cycles), "cycle"):
        cycle = ctx.cycles[sa.cycle]
        if (sa.framework, sa.framework_version) != (cycle.framework, cycle.framework_version):
            c.add(
                ("framework_version",),
                f"cycle {cycle.id!r} answers {cycle.framework!r} version {cycle.framework_version!r}, "
                f"not {sa.framework!r} version {sa.framework_version!r}",
            )
    f = ctx.framework(c, (), sa.framework, sa.framework_version)
    c.unique(
        ((("ratings", i, "requirement"), r.requirement) for i, r in enumerate(sa.ratings)), "rating of requirement"
    )
    c.unique(((("actions", i, "id"), a.id) for i, a in enumerate(sa.actions)), "action id")
    requirements = [r.id for _, r in f.requirements()] if f else []
    for i, rating in enumerate(sa.ratings):
        at: Path = ("ratings", i)
        if f is not None:
            c.ref((*at, "requirement"), rating.requirement, requirements, "requirement")
        if rating.not_applicable and rating.level is not None:
            c.add((*at, "level"), "a rating is either a level or not_applicable: true, not both")
        elif not rating.not_applicable and rating.level is None:
            c.add(at, "give a level, or not_applicable: true with a reason")
        if rating.reason is not None and not rating.not_applicable:
            c.add((*at, "reason"), "a reason is given only with not_applicable: true; use comment for remarks")
        if f is not None and rating.level is not None:
            _level(c, (*at, "level"), rating.level, f)
        if rating.moderation is not None:
            if f is not None:
                _level(c, (*at, "moderation", "level"), rating.moderation.level, f)
            c.ref(
                (*at, "moderation", "by"), rating.moderation.by, sorted({*ctx.bodies, *ctx.offices}), "body or office"
            )
        for j, ev in enumerate(rating.evidence):
            if ev.valid_months is not None and ev.valid_months <= 0:
                c.add(
                    (*at, "evidence", j, "valid_months"), f"expected a positive number of months; got {ev.valid_months}"
                )
            if ev.recorded < ev.effective:
                c.add(
                    (*at, "evidence", j, "recorded"), f"recorded ({ev.recorded}) before it took effect ({ev.effective})"
                )
    for i, action in enumerate(sa.actions):
        if f is not None:
            c.ref(("actions", i, "requirement"), action.requirement, requirements, "requirement")
        c.unique(((("actions", i, "history", j, "date"), h.date) for j, h in enumerate(action.history)), "status date")
    return c.problems


def check_case_file_audit(audit: CaseFileAudit, doc: Document, ctx: Context) -> list[Problem]:
    """Pseudonyms, agencies and themes of a case-file audit."""
    c = Checker(doc)
    f = ctx.framework(c, (), audit.framework, None)
    themes = [t.id for t in f.themes] if f else []
    c.unique(((("cases", i), ref) for i, ref in enumerate(audit.cases)), "case")
    for i, ref in enumerate(audit.cases):
        if (message := case_reference_problem(ref)) is not None:
            c.add(("cases", i), message)
    for i, agency in enumerate(audit.agencies):
        c.ref(("agencies", i), agency, ctx.agencies, "agency")
    for i, finding in enumerate(audit.findings):
        at: Path = ("findings", i)
        if c.ref((*at, "agency"), finding.agency, ctx.agencies, "agency") and finding.agency not in audit.agencies:
            c.add((*at, "agency"), f"agency {finding.agency!r} is not among the audit's agencies")
        for j, theme in enumerate(finding.themes):
            if f is not None:
                c.ref((*at, "themes", j), theme, themes, "theme")
        for j, ref in enumerate(finding.cases):
            c.ref((*at, "cases", j), ref, list(audit.cases), "case")
    return c.problems


def check_practitioner_audit(audit: PractitionerAudit, doc: Document, ctx: Context) -> list[Problem]:
    """Questions, agencies and counts of a practitioner audit."""
    c = Checker(doc)
    f = ctx.framework(c, (), audit.framework, audit.framework_version)
    questions = [q.id for q in f.survey_questions] if f else []
    c.unique(
        ((("results", i), (r.agency, r.question)) for i, r in enumerate(audit.results)), "result (agency, question)"
    )
    for i, result in enumerate(audit.results):
        c.ref(("results", i, "agency"), result.agency, ctx.agencies, "agency")
        if f is not None:
            c.ref(("results", i, "question"), result.question, questions, "survey question")
        if result.respondents < 0:
            c.add(("results", i, "respondents"), f"expected a count of 0 or more; got {result.respondents}")
        if not 0 <= result.agreed <= result.respondents:
            c.add(
                ("results", i, "agreed"),
                f"expected between 0 and respondents ({result.respondents}); got {result.agreed}",
            )
    return c.problems


def check_indicators(kpis: IndicatorSet, doc: Document, ctx: Context) -> list[Problem]:
    """Unique ids and owners of indicators."""
    c = Checker(doc)
    c.unique(((("indicators", i, "id"), k.id) for i, k in enumerate(kpis.indicators)), "indicator id")
    for i, kpi in enumerate(kpis.indicators):
        if kpi.owner is not None:
            c.ref(("indicators", i, "owner"), kpi.owner, ctx.agencies, "agency")
        c.unique(
            ((("indicators", i, "observations", j, "period"), o.period) for j, o in enumerate(kpi.observations)),
            "period",
        )
        for j, obs in enumerate(kpi.observations):
            c.unique(
                (
                    (("indicators", i, "observations", j, "comparators", k), cmp.kind)
                    for k, cmp in enumerate(obs.comparators)
                ),
                "comparator kind",
            )
    return c.problems


def check_published(figures: PublishedFigures, doc: Document, ctx: Context) -> list[Problem]:
    """Unique ids and references of published figures."""
    c = Checker(doc)
    c.unique(((("tables", i, "id"), t.id) for i, t in enumerate(figures.tables)), "table id")
    for i, fig in enumerate(figures.attendance):
        c.ref(("attendance", i, "body"), fig.body, ctx.bodies, "body")
        c.ref(("attendance", i, "agency"), fig.agency, ctx.agencies, "agency")
        if fig.end < fig.start:
            c.add(("attendance", i, "end"), f"period ends ({fig.end}) before it starts ({fig.start})")
        if fig.decimals < 0:
            c.add(("attendance", i, "decimals"), f"expected 0 or more; got {fig.decimals}")
    return c.problems


def check_decisions(log: DecisionLog, doc: Document) -> list[Problem]:
    """Unique fingerprints and sensible dates in a decisions file."""
    c = Checker(doc)
    c.unique(((("decisions", i, "fingerprint"), d.fingerprint) for i, d in enumerate(log.decisions)), "decision for")
    for i, d in enumerate(log.decisions):
        if d.expires is not None and d.expires < d.date:
            c.add(("decisions", i, "expires"), f"expires ({d.expires}) before it was made ({d.date})")
    return c.problems
