"""Running rule packs over a workspace: findings, escalations and explanations.

:func:`run_audit` is the whole pipeline:

1. the Python stage turns the workspace, read as at ``as_of``, into flat facts
   (records dated later are invisible);
2. the packs compile for this workspace's catalogs, policy and date;
3. private engine sessions match the facts: one per group of agencies when
   the compiler proved that no match mixes two agencies' facts (then the facts
   without an agency come last, in a session of their own), else one for the
   run. In each, facts of kinds that some rule negates are asserted first, so
   absence is judged over a complete set; each match becomes a finding, which
   is itself asserted so that rules over findings chain (a match of a rule
   that escalates without a finding is kept apart: it is not a finding, not
   asserted, and not open to ``decisions.yaml``);
4. counts are made over what the engine selected, and asserted as ``group``
   facts for the counting rules (a session's own agencies' counts, at its end;
   counts without an agency in the last session);
5. findings are sorted by :func:`~sgassure.findings.finding_sort_key`, and
   escalations (of findings, and of the matches of rules that escalate without
   one) are routed to the body the escalation policy names and sorted by
   :func:`~sgassure.findings.escalation_sort_key`.

Examples:
    >>> import datetime as dt
    >>> from sgassure import bundled_rule_packs, example_workspace_path, load_workspace
    >>> result = run_audit(load_workspace(example_workspace_path()), bundled_rule_packs(),
    ...     as_of=dt.date(2025, 9, 30))
    >>> len(result.findings) > 0 and all(f.explanation.lines() for f in result.findings)
    True
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from sgassure._compile import Compiled, CompiledRule, TestText, apply_regexes, compile_packs
from sgassure._engine import Match, Session
from sgassure._facts import FACT_KINDS, SUBJECT_KEYS, build_facts
from sgassure._packs import PLACEHOLDER
from sgassure.errors import LoadError, Location, Problem, RulesEngineError
from sgassure.findings import (
    AuditResult,
    Check,
    Escalation,
    Explanation,
    Finding,
    FindingStatus,
    escalation_sort_key,
    finding_sort_key,
)
from sgassure.graph import escalation_route
from sgassure.partnership import EscalationPolicy, EscalationRule, Partnership, PolicyParameters
from sgassure.privacy import mask_identifiers
from sgassure.rules import Expectation, FindingSpec, RulePack, Test, TestCase
from sgassure.standards import Framework, bundled_frameworks
from sgassure.workspace import Workspace

__all__ = ["CaseResult", "PackTestReport", "compare_with_previous", "run_audit", "run_pack_tests"]

Fact = dict[str, Any]


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_Record = tuple[tuple[str, ...], Finding, str | None]
"""A match as the run keeps it: its facts' sorted ids, its finding (or would-be finding), its escalation's message."""


class _Run:
    def __init__(self, compiled: Compiled, as_of: dt.date, mask: bool) -> None:
        self.compiled = compiled
        self.as_of = as_of
        self.mask = mask
        self.findings: dict[str, _Record] = {}
        self.alone: dict[str, _Record] = {}  # matches of rules that escalate without a finding, by fingerprint
        self.selected: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        self.counting = False

    def on_match(self, match: Match) -> Sequence[Fact]:
        meta = self.compiled.rules[match.rule]
        if meta.selector:
            if self.counting:
                raise RulesEngineError(
                    f"rule {meta.pack.id}/{meta.rule.id} counts facts made by counting rules; counts do not nest"
                )
            self.selected[meta.name].append(match.facts["item"])
            return []
        finding, message = self.finding(meta, match)
        order = tuple(sorted(str(f.get("id")) for f in match.facts.values()))
        key = finding.fingerprint
        # A match of a rule that only escalates is not a finding: it is kept apart and never asserted.
        kept = self.alone if meta.rule.then.finding is None else self.findings
        if key in kept:
            if order < kept[key][0]:
                kept[key] = (order, finding, message)
            return []
        kept[key] = (order, finding, message)
        if kept is self.alone:
            return []
        fact: Fact = {
            "id": f"finding:{key}",
            "kind": "finding",
            "pack": finding.pack,
            "rule": finding.rule,
            "severity": finding.severity.value,
            "fingerprint": key,
        }
        fact.update(finding.subject)
        return [fact]

    def value(self, meta: CompiledRule, facts: Mapping[str, Mapping[str, Any]], alias: str, field: str) -> Any:
        if field == "level":
            field = meta.level_fields.get(alias, "effective_level")
        return facts.get(alias, {}).get(field)

    def render(self, meta: CompiledRule, facts: Mapping[str, Mapping[str, Any]], template: str) -> str:
        """A message template with its placeholders filled from the match, masked unless the run shows identifiers."""

        def fill(m: Any) -> str:
            text = m.group(1)
            if text == "as_of":
                return self.as_of.isoformat()
            alias, field = text.split(".", 1)
            return _show(self.value(meta, facts, alias, field))

        message = PLACEHOLDER.sub(fill, template)
        return mask_identifiers(message) if self.mask else message

    def finding(self, meta: CompiledRule, match: Match) -> tuple[Finding, str | None]:
        """The match's finding, and its escalation's own message if the rule gives one.

        For a rule that escalates without a finding, the finding is the one the
        escalation stands for: its subject and message are the escalation's.
        """
        rule, facts = meta.rule, match.facts
        escalate = rule.then.escalate
        spec = rule.then.finding
        if spec is None:
            assert escalate is not None  # the lint requires an outcome
            assert escalate.message is not None  # and a message for an escalation without a finding
            spec = FindingSpec(message=escalate.message, subject=escalate.subject)
            escalation_message = None
        else:
            escalation_message = (
                self.render(meta, facts, escalate.message) if escalate and escalate.message is not None else None
            )
        subject: dict[str, str] = {}
        if spec.subject:
            for ref in spec.subject:
                alias, field = ref.split(".", 1)
                if (value := self.value(meta, facts, alias, field)) is not None:
                    subject[field] = str(value)
        else:
            first = facts[meta.positive[0][0]]
            subject = {k: str(first[k]) for k in SUBJECT_KEYS if first.get(k) is not None}
        subject = {k: subject[k] for k in sorted(subject, key=_subject_order)}
        checks = tuple(
            Check(
                alias=t.alias,
                fact=t.fact,
                field=t.field,
                test=self.test_text(t, facts),
                value=repr(facts.get(t.alias, {}).get(t.source)),
                reading=t.reading,
            )
            for t in meta.tests
        )
        absent = tuple(self.absence(pattern, facts) for pattern in meta.negative)
        counted: tuple[str, ...] = ()
        if rule.when.count is not None:
            group = facts[rule.when.count.name]
            by = ", ".join(f"{k} = {group.get(k)!r}" for k in rule.when.count.by)
            what = f"distinct {rule.when.count.distinct} values of " if rule.when.count.distinct else ""
            counted = (
                f"{rule.when.count.name}.count = {group.get('count')}: {what}{rule.when.count.fact} facts "
                f"selected with {by}; at least {rule.when.count.at_least} needed",
            )
        finding = Finding(
            pack=meta.pack.id,
            rule=rule.id,
            title=rule.title,
            severity=rule.severity,
            source=rule.source,
            subject=subject,
            message=self.render(meta, facts, spec.message),
            explanation=Explanation(
                conditions=checks,
                absent=absent,
                counted=counted,
                facts=tuple(str(f.get("id")) for f in facts.values()),
            ),
            rule_index=meta.index,
        )
        return finding, escalation_message

    def test_text(self, t: TestText, facts: Mapping[str, Mapping[str, Any]]) -> str:
        """The test's words, with the value a reference or the threshold stood for."""
        if t.ref is not None:
            return f"{t.text} ({facts.get(t.ref[0], {}).get(t.ref[1])!r})"
        threshold = facts.get(t.alias, {}).get("threshold")
        if t.anchor == "threshold" and threshold is not None:
            return f"{t.text} ({threshold!r})"
        return t.text

    def absence(self, pattern: Any, facts: Mapping[str, Mapping[str, Any]]) -> str:
        parts = []
        for field, test in pattern.where.items():
            value = test.eq
            if isinstance(value, str) and value.startswith("$"):
                alias, ref = value[1:].split(".", 1)
                value = facts.get(alias, {}).get(ref)
            if value is not None:
                parts.append(f"{field} = {value!r}")
        return f"no {pattern.fact} with {', '.join(parts)}"

    def groups(self, agencies: frozenset[Any] | None) -> list[Fact]:
        """The ``group`` facts of the counts over what this partition's sessions selected; consumes the selections.

        ``agencies`` is the partition's set of agencies (counts then group by
        agency; selections without one wait for the last partition), or None for
        the last partition, or a run in one session, which takes all that is left.
        """
        out: list[Fact] = []
        for name in sorted(self.selected):
            items, kept = self.selected[name], []
            meta = self.compiled.rules[name]
            count = meta.rule.when.count
            assert count is not None
            buckets: dict[tuple[Any, ...], set[Any]] = defaultdict(set)
            for item in items:
                if agencies is not None and item.get("agency") not in agencies:
                    if item.get("agency") is not None:
                        raise RulesEngineError(
                            f"rule {meta.pack.id}/{meta.rule.id}: a fact of agency {item.get('agency')!r} was "
                            "selected in another agency's engine session"
                        )
                    kept.append(item)
                    continue
                key = tuple(item.get(k) for k in count.by)
                buckets[key].add(item.get(count.distinct) if count.distinct else item.get("id"))
            self.selected[name] = kept
            target = name.removesuffix("#count")
            for key, members in sorted(buckets.items(), key=lambda kv: tuple(map(str, kv[0]))):
                fact: Fact = {
                    "id": "group:" + target + ":" + "/".join(f"{k}={v}" for k, v in zip(count.by, key, strict=True)),
                    "kind": "group",
                    "rule": target,
                    "count": len(members),
                }
                fact.update({k: v for k, v in zip(count.by, key, strict=True) if v is not None})
                out.append(fact)
        return out

    def partitions(self, facts: Sequence[Fact]) -> list[tuple[frozenset[Any] | None, dict[str, list[Fact]]]]:
        """The facts rules read, by kind, split into the partitions that each get an engine session.

        Where the compiler found every match confined to one agency's facts, the
        agencies, in sorted order, are cut into partitions of about
        ``PARTITION_FACTS`` facts, and the facts without an agency make a last
        partition: the engine's cost per fact grows with the facts one session
        holds, so many small sessions are faster than one large one. Otherwise
        there is one partition.
        """
        key = self.compiled.partition_key
        kinds = self.compiled.kinds
        by_agency: dict[Any, list[Fact]] = defaultdict(list)
        for fact in facts:
            if fact["kind"] in kinds:
                by_agency[fact.get(key) if key is not None else None].append(fact)
        rest = by_agency.pop(None, [])
        out: list[tuple[frozenset[Any] | None, dict[str, list[Fact]]]] = []
        members: list[Any] = []
        size = 0
        for agency in sorted(by_agency, key=str):
            members.append(agency)
            size += len(by_agency[agency])
            if size >= PARTITION_FACTS:
                out.append((frozenset(members), _by_kind(f for a in members for f in by_agency[a])))
                members, size = [], 0
        if members:
            out.append((frozenset(members), _by_kind(f for a in members for f in by_agency[a])))
        out.append((None, _by_kind(rest)))
        return out

    def evaluate(self, facts: Sequence[Fact]) -> list[Finding]:
        """Run the facts through private engine sessions, one per partition; the sorted findings.

        The matches of rules that escalate without a finding are then in :meth:`escalation_only`.
        """
        # Pre-filter (documented): facts of kinds no rule reads are never asserted.
        for agencies, by_kind in self.partitions(apply_regexes(facts, self.compiled.regexes)):
            with Session(self.compiled.definition, on_match=self.on_match, omit_none=True) as session:
                self.counting = False
                for kind in self.compiled.order:
                    session.assert_facts(by_kind.get(kind, ()))
                self.counting = True
                session.assert_facts(self.groups(agencies))
        return _sorted(self.findings)

    def escalation_only(self) -> list[Finding]:
        """The matches of rules that escalate without a finding, as the findings they stand for, sorted likewise."""
        return _sorted(self.alone)

    def escalation_messages(self) -> dict[str, str]:
        """The escalation messages that differ from their finding's (``escalate.message``), by fingerprint."""
        return {key: message for key, (_, _, message) in self.findings.items() if message is not None}


