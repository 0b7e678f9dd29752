"""Loading and linting rule packs: every problem located, all at once.

The lint runs as the pack loads: unknown fields and fact kinds, operators that
do not fit a field, values of another type than the field's (see
:data:`sgassure._facts.FACT_KINDS`), levels not on any scale of the pack's
framework, contradictory bounds in one condition, references to aliases not yet
bound or to fields of another type, duplicate ids, and conditions the engine
could not run safely.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import weakref
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
from sgassure.errors import LoadError, Location, Problem
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
# What a value of each field type is called in messages, in the order they are listed.
_EXPECTED = {
    "str": "a string",
    "int": "an integer",
    "number": "a number",
    "bool": "true or false",
    "date": "a date (YYYY-MM-DD)",
}
_ORDERED = ("int", "number", "date")  # field types that lt, le, gt and ge compare
_TEXT = ("str", "date")  # field types that matches reads (dates are held as YYYY-MM-DD text)
_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")


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
        self.group: Count | None = None  # the count of the rule being linted

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
        self.group = when.count
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
            cross += self.test(where, pattern.fact, name, test, bound)
        if cross > MAX_CROSS_REFERENCES:
            self.c.add(at, f"{cross} references to other facts; the engine takes at most {MAX_CROSS_REFERENCES}")

    def test(self, at: Path, kind: str, name: str, test: Test, bound: dict[str, str]) -> int:
        spec = FACT_KINDS[kind][name]
        is_level = spec.level
        before = len(self.c.problems)
        ops = test.operators()
        if not ops:
            self.c.add(at, "no operator given")
        level_ops = [op for op in ops if op in LEVEL_OPERATORS]
        if level_ops and not is_level:
            self.c.add((*at, level_ops[0]), f"'{level_ops[0]}' compares rating levels; field {name!r} is not a level")
        if test.reading is not None and is_level and name != "level":
            self.c.add(
                (*at, "reading"),
                f"'reading' applies only to the field 'level'; {name!r} already says which rating it reads: remove "
                f"'reading', or test 'level' with reading: {test.reading.value}",
            )
        elif test.reading is not None and not level_ops:
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
            if value is None:
                continue
            # a bare value is an eq the author did not write: report it at the value, as written
            path: Path = (*at, op) if op != "eq" or (*at, "eq") in self.c.doc.values else at
            if isinstance(value, str) and value.startswith("$"):
                cross += 1
                self.reference(path, value, bound, compared=(kind, name))
            elif not is_level:
                self.literal(path, kind, name, value)
        for op in ("in", "not_in"):
            values = getattr(test, "in_" if op == "in" else op)
            if values is not None and not values:
                self.c.add((*at, op), "an empty list matches nothing; remove the condition or give values")
            for k, value in enumerate(values or ()):
                if isinstance(value, str) and value.startswith("$"):
                    self.c.add(
                        (*at, op, k),
                        f"'{op}' takes plain values, not references like {value!r}; compare with another fact with "
                        "eq or ne",
                    )
                elif not is_level:
                    self.literal((*at, op, k), kind, name, value)
        if not is_level:
            self.operators(at, kind, name, test)
        if test.matches is not None:
            try:
                re.compile(test.matches)
            except re.error as exc:
                self.c.add((*at, "matches"), f"invalid regular expression: {exc}")
        if len(self.c.problems) == before:  # bounds of values of the wrong type would say nothing useful
            self.bounds(at, test)
        return cross

    def operators(self, at: Path, kind: str, name: str, test: Test) -> None:
        """Report operators that cannot hold on a field of this type (level operators are checked apart)."""
        type_name = FACT_KINDS[kind][name].type
        types = type_name.split("|")
        for op in DATE_OPERATORS:
            if getattr(test, op) is not None and "date" not in types:
                self.c.add((*at, op), f"'{op}' compares dates; {name!r} is {_a(type_name)} field of {kind!r}")
        for op in ("lt", "le", "gt", "ge"):
            if getattr(test, op) is not None and not set(types) & set(_ORDERED):
                self.c.add(
                    (*at, op), f"'{op}' compares numbers and dates; {name!r} is {_a(type_name)} field of {kind!r}"
                )
        if test.matches is not None and not set(types) & set(_TEXT):
            self.c.add((*at, "matches"), f"'matches' reads text; {name!r} is {_a(type_name)} field of {kind!r}")
        if test.exists is not None and "null" not in types:
            self.c.add(
                (*at, "exists"),
                f"{name!r} is {_a(type_name)} field of {kind!r} and always has a value, so "
                f"exists: {'true always' if test.exists else 'false never'} holds",
            )

    def literal(self, at: Path, kind: str, name: str, value: Any) -> None:
        """Report a value a field of this kind can never hold (so the test would match nothing, or anything)."""
        type_name = FACT_KINDS[kind][name].type
        if value is None or not _fits(type_name, value):
            self.c.add(
                at,
                f"expected {_expected(type_name)} ({name!r} is {_a(type_name)} field of {kind!r}); "
                f"got {_kind(value)}{_type_hint(type_name, value)}",
            )

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

    def reference(
        self, at: Path, value: str, bound: dict[str, str], *, compared: tuple[str, str] | None = None
    ) -> None:
        """Check a reference ``$alias.field``; ``compared`` is the (kind, field) a condition compares it with."""
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
        fields = self.alias_fields(bound[alias])
        if field not in fields:
            self.c.add(at, f"unknown field {field!r} of {bound[alias]!r}{did_you_mean(field, list(fields))}")
            return
        other = fields[field]
        if compared is not None and other is not None:
            kind, name = compared
            type_name = FACT_KINDS[kind][name].type
            if not _comparable(type_name, other):
                self.c.add(
                    at,
                    f"expected a reference to {_expected(type_name)} ({name!r} is {_a(type_name)} field of "
                    f"{kind!r}); got {value!r}, {_a(other)} field of {bound[alias]!r}",
                )

    def alias_fields(self, kind: str) -> dict[str, str | None]:
        """The fields a reference to a fact of ``kind`` can name, with their types (None: not known)."""
        if kind != "group":
            return {name: spec.type for name, spec in FACT_KINDS.get(kind, {}).items()}
        if self.group is None:
            return {}
        counted = FACT_KINDS.get(self.group.fact, {})
        fields: dict[str, str | None] = {f: counted[f].type if f in counted else None for f in self.group.by}
        return {**fields, "count": "int"}

    def bounds(self, at: Path, test: Test) -> None:
        """Report tests no value can pass: an empty interval, or eq against ne/in/not_in.

        Called only when every value fits the field's type, so the values compare (dates as ISO text).
        """
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
        if low and high and (_key(low[0]) > _key(high[0]) or (_key(low[0]) == _key(high[0]) and (low[1] or high[1]))):
            contradiction = (
                f"no value is {'>' if low[1] else '>='} {_show(low[0])} and {'<' if high[1] else '<='} {_show(high[0])}"
            )
        eq = test.eq
        if _literal(eq):
            if low and (_key(eq) < _key(low[0]) or (_key(eq) == _key(low[0]) and low[1])):
                contradiction = f"{_show(eq)} is not {'>' if low[1] else '>='} {_show(low[0])}"
            if high and (_key(eq) > _key(high[0]) or (_key(eq) == _key(high[0]) and high[1])):
                contradiction = f"{_show(eq)} is not {'<' if high[1] else '<='} {_show(high[0])}"
            if test.ne is not None and _key(test.ne) == _key(eq):
                contradiction = f"a value cannot both equal and differ from {_show(eq)}"
            if test.in_ is not None and _key(eq) not in {_key(v) for v in test.in_}:
                contradiction = f"{_show(eq)} is not among [{', '.join(_show(v) for v in test.in_)}]"
            if test.not_in is not None and _key(eq) in {_key(v) for v in test.not_in}:
                contradiction = f"{_show(eq)} is excluded by not_in"
        if (
            test.in_ is not None
            and test.not_in is not None
            and {_key(v) for v in test.in_} <= {_key(v) for v in test.not_in}
        ):
            contradiction = "not_in excludes every value that in allows"
        if contradiction:
            self.c.add(at, f"contradictory bounds: {contradiction}")

    def outcome(self, at: Path, rule: Rule, bound: dict[str, str]) -> None:
        finding, escalate = rule.then.finding, rule.then.escalate
        if finding is None and escalate is None:
            self.c.add(at, "a rule needs an outcome: a 'finding', an 'escalate', or both")
            return
        if finding is not None:
            self.template((*at, "finding"), finding.message, finding.subject, bound)
        if escalate is None:
            return
        if finding is None:
            if escalate.message is None:
                self.c.add(
                    (*at, "escalate"), "an escalation without a finding needs its own 'message' (a finding's form)"
                )
            if not escalate.subject:
                self.c.add(
                    (*at, "escalate"),
                    "an escalation without a finding needs its own 'subject', the fields that identify it "
                    "(e.g. [e.agency, e.cycle])",
                )
        elif escalate.subject:
            self.c.add(
                (*at, "escalate", "subject"),
                "the escalation of a finding takes the finding's subject: give 'subject' under 'finding', or remove "
                "'finding' to escalate without one",
            )
        self.template((*at, "escalate"), escalate.message or "", escalate.subject if finding is None else (), bound)

    def template(self, at: Path, message: str, subject: tuple[str, ...], bound: dict[str, str]) -> None:
        """Check a message template's placeholders and the subject's references (of a finding or an escalation)."""
        for placeholder in PLACEHOLDER.findall(message):
            if placeholder == "as_of":
                continue
            self.reference((*at, "message"), f"${placeholder}", bound)
        for k, ref in enumerate(subject):
            self.reference((*at, "subject", k), f"${ref}", bound)
            if "." in ref and ref.split(".", 1)[1] not in SUBJECT_KEYS:
                self.c.add((*at, "subject", k), f"subject fields are among {', '.join(SUBJECT_KEYS)}")

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


def _literal(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value.startswith("$")) and not isinstance(value, bool)


def _key(value: Any) -> Any:
    """A value as the engine compares it: numbers exactly, dates as their ISO text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else repr(value)


