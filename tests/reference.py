"""A reference evaluator for rule packs, in plain Python, to check the engine path against.

It reads the *parsed* :class:`~sgassure.rules.RulePack` objects (never the
compiled engine definition) and the flat facts of :func:`sgassure._facts.build_facts`,
and applies the documented semantics directly:

* a pattern matches facts of its kind; in a pack with a framework, facts of
  kinds that have a ``framework`` field (findings excepted) must be of it;
* a missing (null) field fails every test but ``exists: false``;
* level operators resolve, per catalog (framework id, version), to the set of
  level ids the scale's order and threshold give (anchors ``threshold``,
  ``lowest``, ``highest``); ``level`` reads ``<reading>_level`` (effective by
  default); date operands are ``as_of``, a date, or days before ``as_of``
  (a number, or a parameter of the escalation policy in force on ``as_of``);
* ``$alias.field`` joins on an earlier pattern's fact (a dict index for equality);
* ``none`` patterns hold when no fact of the complete fact set matches;
* rules over ``finding`` facts chain to a fixpoint; counts are made once the
  other rules settle, then the counting rules run, then rules over their findings;
* a rule with ``escalate`` escalates each of its findings, with the escalation's
  own message if it gives one; a rule without ``finding`` makes no finding (and
  no ``finding`` fact): each match is an escalation, fingerprinted by the
  escalation's subject, with its message.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from sgassure._facts import FACT_KINDS, SUBJECT_KEYS
from sgassure.partnership import EscalationPolicy
from sgassure.rules import DaysBefore, Pattern, Reading, RulePack, Test
from sgassure.standards import Framework

Fact = dict[str, Any]
Binding = dict[str, Fact]
Result = tuple[str, str, str]  # fingerprint, severity, message

_REF = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_CMP = {"ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}
_DATE_CMP = {"before": operator.lt, "on_or_before": operator.le, "after": operator.gt, "on_or_after": operator.ge}


def _compare(op: Callable[[Any, Any], bool], value: Any, other: Any) -> bool:
    if value is None or other is None:
        return False
    try:
        return bool(op(value, other))
    except TypeError:  # e.g. a string against a number: the engine does not coerce either
        return False


def _literal(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


# Predicates on one field of a fact: (fact, field, operand) -> bool; a missing field fails all but exists.
Check = Callable[[Fact, str, Any], bool]


def _eq(fact: Fact, field: str, operand: Any) -> bool:
    return fact.get(field) is not None and fact.get(field) == operand


def _among(fact: Fact, field: str, operand: Any) -> bool:
    return fact.get(field) is not None and fact.get(field) in operand


def _not_among(fact: Fact, field: str, operand: Any) -> bool:
    return fact.get(field) is not None and fact.get(field) not in operand


def _exists(fact: Fact, field: str, operand: Any) -> bool:
    return (fact.get(field) is not None) is bool(operand)


def _matches(fact: Fact, field: str, operand: Any) -> bool:
    value = fact.get(field)
    return isinstance(value, str) and operand.fullmatch(value) is not None


def _level(fact: Fact, field: str, operand: Any) -> bool:
    """The level is among those the operator accepts for the fact's catalog (framework, version)."""
    return fact.get(field) in operand.get((fact.get("framework"), fact.get("framework_version")), ())


def _against(op: Callable[[Any, Any], bool]) -> Check:
    return lambda fact, field, operand: _compare(op, fact.get(field), operand)


class _Env:
    """What resolving a condition needs: the date, the catalogs and the escalation policy."""

    def __init__(self, frameworks: Sequence[Framework], policy: EscalationPolicy | None, as_of: dt.date) -> None:
        self.frameworks, self.policy, self.as_of = frameworks, policy, as_of

    def levels(self, framework_id: str | None, op: str, anchor: str) -> dict[tuple[str, str], frozenset[str]]:
        """Level ids the operator accepts, per catalog (id, version)."""
        out = {}
        for f in self.frameworks:
            if framework_id is not None and f.id != framework_id:
                continue
            ids = list(f.scale.level_ids)
            level = {"threshold": f.scale.threshold, "lowest": ids[-1], "highest": ids[0]}.get(anchor, anchor)
            if level not in ids:
                continue
            i = ids.index(level)
            chosen = {"below": ids[i + 1 :], "at_or_below": ids[i:], "above": ids[:i], "at_or_above": ids[: i + 1]}
            out[(f.id, f.version)] = frozenset(chosen[op])
        return out

    def date(self, value: Any) -> str:
        if value == "as_of":
            return self.as_of.isoformat()
        if isinstance(value, DaysBefore):
            days = value.days
            if days is None:
                rule = self.policy.for_concern(value.policy or "") if self.policy else None
                params = rule.parameters_on(self.as_of) if rule else None
                days = getattr(params, value.parameter or "", None)
                if not isinstance(days, int):
                    raise ValueError(f"no policy parameter {value.parameter!r} for {value.policy!r}")
            return (self.as_of - dt.timedelta(days=days)).isoformat()
        return str(_literal(value))


