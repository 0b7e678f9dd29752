"""Audit cycles, agencies' self-assessments, action plans and multi-agency audits.

A :class:`SelfAssessment` is one agency's return against one framework for one
:class:`AuditCycle`: a :class:`Rating` per requirement (or "not applicable" with
a reason), the evidence behind it, a moderated or challenged rating kept beside
the self rating, and the agency's action plan. Multi-agency
:class:`CaseFileAudit` findings and front-line :class:`PractitionerAudit`
results cross-check what agencies say of themselves.

Everything dated is read "as at" a date: a record dated after it is invisible,
so an audit as at 31 March rerun in June sees what was known on 31 March.

Examples:
    >>> from sgassure import parse_self_assessment
    >>> sa = parse_self_assessment('''
    ... version: 1
    ... agency: fenmarsh-police
    ... cycle: s11-2024
    ... framework: section-11
    ... framework_version: "2023"
    ... submitted: 2024-05-31
    ... completed_by: Head of Public Protection
    ... ratings:
    ...   - requirement: "1.1"
    ...     level: mostly
    ...     moderation: {level: partly, rationale: No named lead at chief officer level., date: 2024-07-02, by: seg}
    ... ''')
    >>> rating = sa.rating("1.1")
    >>> rating.level, rating.effective_level(), rating.effective_level(as_of=dt.date(2024, 6, 30))
    ('mostly', 'partly', 'mostly')
"""

from __future__ import annotations

import datetime as dt
import enum
from fractions import Fraction

import attrs

__all__ = [
    "ActionItem",
    "ActionStatus",
    "AuditCycle",
    "AuditFinding",
    "CaseFileAudit",
    "Evidence",
    "Grade",
    "Moderation",
    "ModerationKind",
    "PractitionerAudit",
    "Rating",
    "SelfAssessment",
    "StatusChange",
    "SurveyResult",
]


def _visible(day: dt.date, as_of: dt.date | None) -> bool:
    return as_of is None or day <= as_of


@attrs.frozen(kw_only=True)
class AuditCycle:
    """One round of self-assessment against one framework version.

    ``invited`` lists agencies asked to return even when no statute binds them;
    ``previous`` names the cycle before it, so that gaps can be followed across rounds.

    Examples:
        >>> cycle = AuditCycle(id="s11-2024", title="Section 11 audit 2024", framework="section-11",
        ...     framework_version="2023", opens=dt.date(2024, 3, 1), deadline=dt.date(2024, 5, 31),
        ...     invited=("fenmarsh-police",))
        >>> cycle.previous is None
        True
    """

    id: str
    title: str
    framework: str
    framework_version: str
    opens: dt.date
    deadline: dt.date
    invited: tuple[str, ...] = ()
    previous: str | None = None


@attrs.frozen(kw_only=True)
class Evidence:
    """Evidence offered for a rating: what it is, when it took effect, when it was recorded.

    ``valid_months`` is how long the evidence stands before it is stale; None
    leaves the decision to the rule pack.

    Examples:
        >>> ev = Evidence(description="Safeguarding policy v4", effective=dt.date(2022, 9, 1),
        ...     recorded=dt.date(2024, 5, 20), valid_months=24)
        >>> ev.expires()
        datetime.date(2024, 9, 1)
        >>> ev.is_stale(dt.date(2024, 12, 31))
        True
    """

    description: str
    effective: dt.date
    recorded: dt.date
    valid_months: int | None = None

    def expires(self) -> dt.date | None:
        """The day the evidence stops being valid, if it has a validity."""
        if self.valid_months is None:
            return None
        month = self.effective.month - 1 + self.valid_months
        year, month = self.effective.year + month // 12, month % 12 + 1
        day = min(self.effective.day, _days_in_month(year, month))
        return dt.date(year, month, day)

    def is_stale(self, as_of: dt.date) -> bool:
        """Whether the evidence's validity had run out by ``as_of``."""
        expires = self.expires()
        return expires is not None and expires <= as_of


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


