"""The rule-pack language reference (docs/rule-packs.md): its examples load, and it has one for every form.

Each ```` ```yaml ```` block of the page is one of three things: a whole pack
(it has ``version:``), a single rule (it starts with ``id:``) or a condition (it
starts with ``when:``, optionally followed by ``then:``). Rules and conditions
are wrapped into a minimal Section 11 pack. Every block must load with
:func:`sgassure.parse_rule_pack`, which lints as it loads; whole packs must pass
their own test cases with complete coverage; and every field, operator and
enumerated value of the rule-pack model must appear in at least one example.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import textwrap
import typing
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest

from sgassure import example_workspace_path, load_workspace, parse_rule_pack, run_audit, run_pack_tests
from sgassure._compile import _ANCHORS
from sgassure.rules import DATE_OPERATORS, LEVEL_OPERATORS, DaysBefore, Reading, RulePack, Test
from sgassure.workspace import Workspace

PAGE = Path(__file__).resolve().parent.parent / "docs" / "rule-packs.md"
_FENCE = re.compile(r"^```yaml[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_PACK_HEAD = "version: 1\nid: snippet\ntitle: A reference example\nframework: section-11\nrules:\n"
_RULE_HEAD = "  - id: snippet.rule\n    title: A reference example\n    severity: low\n    source: the reference\n"
_THEN = "    then:\n      finding:\n        message: matched\n"


@attrs.frozen
class Example:
    """One yaml block of the page: its line, what it is, and the pack text it stands for."""

    line: int
    kind: str  # "pack", "rule" or "condition"
    text: str


def _first_key(body: str) -> str:
    for line in body.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.split(":", 1)[0]
    return ""


def _examples() -> list[Example]:
    page = PAGE.read_text(encoding="utf-8")
    out = []
    for match in _FENCE.finditer(page):
        body = match.group("body")
        line = page.count("\n", 0, match.start()) + 1
        first = _first_key(body)
        if re.search(r"^version:", body, re.MULTILINE):
            out.append(Example(line, "pack", body))
        elif first == "id":
            out.append(Example(line, "rule", _PACK_HEAD + "  - " + textwrap.indent(body, "    ")[4:]))
        elif first == "when":
            then = "" if re.search(r"^then:", body, re.MULTILINE) else _THEN
            out.append(Example(line, "condition", _PACK_HEAD + _RULE_HEAD + textwrap.indent(body, "    ") + then))
        else:
            out.append(Example(line, f"unrecognised (first key {first!r})", body))
    return out


EXAMPLES = _examples()


@cache
def _pack(example: Example) -> RulePack:
    return parse_rule_pack(example.text, source=f"docs/rule-packs.md:{example.line}")


def _walk(value: Any) -> Iterator[Any]:
    """Every attrs instance and enum member reachable from a value, the value included."""
    yield value
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _walk(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)


def _model(cls: type) -> set[type]:
    """The attrs classes and enums a class's fields can hold, found from their type hints, the class included."""
    found: set[type] = {cls}
    hints = typing.get_type_hints(cls)

    def collect(hint: Any) -> None:
        if isinstance(hint, type) and (attrs.has(hint) or issubclass(hint, enum.Enum)) and hint not in found:
            found.add(hint)
            if attrs.has(hint):
                found.update(_model(hint))
        for arg in typing.get_args(hint):
            collect(arg)

    for field in attrs.fields(cls):
        collect(hints[field.name])
    return found


def _key(field: Any) -> str:
    return str(field.metadata.get("key", field.name))


# Date operands are typed Any on Test (they take 'as_of', a date or DaysBefore), so DaysBefore is added by hand.
MODEL = sorted(_model(RulePack) | {DaysBefore}, key=lambda c: c.__name__)


def test_the_page_has_examples_of_every_shape() -> None:
    """The reference shows whole packs, single rules and conditions, and no yaml block of another shape."""
    kinds = [e.kind for e in EXAMPLES]
    assert {"pack", "rule", "condition"} <= set(kinds)
    assert [f"line {e.line}: {e.kind}" for e in EXAMPLES if e.kind not in ("pack", "rule", "condition")] == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"line{e.line}-{e.kind}")
