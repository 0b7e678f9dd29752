"""Rule packs: auditors' rules in YAML, their findings, escalations and explanations.

A :class:`RulePack` is data, never code: each :class:`Rule` has an id, a title,
a severity, the statutory source it rests on, a condition over *facts* (flat
records the workspace yields as at a date; the fact kinds and their fields are
listed in the rule-pack reference) and an outcome: a finding, an escalation, or
both. Packs carry their own test cases.

Examples:
    >>> pack = parse_rule_pack('''
    ... version: 1
    ... id: demo
    ... title: Demo
    ... framework: section-11
    ... rules:
    ...   - id: demo.below
    ...     title: Rating below the compliance threshold
    ...     severity: medium
    ...     source: Children Act 2004, s.11(2)
    ...     when:
    ...       all:
    ...         - fact: rating
    ...           as: r
    ...           where: {latest: true, level: {below: threshold}}
    ...     then:
    ...       finding:
    ...         message: "{r.agency_name} rates {r.requirement} {r.level}"
    ... ''')
    >>> pack.rules[0].when.all[0].where["level"].below
    'threshold'
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from importlib import resources
from typing import Any

import attrs

__all__ = [
    "Count",
    "DaysBefore",
    "Escalate",
    "Expectation",
    "FindingSpec",
    "Outcome",
    "Pattern",
    "Reading",
    "Rule",
    "RulePack",
    "Severity",
    "Test",
    "TestCase",
    "When",
    "bundled_rule_packs",
    "load_rule_pack",
    "parse_rule_pack",
]


class Severity(enum.StrEnum):
    """How serious a finding is; ordered from info (lowest) to critical.

    Examples:
        >>> Severity.HIGH.rank > Severity.MEDIUM.rank
        True
    """

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical."""
        return _SEVERITY_RANKS[self]


_SEVERITY_RANKS: dict[Severity, int] = {severity: rank for rank, severity in enumerate(Severity)}


class Reading(enum.StrEnum):
    """Which rating a level condition reads: the agency's own, the moderated one, or the effective one.

    Examples:
        >>> Reading.EFFECTIVE.field
        'effective_level'
    """

    SELF = "self"
    MODERATED = "moderated"
    EFFECTIVE = "effective"

    @property
    def field(self) -> str:
        """The fact field that holds this reading."""
        return f"{self.value}_level"


@attrs.frozen(kw_only=True)
class DaysBefore:
    """A date relative to the run's ``as_of``: a number of days before it, or a policy parameter's.

    ``days`` is a number, or the name of a parameter of the escalation policy
    for ``policy`` (a concern), read as in force on ``as_of``.

    Examples:
        >>> DaysBefore(days=28).resolve(dt.date(2025, 9, 30))
        datetime.date(2025, 9, 2)
    """

    days: int | None = None
    policy: str | None = None
    parameter: str | None = None

    def resolve(self, as_of: dt.date, policy_days: int | None = None) -> dt.date:
        """The date meant, given ``as_of`` and the policy parameter's value when one is named."""
        days = self.days if self.days is not None else policy_days
        if days is None:
            raise ValueError("no number of days")
        return as_of - dt.timedelta(days=days)