def _source(kind: str, field: str, test: Test) -> tuple[str, str | None]:
    """The fact field a test reads, and the reading when it reads a rating level."""
    if field == "level":
        reading = (test.reading or Reading.EFFECTIVE).field
        return reading, reading
    spec = FACT_KINDS.get(kind, {}).get(field)
    return field, (field if spec is not None and spec.level else None)


class _Pattern:
    """One pattern: literal checks on a fact, equality joins (indexed) and other references."""

    def __init__(self, pattern: Pattern, framework_id: str | None, env: _Env) -> None:
        self.kind, self.alias = pattern.fact, pattern.name
        self.checks: list[tuple[Check, str, Any]] = []  # (predicate, field, operand)
        self.joins: list[tuple[str, str, str]] = []  # (field, alias, field of alias)
        self.refs: list[tuple[Callable[[Any, Any], bool], str, str, str]] = []
        self.reading: str | None = None
        self._cache: tuple[int, dict[tuple[Any, ...], list[Fact]]] | None = None
        if framework_id is not None and "framework" in FACT_KINDS.get(self.kind, {}) and self.kind != "finding":
            self.checks.append((_eq, "framework", framework_id))
        for field, test in pattern.where.items():
            source, reading = _source(self.kind, field, test)
            self.reading = reading or self.reading
            self._add(source, test, framework_id, env)

    def _add(self, src: str, test: Test, framework_id: str | None, env: _Env) -> None:
        add = self.checks.append
        for op in ("eq", *_CMP):
            value = getattr(test, op)
            if value is None:
                continue
            if isinstance(value, str) and (m := _REF.match(value)):
                if op == "eq":
                    self.joins.append((src, m.group(1), m.group(2)))
                else:
                    self.refs.append((_CMP[op], src, m.group(1), m.group(2)))
            else:
                add((_eq if op == "eq" else _against(_CMP[op]), src, _literal(value)))
        if test.in_ is not None:
            add((_among, src, tuple(_literal(v) for v in test.in_)))
        if test.not_in is not None:
            add((_not_among, src, tuple(_literal(v) for v in test.not_in)))
        if test.exists is not None:
            add((_exists, src, test.exists))
        if test.matches is not None:
            add((_matches, src, re.compile(test.matches)))
        for op in ("below", "at_or_above", "above", "at_or_below"):
            if (anchor := getattr(test, op)) is not None:
                add((_level, src, env.levels(framework_id, op, anchor)))
        for op, cmp in _DATE_CMP.items():
            if (value := getattr(test, op)) is not None:
                add((_against(cmp), src, env.date(value)))

    def index(self, store: _Store) -> dict[tuple[Any, ...], list[Fact]]:
        """Facts passing the literal checks, keyed by their join fields (rebuilt when the kind grows)."""
        version = store.version[self.kind]
        if self._cache is None or self._cache[0] != version:
            index: dict[tuple[Any, ...], list[Fact]] = defaultdict(list)
            for fact in store.by_kind[self.kind]:
                if all(check(fact, field, operand) for check, field, operand in self.checks):
                    key = tuple(fact.get(field) for field, _, _ in self.joins)
                    if None not in key:
                        index[key].append(fact)
            self._cache = (version, index)
        return self._cache[1]

    def candidates(self, binding: Binding, store: _Store) -> list[Fact]:
        key = tuple(binding[alias].get(field) for _, alias, field in self.joins)
        if None in key:  # a join on a missing field matches nothing
            return []
        found = self.index(store).get(key, [])
        if self.refs:
            found = [f for f in found if all(_compare(o, f.get(s), binding[a].get(x)) for o, s, a, x in self.refs)]
        return found


