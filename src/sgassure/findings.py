"""Findings, escalations and their explanations: the typed results of an audit.

Every :class:`Finding` says which rule of which pack found what about which
subject (agency, cycle, requirement, ...), how serious it is, a plain-language
message quoting the values that made the rule fire, and an
:class:`Explanation` listing every condition with the value it saw. A
finding's :attr:`~Finding.fingerprint` depends only on the pack, the rule and
the subject keys, so it is stable between runs and can be accepted in a
``decisions.yaml``.

Results are sorted by :func:`finding_sort_key`: severity (most serious first),
then pack id, the rule's position in its pack, and the subject values.
Escalations, those of findings and those of rules that make no finding
(:attr:`Escalation.escalation_only`) together, are sorted the same way, then by
fingerprint (:func:`escalation_sort_key`).

Examples:
    >>> f = Finding(pack="section-11", rule="s11.below-threshold", title="Below threshold",
    ...     severity=Severity.MEDIUM, source="Children Act 2004, s.11", subject={"agency": "a", "requirement": "1.1"},
    ...     message="a rates 1.1 partly", explanation=Explanation(conditions=()), rule_index=0)
    >>> f.fingerprint
    'section-11/s11.below-threshold/agency=a/requirement=1.1'
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from sgassure.rules import Severity

__all__ = [
    "AuditResult",
    "Check",
    "Decision",
    "DecisionLog",
    "Escalation",
    "Explanation",
    "Finding",
    "FindingStatus",
    "escalation_sort_key",
    "finding_sort_key",
    "fingerprint",
]


def fingerprint(pack: str, rule: str, subject: dict[str, str]) -> str:
    """The stable identity of a finding: pack, rule and subject keys, in subject order.

    Examples:
        >>> fingerprint("kpi", "kpi.worse-than-national", {"indicator": "kpi-03"})
        'kpi/kpi.worse-than-national/indicator=kpi-03'
    """
    return "/".join([pack, rule, *(f"{key}={value}" for key, value in subject.items())])


@attrs.frozen(kw_only=True)
class Check:
    """One condition of a rule, the fact it was tested on, and the value that fact had.

    Examples:
        >>> print(Check(alias="r", fact="rating", field="level", test="below threshold 'mostly'",
        ...     value="'partly'", reading="effective"))
        r.level (effective rating) = 'partly': below threshold 'mostly'
    """

    alias: str
    fact: str
    field: str
    test: str
    value: str
    reading: str | None = None

    def __str__(self) -> str:
        reading = f" ({self.reading} rating)" if self.reading else ""
        return f"{self.alias}.{self.field}{reading} = {self.value}: {self.test}"


@attrs.frozen(kw_only=True)
class Explanation:
    """Why a rule fired: every condition with the value it saw, and what was found absent.

    Examples:
        >>> Explanation(conditions=(), absent=("no action for requirement '1.1'",)).lines()
        ["no action for requirement '1.1'"]
    """

    conditions: tuple[Check, ...]
    absent: tuple[str, ...] = ()
    counted: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The explanation as plain lines, conditions first."""
        return [str(c) for c in self.conditions] + list(self.counted) + list(self.absent)


class FindingStatus(enum.StrEnum):
    """A finding's standing against a previous audit (``sgassure audit --since``).

    Examples:
        >>> FindingStatus.PERSISTING.value
        'persisting'
    """

    NEW = "new"
    PERSISTING = "persisting"


@attrs.frozen(kw_only=True)
class Finding:
    """What a rule found about a subject, with its message and explanation.

    Examples:
        >>> from sgassure import example_workspace_path, load_workspace, run_audit, bundled_rule_packs
        >>> result = run_audit(load_workspace(example_workspace_path()), bundled_rule_packs(),
        ...     as_of=dt.date(2025, 9, 30))
        >>> result.findings[0].severity.rank >= result.findings[-1].severity.rank
        True
    """

    pack: str
    rule: str
    title: str
    severity: Severity
    source: str
    subject: dict[str, str]
    message: str
    explanation: Explanation
    rule_index: int = 0
    status: FindingStatus | None = None
    decision: str | None = None

    @property
    def fingerprint(self) -> str:
        """Pack, rule and subject keys: stable between runs."""
        return fingerprint(self.pack, self.rule, self.subject)


def finding_sort_key(finding: Finding) -> tuple[int, str, int, tuple[str, ...]]:
    """The documented order of findings: severity (highest first), pack, rule position, subject.

    Examples:
        >>> a = Finding(pack="p", rule="r", title="t", severity=Severity.LOW, source="s",
        ...     subject={"agency": "a"}, message="m", explanation=Explanation(conditions=()))
        >>> finding_sort_key(a)
        (-1, 'p', 0, ('agency=a',))
    """
    subject = tuple(f"{k}={v}" for k, v in finding.subject.items())
    return (-finding.severity.rank, finding.pack, finding.rule_index, subject)