class ModerationKind(enum.StrEnum):
    """Whether a second rating came from moderation or from a challenge.

    Examples:
        >>> ModerationKind("challenged").value
        'challenged'
    """

    MODERATED = "moderated"
    CHALLENGED = "challenged"


@attrs.frozen(kw_only=True)
class Moderation:
    """A moderated or challenged rating kept beside the self rating.

    Examples:
        >>> Moderation(level="partly", rationale="Training figures not evidenced.",
        ...     date=dt.date(2024, 7, 2), by="seg").kind
        <ModerationKind.MODERATED: 'moderated'>
    """

    level: str
    rationale: str
    date: dt.date
    by: str
    kind: ModerationKind = ModerationKind.MODERATED


@attrs.frozen(kw_only=True)
class Rating:
    """An agency's rating of one requirement, or its statement that the requirement does not apply.

    The *effective* rating is the moderated one where it exists (and is dated on
    or before the "as at" date), else the self rating.

    Examples:
        >>> Rating(requirement="9.1", not_applicable=True, reason="No commissioning role.").effective_level()
        >>> Rating(requirement="9.1", level="partly").effective_level()
        'partly'
    """

    requirement: str
    level: str | None = None
    not_applicable: bool = False
    reason: str | None = None
    evidence: tuple[Evidence, ...] = ()
    comment: str | None = None
    moderation: Moderation | None = None

    def moderated_level(self, as_of: dt.date | None = None) -> str | None:
        """The moderated level known on ``as_of``, if any."""
        if self.moderation is None or not _visible(self.moderation.date, as_of):
            return None
        return self.moderation.level

    def effective_level(self, as_of: dt.date | None = None) -> str | None:
        """The moderated level known on ``as_of`` if any, else the self rating."""
        return self.moderated_level(as_of) or self.level

    def evidence_on(self, as_of: dt.date | None = None) -> tuple[Evidence, ...]:
        """The evidence recorded on or before ``as_of``."""
        return tuple(e for e in self.evidence if _visible(e.recorded, as_of))


class ActionStatus(enum.StrEnum):
    """The status of an action-plan item.

    Examples:
        >>> ActionStatus.COMPLETE.is_closed, ActionStatus.IN_PROGRESS.is_closed
        (True, False)
    """

    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETE = "complete"
    CANCELLED = "cancelled"

    @property
    def is_closed(self) -> bool:
        """Whether the item needs no more work."""
        return self in (ActionStatus.COMPLETE, ActionStatus.CANCELLED)


@attrs.frozen(kw_only=True)
class StatusChange:
    """A dated change of an action item's status.

    Examples:
        >>> StatusChange(date=dt.date(2024, 6, 1), status=ActionStatus.IN_PROGRESS).note is None
        True
    """

    date: dt.date
    status: ActionStatus
    note: str | None = None


@attrs.frozen(kw_only=True)
class ActionItem:
    """An item of an agency's action plan, linked to the requirement it addresses.

    Examples:
        >>> item = ActionItem(id="A1", requirement="5.2", action="Refresh supervision policy.",
        ...     owner="Named nurse", due=dt.date(2024, 9, 30), history=(
        ...         StatusChange(date=dt.date(2024, 6, 1), status=ActionStatus.IN_PROGRESS),
        ...         StatusChange(date=dt.date(2024, 10, 15), status=ActionStatus.COMPLETE),
        ...     ))
        >>> item.status_on(dt.date(2024, 7, 1)), item.status_on(dt.date(2024, 12, 1))
        (<ActionStatus.IN_PROGRESS: 'in-progress'>, <ActionStatus.COMPLETE: 'complete'>)
        >>> item.is_overdue(dt.date(2024, 10, 1)), item.is_overdue(dt.date(2024, 12, 1))
        (True, False)
    """

    id: str
    requirement: str
    action: str
    owner: str
    due: dt.date
    history: tuple[StatusChange, ...] = ()

    def status_on(self, as_of: dt.date | None = None) -> ActionStatus:
        """The latest status recorded on or before ``as_of`` (not started when none is)."""
        known = [change for change in self.history if _visible(change.date, as_of)]
        if not known:
            return ActionStatus.NOT_STARTED
        return max(known, key=lambda change: change.date).status

    def is_overdue(self, as_of: dt.date) -> bool:
        """Whether the item was past due and not closed on ``as_of``."""
        return self.due < as_of and not self.status_on(as_of).is_closed