def _sorted(records: Mapping[str, _Record]) -> list[Finding]:
    return sorted((f for _, f, _ in records.values()), key=lambda f: (finding_sort_key(f), f.fingerprint))


PARTITION_FACTS = 5000
"""About how many facts one engine session takes when a run is split by agency."""


def _by_kind(facts: Iterable[Fact]) -> dict[str, list[Fact]]:
    out: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        out[fact["kind"]].append(fact)
    return out


def _decide(
    ws: Workspace,
    packs: Sequence[str],
    findings: list[Finding],
    as_of: dt.date,
    mask: bool = True,
    *,
    alone: Sequence[Finding] = (),
) -> list[Finding]:
    """Mark findings the workspace's decisions accept; a decision for a pack run that matches nothing is an error.

    ``alone`` holds the matches of rules that escalate without a finding: a
    decision cannot accept them, and one that names them is told so.
    """
    by_fingerprint = {f.fingerprint: f for f in findings}
    escalated = {f.fingerprint: f for f in alone}
    problems = []
    for index, decision in enumerate(ws.decisions):
        if decision.fingerprint.split("/", 1)[0] not in packs:
            continue
        if decision.fingerprint not in by_fingerprint:
            location = (
                ws.decision_locations[index] if index < len(ws.decision_locations) else Location(file="decisions.yaml")
            )
            other = escalated.get(decision.fingerprint)
            message = (
                f"the decision names an escalation of rule {other.rule!r}, which makes no finding; decisions accept "
                "findings only"
                if other is not None
                else f"the decision matches no finding of this audit as at {as_of.isoformat()}"
            )
            problems.append(Problem(location=location, path=f"decisions[{index}].fingerprint", message=message))
        elif decision.in_force(as_of):
            until = f" until {decision.expires.isoformat()}" if decision.expires else ""
            text = f"accepted by {decision.approver} on {decision.date.isoformat()}{until}: {decision.justification}"
            text = mask_identifiers(text) if mask else text  # a justification is free text
            by_fingerprint[decision.fingerprint] = attrs.evolve(by_fingerprint[decision.fingerprint], decision=text)
    if problems:
        raise LoadError(problems)
    return [by_fingerprint[f.fingerprint] for f in findings]