@attrs.frozen(kw_only=True)
class Test:
    """The test a condition makes of one fact field; several operators in one test must all hold.

    A bare value in YAML (``latest: true``) is an equality test. Values that
    start with ``$`` refer to a field of an earlier pattern (``$r.agency``).
    Level operators (``below``, ``at_or_above``, ``above``, ``at_or_below``)
    take ``threshold``, ``lowest``, ``highest`` or a level id and are resolved
    from the catalog; on the field ``level``, ``reading`` says which rating is
    read (effective by default). Date
    operators take ``as_of``, a date, or ``{days_before_as_of: ...}``.

    Examples:
        >>> Test(ge=3, lt=10).operators()
        ['lt', 'ge']
    """

    __test__ = False  # not a pytest test class

    eq: Any = None
    ne: Any = None
    lt: Any = None
    le: Any = None
    gt: Any = None
    ge: Any = None
    in_: tuple[Any, ...] | None = attrs.field(default=None, metadata={"key": "in"})
    not_in: tuple[Any, ...] | None = None
    matches: str | None = None
    exists: bool | None = None
    below: str | None = None
    at_or_above: str | None = None
    above: str | None = None
    at_or_below: str | None = None
    before: Any = None
    on_or_before: Any = None
    after: Any = None
    on_or_after: Any = None
    reading: Reading | None = None

    def operators(self) -> list[str]:
        """The operators set, by their YAML names, in declaration order (``reading`` excluded)."""
        return [
            str(f.metadata.get("key", f.name))
            for f in attrs.fields(Test)
            if f.name != "reading" and getattr(self, f.name) is not None
        ]


LEVEL_OPERATORS = ("below", "at_or_above", "above", "at_or_below")
DATE_OPERATORS = ("before", "on_or_before", "after", "on_or_after")


@attrs.frozen(kw_only=True)
class Pattern:
    """A fact of one kind, named by an alias, and the tests its fields must pass.

    Examples:
        >>> Pattern(fact="action", where={"closed": Test(eq=False)}).name
        'action'
    """

    fact: str
    alias: str | None = attrs.field(default=None, metadata={"key": "as"})
    where: dict[str, Test] = attrs.field(factory=dict)

    @property
    def name(self) -> str:
        """The alias, or the fact kind when no alias is given."""
        return self.alias or self.fact.replace("-", "_")


@attrs.frozen(kw_only=True)
class Count:
    """A count of matching facts per group, tested against a bound.

    The engine selects the facts; the Python stage groups them by the ``by``
    fields and counts them (or their distinct ``distinct`` values). The group
    is a fact named by ``alias`` with the ``by`` fields and ``count``.

    Examples:
        >>> Count(fact="finding", by=("agency", "cycle"), at_least=3).name
        'group'
    """

    fact: str
    alias: str | None = attrs.field(default=None, metadata={"key": "as"})
    where: dict[str, Test] = attrs.field(factory=dict)
    by: tuple[str, ...]
    distinct: str | None = None
    at_least: int

    @property
    def name(self) -> str:
        """The alias of the group fact (``group`` by default)."""
        return self.alias or "group"


@attrs.frozen(kw_only=True)
class When:
    """A rule's condition: patterns that must all match, patterns that must not, and a count.

    Examples:
        >>> When(all=(Pattern(fact="rating"),)).none
        ()
    """

    all: tuple[Pattern, ...] = ()
    none: tuple[Pattern, ...] = ()
    count: Count | None = None


@attrs.frozen(kw_only=True)
class FindingSpec:
    """The finding a rule raises: a message template and the subject keys.

    ``message`` quotes values as ``{alias.field}``; ``subject`` lists
    ``alias.field`` references whose values identify the finding (by default the
    subject keys of the first pattern's fact).

    Examples:
        >>> FindingSpec(message="{r.agency} has a gap").subject
        ()
    """

    message: str
    subject: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Escalate:
    """An escalation: the kind of concern, whose body the partnership's policy names.

    ``message`` and ``subject`` take the forms of :class:`FindingSpec`'s. A rule
    that makes no finding must give both; a rule that also makes a finding
    escalates that finding, with its subject, and with ``message`` (when
    given) instead of the finding's message.

    Examples:
        >>> Escalate(concern="recurring-gap").concern
        'recurring-gap'
        >>> Escalate(concern="no-return", message="{e.agency} is late", subject=("e.agency",)).subject
        ('e.agency',)
    """

    concern: str
    message: str | None = None
    subject: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Outcome:
    """What a rule does when it fires: a finding, an escalation, or both (at least one).

    With both, the finding is escalated. With an escalation only, a match is
    not a finding: it is not listed among the findings, is not a ``finding``
    fact for other rules, and ``decisions.yaml`` cannot accept it; it is an
    escalation that stands alone, fingerprinted as its finding would be.

    Examples:
        >>> Outcome(finding=FindingSpec(message="x")).escalate is None
        True
        >>> Outcome(escalate=Escalate(concern="no-return", message="x", subject=("e.agency",))).escalation_only
        True
    """

    finding: FindingSpec | None = None
    escalate: Escalate | None = None

    @property
    def escalation_only(self) -> bool:
        """Whether the rule escalates without making a finding."""
        return self.finding is None and self.escalate is not None


