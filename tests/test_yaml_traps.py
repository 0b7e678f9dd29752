"""YAML traps are refused with located errors, never coerced."""

from __future__ import annotations

import pytest

import sgassure


def _error(text: str) -> str:
    with pytest.raises(sgassure.LoadError) as info:
        sgassure.parse_cycle(text, source="cycles/c.yaml")
    return str(info.value)


CYCLE = """\
version: 1
id: c
title: {title}
framework: section-11
framework_version: "2023"
opens: 2024-03-01
deadline: 2024-05-31
"""


def test_no_for_a_string_is_refused() -> None:
    """`title: no` is a boolean to YAML and is refused, not turned into the text 'False'."""
    assert _error(CYCLE.format(title="no")) == (
        "cycles/c.yaml:3:8: title: expected a string; got a boolean (false) (quote it if you mean the text)"
    )


def test_a_quoted_no_is_a_string() -> None:
    """Quoting `'no'` makes it text, as the error message suggests."""
    assert sgassure.parse_cycle(CYCLE.format(title="'no'")).title == "no"


def test_decimal_for_an_integer_is_refused() -> None:
    """`2.9` where an integer is expected is refused, not truncated to 2."""
    with pytest.raises(sgassure.LoadError) as info:
        sgassure.parse_practitioner_audit(
            "version: 1\nid: p\ntitle: P\nframework: section-11\nframework_version: '2023'\ndate: 2024-01-01\n"
            "results:\n  - {agency: a, question: PQ1, respondents: 2.9, agreed: 1}\n",
            source="pa.yaml",
        )
    assert str(info.value) == "pa.yaml:8:45: results[0].respondents: expected an integer; got a decimal number (2.9)"


def test_null_for_a_required_field_is_refused() -> None:
    """`~` for a required string is refused as nothing, not read as the text 'None'."""
    assert _error(CYCLE.format(title="~")) == "cycles/c.yaml:3:8: title: expected a string; got nothing (null)"


def test_duplicate_key_is_refused() -> None:
    """A key written twice is an error naming both places, not a silent overwrite."""
    text = CYCLE.format(title="First") + "title: Second\n"
    assert _error(text) == "cycles/c.yaml:8:1: title: duplicate key 'title' (first written at line 3, column 1)"


def test_python_object_tag_is_refused() -> None:
    """A `!!python/object` tag is refused by the safe reader, and nothing is constructed."""
    text = CYCLE.format(title="!!python/object/apply:os.system ['echo hacked']")
    assert _error(text) == (
        "cycles/c.yaml:3:8: title: YAML tag '!!python/object/apply:os.system' is not allowed; "
        "only plain values, lists and mappings are read"
    )


def test_merge_keys_are_refused() -> None:
    """A YAML merge key is refused, since it silently overrides fields."""
    text = "version: 1\nbase: &b {id: c}\n<<: *b\n"
    assert _error(text) == "cycles/c.yaml:3:1: YAML merge keys ('<<') are not allowed; write the fields out"


def test_syntax_error_is_located() -> None:
    """A YAML syntax error names the place the parser stopped."""
    assert _error("version: 1\nid: [c\n") == (
        "cycles/c.yaml:3:1: YAML syntax: while parsing a flow sequence expected ',' or ']', but got '<stream end>'"
    )


def test_date_and_time_for_a_date_is_refused() -> None:
    """A timestamp with a time is refused where a date is expected."""
    text = CYCLE.format(title="T").replace("opens: 2024-03-01", "opens: 2024-03-01 10:00:00")
    assert _error(text) == (
        "cycles/c.yaml:6:8: opens: expected a date (YYYY-MM-DD); got a date and time (2024-03-01T10:00:00)"
    )


def test_impossible_date_is_refused() -> None:
    """A date that does not exist is an error at its place."""
    text = CYCLE.format(title="T").replace("2024-05-31", "2024-02-30")
    assert (
        _error(text)
        == "cycles/c.yaml:7:11: deadline: unreadable timestamp value '2024-02-30' (day is out of range for month)"
    )


def test_missing_version_is_refused() -> None:
    """A file without `version: 1` is refused."""
    text = CYCLE.format(title="T").replace("version: 1\n", "")
    assert _error(text) == "cycles/c.yaml:1:1: required field 'version' missing; write 'version: 1' at the top"


def test_unknown_version_is_refused() -> None:
    """A file of another format version is refused."""
    text = CYCLE.format(title="T").replace("version: 1", "version: 2")
    assert _error(text) == "cycles/c.yaml:1:10: version: unsupported file version 2; this sgassure reads version 1"


def test_all_problems_are_reported_at_once() -> None:
    """Several problems in one file are reported together, in document order."""
    text = CYCLE.format(title="no").replace("framework: section-11", "framwork: section-11")
    assert _error(text).splitlines() == [
        "cycles/c.yaml:1:1: framework: required field missing",
        "cycles/c.yaml:3:8: title: expected a string; got a boolean (false) (quote it if you mean the text)",
        "cycles/c.yaml:4:1: framwork: unknown field; did you mean 'framework'?",
    ]