def compare_with_previous(result: AuditResult, previous: Sequence[str]) -> tuple[AuditResult, tuple[str, ...]]:
    """Mark findings and escalations new or persisting against a previous audit; also return the resolved ones.

    ``previous`` holds the fingerprints of the previous audit's findings and of
    its escalations without a finding (their ``finding``). An escalation takes
    the status of its fingerprint; a previous fingerprint that is neither a
    finding nor an escalation without a finding now is resolved.

    Examples:
        >>> empty = AuditResult(as_of=dt.date(2025, 9, 30), packs=(), findings=(), escalations=())
        >>> compare_with_previous(empty, ["kpi/kpi.adverse-trend/indicator=k1"])[1]
        ('kpi/kpi.adverse-trend/indicator=k1',)
    """
    before = set(previous)
    now = {f.fingerprint for f in result.findings} | {e.finding for e in result.escalations if e.escalation_only}

    def status(fingerprint: str) -> FindingStatus:
        return FindingStatus.PERSISTING if fingerprint in before else FindingStatus.NEW

    findings = tuple(attrs.evolve(f, status=status(f.fingerprint)) for f in result.findings)
    escalations = tuple(attrs.evolve(e, status=status(e.finding)) for e in result.escalations)
    return attrs.evolve(result, findings=findings, escalations=escalations), tuple(sorted(before - now))


