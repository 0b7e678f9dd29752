"""Rule packs compiled onto durable-rules' JSON ruleset form, for one workspace and date.

Compilation resolves, before the engine runs, everything the engine cannot:
level operators become sets of level ids per catalog version (so a pack works
unchanged on a local catalog), dates relative to ``as_of`` and to escalation
policy parameters become ISO literals, sets become ``$or`` of equalities, and
regular expressions (Python syntax) become boolean fields computed on the
facts by the Python stage. Every pattern is anchored on a positive ``kind``
test; every non-equality comparison with another fact is wrapped in ``$or``
(a bare one reads uninitialised memory in the engine, #381).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import networkx as nx

from sgassure._facts import FACT_KINDS
from sgassure._packs import REFERENCE, pack_location
from sgassure.errors import LoadError, Location, Problem
from sgassure.partnership import Partnership
from sgassure.rules import LEVEL_OPERATORS, DaysBefore, Pattern, Reading, Rule, RulePack, Test
from sgassure.standards import Framework

NEVER = {"kind": "\x00never"}
_ANCHORS = ("threshold", "lowest", "highest")
_COMPARE = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}
_DATE_COMPARE = {"before": "$lt", "on_or_before": "$lte", "after": "$gt", "on_or_after": "$gte"}
_TEXT = {
    "eq": "equals",
    "ne": "differs from",
    "lt": "is less than",
    "le": "is at most",
    "gt": "is more than",
    "ge": "is at least",
    "before": "is before",
    "on_or_before": "is on or before",
    "after": "is after",
    "on_or_after": "is on or after",
}


@attrs.frozen(kw_only=True)
class Regex:
    """A regular expression evaluated by the Python stage into a boolean fact field."""

    kind: str
    field: str
    pattern: str
    target: str


@attrs.frozen(kw_only=True)
class TestText:
    """How one test reads in an explanation, with the fact field it read."""

    __test__ = False  # not a pytest test class, whatever its name

    alias: str
    fact: str
    field: str
    source: str
    text: str
    reading: str | None
    ref: tuple[str, str] | None = None
    anchor: str | None = None


@attrs.frozen(kw_only=True)
class CompiledRule:
    """A rule as the engine runs it, with what the audit needs to explain its matches."""

    name: str
    pack: RulePack
    rule: Rule
    index: int
    selector: bool
    positive: tuple[tuple[str, str], ...]
    negative: tuple[Pattern, ...]
    tests: tuple[TestText, ...]
    level_fields: dict[str, str]


@attrs.frozen(kw_only=True)
class Compiled:
    """The engine ruleset and what the run needs around it."""

    definition: dict[str, dict[str, Any]]
    rules: dict[str, CompiledRule]
    regexes: tuple[Regex, ...]
    kinds: frozenset[str]
    order: tuple[str, ...]
    partition_key: str | None
    """``agency`` when every match of the run lies within the facts of one agency (see :func:`_partition_key`)."""


class _Compiler:
    def __init__(self, frameworks: Sequence[Framework], partnership: Partnership | None, as_of: dt.date) -> None:
        self.frameworks = frameworks
        self.partnership = partnership
        self.as_of = as_of
        self.regexes: dict[tuple[str, str, str], Regex] = {}
        self.problems: list[Problem] = []
        self.pack: RulePack | None = None

    def fail(self, at: tuple[str | int, ...], message: str) -> None:
        assert self.pack is not None
        path = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(at))
        self.problems.append(Problem(location=pack_location(self.pack, at), path=path, message=message))

    def levels(self, framework_id: str | None, op: str, level: str) -> list[tuple[Framework, list[str]]]:
        out = []
        for f in self.frameworks:
            if framework_id is not None and f.id != framework_id:
                continue
            ids = list(f.scale.level_ids)
            anchor = {"threshold": f.scale.threshold, "lowest": ids[-1], "highest": ids[0]}.get(level, level)
            if anchor not in ids:
                continue
            i = ids.index(anchor)
            chosen = {
                "below": ids[i + 1 :],
                "at_or_below": ids[i:],
                "above": ids[:i],
                "at_or_above": ids[: i + 1],
            }[op]
            out.append((f, chosen))
        return out

    def date(self, value: Any, at: tuple[str | int, ...]) -> str | None:
        if value == "as_of":
            return self.as_of.isoformat()
        if isinstance(value, DaysBefore):
            days = value.days
            if days is None:
                policy = self.partnership.escalation_policy if self.partnership else None
                rule = policy.for_concern(value.policy or "") if policy else None
                params = rule.parameters_on(self.as_of) if rule else None
                days = getattr(params, value.parameter or "", None) if params else None
                if not isinstance(days, int):
                    self.fail(
                        at,
                        f"the escalation policy has no parameter {value.parameter!r} for concern {value.policy!r} "
                        f"in force on {self.as_of.isoformat()}",
                    )
                    return None
            return value.resolve(self.as_of, days).isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    def operand(self, value: Any) -> Any:
        if isinstance(value, str) and (m := REFERENCE.match(value)):
            return {m.group(1): m.group(2)}
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def test(
        self, pattern: Pattern, framework_id: str | None, field: str, test: Test, at: tuple[str | int, ...]
    ) -> tuple[list[dict[str, Any]], list[TestText], str | None]:
        conds: list[dict[str, Any]] = []
        texts: list[TestText] = []
        reading: Reading | None = None
        if field == "level":
            reading = test.reading or Reading.EFFECTIVE
        elif field.endswith("_level") and FACT_KINDS[pattern.fact][field].level:
            reading = Reading(field.removesuffix("_level"))
        source = reading.field if reading else field

        def text(words: str, operand: Any = None, anchor: str | None = None) -> None:
            ref = REFERENCE.match(operand) if isinstance(operand, str) else None
            texts.append(
                TestText(
                    alias=pattern.name,
                    fact=pattern.fact,
                    field=field,
                    source=source,
                    text=words,
                    reading=reading.value if reading else None,
                    ref=(ref.group(1), ref.group(2)) if ref else None,
                    anchor=anchor,
                )
            )

        if test.eq is not None:
            conds.append({source: self.operand(test.eq)})
            text(f"equals {_show(test.eq)}", test.eq)
        for op, engine_op in _COMPARE.items():
            value = getattr(test, op)
            if value is None:
                continue
            cond = {engine_op: {source: self.operand(value)}}
            # A comparison with another fact other than equality must sit alone inside $or (#381).
            conds.append({"$or": [cond]} if isinstance(value, str) and value.startswith("$") else cond)
            text(f"{_TEXT[op]} {_show(value)}", value)
        if test.in_ is not None:
            conds.append({"$or": [{source: self.operand(v)} for v in test.in_]})
            text(f"is one of {', '.join(_show(v) for v in test.in_)}")
        if test.not_in is not None:
            conds.append({"$and": [{"$neq": {source: self.operand(v)}} for v in test.not_in]})
            text(f"is none of {', '.join(_show(v) for v in test.not_in)}")
        if test.exists is not None:
            conds.append({"$ex" if test.exists else "$nex": {source: 1}})
            text("is given" if test.exists else "is not given")
        if test.matches is not None:
            key = (pattern.fact, source, test.matches)
            regex = self.regexes.setdefault(
                key, Regex(kind=pattern.fact, field=source, pattern=test.matches, target=f"_re{len(self.regexes)}")
            )
            conds.append({regex.target: True})
            text(f"matches {test.matches!r}")
        for op in LEVEL_OPERATORS:
            level = getattr(test, op)
            if level is None:
                continue
            options = []
            for framework, ids in self.levels(framework_id, op, level):
                if ids:
                    options.append(
                        {
                            "$and": [
                                {"framework": framework.id},
                                {"framework_version": framework.version},
                                {"$or": [{source: i} for i in ids]},
                            ]
                        }
                    )
            conds.append({"$or": options} if options else NEVER)
            words = op.replace("_", " ")
            text(f"{words} {level}" if level in _ANCHORS else f"{words} {level!r}", anchor=level)
        for op, engine_op in _DATE_COMPARE.items():
            value = getattr(test, op)
            if value is None:
                continue
            resolved = self.date(value, (*at, op))
            if resolved is not None:
                conds.append({engine_op: {source: resolved}})
                text(f"{_TEXT[op]} {resolved}" + (f" ({_show_date(value)})" if not isinstance(value, dt.date) else ""))
        # only the generic `level` field is quoted through the reading it names; `self_level` and the like name theirs
        return conds, texts, reading.field if reading and field == "level" else None

    def pattern(
        self, pattern: Pattern, framework_id: str | None, at: tuple[str | int, ...], *, kind: str | None = None
    ) -> tuple[dict[str, Any], list[TestText], dict[str, str]]:
        conds: list[dict[str, Any]] = [{"kind": kind or pattern.fact}]
        fields = FACT_KINDS.get(pattern.fact, {})
        if framework_id is not None and "framework" in fields and pattern.fact != "finding":
            conds.append({"framework": framework_id})
        texts: list[TestText] = []
        level_fields: dict[str, str] = {}
        for field, test in pattern.where.items():
            more, words, level_field = self.test(pattern, framework_id, field, test, (*at, "where", field))
            conds += more
            texts += words
            if level_field:
                level_fields[pattern.name] = level_field
        return {"$and": conds}, texts, level_fields

    def rule(self, pack: RulePack, index: int, rule: Rule) -> dict[str, tuple[dict[str, Any], CompiledRule]]:
        at: tuple[str | int, ...] = ("rules", index, "when")
        name = f"{pack.id}/{rule.id}"
        out: dict[str, tuple[dict[str, Any], CompiledRule]] = {}
        patterns: list[dict[str, Any]] = []
        texts: list[TestText] = []
        level_fields: dict[str, str] = {}
        positive: list[tuple[str, str]] = []
        if rule.when.count is not None:
            count = rule.when.count
            selector, sel_texts, _ = self.pattern(
                Pattern(fact=count.fact, alias="item", where=count.where), pack.framework, (*at, "count")
            )
            out[f"{name}#count"] = (
                {"all": [{"item": selector}]},
                CompiledRule(
                    name=f"{name}#count",
                    pack=pack,
                    rule=rule,
                    index=index,
                    selector=True,
                    positive=(("item", count.fact),),
                    negative=(),
                    tests=tuple(sel_texts),
                    level_fields={},
                ),
            )
            patterns.append(
                {
                    count.name: {
                        "$and": [{"kind": "group"}, {"rule": name}, {"$gte": {"count": count.at_least}}],
                    }
                }
            )
            positive.append((count.name, "group"))
        for j, pattern in enumerate(rule.when.all):
            compiled, words, levels = self.pattern(pattern, pack.framework, (*at, "all", j))
            patterns.append({pattern.name: compiled})
            texts += words
            level_fields.update(levels)
            positive.append((pattern.name, pattern.fact))
        for j, pattern in enumerate(rule.when.none):
            compiled, _, _ = self.pattern(pattern, pack.framework, (*at, "none", j))
            patterns.append({f"{pattern.name}$not": compiled})
        _require_compared_fields(rule, patterns)
        out[name] = (
            {"all": patterns},
            CompiledRule(
                name=name,
                pack=pack,
                rule=rule,
                index=index,
                selector=False,
                positive=tuple(positive),
                negative=rule.when.none,
                tests=tuple(texts),
                level_fields=level_fields,
            ),
        )
        if rule.then.escalate is not None and self.partnership is not None:
            concern = rule.then.escalate.concern
            if self.partnership.escalation_policy.for_concern(concern) is None:
                known = [r.concern for r in self.partnership.escalation_policy.rules]
                self.fail(
                    ("rules", index, "then", "escalate", "concern"),
                    f"the partnership's escalation policy names no body for concern {concern!r}"
                    + (f"; it has {', '.join(map(repr, known))}" if known else ""),
                )
        return out


def _require_compared_fields(rule: Rule, patterns: list[dict[str, Any]]) -> None:
    """Make both sides of every non-equality comparison with another fact exist.

    Null fields are absent from the facts the engine sees, and a ``ne``/``lt``/
    ``le``/``gt``/``ge`` reference to an absent field of another fact makes the
    engine fail (error 311) instead of not matching. A comparison with a missing
    value never holds, so requiring both fields to exist changes no result.
    """
    by_alias = {alias: body for pattern in patterns for alias, body in pattern.items()}
    for pattern in (*rule.when.all, *rule.when.none):
        for field, test in pattern.where.items():
            for op in _COMPARE:
                value = getattr(test, op)
                match = REFERENCE.match(value) if isinstance(value, str) else None
                if match is None:
                    continue
                own = by_alias.get(pattern.name) or by_alias.get(f"{pattern.name}$not")
                other = by_alias.get(match.group(1))
                source = "effective_level" if field == "level" else field
                for body, name in ((own, source), (other, match.group(2))):
                    if body is not None and {"$ex": {name: 1}} not in body["$and"]:
                        body["$and"].append({"$ex": {name: 1}})


def _show(value: Any) -> str:
    if isinstance(value, str) and value.startswith("$"):
        return value[1:]
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def _show_date(value: Any) -> str:
    if value == "as_of":
        return "as_of"
    if isinstance(value, DaysBefore):
        if value.days is not None:
            return f"{value.days} days before as_of"
        return f"{value.parameter} of {value.policy} before as_of"
    return str(value)


def compile_packs(
    packs: Sequence[RulePack], frameworks: Sequence[Framework], partnership: Partnership | None, as_of: dt.date
) -> Compiled:
    """Compile packs for a run; raise a LoadError naming every rule that cannot run here."""
    compiler = _Compiler(frameworks, partnership, as_of)
    definition: dict[str, dict[str, Any]] = {}
    rules: dict[str, CompiledRule] = {}
    seen: dict[str, RulePack] = {}
    problems: list[Problem] = []
    for pack in packs:
        if pack.id in seen:
            problems.append(
                Problem(location=pack_location(pack, ("id",)), path="id", message="two packs in one run share this id")
            )
            continue
        seen[pack.id] = pack
        compiler.pack = pack
        for index, rule in enumerate(pack.rules):
            for name, (body, meta) in compiler.rule(pack, index, rule).items():
                definition[name] = body
                rules[name] = meta
    problems += compiler.problems
    if problems:
        raise LoadError(problems)
    kinds = frozenset(_kinds(definition.values()))
    return Compiled(
        definition=definition,
        rules=rules,
        regexes=tuple(compiler.regexes.values()),
        kinds=kinds,
        order=_assert_order(kinds, rules.values()),
        partition_key=_partition_key(definition, rules.values()),
    )


PARTITION_KEY = "agency"


def _partition_key(definition: Mapping[str, Mapping[str, Any]], rules: Iterable[CompiledRule]) -> str | None:
    """``agency`` if a run can be split into engine sessions by agency without changing a match; else None.

    That holds when every pattern after the first of every rule (negated ones
    included) requires ``agency`` equal to the ``agency`` of an earlier positive
    pattern, and every count groups by ``agency``: the facts of one match, and
    the facts a negation or a count consults, then share one agency, or all lack
    it (a string never equals a missing value). ``any`` rules match one fact at
    a time.

    Examples:
        >>> one = {"all": [{"r": {"kind": "rating"}}]}
        >>> join = {"all": [{"r": {"kind": "rating"}},
        ...     {"a$not": {"$and": [{"kind": "action"}, {"agency": {"r": "agency"}}, {"cycle": {"r": "cycle"}}]}}]}
        >>> _partition_key({"one": one, "join": join}, [])
        'agency'
        >>> by_cycle = {"all": [{"r": {"kind": "rating"}},
        ...     {"a": {"$and": [{"kind": "action"}, {"cycle": {"r": "cycle"}}]}}]}
        >>> _partition_key({"one": one, "by_cycle": by_cycle}, []) is None
        True
    """
    key = PARTITION_KEY
    for body in definition.values():
        bound: list[str] = []
        for index, pattern in enumerate(body.get("all", ())):
            ((alias, condition),) = pattern.items()
            if index and not any(_is_join(c, key, bound) for c in _conjuncts(condition)):
                return None
            if not alias.endswith("$not"):
                bound.append(alias)
    for rule in rules:
        count = rule.rule.when.count
        if count is not None and key not in count.by:
            return None
    return key


def _conjuncts(condition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The tests a condition requires together: its ``$and`` items and its other keys, one mapping each."""
    out: list[Mapping[str, Any]] = []
    for field, value in condition.items():
        if field == "$and" and isinstance(value, list):
            for item in value:
                out.extend(_conjuncts(item) if isinstance(item, Mapping) else [])
        else:
            out.append({field: value})
    return out


