"""Bad rule packs give located errors with the whole message; the lint catches what cannot run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from tests.conftest import DEMO_PACK_HEAD as HEAD
from tests.conftest import DEMO_RULE as RULE

import sgassure
from sgassure._facts import FACT_KINDS, build_facts


def _error(text: str) -> list[str]:
    with pytest.raises(sgassure.LoadError) as info:
        sgassure.parse_rule_pack(text, source="rules/demo.yaml")
    return str(info.value).splitlines()


def test_good_pack_loads() -> None:
    """The pack the other tests break loads cleanly."""
    assert sgassure.parse_rule_pack(HEAD + RULE).rules[0].id == "demo.below"


def test_unknown_field() -> None:
    """An unknown key in a rule is an error with a hint."""
    assert _error(HEAD + RULE.replace("    severity: medium", "    severity: medium\n    sevrity: high")) == [
        "rules/demo.yaml:9:5: rules[0].sevrity: unknown field; did you mean 'severity'?",
    ]


def test_level_not_on_the_scale() -> None:
    """A level the framework's scale does not have is refused, listing the levels."""
    assert _error(HEAD + RULE.replace("below: threshold", "below: partial")) == [
        "rules/demo.yaml:15:28: rules[0].when.all[0].where.level.below: level 'partial' is not on the scale of "
        "section-11 version 2023, 2025; expected 'threshold', 'lowest', 'highest' or one of 'fully', 'mostly', "
        "'not', 'partly'; did you mean 'partly'?",
    ]


def test_malformed_condition() -> None:
    """A condition that is neither a value nor a mapping of operators is refused."""
    assert _error(HEAD + RULE.replace("level: {below: threshold}", "evidence: [1, 2]")) == [
        "rules/demo.yaml:15:23: rules[0].when.all[0].where.evidence: expected a value or a mapping of operators; "
        "got a list",
    ]


def test_unknown_operator() -> None:
    """An unknown operator is an unknown field of the condition, with a hint."""
    assert _error(HEAD + RULE.replace("level: {below: threshold}", "evidence: {gte: 1}")) == [
        "rules/demo.yaml:15:24: rules[0].when.all[0].where.evidence.gte: unknown field; did you mean 'gt'?",
    ]


def test_unknown_severity() -> None:
    """A severity outside the scale is refused with the choices."""
    assert _error(HEAD + RULE.replace("severity: medium", "severity: severe")) == [
        "rules/demo.yaml:8:15: rules[0].severity: expected one of 'info', 'low', 'medium', 'high', 'critical'; "
        "got 'severe'",
    ]


def test_duplicate_rule_id() -> None:
    """Two rules with one id are refused at the second."""
    assert _error(HEAD + RULE + RULE) == [
        "rules/demo.yaml:18:9: rules[1].id: duplicate rule id 'demo.below' (first given at line 6)",
    ]


def test_contradictory_bounds() -> None:
    """Bounds no value can meet in one condition are refused."""
    assert _error(HEAD + RULE.replace("level: {below: threshold}", "evidence: {gt: 3, lt: 2}")) == [
        "rules/demo.yaml:15:23: rules[0].when.all[0].where.evidence: contradictory bounds: no value is > 3 and < 2",
    ]


def test_fact_kind_no_loader_produces() -> None:
    """A pattern over a kind of fact nothing produces is refused with the kinds that exist."""
    assert _error(HEAD + RULE.replace("fact: rating", "fact: ratings")) == [
        "rules/demo.yaml:12:17: rules[0].when.all[0].fact: no loader produces facts of kind 'ratings'; "
        "did you mean 'rating'?; expected one of 'action', 'assessment', 'case-finding', 'expected-return', "
        "'finding', 'gap', 'indicator', 'rating', 'survey-result'",
    ]


def test_unknown_fact_field() -> None:
    """A field the fact kind does not have is refused with a hint."""
    assert _error(HEAD + RULE.replace("level: {below: threshold}", "requirment: '1.1'")) == [
        "rules/demo.yaml:15:13: rules[0].when.all[0].where.requirment: unknown field of 'rating'; "
        "did you mean 'requirement'?",
    ]


def test_reference_to_an_unbound_alias() -> None:
    """A join may only refer to an alias bound earlier in the rule."""
    assert _error(HEAD + RULE.replace("level: {below: threshold}", "agency: $a.agency")) == [
        "rules/demo.yaml:15:21: rules[0].when.all[0].where.agency: unknown alias 'a': bind it in an earlier "
        "pattern of 'all'",
    ]


