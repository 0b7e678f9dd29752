"""Evaluating compiled rule packs over facts in private engine sessions (private; see :mod:`sgassure.audit`).

:class:`_Run` holds one evaluation: it cuts the facts into partitions (one
engine session per group of agencies when the compiler proved that no match
mixes two agencies' facts, the facts without an agency last; else one
session), asserts them kind by kind, turns each match into a finding (chained
back into the session as a ``finding`` fact) or, for a rule that escalates
without a finding, a record kept apart, and makes the counts over what the
counting rules selected into ``group`` facts. :func:`~sgassure.audit.run_audit`
and :func:`~sgassure.audit.run_pack_tests` drive it; decisions, escalation
routing and the pack tests' own machinery stay in :mod:`sgassure.audit`.

:data:`PARTITION_FACTS` is read here, at run time: patch it on this module.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sgassure._compile import Compiled, CompiledRule, apply_regexes
from sgassure._engine import Match, Session
from sgassure._facts import SUBJECT_KEYS
from sgassure._packs import PLACEHOLDER
from sgassure.errors import RulesEngineError
from sgassure.findings import Check, Explanation, Finding, finding_sort_key
from sgassure.privacy import mask_identifiers
from sgassure.rules import FindingSpec

if TYPE_CHECKING:  # a name pytest would try to collect as a test class when this file is given to it
    from sgassure._compile import TestText

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
        groups: list[list[Any]] = [[]]
        size = 0
        for agency in sorted(by_agency, key=str):
            if size >= PARTITION_FACTS:
                groups.append([])
                size = 0
            groups[-1].append(agency)
            size += len(by_agency[agency])
        out: list[tuple[frozenset[Any] | None, dict[str, list[Fact]]]] = [
            (frozenset(members), _by_kind(f for a in members for f in by_agency[a])) for members in groups if members
        ]
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


def _subject_order(key: str) -> int:
    return SUBJECT_KEYS.index(key) if key in SUBJECT_KEYS else len(SUBJECT_KEYS)