def _is_join(test: Mapping[str, Any], key: str, bound: Sequence[str]) -> bool:
    """Whether a test is ``key`` equal to ``key`` of one of the bound aliases."""
    value = test.get(key)
    return isinstance(value, Mapping) and len(value) == 1 and any(value.get(alias) == key for alias in bound)


def _assert_order(kinds: frozenset[str], rules: Iterable[CompiledRule]) -> tuple[str, ...]:
    """Kinds in the order their facts are asserted: every negated kind before the kinds negating it.

    The engine judges absence when the positive fact arrives and never revisits it,
    so a fact kind that some rule requires to be absent must be complete first.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(kinds))  # sorted: the cycle reported must not depend on string hashing
    for rule in rules:
        for negated in rule.negative:
            for _, positive in rule.positive:
                graph.add_edge(negated.fact, positive)
    try:
        return tuple(nx.lexicographical_topological_sort(graph))
    except nx.NetworkXUnfeasible:
        cycle = " -> ".join(u for u, _ in nx.find_cycle(graph))
        raise LoadError(
            [
                Problem(
                    location=Location(file="packs"),
                    path="",
                    message=(
                        f"absence conditions form a cycle between fact kinds ({cycle}); no assert order is complete"
                    ),
                )
            ]
        ) from None


def _kinds(bodies: Iterable[dict[str, Any]]) -> Iterable[str]:
    for body in bodies:
        for pattern in body["all"]:
            for cond in pattern.values():
                kind = cond["$and"][0]["kind"]
                if isinstance(kind, str):
                    yield kind


def apply_regexes(facts: Iterable[dict[str, Any]], regexes: Sequence[Regex]) -> list[dict[str, Any]]:
    """The facts, with each regex's boolean field added to copies of the facts of its kind (Python syntax, whole value).

    Facts of other kinds are passed on as they are; no fact given is changed.
    """
    by_kind: dict[str, list[tuple[Regex, re.Pattern[str]]]] = {}
    for r in regexes:
        by_kind.setdefault(r.kind, []).append((r, re.compile(r.pattern)))
    out = []
    for fact in facts:
        tests = by_kind.get(fact.get("kind"))  # type: ignore[arg-type]  # a fact's kind is a string
        if not tests:
            out.append(fact)
            continue
        copy = dict(fact)
        for regex, pattern in tests:
            value = copy.get(regex.field)
            copy[regex.target] = isinstance(value, str) and pattern.fullmatch(value) is not None
        out.append(copy)
    return out