def test_message_placeholder_is_checked() -> None:
    """A message quoting a field that does not exist is refused."""
    assert _error(HEAD + RULE.replace("{r.requirement}", "{r.requirment}")) == [
        "rules/demo.yaml:17:26: rules[0].then.finding.message: unknown field 'requirment' of 'rating'; "
        "did you mean 'requirement'?",
    ]


def test_level_operator_on_a_plain_field() -> None:
    """Level operators only compare rating levels."""
    assert _error(HEAD + RULE.replace("level: {below: threshold}", "agency: {below: threshold}")) == [
        "rules/demo.yaml:15:29: rules[0].when.all[0].where.agency.below: 'below' compares rating levels; "
        "field 'agency' is not a level",
    ]


def test_absence_over_findings_is_refused() -> None:
    """Absence of findings cannot be judged while findings are still being made."""
    rule = RULE.replace(
        "    then:",
        "      none:\n        - fact: finding\n          where: {agency: $r.agency}\n    then:",
    )
    assert _error(HEAD + rule) == [
        "rules/demo.yaml:17:17: rules[0].when.none[0].fact: absence of findings is not supported: findings are "
        "still being made while rules run",
    ]


def test_python_object_tag_in_a_pack_is_refused() -> None:
    """Rule packs are data: an object-constructing tag never runs."""
    assert _error(HEAD + RULE.replace("title: Below threshold", "title: !!python/object/apply:os.system [ls]")) == [
        "rules/demo.yaml:7:12: rules[0].title: YAML tag '!!python/object/apply:os.system' is not allowed; only "
        "plain values, lists and mappings are read",
    ]


def test_escalation_concern_must_be_in_the_policy(example_ws: sgassure.Workspace) -> None:
    """A pack escalating a concern the partnership's policy does not name cannot run on it."""
    rule = RULE.replace(
        '      finding: {message: "{r.agency} {r.requirement}"}',
        ('      finding: {message: "{r.agency}"}\n      escalate: {concern: recurring-gaps}'),
    )
    pack = sgassure.parse_rule_pack(HEAD + rule)
    with pytest.raises(sgassure.LoadError) as info:
        sgassure.run_audit(example_ws, [pack], as_of=__import__("datetime").date(2025, 9, 30))
    line = (HEAD + rule).splitlines().index("      escalate: {concern: recurring-gaps}") + 1
    assert str(info.value).startswith(
        f"<string>:{line}:27: rules[0].then.escalate.concern: the partnership's escalation policy names no body for "
        "concern 'recurring-gaps'; it has "
    )
    built = attrs.evolve(pack, title="Built in Python")  # no text behind it: named by its id
    with pytest.raises(sgassure.LoadError) as unlocated:
        sgassure.run_audit(example_ws, [built], as_of=__import__("datetime").date(2025, 9, 30))
    assert str(unlocated.value).startswith("pack demo: rules[0].then.escalate.concern: ")