@attrs.frozen(kw_only=True)
class SelfAssessment:
    """One agency's return against one framework version for one audit cycle.

    Examples:
        >>> from sgassure import example_workspace_path, load_workspace
        >>> ws = load_workspace(example_workspace_path())
        >>> sa = ws.assessments[0]
        >>> bool(sa.ratings), sa.framework in {"section-11", "saaf"}
        (True, True)
    """

    agency: str
    cycle: str
    framework: str
    framework_version: str
    submitted: dt.date
    completed_by: str
    ratings: tuple[Rating, ...] = ()
    actions: tuple[ActionItem, ...] = ()

    def rating(self, requirement: str) -> Rating | None:
        """The rating of ``requirement``, if the return has one."""
        return next((r for r in self.ratings if r.requirement == requirement), None)

    def actions_for(self, requirement: str) -> tuple[ActionItem, ...]:
        """The action items that address ``requirement``."""
        return tuple(a for a in self.actions if a.requirement == requirement)


class Grade(enum.StrEnum):
    """The grade a multi-agency audit gives an agency's practice in a case.

    Examples:
        >>> Grade.REQUIRES_IMPROVEMENT.is_adverse, Grade.GOOD.is_adverse
        (True, False)
    """

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires-improvement"
    INADEQUATE = "inadequate"

    @property
    def is_adverse(self) -> bool:
        """Whether the grade says practice fell short."""
        return self in (Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)


@attrs.frozen(kw_only=True)
class AuditFinding:
    """A finding of a case-file audit about one agency, graded and themed.

    Examples:
        >>> AuditFinding(agency="fenmarsh-police", grade=Grade.GOOD, themes=("information-sharing",),
        ...     cases=("CPP-24-003",), summary="Timely strategy discussions.").grade.is_adverse
        False
    """

    agency: str
    grade: Grade
    themes: tuple[str, ...]
    cases: tuple[str, ...] = ()
    summary: str


@attrs.frozen(kw_only=True)
class CaseFileAudit:
    """A multi-agency case-file audit on a topic: cases, agencies, graded findings, learning.

    Case references are pseudonyms (``CPP-24-003``), never names.

    Examples:
        >>> audit = CaseFileAudit(id="cfa-neglect-2024", title="Neglect", topic="neglect",
        ...     framework="section-11", date=dt.date(2024, 11, 5), cases=("NEG-24-001",),
        ...     agencies=("fenmarsh-police",), findings=())
        >>> audit.topic
        'neglect'
    """

    id: str
    title: str
    topic: str
    framework: str
    date: dt.date
    cases: tuple[str, ...]
    agencies: tuple[str, ...]
    findings: tuple[AuditFinding, ...]
    learning: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class SurveyResult:
    """Answers of one agency's practitioners to one survey question.

    Examples:
        >>> r = SurveyResult(agency="fenmarsh-police", question="PQ2", respondents=40, agreed=12)
        >>> r.agreement
        Fraction(3, 10)
    """

    agency: str
    question: str
    respondents: int
    agreed: int

    @property
    def agreement(self) -> Fraction:
        """The exact share of respondents who agreed (0 when nobody answered)."""
        return Fraction(self.agreed, self.respondents) if self.respondents else Fraction(0)


@attrs.frozen(kw_only=True)
class PractitionerAudit:
    """A front-line practitioner audit (survey) with results per agency and question.

    Examples:
        >>> PractitionerAudit(id="pa-2024", title="Practitioner audit 2024", framework="section-11",
        ...     framework_version="2023", date=dt.date(2024, 10, 1), results=()).framework
        'section-11'
    """

    id: str
    title: str
    framework: str
    framework_version: str
    date: dt.date
    results: tuple[SurveyResult, ...]