@attrs.frozen(kw_only=True)
class Rule:
    """One rule: id, title, severity, statutory source, condition and outcome.

    Examples:
        >>> rule = bundled_rule_packs()[0].rules[0]
        >>> bool(rule.source) and rule.severity in Severity
        True
    """

    id: str
    title: str
    severity: Severity
    source: str
    description: str = ""
    when: When
    then: Outcome


@attrs.frozen(kw_only=True)
class Expectation:
    """A finding a test case expects (or an escalation-only match): the rule, and (some of) its subject keys.

    Examples:
        >>> Expectation(rule="s11.below-threshold", subject={"agency": "a"}).subject
        {'agency': 'a'}
    """

    rule: str
    subject: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class TestCase:
    """A rule-pack test: facts given, the date, and exactly the findings (and escalation-only matches) expected.

    ``policy`` gives escalation-policy parameters by concern
    (``{overdue-action: {grace_days: 28}}``) for rules that read them.

    Examples:
        >>> TestCase(name="empty", as_of=dt.date(2025, 9, 30)).expect
        ()
    """

    __test__ = False  # not a pytest test class

    name: str
    description: str = ""
    as_of: dt.date
    policy: dict[str, dict[str, int]] = attrs.field(factory=dict)
    given: tuple[dict[str, Any], ...] = ()
    expect: tuple[Expectation, ...] = ()


@attrs.frozen(kw_only=True)
class RulePack:
    """A rule pack: rules over one framework's facts (or any), with its test cases.

    Examples:
        >>> [p.id for p in bundled_rule_packs()][:1]
        ['escalation']
    """

    id: str
    title: str
    description: str = ""
    framework: str | None = None
    rules: tuple[Rule, ...]
    tests: tuple[TestCase, ...] = ()

    def rule(self, rule_id: str) -> Rule:
        """The rule with id ``rule_id``.

        Raises:
            KeyError: if there is none.
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def parse_rule_pack(text: str, *, source: str = "<string>") -> RulePack:
    """Read a rule pack's text, checking it (lint) as it loads.

    Raises:
        LoadError: for every problem, located: unknown fields, levels not on the
            scale, malformed or contradictory conditions, unknown fact kinds,
            duplicate ids.

    Examples:
        >>> parse_rule_pack("version: 1\\nid: p\\ntitle: P\\nrules: []\\n").rules
        ()
    """
    from sgassure._packs import parse_pack  # noqa: PLC0415 - the loader imports this module

    return parse_pack(text, source=source)


def load_rule_pack(path: str | os.PathLike[str]) -> RulePack:
    """Read a rule pack file.

    Examples:
        >>> from importlib.resources import as_file, files
        >>> with as_file(files("sgassure") / "packs" / "section-11.yaml") as p:
        ...     load_rule_pack(p).id
        'section-11'
    """
    from sgassure._packs import load_pack  # noqa: PLC0415 - the loader imports this module

    return load_pack(path)


def bundled_rule_packs() -> tuple[RulePack, ...]:
    """The rule packs shipped with sgassure, sorted by id.

    Examples:
        >>> "section-11" in [p.id for p in bundled_rule_packs()]
        True
    """
    root = resources.files("sgassure") / "packs"
    files = sorted((f for f in root.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    packs = [parse_rule_pack(f.read_text(encoding="utf-8"), source=f"<bundled>/rules/{f.name}") for f in files]
    return tuple(sorted(packs, key=lambda p: p.id))