class _Store:
    """Facts by kind, with a version per kind so that indexes know when to rebuild."""

    def __init__(self, facts: Iterable[Fact]) -> None:
        self.by_kind: dict[str, list[Fact]] = defaultdict(list)
        self.version: dict[str, int] = defaultdict(int)
        self.add(facts)

    def add(self, facts: Iterable[Fact]) -> None:
        for fact in facts:
            self.by_kind[fact["kind"]].append(fact)
            self.version[fact["kind"]] += 1


class _Rule:
    """A rule ready to match: its patterns, absences and count, and how to state a finding."""

    def __init__(self, pack: RulePack, index: int, env: _Env) -> None:
        self.pack, self.rule, self.env = pack, pack.rules[index], env
        self.name = f"{pack.id}/{self.rule.id}"
        when = self.rule.when
        self.count = when.count
        self.selector = (
            _Pattern(Pattern(fact=when.count.fact, alias="item", where=when.count.where), pack.framework, env)
            if when.count
            else None
        )
        self.positive = [_Pattern(p, pack.framework, env) for p in when.all]
        self.negative = [_Pattern(p, pack.framework, env) for p in when.none]
        self.reads_findings = any(p.kind == "finding" for p in self.positive)
        self.levels = {p.alias: p.reading for p in self.positive if p.reading}

    def groups(self, store: _Store) -> list[Fact]:
        """The count's group facts: selected facts grouped by the ``by`` fields, counted."""
        assert self.count is not None
        assert self.selector is not None
        buckets: dict[tuple[Any, ...], set[Any]] = defaultdict(set)
        for item in self.selector.index(store).get((), []):
            key = tuple(item.get(k) for k in self.count.by)
            buckets[key].add(item.get(self.count.distinct) if self.count.distinct else item["id"])
        out = []
        for key, members in buckets.items():
            parts = "/".join(f"{k}={v}" for k, v in zip(self.count.by, key, strict=True))
            fact = {"id": f"group:{self.name}:{parts}", "kind": "group", "rule": self.name, "count": len(members)}
            fact.update({k: v for k, v in zip(self.count.by, key, strict=True) if v is not None})
            out.append(fact)
        return out

    def matches(self, store: _Store) -> list[Binding]:
        if self.count is not None:
            groups = store.by_kind["group"]
            wanted = [g for g in groups if g["rule"] == self.name and g["count"] >= self.count.at_least]
            bindings: list[Binding] = [{self.count.name: g} for g in wanted]
        else:
            bindings = [{}]
        for pattern in self.positive:
            bindings = [{**b, pattern.alias: f} for b in bindings for f in pattern.candidates(b, store)]
        return [b for b in bindings if not any(p.candidates(b, store) for p in self.negative)]

    def value(self, binding: Binding, alias: str, field: str) -> Any:
        if field == "level":
            field = self.levels.get(alias) or "effective_level"
        return binding.get(alias, {}).get(field)

    def render(self, binding: Binding, template: str) -> str:
        """A message template with its placeholders filled from the match (unmasked)."""

        def fill(m: re.Match[str]) -> str:
            if m.group(1) == "as_of":
                return self.env.as_of.isoformat()
            value = self.value(binding, *m.group(1).split(".", 1))
            return "none" if value is None else ("yes" if value else "no") if isinstance(value, bool) else str(value)

        return _PLACEHOLDER.sub(fill, template)

    def finding(self, binding: Binding) -> tuple[str, dict[str, str], str, str | None]:
        """The fingerprint, subject, (unmasked) message of a match, and its escalation's message if it escalates.

        For a rule that makes no finding, subject and message are the escalation's.
        """
        escalate = self.rule.then.escalate
        if self.rule.then.finding is not None:
            refs, template = self.rule.then.finding.subject, self.rule.then.finding.message
        else:
            assert escalate is not None
            assert escalate.message is not None
            refs, template = escalate.subject, escalate.message
        if refs:
            subject = {}
            for ref in refs:
                alias, field = ref.split(".", 1)
                if (value := self.value(binding, alias, field)) is not None:
                    subject[field] = str(value)
        else:
            first = binding[self.count.name if self.count else self.positive[0].alias]
            subject = {k: str(first[k]) for k in SUBJECT_KEYS if first.get(k) is not None}
        order = {k: i for i, k in enumerate(SUBJECT_KEYS)}
        subject = {k: subject[k] for k in sorted(subject, key=lambda k: order.get(k, len(order)))}
        fingerprint = "/".join([self.pack.id, self.rule.id, *(f"{k}={v}" for k, v in subject.items())])
        message = self.render(binding, template)
        escalation = None
        if escalate is not None:
            escalation = self.render(binding, escalate.message) if escalate.message is not None else message
        return fingerprint, subject, message, escalation


