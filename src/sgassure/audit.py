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
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from sgassure._compile import Compiled, compile_packs
from sgassure._evaluate import PARTITION_FACTS as PARTITION_FACTS  # noqa: PLC0414 (re-exported; patch _evaluate)
from sgassure._evaluate import Fact, _Run
from sgassure._facts import FACT_KINDS, build_facts
from sgassure.errors import LoadError, Location, Problem
from sgassure.findings import AuditResult, Escalation, Finding, FindingStatus, escalation_sort_key
from sgassure.graph import escalation_route
from sgassure.partnership import EscalationPolicy, EscalationRule, Partnership, PolicyParameters
from sgassure.privacy import mask_identifiers
from sgassure.rules import Expectation, RulePack, Test, TestCase
from sgassure.standards import Framework, bundled_frameworks
from sgassure.workspace import Workspace

__all__ = ["CaseResult", "PackTestReport", "compare_with_previous", "run_audit", "run_pack_tests"]


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