def test_rules_check_command(capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    """`sgassure rules check` accepts a good pack and reports a bad one with exit code 2."""
    from pathlib import Path

    from sgassure.cli import main

    folder = Path(str(tmp_path))
    good, bad = folder / "good.yaml", folder / "bad.yaml"
    good.write_text(HEAD + RULE)
    bad.write_text(HEAD + RULE.replace("severity: medium", "severity: severe"))
    assert main(["rules", "check", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: pack 'demo' is well formed (1 rules, 0 test cases)\n"
    assert main(["rules", "check", str(bad)]) == 2
    assert capsys.readouterr().err.endswith(
        f"{bad}:8:15: rules[0].severity: expected one of 'info', 'low', 'medium', 'high', 'critical'; got 'severe'\n"
    )


def test_reference_page_lists_every_fact_field() -> None:
    """The rule-pack reference documents every fact kind and field, as the code defines them."""
    from pathlib import Path

    from sgassure._facts import FACT_KINDS

    page = (Path(__file__).parent.parent / "docs" / "rule-packs.md").read_text()
    for kind, fields in FACT_KINDS.items():
        assert f"### `{kind}`" in page
        for name, spec in fields.items():
            assert f"| `{name}` | {spec.type} | {spec.doc} |" in page, f"{kind}.{name}"


def test_pack_file_that_is_not_utf8_is_a_located_error(tmp_path: object) -> None:
    """A rule pack file that is not UTF-8 text is a LoadError naming the file, not a decoding crash."""
    from pathlib import Path

    bad = Path(str(tmp_path)) / "latin1.yaml"
    bad.write_bytes((HEAD + RULE).replace("Below threshold", "Below threshold \u00e9").encode("latin-1"))
    with pytest.raises(sgassure.LoadError) as info:
        sgassure.load_rule_pack(bad)
    assert str(info.value) == f"{bad}: not UTF-8 text (invalid continuation byte)"


def _where(condition: str, *, fact: str = "rating") -> str:
    """The demo pack with the rating pattern's condition replaced (and its kind, if ``fact`` is given)."""
    rule = RULE if fact == "rating" else RULE.replace('"{r.agency} {r.requirement}"', "found")
    return HEAD + rule.replace("fact: rating", f"fact: {fact}").replace("level: {below: threshold}", condition)


def test_number_for_a_text_field() -> None:
    """A number where the field holds text would match nothing: it is refused, with the field's type."""
    assert _error(_where("requirement: 8.4")) == [
        "rules/demo.yaml:15:26: rules[0].when.all[0].where.requirement: expected a string ('requirement' is a str "
        "field of 'rating'); got a decimal number (8.4); quote it if you mean the text",
    ]


def test_date_operator_on_a_number_field() -> None:
    """A date operator on a number field would compare a count with a date: it is refused."""
    assert _error(_where("evidence: {before: as_of}")) == [
        "rules/demo.yaml:15:32: rules[0].when.all[0].where.evidence.before: 'before' compares dates; 'evidence' is "
        "an int field of 'rating'",
    ]


@pytest.mark.parametrize(("field", "column"), [("self_level", 53), ("moderated_level", 58), ("effective_level", 58)])
def test_reading_on_a_field_that_names_its_rating(field: str, column: int) -> None:
    """'reading' on self_level, moderated_level or effective_level would be ignored: it is refused."""
    assert _error(_where(f"{field}: {{below: threshold, reading: moderated}}")) == [
        f"rules/demo.yaml:15:{column}: rules[0].when.all[0].where.{field}.reading: 'reading' applies only to the "
        f"field 'level'; {field!r} already says which rating it reads: remove 'reading', or test 'level' with "
        "reading: moderated",
    ]


def test_every_value_of_a_condition_is_checked_against_the_field() -> None:
    """Values of ne, lt..ge and every member of in and not_in are checked; bounds of ill-typed values are not."""
    condition = (
        "evidence: {ge: '3', lt: two, in: [1, 2.5, null]}\n"
        "            latest: {ne: 'true'}\n"
        "            agency: {not_in: [fen-police, 7]}"
    )
    assert _error(_where(condition)) == [
        "rules/demo.yaml:15:28: rules[0].when.all[0].where.evidence.ge: expected an integer ('evidence' is an int "
        "field of 'rating'); got a string ('3'); write it without quotes",
        "rules/demo.yaml:15:37: rules[0].when.all[0].where.evidence.lt: expected an integer ('evidence' is an int "
        "field of 'rating'); got a string ('two')",
        "rules/demo.yaml:15:50: rules[0].when.all[0].where.evidence.in[1]: expected an integer ('evidence' is an int "
        "field of 'rating'); got a decimal number (2.5)",
        "rules/demo.yaml:15:55: rules[0].when.all[0].where.evidence.in[2]: expected an integer ('evidence' is an int "
        "field of 'rating'); got nothing (null); test for a missing value with exists: false",
        "rules/demo.yaml:16:26: rules[0].when.all[0].where.latest.ne: expected true or false ('latest' is a bool "
        "field of 'rating'); got a string ('true'); write it without quotes",
        "rules/demo.yaml:17:43: rules[0].when.all[0].where.agency.not_in[1]: expected a string ('agency' is a str "
        "field of 'rating'); got an integer (7); quote it if you mean the text",
    ]


def test_operators_that_cannot_hold_on_the_fields_type() -> None:
    """Ordering text, dates of a flag, patterns over numbers and presence of an always-given field are refused."""
    condition = (
        "requirement: {lt: '9.1'}\n"
        "            latest: {after: 2025-01-01}\n"
        "            evidence: {matches: '1.*'}\n"
        "            agency: {exists: false}\n"
        "            cycle: {exists: true}"
    )
    assert _error(_where(condition)) == [
        "rules/demo.yaml:15:31: rules[0].when.all[0].where.requirement.lt: 'lt' compares numbers and dates; "
        "'requirement' is a str field of 'rating'",
        "rules/demo.yaml:16:29: rules[0].when.all[0].where.latest.after: 'after' compares dates; 'latest' is a bool "
        "field of 'rating'",
        "rules/demo.yaml:17:33: rules[0].when.all[0].where.evidence.matches: 'matches' reads text; 'evidence' is an "
        "int field of 'rating'",
        "rules/demo.yaml:18:30: rules[0].when.all[0].where.agency.exists: 'agency' is a str field of 'rating' and "
        "always has a value, so exists: false never holds",
        "rules/demo.yaml:19:29: rules[0].when.all[0].where.cycle.exists: 'cycle' is a str field of 'rating' and "
        "always has a value, so exists: true always holds",
    ]


def test_dates_are_dates_or_their_iso_text() -> None:
    """A date field takes a date or YYYY-MM-DD text (as facts hold dates); other text and times are refused."""
    good = "due: {ne: 2025-06-30, in: ['2025-07-31', 2025-08-31], gt: 2025-01-01, le: '2025-12-31'}"
    assert sgassure.parse_rule_pack(_where(good, fact="action")).rules[0].when.all[0].where["due"].gt == dt.date(
        2025, 1, 1
    )
    assert _error(_where("due: {ne: 30/06/2025, lt: 2025-06-30 10:00:00}", fact="action")) == [
        "rules/demo.yaml:15:23: rules[0].when.all[0].where.due.ne: expected a date (YYYY-MM-DD) ('due' is a date "
        "field of 'action'); got a string ('30/06/2025')",
        "rules/demo.yaml:15:39: rules[0].when.all[0].where.due.lt: expected a date (YYYY-MM-DD) ('due' is a date "
        "field of 'action'); got a date and time (2025-06-30T10:00:00)",
    ]


def test_bounds_compare_dates_written_either_way() -> None:
    """Bounds on a date field compare dates and their ISO text alike, and show them as dates."""
    assert _error(_where("due: {gt: '2025-07-01', lt: 2025-06-30}", fact="action")) == [
        "rules/demo.yaml:15:18: rules[0].when.all[0].where.due: contradictory bounds: no value is > '2025-07-01' "
        "and < 2025-06-30",
    ]
    assert _error(_where("due: {eq: 2025-06-30, not_in: ['2025-06-30']}", fact="action")) == [
        "rules/demo.yaml:15:18: rules[0].when.all[0].where.due: contradictory bounds: 2025-06-30 is excluded by not_in",
    ]


def test_numbers_compare_whole_and_decimal_alike() -> None:
    """A number field takes integers and decimals; an integer field refuses decimals and booleans."""
    pack = sgassure.parse_rule_pack(_where("agreement: {gt: 49.5, le: 100}", fact="survey-result"))
    assert pack.rules[0].when.all[0].where["agreement"].le == 100
    assert _error(_where("evidence: {gt: 0.5, ne: true}")) == [
        "rules/demo.yaml:15:28: rules[0].when.all[0].where.evidence.gt: expected an integer ('evidence' is an int "
        "field of 'rating'); got a decimal number (0.5)",
        "rules/demo.yaml:15:37: rules[0].when.all[0].where.evidence.ne: expected an integer ('evidence' is an int "
        "field of 'rating'); got a boolean (true)",
    ]


def test_references_compare_fields_of_one_type() -> None:
    """A reference must name a field whose values can equal the compared field's (integers and numbers can)."""
    join = (
        "level: {below: threshold}\n"
        "        - fact: action\n"
        "          where: {agency: $r.agency, days_overdue: {gt: $r.requirement}, requirement: $r.evidence, "
        "action: {ne: $r.comment}}\n"
        "        - fact: survey-result\n"
        "          where: {agency: $r.agency, agreement: {lt: $r.fresh_evidence}}"
    )
    assert _error(_where(join)) == [
        "rules/demo.yaml:17:57: rules[0].when.all[1].where.days_overdue.gt: expected a reference to an integer "
        "('days_overdue' is an int field of 'action'); got '$r.requirement', a str field of 'rating'",
        "rules/demo.yaml:17:87: rules[0].when.all[1].where.requirement: expected a reference to a string "
        "('requirement' is a str field of 'action'); got '$r.evidence', an int field of 'rating'",
    ]


def test_references_are_not_list_members() -> None:
    """in and not_in take plain values: a reference in the list is refused, not compared as text."""
    join = "level: {below: threshold}\n        - fact: action\n          where: {agency: {in: [$r.agency]}}"
    assert _error(_where(join)) == [
        "rules/demo.yaml:17:33: rules[0].when.all[1].where.agency.in[0]: 'in' takes plain values, not references "
        "like '$r.agency'; compare with another fact with eq or ne",
    ]


def test_group_fields_are_the_by_fields_and_count() -> None:
    """A count's group has its by fields and count: another field is unknown, and count compares as an integer."""
    rule = """\
  - id: demo.many
    title: Many gaps
    severity: high
    source: S
    when:
      count: {fact: rating, where: {level: {below: threshold}}, by: [agency, cycle], at_least: 2}
      all:
        - fact: assessment
          where: {agency: $group.agency, cycle: $group.count}
    then:
      finding: {message: "{group.agency} has {group.count} gaps in {group.standard}"}
"""
    assert _error(HEAD + rule) == [
        "rules/demo.yaml:14:49: rules[0].when.all[0].where.cycle: expected a reference to a string ('cycle' is a str "
        "field of 'assessment'); got '$group.count', an int field of 'group'",
        "rules/demo.yaml:16:26: rules[0].then.finding.message: unknown field 'standard' of 'group'",
    ]


def test_given_fact_dates_are_checked() -> None:
    """A test case's given date is a date or YYYY-MM-DD text, as facts hold dates."""
    tests = """\
tests:
  - name: dates
    as_of: 2025-09-30
    given:
      - {fact: action, due: 30/06/2025}
      - {fact: action, due: "2025-06-30"}
      - {fact: action, due: 2025-06-30}
"""
    assert _error(HEAD + RULE + tests) == [
        "rules/demo.yaml:22:29: tests[0].given[0].due: expected date; got a string ('30/06/2025')",
    ]


def test_every_value_the_facts_hold_can_be_written_in_a_condition(example_ws: sgassure.Workspace) -> None:
    """For every field of every fact of the example workspace, a condition equal to a value it holds loads."""
    seen: dict[tuple[str, str], Any] = {}
    for fact in build_facts(example_ws, dt.date(2025, 9, 30)):
        for name, value in fact.items():
            if name in FACT_KINDS[fact["kind"]] and value is not None:
                seen.setdefault((fact["kind"], name), value)
    assert {kind for kind, _ in seen} == set(FACT_KINDS) - {"finding"}
    for (kind, name), value in sorted(seen.items()):
        if FACT_KINDS[kind][name].level:
            continue
        written = repr(value) if isinstance(value, str) else str(value).lower()
        sgassure.parse_rule_pack(_where(f"{name}: {{eq: {written}, in: [{written}]}}", fact=kind))


ESCALATE_ONLY = """\
  - id: demo.late
    title: A late return
    severity: high
    source: Working Together to Safeguard Children
    when:
      all:
        - fact: assessment
          as: s
          where: {late: true}
    then:
      escalate:
        concern: no-return
        subject: [s.agency, s.cycle]
        message: "{s.agency_name} returned {s.cycle} late, on {s.submitted}"
"""


def test_a_rule_may_escalate_without_a_finding() -> None:
    """`then` with only `escalate` (its own message and subject) loads as an escalation-only outcome."""
    rule = sgassure.parse_rule_pack(HEAD + ESCALATE_ONLY).rules[0]
    assert rule.then == sgassure.rules.Outcome(
        finding=None,
        escalate=sgassure.rules.Escalate(
            concern="no-return",
            message="{s.agency_name} returned {s.cycle} late, on {s.submitted}",
            subject=("s.agency", "s.cycle"),
        ),
    )
    assert rule.then.escalation_only


def test_an_escalated_finding_may_have_an_escalation_message_of_its_own() -> None:
    """With both a finding and an escalation, `escalate.message` is allowed and checked like the finding's."""
    rule = RULE.replace(
        '      finding: {message: "{r.agency} {r.requirement}"}',
        '      finding: {message: "{r.agency} {r.requirement}"}\n'
        '      escalate: {concern: recurring-gap, message: "{r.agency_name}: {r.requirment}"}',
    )
    assert _error(HEAD + rule) == [
        "rules/demo.yaml:18:51: rules[0].then.escalate.message: unknown field 'requirment' of 'rating'; "
        "did you mean 'requirement'?",
    ]
    good = sgassure.parse_rule_pack(HEAD + rule.replace("requirment", "requirement")).rules[0]
    assert good.then.escalate == sgassure.rules.Escalate(
        concern="recurring-gap", message="{r.agency_name}: {r.requirement}"
    )
    assert not good.then.escalation_only


def test_a_rule_without_an_outcome_is_refused() -> None:
    """`then` with neither a finding nor an escalation is refused where it is written."""
    rule = RULE.replace('      finding: {message: "{r.agency} {r.requirement}"}', "      {}").replace(
        "    then:\n      {}", "    then: {}"
    )
    assert _error(HEAD + rule) == [
        "rules/demo.yaml:16:11: rules[0].then: a rule needs an outcome: a 'finding', an 'escalate', or both",
    ]


def test_an_escalation_without_a_finding_needs_its_message_and_subject() -> None:
    """An escalation-only rule must say what the escalation says and what it is about."""
    rule = ESCALATE_ONLY.replace("        subject: [s.agency, s.cycle]\n", "").replace(
        '        message: "{s.agency_name} returned {s.cycle} late, on {s.submitted}"\n', ""
    )
    assert _error(HEAD + rule) == [
        "rules/demo.yaml:17:9: rules[0].then.escalate: an escalation without a finding needs its own 'message' "
        "(a finding's form)",
        "rules/demo.yaml:17:9: rules[0].then.escalate: an escalation without a finding needs its own 'subject', the "
        "fields that identify it (e.g. [e.agency, e.cycle])",
    ]


def test_an_escalations_message_and_subject_are_checked_like_a_findings() -> None:
    """Placeholders and subject references of an escalation are checked: bound aliases, known and subject fields."""
    rule = ESCALATE_ONLY.replace("subject: [s.agency, s.cycle]", "subject: [s.agency, s.late, x.cycle]").replace(
        "{s.submitted}", "{s.submited}"
    )
    assert _error(HEAD + rule) == [
        "rules/demo.yaml:18:29: rules[0].then.escalate.subject[1]: subject fields are among agency, cycle, "
        "framework, standard, requirement, audit, question, indicator, body, board, role, other_agency",
        "rules/demo.yaml:18:37: rules[0].then.escalate.subject[2]: unknown alias 'x': bind it in an earlier "
        "pattern of 'all'",
        "rules/demo.yaml:19:18: rules[0].then.escalate.message: unknown field 'submited' of 'assessment'; "
        "did you mean 'submitted'?",
    ]


def test_an_escalated_finding_keeps_the_findings_subject() -> None:
    """`escalate.subject` beside a finding would give the escalation another identity than its finding: refused."""
    rule = RULE.replace(
        '      finding: {message: "{r.agency} {r.requirement}"}',
        '      finding: {message: "{r.agency} {r.requirement}"}\n'
        "      escalate: {concern: recurring-gap, subject: [r.agency]}",
    )
    assert _error(HEAD + rule) == [
        "rules/demo.yaml:18:51: rules[0].then.escalate.subject: the escalation of a finding takes the finding's "
        "subject: give 'subject' under 'finding', or remove 'finding' to escalate without one",
    ]


ESCALATE_ONLY_TESTS = """\
tests:
  - name: a late return is escalated
    as_of: 2025-09-30
    given:
      - {fact: assessment, agency: fen-police, cycle: s11-2025, framework: section-11, late: true}
    expect:
      - {rule: demo.late, subject: {agency: fen-police, cycle: s11-2025}}
  - name: a return on time is not
    as_of: 2025-09-30
    given:
      - {fact: assessment, agency: fen-police, cycle: s11-2025, framework: section-11, late: false}
    expect: []
"""


def test_pack_tests_expect_escalations_without_findings() -> None:
    """`rules test` matches expectations against escalation-only rules, and counts their firing for coverage."""
    pack = sgassure.parse_rule_pack(HEAD + ESCALATE_ONLY + ESCALATE_ONLY_TESTS)
    report = sgassure.run_pack_tests(pack)
    assert report.cases == (
        sgassure.CaseResult(name="a late return is escalated", fired=("demo.late",), missing=(), unexpected=()),
        sgassure.CaseResult(name="a return on time is not", fired=(), missing=(), unexpected=()),
    )
    assert (report.never_fired, report.never_silent) == ((), ())
    wrong = sgassure.parse_rule_pack(HEAD + ESCALATE_ONLY + ESCALATE_ONLY_TESTS.replace("late: false}", "late: true}"))
    assert sgassure.run_pack_tests(wrong).cases[1] == sgassure.CaseResult(
        name="a return on time is not",
        fired=("demo.late",),
        missing=(),
        unexpected=("demo/demo.late/agency=fen-police/cycle=s11-2025",),
    )
