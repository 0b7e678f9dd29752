"""Loading and linting rule packs: every problem located, all at once.

The lint runs as the pack loads: unknown fields and fact kinds, operators that
do not fit a field, levels not on any scale of the pack's framework,
contradictory bounds in one condition, references to aliases not yet bound,
duplicate ids, and conditions the engine could not run safely.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import attrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from sgassure._convert import _Invalid, _kind, converter, did_you_mean, structure_document
from sgassure._facts import FACT_KINDS, SUBJECT_KEYS
from sgassure._files import read_text
from sgassure._validate import Checker
from sgassure._yaml import Document, Path, parse_document
from sgassure.errors import LoadError, Problem
from sgassure.rules import (
    DATE_OPERATORS,
    LEVEL_OPERATORS,
    Count,
    DaysBefore,
    Pattern,
    Rule,
    RulePack,
    Test,
    TestCase,
)
from sgassure.standards import bundled_frameworks

REFERENCE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Limits measured on the engine (durable-rules 2.0.28); beyond them it errors or hangs.
MAX_RULES = 4095  # the engine takes 4,096; the session adds one rule of its own
MAX_CROSS_REFERENCES = 29

_test_from_dict = make_dict_structure_fn(Test, converter, _cattrs_forbid_extra_keys=True, in_=override(rename="in"))
_test_to_dict = make_dict_unstructure_fn(Test, converter, in_=override(rename="in"), _cattrs_omit_if_default=True)
_SCALAR = (str, int, float, bool, dt.date)


def _date_operand(value: Any) -> Any:
    if value == "as_of" or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dict) and list(value) == ["days_before_as_of"]:
        days = value["days_before_as_of"]
        if isinstance(days, int) and not isinstance(days, bool):
            return DaysBefore(days=days)
        if (
            isinstance(days, dict)
            and sorted(days) == ["parameter", "policy"]
            and all(isinstance(v, str) for v in days.values())
        ):
            return DaysBefore(policy=days["policy"], parameter=days["parameter"])
    raise _Invalid(
        "expected 'as_of', a date, {days_before_as_of: N} or "
        f"{{days_before_as_of: {{policy: CONCERN, parameter: NAME}}}}; got {_kind(value)}"
    )


def _structure_test(value: Any, _: type) -> Test:
    if isinstance(value, _SCALAR):
        return Test(eq=value)
    if not isinstance(value, dict):
        raise _Invalid(f"expected a value or a mapping of operators; got {_kind(value)}")
    test = _test_from_dict(value, Test)
    changes = {}
    for name in DATE_OPERATORS:
        if (raw := getattr(test, name)) is not None:
            changes[name] = _date_operand(raw)
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        raw = getattr(test, name)
        if raw is not None and not isinstance(raw, _SCALAR):
            raise _Invalid(f"expected a single value for '{name}'; got {_kind(raw)}")
    return attrs.evolve(test, **changes)


def _unstructure_test(test: Test) -> Any:
    if test.operators() == ["eq"] and test.reading is None:
        return test.eq
    data = _test_to_dict(test)
    for name in DATE_OPERATORS:
        value = getattr(test, name)
        if isinstance(value, DaysBefore):
            days: Any = value.days if value.days is not None else {"policy": value.policy, "parameter": value.parameter}
            data[name] = {"days_before_as_of": days}
    return data


converter.register_structure_hook(Test, _structure_test)
converter.register_unstructure_hook(Test, _unstructure_test)


def _levels_of(framework_id: str | None) -> dict[str, tuple[str, ...]]:
    """Level ids per bundled catalog version of a framework."""
    return {f.version: f.scale.level_ids for f in bundled_frameworks() if f.id == framework_id}


class _Lint:
    def __init__(self, pack: RulePack, doc: Document) -> None:
        self.pack = pack
        self.c = Checker(doc)
        self.levels = _levels_of(pack.framework)

    def run(self) -> list[Problem]:
        pack, c = self.pack, self.c
        if pack.framework is not None and not self.levels:
            known = sorted({f.id for f in bundled_frameworks()})
            c.add(("framework",), f"unknown framework {pack.framework!r}{did_you_mean(pack.framework, known)}")
        if len(pack.rules) > MAX_RULES:
            c.add(("rules",), f"{len(pack.rules)} rules; the engine takes at most {MAX_RULES} in one pack")
        c.unique(((("rules", i, "id"), r.id) for i, r in enumerate(pack.rules)), "rule id")
        for i, rule in enumerate(pack.rules):
            self.rule(("rules", i), rule)
        c.unique(((("tests", i, "name"), t.name) for i, t in enumerate(pack.tests)), "test name")
        for i, case in enumerate(pack.tests):
            self.case(("tests", i), case)
        return c.problems

    def rule(self, at: Path, rule: Rule) -> None:
        when = rule.when
        bound: dict[str, str] = {}
        if not when.all and when.count is None:
            self.c.add((*at, "when"), "a rule needs at least one pattern under 'all', or a 'count'")
        if when.count is not None:
            self.count((*at, "when", "count"), when.count)
            bound[when.count.name] = "group"
        for j, pattern in enumerate(when.all):
            self.pattern((*at, "when", "all", j), pattern, bound)
            if pattern.name in bound:
                self.c.add((*at, "when", "all", j, "as"), f"alias {pattern.name!r} is already bound in this rule")
            bound[pattern.name] = pattern.fact
        for j, pattern in enumerate(when.none):
            if pattern.fact == "finding":
                self.c.add(
                    (*at, "when", "none", j, "fact"),
                    "absence of findings is not supported: findings are still being made while rules run",
                )
            self.pattern((*at, "when", "none", j), pattern, bound)
            if not any(REFERENCE.match(str(t.eq)) for t in pattern.where.values()):
                self.c.add(
                    (*at, "when", "none", j), "an absence must be joined to a fact of 'all' (e.g. agency: $r.agency)"
                )
        self.outcome((*at, "then"), rule, bound)

    def count(self, at: Path, count: Count) -> None:
        self.pattern(at, Pattern(fact=count.fact, where=count.where), {}, kind_path=(*at, "fact"))
        fields = FACT_KINDS.get(count.fact, {})
        if not count.by:
            self.c.add((*at, "by"), "give the fields to group by")
        for k, name in enumerate(count.by):
            if fields and name not in fields:
                self.c.add(
                    (*at, "by", k), f"unknown field {name!r} of {count.fact!r}{did_you_mean(name, list(fields))}"
                )
        if count.distinct is not None and fields and count.distinct not in fields:
            self.c.add((*at, "distinct"), f"unknown field {count.distinct!r} of {count.fact!r}")
        if count.at_least < 1:
            self.c.add((*at, "at_least"), f"expected 1 or more; got {count.at_least}")

    def pattern(self, at: Path, pattern: Pattern, bound: dict[str, str], *, kind_path: Path | None = None) -> None:
        fields = FACT_KINDS.get(pattern.fact)
        if fields is None:
            kinds = sorted(FACT_KINDS)
            self.c.add(
                kind_path or (*at, "fact"),
                f"no loader produces facts of kind {pattern.fact!r}{did_you_mean(pattern.fact, kinds)}; "
                f"expected one of {', '.join(repr(k) for k in kinds)}",
            )
            return
        cross = 0
        for name, test in pattern.where.items():
            where: Path = (*at, "where", name)
            if name not in fields:
                self.c.add(where, f"unknown field of {pattern.fact!r}{did_you_mean(name, list(fields))}", key=True)
                continue
            cross += self.test(where, name, fields[name].level, test, bound)
        if cross > MAX_CROSS_REFERENCES:
            self.c.add(at, f"{cross} references to other facts; the engine takes at most {MAX_CROSS_REFERENCES}")

    def test(self, at: Path, name: str, is_level: bool, test: Test, bound: dict[str, str]) -> int:
        ops = test.operators()
        if not ops:
            self.c.add(at, "no operator given")
        level_ops = [op for op in ops if op in LEVEL_OPERATORS]
        if level_ops and not is_level:
            self.c.add((*at, level_ops[0]), f"'{level_ops[0]}' compares rating levels; field {name!r} is not a level")
        if test.reading is not None and not level_ops:
            self.c.add(
                (*at, "reading"), "'reading' goes with a level operator (below, at_or_above, above, at_or_below)"
            )
        for op in level_ops:
            self.level((*at, op), getattr(test, op))
        if is_level and [op for op in ops if op not in LEVEL_OPERATORS]:
            self.c.add(
                at, "compare levels with below, at_or_above, above or at_or_below, so the catalog's order is used"
            )
        cross = 0
        for op in ("eq", "ne", "lt", "le", "gt", "ge"):
            value = getattr(test, op)
            if isinstance(value, str) and value.startswith("$"):
                cross += 1
                self.reference((*at, op), value, bound)
        for op in ("in", "not_in"):
            values = getattr(test, "in_" if op == "in" else op)
            if values is not None and not values:
                self.c.add((*at, op), "an empty list matches nothing; remove the condition or give values")
        if test.matches is not None:
            try:
                re.compile(test.matches)
            except re.error as exc:
                self.c.add((*at, "matches"), f"invalid regular expression: {exc}")
        self.bounds(at, test)
        return cross

    def level(self, at: Path, value: str) -> None:
        if value in ("threshold", "lowest", "highest") or not self.levels:
            return
        missing = [v for v, levels in sorted(self.levels.items()) if value not in levels]
        if missing:
            choices = sorted({lv for levels in self.levels.values() for lv in levels})
            self.c.add(
                at,
                f"level {value!r} is not on the scale of {self.pack.framework} version {', '.join(missing)}; expected "
                f"'threshold', 'lowest', 'highest' or one of {', '.join(repr(x) for x in choices)}"
                f"{did_you_mean(value, choices)}",
            )

    def reference(self, at: Path, value: str, bound: dict[str, str]) -> None:
        match = REFERENCE.match(value)
        if match is None:
            self.c.add(at, f"expected a reference like '$r.agency'; got {value!r}")
            return
        alias, field = match.groups()
        if alias not in bound:
            self.c.add(
                at, f"unknown alias {alias!r}: bind it in an earlier pattern of 'all'{did_you_mean(alias, list(bound))}"
            )
            return
        if bound[alias] != "group" and bound[alias] not in FACT_KINDS:
            return  # the unknown kind is reported where the pattern names it
        fields = _alias_fields(bound[alias])
        if field not in fields:
            self.c.add(at, f"unknown field {field!r} of {bound[alias]!r}{did_you_mean(field, fields)}")

    def bounds(self, at: Path, test: Test) -> None:
        """Report tests no value can pass: an empty interval, or eq against ne/in/not_in."""
        low: tuple[Any, bool] | None = None
        high: tuple[Any, bool] | None = None
        for op, strict in (("gt", True), ("ge", False)):
            value = getattr(test, op)
            if _literal(value) and (low is None or _key(value) > _key(low[0])):
                low = (value, strict)
        for op, strict in (("lt", True), ("le", False)):
            value = getattr(test, op)
            if _literal(value) and (high is None or _key(value) < _key(high[0])):
                high = (value, strict)
        contradiction = ""
        try:
            if (
                low
                and high
                and (_key(low[0]) > _key(high[0]) or (_key(low[0]) == _key(high[0]) and (low[1] or high[1])))
            ):
                contradiction = (
                    f"no value is {'>' if low[1] else '>='} {low[0]!r} and {'<' if high[1] else '<='} {high[0]!r}"
                )
            eq = test.eq
            if _literal(eq):
                if low and (_key(eq) < _key(low[0]) or (_key(eq) == _key(low[0]) and low[1])):
                    contradiction = f"{eq!r} is not {'>' if low[1] else '>='} {low[0]!r}"
                if high and (_key(eq) > _key(high[0]) or (_key(eq) == _key(high[0]) and high[1])):
                    contradiction = f"{eq!r} is not {'<' if high[1] else '<='} {high[0]!r}"
                if test.ne is not None and test.ne == eq:
                    contradiction = f"a value cannot both equal and differ from {eq!r}"
                if test.in_ is not None and eq not in test.in_:
                    contradiction = f"{eq!r} is not among {list(test.in_)!r}"
                if test.not_in is not None and eq in test.not_in:
                    contradiction = f"{eq!r} is excluded by not_in"
            if test.in_ is not None and test.not_in is not None and set(test.in_) <= set(test.not_in):
                contradiction = "not_in excludes every value that in allows"
        except TypeError:
            contradiction = "the bounds compare values of different types"
        if contradiction:
            self.c.add(at, f"contradictory bounds: {contradiction}")

    def outcome(self, at: Path, rule: Rule, bound: dict[str, str]) -> None:
        message = rule.then.finding.message
        for placeholder in PLACEHOLDER.findall(message):
            if placeholder == "as_of":
                continue
            self.reference((*at, "finding", "message"), f"${placeholder}", bound)
        for k, ref in enumerate(rule.then.finding.subject):
            self.reference((*at, "finding", "subject", k), f"${ref}", bound)
            if "." in ref and ref.split(".", 1)[1] not in SUBJECT_KEYS:
                self.c.add((*at, "finding", "subject", k), f"subject fields are among {', '.join(SUBJECT_KEYS)}")

    def case(self, at: Path, case: TestCase) -> None:
        rules = [r.id for r in self.pack.rules]
        for i, fact in enumerate(case.given):
            kind = fact.get("fact")
            if not isinstance(kind, str) or kind not in FACT_KINDS:
                kinds = sorted(FACT_KINDS)
                hint = did_you_mean(kind, kinds) if isinstance(kind, str) else ""
                self.c.add(
                    (*at, "given", i, "fact"), f"expected a fact kind, one of {', '.join(map(repr, kinds))}{hint}"
                )
                continue
            fields = FACT_KINDS[kind]
            for name, value in fact.items():
                if name in ("fact", "id"):
                    continue
                if name not in fields:
                    self.c.add(
                        (*at, "given", i, name),
                        f"unknown field of {kind!r}{did_you_mean(name, list(fields))}",
                        key=True,
                    )
                elif not _fits(fields[name].type, value):
                    self.c.add((*at, "given", i, name), f"expected {fields[name].type}; got {_kind(value)}")
        for i, expected in enumerate(case.expect):
            self.c.ref((*at, "expect", i, "rule"), expected.rule, rules, "rule")
            for key in expected.subject:
                if key not in SUBJECT_KEYS:
                    self.c.add(
                        (*at, "expect", i, "subject", key),
                        f"subject keys are among {', '.join(SUBJECT_KEYS)}",
                        key=True,
                    )


def _alias_fields(kind: str) -> list[str]:
    if kind == "group":
        return [*sorted({f for spec in FACT_KINDS.values() for f in spec}), "count"]
    fields = list(FACT_KINDS.get(kind, {}))
    return fields


def _literal(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value.startswith("$")) and not isinstance(value, bool)


def _key(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, int | float) else value


def _fits(type_name: str, value: Any) -> bool:
    allowed = type_name.split("|")
    if value is None:
        return "null" in allowed
    if isinstance(value, bool):
        return "bool" in allowed
    if isinstance(value, int | float):
        return "number" in allowed or ("int" in allowed and isinstance(value, int))
    if isinstance(value, dt.date):
        return "date" in allowed
    return isinstance(value, str) and ("str" in allowed or "date" in allowed)


def _iter_problems(pack: RulePack, doc: Document) -> Iterator[Problem]:
    yield from _Lint(pack, doc).run()


def parse_pack(text: str, *, source: str = "<string>") -> RulePack:
    """Read and lint a rule pack."""
    doc = parse_document(text, source=source)
    pack = structure_document(doc, RulePack)
    problems = list(_iter_problems(pack, doc))
    if problems:
        raise LoadError(problems)
    return pack


def load_pack(path: str | os.PathLike[str]) -> RulePack:
    """Read and lint a rule pack file."""
    text, name = read_text(path)
    return parse_pack(text, source=name)


def rule_problems(pack: RulePack, doc: Document) -> Sequence[Problem]:
    """The lint's problems for an already structured pack (used by `sgassure rules check`)."""
    return list(_iter_problems(pack, doc))
