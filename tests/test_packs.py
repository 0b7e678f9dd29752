"""Bad rule packs give located errors with the whole message; the lint catches what cannot run."""

from __future__ import annotations

import pytest

import sgassure

HEAD = """\
version: 1
id: demo
title: Demo
framework: section-11
rules:
"""

RULE = """\
  - id: demo.below
    title: Below threshold
    severity: medium
    source: Children Act 2004, s.11
    when:
      all:
        - fact: rating
          as: r
          where:
            level: {below: threshold}
    then:
      finding: {message: "{r.agency} {r.requirement}"}
"""


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
        "rules/demo.yaml:15:21: rules[0].when.all[0].where.agency.eq: unknown alias 'a': bind it in an earlier "
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
    assert str(info.value).startswith(
        "pack demo: rules[0].then.escalate.concern: the partnership's escalation policy names no body for concern "
        "'recurring-gaps'; it has "
    )


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