def _is_iso_date(value: str) -> bool:
    """Whether text is a date written YYYY-MM-DD, as the facts hold dates."""
    try:
        return dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _fits(type_name: str, value: Any) -> bool:
    """Whether a field of the type (``int``, ``str|null``...) can hold the value, as a fact holds it.

    Examples:
        >>> _fits("int", 3), _fits("int", 3.5), _fits("number", 3), _fits("str", 8.4)
        (True, False, True, False)
        >>> _fits("date", dt.date(2025, 4, 1)), _fits("date", "2025-04-01"), _fits("date", "1/4/2025")
        (True, True, False)
        >>> _fits("str|null", None), _fits("str", None), _fits("bool", 1)
        (True, False, False)
    """
    allowed = type_name.split("|")
    if value is None:
        return "null" in allowed
    if isinstance(value, bool):
        return "bool" in allowed
    if isinstance(value, int):
        return "int" in allowed or "number" in allowed
    if isinstance(value, float):
        return "number" in allowed
    if isinstance(value, dt.datetime):
        return False
    if isinstance(value, dt.date):
        return "date" in allowed
    return isinstance(value, str) and ("str" in allowed or ("date" in allowed and _is_iso_date(value)))


def _expected(type_name: str) -> str:
    """What a field of the type holds, for a message: ``a string``, ``an integer or a date (YYYY-MM-DD)``."""
    allowed = type_name.split("|")
    return " or ".join(text for name, text in _EXPECTED.items() if name in allowed)