class _Run:
    def __init__(self, rules: list[_Rule], store: _Store) -> None:
        self.rules, self.store = rules, store
        # fingerprint -> (order, severity, message, escalation message or None); escalation-only matches apart
        self.found: dict[str, tuple[tuple[str, ...], str, str, str | None]] = {}
        self.alone: dict[str, tuple[tuple[str, ...], str, str, str | None]] = {}

    def fire(self, rule: _Rule) -> list[Fact]:
        """Record the rule's matches; return the finding facts new to this run."""
        new = []
        only = rule.rule.then.finding is None
        kept = self.alone if only else self.found
        for binding in rule.matches(self.store):
            fingerprint, subject, message, escalation = rule.finding(binding)
            order = tuple(sorted(str(f["id"]) for f in binding.values()))
            if fingerprint in kept:
                if order < kept[fingerprint][0]:
                    kept[fingerprint] = (order, kept[fingerprint][1], message, escalation)
                continue
            kept[fingerprint] = (order, rule.rule.severity.value, message, escalation)
            if only:
                continue
            new.append(
                {
                    "id": f"finding:{fingerprint}",
                    "kind": "finding",
                    "pack": rule.pack.id,
                    "rule": rule.rule.id,
                    "severity": rule.rule.severity.value,
                    "fingerprint": fingerprint,
                    **subject,
                }
            )
        return new

    def settle(self, first: list[_Rule]) -> None:
        """Run ``first``, then every rule over findings again while new findings appear."""
        again = [r for r in self.rules if r.reads_findings]
        pending = first
        while pending:
            new = [fact for rule in pending for fact in self.fire(rule)]
            self.store.add(new)
            pending = again if new else []


@attrs.frozen
class Outcomes:
    """What the packs make: findings, and escalations (of findings, and of rules that make no finding)."""

    findings: list[Result]
    """Sorted (fingerprint, severity, message)."""
    escalations: list[Result]
    """Sorted (fingerprint, severity, escalation message), both kinds together."""
    escalation_only: frozenset[str]
    """The fingerprints of the escalations whose rule makes no finding."""


def outcomes(
    packs: Sequence[RulePack],
    facts: Iterable[Fact],
    frameworks: Sequence[Framework],
    policy: EscalationPolicy | None,
    as_of: dt.date,
) -> Outcomes:
    """The findings and escalations the packs make over the facts as at ``as_of``.

    An escalation is made for every rule with ``escalate`` (a run refuses a
    concern the policy does not name, so every concern has a body).

    Raises:
        ValueError: a policy parameter a rule reads is not in force, or a count
            would count facts made by counting rules.
    """
    env = _Env(frameworks, policy, as_of)
    rules = [_Rule(pack, i, env) for pack in packs for i in range(len(pack.rules))]
    store = _Store(facts)
    run = _Run(rules, store)
    run.settle([r for r in rules if r.count is None])
    counting = [r for r in rules if r.count is not None]
    selected = {r.name: len(r.selector.index(store).get((), [])) for r in counting if r.selector}
    store.add(g for r in counting for g in r.groups(store))
    run.settle(counting)
    for r in counting:
        if r.selector and len(r.selector.index(store).get((), [])) != selected[r.name]:
            raise ValueError(f"rule {r.name} counts facts made by counting rules; counts do not nest")
    escalations = [
        (fp, severity, escalation)
        for kept in (run.found, run.alone)
        for fp, (_, severity, _, escalation) in kept.items()
        if escalation is not None
    ]
    return Outcomes(
        findings=sorted((fp, severity, message) for fp, (_, severity, message, _) in run.found.items()),
        escalations=sorted(escalations),
        escalation_only=frozenset(run.alone),
    )


def evaluate(
    packs: Sequence[RulePack],
    facts: Iterable[Fact],
    frameworks: Sequence[Framework],
    policy: EscalationPolicy | None,
    as_of: dt.date,
) -> list[Result]:
    """The findings the packs make over the facts as at ``as_of``: sorted (fingerprint, severity, message).

    Raises:
        ValueError: a policy parameter a rule reads is not in force, or a count
            would count facts made by counting rules.
    """
    return outcomes(packs, facts, frameworks, policy, as_of).findings


def fingerprints(results: Iterable[Result]) -> set[str]:
    """The fingerprints of an evaluation's results."""
    return {r[0] for r in results}