def _escalations(
    ws: Workspace,
    compiled: Compiled,
    findings: Sequence[Finding],
    as_of: dt.date,
    *,
    alone: Sequence[Finding] = (),
    messages: Mapping[str, str] | None = None,
) -> list[Escalation]:
    """The escalations of the findings, and of the matches of rules that escalate without one (``alone``), sorted.

    ``messages`` gives, by fingerprint, an escalation's own message where the rule sets one for its finding's.
    """
    rules = {(m.pack.id, m.rule.id): m.rule for m in compiled.rules.values()}
    policy = ws.partnership.escalation_policy
    messages = messages or {}
    out = []
    for finding, only in [*((f, False) for f in findings), *((f, True) for f in alone)]:
        escalate = rules[(finding.pack, finding.rule)].then.escalate
        rule = policy.for_concern(escalate.concern) if escalate else None
        if escalate is None or rule is None:
            continue
        agency = finding.subject.get("agency")
        route = escalation_route(ws.partnership, agency, rule.body, on=as_of) if agency else None
        out.append(
            Escalation(
                finding=finding.fingerprint,
                concern=escalate.concern,
                body=rule.body,
                body_name=ws.partnership.body(rule.body).name,
                agency=agency,
                route=route.bodies if route else (),
                message=messages.get(finding.fingerprint, finding.message),
                escalation_only=only,
                pack=finding.pack,
                rule=finding.rule,
                title=finding.title,
                severity=finding.severity,
                source=finding.source,
                subject=dict(finding.subject),
                explanation=finding.explanation,
                rule_index=finding.rule_index,
            )
        )
    return sorted(out, key=escalation_sort_key)