@attrs.frozen(kw_only=True)
class Escalation:
    """An escalation to the body the partnership's policy names for its concern: of a finding, or standing alone.

    ``finding`` is the fingerprint of the finding escalated; for a rule that
    escalates without making a finding (``escalation_only``), it is the
    fingerprint such a finding would have (``pack/rule/key=value...``), and no
    finding of the audit has it. ``route`` is the chain of bodies from where
    the agency sits up the reporting lines to that body (empty when the
    subject has no agency or there is no route).

    The rule's ``pack``, ``rule``, ``title``, ``severity``, ``source``, the
    ``subject`` and the ``explanation`` make an escalation readable on its own;
    an audit fills them for every escalation (they default to empty for
    escalations made by hand). ``status`` is set by ``sgassure audit --since``.

    Examples:
        >>> Escalation(finding="p/r/agency=a", concern="recurring-gap", body="seg", body_name="SEG",
        ...     agency="a", route=("wcsp-exec", "seg"), message="m").route[-1]
        'seg'
    """

    finding: str
    concern: str
    body: str
    body_name: str
    agency: str | None
    route: tuple[str, ...]
    message: str
    escalation_only: bool = False
    pack: str = ""
    rule: str = ""
    title: str = ""
    severity: Severity | None = None
    source: str = ""
    subject: dict[str, str] = attrs.field(factory=dict)
    explanation: Explanation | None = None
    rule_index: int = 0
    status: FindingStatus | None = None


def escalation_sort_key(escalation: Escalation) -> tuple[int, str, int, tuple[str, ...], str]:
    """The documented order of escalations: that of findings (severity, pack, rule position, subject), then fingerprint.

    An escalation without a severity sorts after those with one.

    Examples:
        >>> e = Escalation(finding="p/r/agency=a", concern="c", body="b", body_name="B", agency="a", route=(),
        ...     message="m", pack="p", rule="r", severity=Severity.HIGH, subject={"agency": "a"})
        >>> escalation_sort_key(e)
        (-3, 'p', 0, ('agency=a',), 'p/r/agency=a')
    """
    subject = tuple(f"{k}={v}" for k, v in escalation.subject.items())
    rank = escalation.severity.rank if escalation.severity is not None else -1
    return (-rank, escalation.pack, escalation.rule_index, subject, escalation.finding)


@attrs.frozen(kw_only=True)
class AuditResult:
    """The result of running rule packs over a workspace as at a date.

    Examples:
        >>> AuditResult(as_of=dt.date(2025, 9, 30), packs=(), findings=(), escalations=()).findings
        ()
    """

    as_of: dt.date
    packs: tuple[str, ...]
    findings: tuple[Finding, ...]
    escalations: tuple[Escalation, ...]

    def failing(self, severity: Severity) -> tuple[str, ...]:
        """What fails a gate at ``severity`` (``--fail-on``), as fingerprints in the audit's order.

        Those are the findings at or above ``severity`` that ``decisions.yaml``
        does not accept, and the escalations without a finding whose rule is
        at or above it (a decision cannot accept those).

        Examples:
            >>> e = Escalation(finding="p/r/agency=a", concern="c", body="b", body_name="B", agency="a", route=(),
            ...     message="m", escalation_only=True, severity=Severity.HIGH)
            >>> result = AuditResult(as_of=dt.date(2025, 9, 30), packs=("p",), findings=(), escalations=(e,))
            >>> result.failing(Severity.HIGH), result.failing(Severity.CRITICAL)
            (('p/r/agency=a',), ())
        """
        found = [f.fingerprint for f in self.findings if f.severity.rank >= severity.rank and f.decision is None]
        found += [
            e.finding
            for e in self.escalations
            if e.escalation_only and e.severity is not None and e.severity.rank >= severity.rank
        ]
        return tuple(found)


@attrs.frozen(kw_only=True)
class Decision:
    """An accepted gap: the finding's fingerprint, why it is accepted, who approved it, until when.

    An accepted finding is still reported, marked accepted, and does not count
    towards ``--fail-on``; once ``expires`` has passed it counts again.

    Examples:
        >>> d = Decision(fingerprint="kpi/kpi.worse-than-national/indicator=kpi-c02",
        ...     justification="Known data-quality issue; national definition changed.",
        ...     approver="Independent Chair", date=dt.date(2025, 7, 1), expires=dt.date(2026, 3, 31))
        >>> d.in_force(dt.date(2025, 9, 30)), d.in_force(dt.date(2026, 4, 1))
        (True, False)
    """

    fingerprint: str
    justification: str
    approver: str
    date: dt.date
    expires: dt.date | None = None

    def in_force(self, as_of: dt.date) -> bool:
        """Whether the decision was made by ``as_of`` and had not expired."""
        return self.date <= as_of and (self.expires is None or as_of <= self.expires)


@attrs.frozen(kw_only=True)
class DecisionLog:
    """The ``decisions.yaml`` file of a workspace.

    Examples:
        >>> DecisionLog().decisions
        ()
    """

    decisions: tuple[Decision, ...] = ()