def _a(type_name: str) -> str:
    """The type's name with its article: ``an int``, ``a str|null``."""
    return f"{'an' if type_name[0] in 'aeiou' else 'a'} {type_name}"


def _type_hint(type_name: str, value: Any) -> str:
    """How to write a value of the wrong type as the field's type, when that is plain."""
    allowed = type_name.split("|")
    if value is None:
        return "; test for a missing value with exists: false"
    if "str" in allowed and isinstance(value, bool | int | float | dt.date):
        return "; quote it if you mean the text"
    if isinstance(value, str) and (
        (set(allowed) & {"int", "number"} and _NUMBER.match(value))
        or ("bool" in allowed and value in ("true", "false"))
    ):
        return "; write it without quotes"
    return ""


def _comparable(type_name: str, other: str) -> bool:
    """Whether fields of two types can hold equal values (integers and numbers compare as numbers)."""

    def kinds(name: str) -> set[str]:
        return {"number" if t == "int" else t for t in name.split("|") if t != "null"}

    return bool(kinds(type_name) & kinds(other))


def _iter_problems(pack: RulePack, doc: Document) -> Iterator[Problem]:
    yield from _Lint(pack, doc).run()


# Where each pack read from text was written, by the pack object's id, for problems found later (when a run
# compiles the pack against a workspace); an entry goes when its pack is collected.
_DOCUMENTS: dict[int, Document] = {}


def pack_location(pack: RulePack, path: Sequence[str | int]) -> Location:
    """Where ``path`` of a pack was written: file, line and column if the pack was read from text.

    A pack built in Python (or changed with ``attrs.evolve``) has no text: it is
    named ``pack ID`` instead.
    """
    doc = _DOCUMENTS.get(id(pack))
    return doc.locate(tuple(path)) if doc is not None else Location(file=f"pack {pack.id}")


def parse_pack(text: str, *, source: str = "<string>") -> RulePack:
    """Read and lint a rule pack."""
    doc = parse_document(text, source=source)
    pack = structure_document(doc, RulePack)
    problems = list(_iter_problems(pack, doc))
    if problems:
        raise LoadError(problems)
    _DOCUMENTS[id(pack)] = doc
    weakref.finalize(pack, _DOCUMENTS.pop, id(pack), None)
    return pack


def load_pack(path: str | os.PathLike[str]) -> RulePack:
    """Read and lint a rule pack file."""
    text, name = read_text(path)
    return parse_pack(text, source=name)


def rule_problems(pack: RulePack, doc: Document) -> Sequence[Problem]:
    """The lint's problems for an already structured pack (used by `sgassure rules check`)."""
    return list(_iter_problems(pack, doc))