def _subject_order(key: str) -> int:
    return SUBJECT_KEYS.index(key) if key in SUBJECT_KEYS else len(SUBJECT_KEYS)


def run_audit(workspace: Workspace, packs: Sequence[RulePack], *, as_of: dt.date, mask: bool = True) -> AuditResult:
    """Run rule packs over a workspace as at ``as_of``.

    Args:
        workspace: a loaded workspace.
        packs: the rule packs to run (ids must differ).
        as_of: the date the audit is read at; records dated later are invisible.
        mask: mask personal identifiers in messages (the default).

    Returns:
        Findings and escalations, sorted as documented in :mod:`sgassure.findings`.
        A rule that escalates without a finding adds escalations only
        (:attr:`~sgassure.findings.Escalation.escalation_only`).

    Raises:
        LoadError: a pack cannot run on this workspace (e.g. an escalation
            concern the partnership's policy does not name).
        RulesEngineError: the engine failed; the message names the rule.

    Examples:
        >>> from sgassure import bundled_rule_packs, example_workspace_path, load_workspace
        >>> ws = load_workspace(example_workspace_path())
        >>> a = run_audit(ws, bundled_rule_packs(), as_of=dt.date(2025, 9, 30))
        >>> b = run_audit(ws, bundled_rule_packs(), as_of=dt.date(2025, 9, 30))
        >>> a == b
        True
    """
    compiled = compile_packs(packs, workspace.frameworks, workspace.partnership, as_of)
    run = _Run(compiled, as_of, mask)
    findings = run.evaluate(build_facts(workspace, as_of))
    alone = run.escalation_only()
    findings = _decide(workspace, [p.id for p in packs], findings, as_of, mask, alone=alone)
    escalations = _escalations(workspace, compiled, findings, as_of, alone=alone, messages=run.escalation_messages())
    return AuditResult(
        as_of=as_of,
        packs=tuple(p.id for p in packs),
        findings=tuple(findings),
        escalations=tuple(escalations),
    )


@attrs.frozen(kw_only=True)
class CaseResult:
    """The outcome of one rule-pack test case.

    Examples:
        >>> CaseResult(name="x", fired=(), missing=(), unexpected=()).passed
        True
    """

    name: str
    fired: tuple[str, ...]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether exactly the expected findings (and escalation-only matches) were made."""
        return not self.missing and not self.unexpected


@attrs.frozen(kw_only=True)
class PackTestReport:
    """The outcome of a pack's test cases, with coverage.

    ``never_fired`` lists rules no case makes fire; ``never_silent`` lists rules
    that fire in every case (no case shows them not firing);
    ``uncovered_requirements`` lists requirements of the pack's framework that
    no rule can reach (rules without a literal requirement condition reach all).

    Examples:
        >>> from sgassure import bundled_rule_packs
        >>> report = run_pack_tests(bundled_rule_packs()[0])
        >>> report.passed, report.never_fired, report.never_silent
        (True, (), ())
    """

    pack: str
    cases: tuple[CaseResult, ...]
    never_fired: tuple[str, ...]
    never_silent: tuple[str, ...]
    uncovered_requirements: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether every case passed."""
        return all(case.passed for case in self.cases)

    @property
    def complete(self) -> bool:
        """Whether every rule has a firing and a non-firing case, and every requirement a rule."""
        return not (self.never_fired or self.never_silent or self.uncovered_requirements)


def _default(type_name: str, field: str, fact: Mapping[str, Any]) -> Any:
    allowed = type_name.split("|")
    if field.endswith("_name") and isinstance(fact.get(field.removesuffix("_name")), str):
        return fact[field.removesuffix("_name")]
    if "null" in allowed or "date" in allowed:
        return None
    if "bool" in allowed:
        return False
    if "int" in allowed or "number" in allowed:
        return 0
    return ""