def test_each_example_loads_and_passes_the_linter(example: Example) -> None:
    """Every yaml example, wrapped into a pack if it is a rule or a condition, loads without a problem."""
    assert example.kind in ("pack", "rule", "condition")
    pack = _pack(example)
    assert pack.rules


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.kind == "pack"], ids=lambda e: f"line{e.line}")
def test_each_whole_pack_passes_its_own_tests_with_complete_coverage(example: Example) -> None:
    """A whole pack shown in the reference has test cases, all of which pass, and every rule fires and stays silent."""
    pack = _pack(example)
    report = run_pack_tests(pack)
    assert pack.tests
    assert [c.name for c in report.cases if not c.passed] == []
    assert (report.never_fired, report.never_silent, report.uncovered_requirements) == ((), (), ())


@cache
def _workspace() -> Workspace:
    return load_workspace(example_workspace_path())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"line{e.line}-{e.kind}")
def test_each_example_runs_on_the_example_workspace(example: Example) -> None:
    """Every example runs on the example workspace: its escalation concerns and policy parameters exist there."""
    pack = _pack(example)
    result = run_audit(_workspace(), [pack], as_of=dt.date(2025, 9, 30))
    assert {f.rule for f in result.findings} <= {r.id for r in pack.rules}


def test_every_field_and_value_of_the_model_has_an_example() -> None:
    """Every key of every class of the rule-pack model, and every value of its enumerations, is used by an example."""
    seen: set[tuple[str, str]] = set()
    members: set[enum.Enum] = set()
    for example in EXAMPLES:
        for value in _walk(_pack(example)):
            if isinstance(value, enum.Enum):
                members.add(value)
            elif attrs.has(type(value)):
                for field in attrs.fields(type(value)):
                    current = getattr(value, field.name)
                    default = field.default.factory() if isinstance(field.default, attrs.Factory) else field.default
                    if field.default is attrs.NOTHING or current != default:
                        seen.add((type(value).__name__, _key(field)))
    expected = {(cls.__name__, _key(f)) for cls in MODEL if attrs.has(cls) for f in attrs.fields(cls)}
    assert sorted(expected - seen) == []
    every_member = {m for cls in MODEL if issubclass(cls, enum.Enum) for m in cls}
    assert sorted(str(m) for m in every_member - members) == []


def test_every_operand_form_has_an_example() -> None:
    """Level operators meet every anchor and a level id; date operators every kind of date; comparisons a reference."""
    tests = [v for e in EXAMPLES for v in _walk(_pack(e)) if isinstance(v, Test)]
    levels = {getattr(t, op) for t in tests for op in LEVEL_OPERATORS if getattr(t, op) is not None}
    assert set(_ANCHORS) <= levels
    assert levels - set(_ANCHORS), "no level operator takes a level id"
    dates = [getattr(t, op) for t in tests for op in DATE_OPERATORS if getattr(t, op) is not None]
    forms = {
        "as_of" if d == "as_of" else type(d).__name__ if not isinstance(d, DaysBefore) else f"days:{d.days is not None}"
        for d in dates
    }
    assert forms == {"as_of", "date", "days:True", "days:False"}
    readings = {t.reading for t in tests if t.reading is not None}
    assert readings == set(Reading)
    references = {
        op for t in tests for op in ("eq", "ne", "lt", "le", "gt", "ge") if str(getattr(t, op)).startswith("$")
    }
    assert {"eq"} < references, "no example compares with another fact other than by equality"


def test_every_message_placeholder_form_has_an_example() -> None:
    """Messages (of findings and of escalations) quote a fact's field, a count's group and the audit date."""
    outcomes = [(r.then.finding, r.then.escalate) for e in EXAMPLES for r in _pack(e).rules]
    messages = [spec.message for pair in outcomes for spec in pair if spec is not None and spec.message is not None]
    assert any("{as_of}" in m for m in messages)
    assert any(re.search(r"\{group\.count\}", m) for m in messages)
    assert any(re.search(r"\{[a-z_]+\.[a-z_]+\}", m) for m in messages)