def _given(case: TestCase) -> list[Fact]:
    facts = []
    for index, raw in enumerate(case.given):
        kind = raw["fact"]
        fact: Fact = {"id": raw.get("id", f"{kind}:{index}"), "kind": kind}
        for field, spec in FACT_KINDS[kind].items():
            value = raw[field] if field in raw else _default(spec.type, field, raw)
            fact[field] = value.isoformat() if isinstance(value, dt.date) else value
        facts.append(fact)
    return facts


def _test_policy(pack: RulePack, case: TestCase) -> Partnership:
    concerns = {r.then.escalate.concern for r in pack.rules if r.then.escalate} | set(case.policy)
    rules = tuple(
        EscalationRule(
            concern=concern,
            body="board",
            parameters=(PolicyParameters(start=dt.date.min, **case.policy.get(concern, {})),),
        )
        for concern in sorted(concerns)
    )
    return Partnership(
        id="test",
        name="Test partnership",
        areas=(),
        agencies=(),
        bodies=(),
        escalation_policy=EscalationPolicy(rules=rules),
    )


def _matches(expected: Expectation, finding: Finding) -> bool:
    return expected.rule == finding.rule and all(finding.subject.get(k) == v for k, v in expected.subject.items())


def _describe(expected: Expectation) -> str:
    keys = ", ".join(f"{k}={v}" for k, v in expected.subject.items())
    return f"{expected.rule} ({keys})" if keys else expected.rule


def run_pack_tests(pack: RulePack) -> PackTestReport:
    """Run a pack's own test cases against the bundled catalogs, with coverage.

    Each case's findings must be exactly those it expects: every expectation met
    by a finding (of that rule, with those subject keys) and every finding met by
    an expectation. A rule that escalates without a finding is expected, and
    counts as firing, in the same way: by its escalations' rule and subject.

    Examples:
        >>> from sgassure import bundled_rule_packs
        >>> all(run_pack_tests(p).passed for p in bundled_rule_packs())
        True
    """
    frameworks = bundled_frameworks()
    results = []
    fired_in: dict[str, int] = {r.id: 0 for r in pack.rules}
    for case in pack.tests:
        compiled = compile_packs([pack], frameworks, _test_policy(pack, case), case.as_of)
        run = _Run(compiled, case.as_of, mask=True)
        found = run.evaluate(_given(case)) + run.escalation_only()
        missing = tuple(_describe(e) for e in case.expect if not any(_matches(e, f) for f in found))
        unexpected = tuple(f.fingerprint for f in found if not any(_matches(e, f) for e in case.expect))
        fired = tuple(sorted({f.rule for f in found}))
        for rule_id in fired:
            fired_in[rule_id] += 1
        results.append(CaseResult(name=case.name, fired=fired, missing=missing, unexpected=unexpected))
    never_fired = tuple(r for r, n in fired_in.items() if n == 0)
    never_silent = tuple(r for r, n in fired_in.items() if n == len(pack.tests) and n > 0)
    return PackTestReport(
        pack=pack.id,
        cases=tuple(results),
        never_fired=never_fired,
        never_silent=never_silent,
        uncovered_requirements=_uncovered(pack, frameworks),
    )


def _uncovered(pack: RulePack, frameworks: Sequence[Framework]) -> tuple[str, ...]:
    if pack.framework is None:
        return ()
    named: set[str] = set()
    for rule in pack.rules:
        patterns: list[tuple[str, Mapping[str, Test]]] = [(p.fact, p.where) for p in rule.when.all]
        if rule.when.count is not None:
            patterns.append((rule.when.count.fact, rule.when.count.where))
        for fact, where in patterns:
            test = where.get("requirement")
            if FACT_KINDS.get(fact, {}).get("requirement") is None:
                continue
            if test is None or (isinstance(test.eq, str) and test.eq.startswith("$")):
                return ()
            named |= {str(test.eq)} if test.eq is not None else set(map(str, test.in_ or ()))
    newest = max((f for f in frameworks if f.id == pack.framework), key=lambda f: f.version, default=None)
    if newest is None:
        return ()
    return tuple(r.id for _, r in newest.requirements() if r.id not in named)
