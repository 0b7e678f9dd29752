"""The audit of the example workspace, decisions, comparisons and the audit command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from tests.conftest import MINI_RETURN, WorkspaceBuilder, alerts_pack

import sgassure
from sgassure.cli import main

AS_OF = dt.date(2025, 9, 30)
SCHEMA = json.loads((Path(sgassure.__file__).parent / "schemas" / "audit.schema.json").read_text())
# The rule that catches each kind of planted defect that rules catch.
RULE_FOR_KIND = {
    "below-threshold": ("s11.below-threshold", "saaf.below-threshold"),
    "na-without-reason": ("s11.na-without-reason", "saaf.na-without-reason"),
    "evidence-missing": ("s11.evidence-missing", "saaf.evidence-missing"),
    "evidence-stale": ("s11.evidence-stale", "saaf.evidence-stale"),
    "no-action-plan": ("s11.no-action-plan", "saaf.no-action-plan"),
    "action-overdue": ("s11.action-overdue", "saaf.action-overdue"),
    "moderation-contradicts": ("s11.moderation-contradicts", "saaf.moderation-contradicts"),
    "case-audit-contradicts": ("s11.case-audit-contradicts", "saaf.case-audit-contradicts"),
    "practitioner-audit-contradicts": ("s11.practitioner-audit-contradicts", "saaf.practitioner-audit-contradicts"),
    "recurring-gap": ("esc.recurring-gap",),
    "multiple-high-findings": ("esc.multiple-high-findings",),
    "overdue-past-grace": ("esc.overdue-past-grace",),
    "no-return": ("esc.no-return",),
    "kpi-worse-than-comparator": ("kpi.worse-than-national",),
    "kpi-adverse-trend": ("kpi.adverse-trend",),
    "statutory-partner-no-seat": ("partnership.statutory-partner-no-seat",),
    "low-attendance": ("partnership.low-attendance",),
    "no-reporting-route": ("partnership.no-reporting-route",),
    "reporting-cycle": ("partnership.reporting-cycle",),
    "no-information-sharing": ("partnership.no-information-sharing",),
    "no-escalation-route": ("partnership.no-escalation-route",),
}
# A below-threshold rating at the lowest level is caught by the rule for the lowest level.
LOWEST = {"s11.below-threshold": "s11.not-compliant", "saaf.below-threshold": "saaf.not-compliant"}


@pytest.fixture(scope="module")
def result(example_ws: sgassure.Workspace) -> sgassure.AuditResult:
    """The audit of the example workspace with every bundled pack."""
    return sgassure.run_audit(example_ws, sgassure.bundled_rule_packs(), as_of=AS_OF)


def _planted(example_path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load((example_path / "planted.yaml").read_text())
    return [d for d in data["defects"] if d["caught_by"] == "rules"]


def _matches(finding: sgassure.Finding, defect: dict[str, Any]) -> bool:
    rules = RULE_FOR_KIND[defect["kind"]]
    if defect["kind"] == "below-threshold" and defect.get("severity") == "high":
        rules = tuple(LOWEST[r] for r in rules)
    keys = {k: str(v) for k, v in defect["subject"].items() if k in finding.subject}
    return finding.rule in rules and all(finding.subject[k] == v for k, v in keys.items())


def test_audit_finds_every_planted_defect_and_nothing_else(example_path: Path, result: sgassure.AuditResult) -> None:
    """Each planted defect that rules catch is found once, and every finding is a planted defect."""
    planted = _planted(example_path)
    assert len(planted) == 28
    unmatched = [d["id"] for d in planted if not any(_matches(f, d) for f in result.findings)]
    unplanned = [f.fingerprint for f in result.findings if not any(_matches(f, d) for d in planted)]
    assert (unmatched, unplanned) == ([], [])
    assert len(result.findings) == len(planted)


def test_planted_severities_are_the_findings(example_path: Path, result: sgassure.AuditResult) -> None:
    """Where planted.yaml gives a severity, the finding has it."""
    for defect in _planted(example_path):
        if "severity" in defect:
            found = [f for f in result.findings if _matches(f, defect)]
            assert [f.severity.value for f in found] == [defect["severity"]], defect["id"]


def test_escalations_go_to_the_body_the_policy_names(example_path: Path, result: sgassure.AuditResult) -> None:
    """Every planted escalation reaches the body named for its concern, with a route from the agency."""
    bodies = {e.concern: e.body for e in result.escalations}
    expected = {
        d["escalation"]["concern"]: d["escalation"]["body"] for d in _planted(example_path) if "escalation" in d
    }
    assert bodies == expected
    for escalation in result.escalations:
        if escalation.agency is not None:
            assert escalation.route[-1] == escalation.body


def test_explanations_name_the_values(result: sgassure.AuditResult) -> None:
    """Every finding explains itself with the values that made its rule fire."""
    finding = next(f for f in result.findings if f.rule == "s11.moderation-contradicts")
    assert finding.explanation.lines() == [
        "r.self_level (self rating) = 'fully': at or above threshold ('mostly')",
        "r.moderated_level (moderated rating) = 'partly': below threshold ('mostly')",
    ]
    for f in result.findings:
        assert f.explanation.lines(), f.fingerprint


def test_audit_json_validates_against_the_shipped_schema(
    example_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sgassure audit --format json` matches the shipped JSON Schema."""
    assert main(["audit", str(example_path), "--as-of", "2025-09-30", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    assert data["summary"]["findings"] == 28


def test_audit_is_deterministic(example_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two audits of the same workspace print the same bytes in every format."""
    for fmt in ("text", "json", "csv", "md"):
        outputs = []
        for _ in range(2):
            main(["audit", str(example_path), "--as-of", "2025-09-30", "--format", fmt])
            outputs.append(capsys.readouterr().out)
        assert outputs[0] == outputs[1]


def test_records_after_as_of_are_invisible(example_ws: sgassure.Workspace) -> None:
    """An audit as at a date before the latest cycle opened sees none of it."""
    early = sgassure.run_audit(example_ws, sgassure.bundled_rule_packs(), as_of=dt.date(2024, 6, 30))
    assert not [f for f in early.findings if f.subject.get("cycle") in {"s11-2025", "saaf-2025"}]


def test_fail_on_exit_codes(example_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--fail-on exits 1 when a finding reaches the severity, else 0."""
    args = ["audit", str(example_path), "--as-of", "2025-09-30"]
    assert main([*args, "--fail-on", "high"]) == 1
    assert main([*args, "--fail-on", "critical"]) == 0
    capsys.readouterr()


def _decisions(text: str) -> str:
    return "version: 1\ndecisions:\n" + text


def test_decisions_accept_until_expiry(make_workspace: WorkspaceBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """An accepted finding is shown as accepted and ignored by --fail-on; after its expiry it counts again."""
    gap = MINI_RETURN.replace("level: mostly", "level: not")
    fingerprint = (
        "section-11/s11.not-compliant/agency=fen-police/cycle=s11-2024/framework=section-11/standard=1/requirement=1.1"
    )
    plan = (
        "actions:\n  - {id: A1, requirement: '1.1', action: Appoint a lead, owner: Chief Constable, due: 2026-01-31}\n"
    )
    decision = _decisions(
        f"  - {{fingerprint: '{fingerprint}', justification: Lead appointed in January, approver: Independent Chair, "
        "date: 2024-06-01, expires: 2024-12-31}\n"
    )
    root = make_workspace({"returns/s11-2024/fen-police.yaml": gap + plan, "decisions.yaml": decision})
    args = ["audit", str(root), "--pack", "section-11", "--fail-on", "high"]
    assert main([*args, "--as-of", "2024-09-30"]) == 0
    assert "accepted by Independent Chair on 2024-06-01 until 2024-12-31" in capsys.readouterr().out
    assert main([*args, "--as-of", "2025-01-31"]) == 1
    assert "accepted by" not in capsys.readouterr().out


def test_decision_matching_nothing_is_a_located_error(
    make_workspace: WorkspaceBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    """A decision whose fingerprint matches no finding is an error at its place in decisions.yaml."""
    decision = _decisions(
        "  - {fingerprint: section-11/s11.not-compliant/agency=nobody, justification: x, approver: Chair, "
        "date: 2024-06-01}\n"
    )
    root = make_workspace({"decisions.yaml": decision})
    assert main(["audit", str(root), "--as-of", "2024-09-30", "--pack", "section-11"]) == 2
    assert capsys.readouterr().err == (
        f"sgassure: cannot load {root}:\n"
        "decisions.yaml:3:19: decisions[0].fingerprint: the decision matches no finding of this audit "
        "as at 2024-09-30\n"
    )


def test_since_marks_new_persisting_and_resolved(
    make_workspace: WorkspaceBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--since marks each finding new or persisting and lists what was resolved."""
    previous = tmp_path / "previous.json"
    previous.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "findings": [
                    {
                        "fingerprint": "section-11/s11.below-threshold/agency=fen-police/cycle=s11-2024/framework="
                        "section-11/standard=1/requirement=1.1"
                    },
                    {"fingerprint": "section-11/s11.evidence-missing/agency=gone"},
                ],
            }
        )
    )
    gap = MINI_RETURN.replace("level: mostly", "level: partly")
    plan = (
        "actions:\n  - {id: A1, requirement: '1.1', action: Appoint a lead, owner: Chief Constable, due: 2026-01-31}\n"
    )
    root = make_workspace({"returns/s11-2024/fen-police.yaml": gap + plan})
    assert (
        main(
            [
                "audit",
                str(root),
                "--as-of",
                "2024-09-30",
                "--pack",
                "section-11",
                "--since",
                str(previous),
                "--format",
                "json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["status"]) for f in data["findings"]] == [("s11.below-threshold", "persisting")]
    assert data["resolved"] == ["section-11/s11.evidence-missing/agency=gone"]


def test_out_writes_the_file(example_path: Path, tmp_path: Path) -> None:
    """--out writes the rendering to a file instead of standard output."""
    out = tmp_path / "audit.md"
    assert main(["audit", str(example_path), "--as-of", "2025-09-30", "--format", "md", "--out", str(out)]) == 0
    assert out.read_text().startswith("# Audit as at 2025-09-30\n")


def test_identifiers_are_masked_in_messages(example_ws: sgassure.Workspace) -> None:
    """A message quoting free text never shows a personal identifier unless asked."""
    pack = sgassure.parse_rule_pack(
        """
version: 1
id: comments
title: Comments
framework: section-11
rules:
  - id: c.comment
    title: Comment quoted
    severity: info
    source: test
    when:
      all:
        - fact: rating
          as: r
          where: {agency: wendmoor-police, cycle: s11-2025, comment: {exists: true}}
    then:
      finding: {message: "{r.comment}"}
"""
    )
    masked = sgassure.run_audit(example_ws, [pack], as_of=AS_OF)
    shown = sgassure.run_audit(example_ws, [pack], as_of=AS_OF, mask=False)
    assert any("[NHS number removed]" in f.message for f in masked.findings)
    assert not any("[NHS number removed]" in f.message for f in shown.findings)


def test_level_in_a_message_is_the_rating_the_level_condition_read(example_ws: sgassure.Workspace) -> None:
    """`{r.level}` quotes the rating `level:` tested, even when the pattern also tests `self_level`."""
    pack = sgassure.parse_rule_pack(
        """
version: 1
id: levels
title: Levels
framework: section-11
rules:
  - id: l.over-rated
    title: Rated below the threshold but self-rated at or above it
    severity: info
    source: test
    when:
      all:
        - fact: rating
          as: r
          where: {latest: true, level: {below: threshold}, self_level: {at_or_above: threshold}}
    then:
      finding: {message: "{r.requirement}: effective {r.level}, self {r.self_level}"}
"""
    )
    findings = sgassure.run_audit(example_ws, [pack], as_of=AS_OF).findings
    assert findings
    for finding in findings:
        assert finding.message.split(": effective ")[1].split(", self ")[0] in ("partly", "not"), finding.message
        assert finding.message.split(", self ")[1] in ("fully", "mostly"), finding.message


def test_rules_test_command_reports_every_bundled_pack(capsys: pytest.CaptureFixture[str]) -> None:
    """`sgassure rules test` passes every bundled pack with complete coverage."""
    assert main(["rules", "test"]) == 0
    assert capsys.readouterr().out == (
        "escalation: 4 of 4 cases passed\n"
        "kpi: 2 of 2 cases passed\n"
        "partnership: 6 of 6 cases passed\n"
        "saaf: 9 of 9 cases passed\n"
        "section-11: 9 of 9 cases passed\n"
    )


def test_every_bundled_rule_has_firing_and_non_firing_cases() -> None:
    """Each rule of each bundled pack fires in some case and stays silent in another."""
    for pack in sgassure.bundled_rule_packs():
        report = sgassure.run_pack_tests(pack)
        assert (report.passed, report.never_fired, report.never_silent) == (True, (), ()), pack.id


def test_rules_diff_shows_what_a_change_adds_and_removes(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sgassure rules diff` lists findings a changed pack adds and removes."""
    old = Path(sgassure.__file__).parent / "packs" / "kpi.yaml"
    new = tmp_path / "kpi.yaml"
    new.write_text(old.read_text().replace("adverse_run: {ge: 3}", "adverse_run: {ge: 4}"))
    assert main(["rules", "diff", str(old), str(new), str(example_path), "--as-of", "2025-09-30"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "  0 added, 1 removed, 0 changed, 1 unchanged"
    assert out[2].startswith("- high kpi.adverse-trend: Making Safeguarding Personal")


def test_three_hundred_runs_leave_no_threads_or_memory(make_workspace: WorkspaceBuilder) -> None:
    """300 audits in one process: threads back to baseline, resident memory grows by less than 30 MB."""
    import threading

    ws = sgassure.load_workspace(make_workspace())
    packs = [p for p in sgassure.bundled_rule_packs() if p.id in {"section-11", "saaf"}]

    def rss_kb() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    for _ in range(20):
        sgassure.run_audit(ws, packs, as_of=dt.date(2024, 9, 30))
    threads, before = threading.active_count(), rss_kb()
    for _ in range(300):
        sgassure.run_audit(ws, packs, as_of=dt.date(2024, 9, 30))
    assert threading.active_count() == threads
    assert rss_kb() - before < 30 * 1024


def test_identifiers_in_a_decision_are_masked_unless_asked(tmp_path: Path) -> None:
    """A decision's justification is free text: an NHS number in it is masked like one in a message."""
    import shutil

    root = tmp_path / "wendmoor"
    shutil.copytree(sgassure.example_workspace_path(), root)
    (root / "decisions.yaml").write_text(
        "version: 1\ndecisions:\n"
        "  - fingerprint: kpi/kpi.worse-than-national/indicator=kpi-c02\n"
        "    justification: Agreed after the case of 943 476 5919 was reviewed.\n"
        "    approver: Independent Chair\n    date: 2025-09-25\n",
        encoding="utf-8",
    )
    ws = sgassure.load_workspace(root)
    kpi = [p for p in sgassure.bundled_rule_packs() if p.id == "kpi"]
    masked = {f.decision for f in sgassure.run_audit(ws, kpi, as_of=AS_OF).findings} - {None}
    shown = {f.decision for f in sgassure.run_audit(ws, kpi, as_of=AS_OF, mask=False).findings} - {None}
    assert masked == {
        "accepted by Independent Chair on 2025-09-25: Agreed after the case of [NHS number removed] was reviewed."
    }
    assert shown == {"accepted by Independent Chair on 2025-09-25: Agreed after the case of 943 476 5919 was reviewed."}


JOIN_AFTER_OR = """\
version: 1
id: demo
title: A join written after a test the compiler turns into $or
rules:
  - id: demo.r
    title: Another rating whose comment is the first rating's agency
    severity: low
    source: test
    when:
      all:
        - fact: rating
          as: r
          where: {requirement: "8.1"}
        - fact: rating
          as: o
          where: WHERE
    then:
      finding: {message: "{r.agency} {o.requirement}"}
tests:
  - name: the comment is not the agency, whatever the order of the tests
    as_of: 2025-09-30
    given:
      - {fact: rating, agency: a, cycle: c, framework: section-11, framework_version: "2025", requirement: "8.1"}
      - {fact: rating, agency: a, cycle: c, framework: section-11, framework_version: "2025", requirement: "8.2",
         comment: xyz}
    expect: []
  - name: the comment is the agency
    as_of: 2025-09-30
    given:
      - {fact: rating, agency: a, cycle: c, framework: section-11, framework_version: "2025", requirement: "8.1"}
      - {fact: rating, agency: b, cycle: c, framework: section-11, framework_version: "2025", requirement: "8.2",
         comment: a}
    expect:
      - {rule: demo.r, subject: {agency: a}}
"""


@pytest.mark.parametrize(
    "where",
    [
        '{comment: $r.agency, requirement: {in: ["8.2", "9.9"]}}',
        '{requirement: {in: ["8.2", "9.9"]}, comment: $r.agency}',
    ],
)
def test_a_join_written_after_a_set_test_still_joins(where: str) -> None:
    """The engine ignores an equality join that follows an $or; the compiler puts equalities first."""
    report = sgassure.run_pack_tests(sgassure.parse_rule_pack(JOIN_AFTER_OR.replace("WHERE", where)))
    assert [c.passed for c in report.cases] == [True, True]


ALERTS = alerts_pack("Matters raised with the boards directly", "gap-without-plan", "overdue", "read")
GAP_WITHOUT_PLAN = "alerts/alerts.gap-without-plan/agency=uhwc/cycle=s11-2025/requirement=8.4"


@pytest.fixture(scope="module")
def alerted(example_ws: sgassure.Workspace) -> sgassure.AuditResult:
    """The audit of the example workspace with every bundled pack and the alerts pack."""
    packs = [*sgassure.bundled_rule_packs(), sgassure.parse_rule_pack(ALERTS, source="alerts.yaml")]
    return sgassure.run_audit(example_ws, packs, as_of=AS_OF)


def test_an_escalation_only_rule_escalates_without_a_finding(
    result: sgassure.AuditResult, alerted: sgassure.AuditResult
) -> None:
    """A rule without a finding makes an escalation that stands alone, first as the most serious, and no finding."""
    assert alerted.escalations[0] == sgassure.Escalation(
        finding=GAP_WITHOUT_PLAN,
        concern="unresolved-risk",
        body="wendmoor-hwb",
        body_name="Wendmoor Health and Wellbeing Board",
        agency="uhwc",
        route=("wcsp", "wendmoor-hwb"),
        message="uhwc has no plan for requirement 8.4 in s11-2025",
        escalation_only=True,
        pack="alerts",
        rule="alerts.gap-without-plan",
        title="A gap without a plan, raised with the Health and Wellbeing Board",
        severity=sgassure.Severity.CRITICAL,
        source="Working Together to Safeguard Children 2023",
        subject={"agency": "uhwc", "cycle": "s11-2025", "requirement": "8.4"},
        explanation=sgassure.Explanation(
            conditions=(
                sgassure.Check(
                    alias="f", fact="finding", field="rule", test="equals 's11.no-action-plan'",
                    value="'s11.no-action-plan'",
                ),
            ),
            facts=(
                "finding:section-11/s11.no-action-plan/agency=uhwc/cycle=s11-2025/framework=section-11/standard=8/"
                "requirement=8.4",
            ),
        ),
    )  # fmt: skip
    assert [e.finding for e in alerted.escalations if e.escalation_only] == [GAP_WITHOUT_PLAN]
    assert [e for e in alerted.escalations if e.pack != "alerts"] == list(result.escalations)
    assert [f for f in alerted.findings if f.pack != "alerts"] == list(result.findings)
    assert sorted(f.rule for f in alerted.findings if f.pack == "alerts") == ["alerts.overdue", "alerts.read"]


def test_an_escalation_without_a_finding_is_no_finding_fact(alerted: sgassure.AuditResult) -> None:
    """Rules over findings never see an escalation-only match: only the pack's finding is read back."""
    read = [(f.message, f.subject) for f in alerted.findings if f.rule == "alerts.read"]
    assert read == [("read alerts.overdue", {"agency": "wcpft", "cycle": "s11-2025", "requirement": "5.4"})]


def test_an_escalated_finding_takes_the_escalations_own_message(alerted: sgassure.AuditResult) -> None:
    """With escalate.message, the escalation says its own message; the finding keeps the finding's."""
    fingerprint = "alerts/alerts.overdue/agency=wcpft/cycle=s11-2025/requirement=5.4"
    (finding,) = [f for f in alerted.findings if f.fingerprint == fingerprint]
    (escalation,) = [e for e in alerted.escalations if e.finding == fingerprint]
    assert finding.message == "Wendmoor and Castleby Partnership NHS Foundation Trust's action A4 is overdue"
    assert (escalation.message, escalation.escalation_only, escalation.body, escalation.severity) == (
        "Action A4 of wcpft was due 2025-06-30",
        False,
        "seg",
        sgassure.Severity.LOW,
    )
    assert escalation.explanation == finding.explanation


def test_escalations_are_in_the_documented_order(alerted: sgassure.AuditResult) -> None:
    """Escalations of findings and escalation-only ones sort together by severity, pack, rule, subject, fingerprint."""
    assert list(alerted.escalations) == sorted(alerted.escalations, key=sgassure.findings.escalation_sort_key)
    assert [e.severity for e in alerted.escalations][:1] == [sgassure.Severity.CRITICAL]
    assert alerted.escalations[-1].rule == "alerts.overdue"


def test_a_gate_counts_escalations_without_findings(
    result: sgassure.AuditResult, alerted: sgassure.AuditResult
) -> None:
    """`failing` (what --fail-on reads) includes escalation-only matches by their rule's severity."""
    assert result.failing(sgassure.Severity.CRITICAL) == ()
    assert alerted.failing(sgassure.Severity.CRITICAL) == (GAP_WITHOUT_PLAN,)
    high = alerted.failing(sgassure.Severity.HIGH)
    assert high == (*result.failing(sgassure.Severity.HIGH), GAP_WITHOUT_PLAN)


def test_since_marks_escalations_and_resolves_gone_escalation_only_ones(alerted: sgassure.AuditResult) -> None:
    """An escalation takes its fingerprint's status; a previous escalation-only fingerprint gone now is resolved."""
    gone = "alerts/alerts.gap-without-plan/agency=wcpft/cycle=s11-2025/requirement=5.4"
    compared, resolved = sgassure.compare_with_previous(alerted, [GAP_WITHOUT_PLAN, gone])
    assert resolved == (gone,)
    assert [(e.finding, e.status) for e in compared.escalations][:2] == [
        (GAP_WITHOUT_PLAN, sgassure.FindingStatus.PERSISTING),
        (
            "escalation/esc.recurring-gap/agency=wcpft/cycle=s11-2025/requirement=5.4",
            sgassure.FindingStatus.NEW,
        ),
    ]
    assert {f.status for f in compared.findings} == {sgassure.FindingStatus.NEW}


def test_audit_json_with_escalations_without_findings_validates(alerted: sgassure.AuditResult) -> None:
    """The JSON of an audit with escalation-only rules validates, as does an escalation as earlier releases wrote."""
    data = sgassure.audit_to_json(sgassure.compare_with_previous(alerted, [])[0])
    jsonschema.validate(data, SCHEMA)
    assert data["summary"]["escalations"] == 8
    assert sum(e["escalation_only"] for e in data["escalations"]) == 1
    first = data["escalations"][0]
    assert {k: first[k] for k in ("finding", "escalation_only", "severity", "rule", "status")} == {
        "finding": GAP_WITHOUT_PLAN,
        "escalation_only": True,
        "severity": "critical",
        "rule": "alerts.gap-without-plan",
        "status": "new",
    }
    older = ("finding", "concern", "body", "body_name", "agency", "route", "message")
    data["escalations"] = [{k: e[k] for k in older} for e in data["escalations"]]
    jsonschema.validate(data, SCHEMA)


ALONE = """\
  - id: demo.gap
    title: A gap, escalated without a finding
    severity: high
    source: Children Act 2004, s.11
    when:
      all:
        - fact: rating
          as: r
          where: {level: {below: threshold}}
    then:
      escalate:
        concern: recurring-gap
        subject: [r.agency, r.requirement]
        message: "{r.agency_name} rates {r.requirement} {r.level}"
"""
POLICY = "escalation_policy:\n  rules:\n    - {concern: recurring-gap, body: fscp-exec}\n"


def test_a_decision_cannot_accept_an_escalation_without_a_finding(make_workspace: WorkspaceBuilder) -> None:
    """A decision naming an escalation-only match is a located error saying why; without it, the escalation stands."""
    from tests.conftest import MINI_PARTNERSHIP

    pack = sgassure.parse_rule_pack(
        "version: 1\nid: demo\ntitle: Demo\nframework: section-11\nrules:\n" + ALONE, source="demo.yaml"
    )
    files = {
        "partnership.yaml": MINI_PARTNERSHIP + POLICY,
        "returns/s11-2024/fen-police.yaml": MINI_RETURN.replace("level: mostly", "level: partly"),
    }
    result = sgassure.run_audit(sgassure.load_workspace(make_workspace(files)), [pack], as_of=dt.date(2024, 9, 30))
    assert result.findings == ()
    assert [(e.finding, e.body, e.route, e.message) for e in result.escalations] == [
        (
            "demo/demo.gap/agency=fen-police/requirement=1.1",
            "fscp-exec",
            ("fscp-exec",),
            "Fenmarsh Police rates 1.1 partly",
        )
    ]
    decision = _decisions(
        "  - {fingerprint: demo/demo.gap/agency=fen-police/requirement=1.1, justification: x, approver: Chair, "
        "date: 2024-06-01}\n"
    )
    ws = sgassure.load_workspace(make_workspace({**files, "decisions.yaml": decision}))
    with pytest.raises(sgassure.LoadError) as info:
        sgassure.run_audit(ws, [pack], as_of=dt.date(2024, 9, 30))
    assert str(info.value) == (
        "decisions.yaml:3:19: decisions[0].fingerprint: the decision names an escalation of rule 'demo.gap', which "
        "makes no finding; decisions accept findings only"
    )


def test_fail_on_counts_escalations_without_findings(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--fail-on exits 1 for an escalation-only rule at or above the severity, as for an unaccepted finding."""
    alerts = tmp_path / "alerts.yaml"
    alerts.write_text(ALERTS, encoding="utf-8")
    args = ["audit", str(example_path), "--as-of", "2025-09-30", "--pack", "bundled", "--fail-on", "critical"]
    assert main(args) == 0
    assert main([*args, "--pack", str(alerts)]) == 1
    capsys.readouterr()


def test_since_reads_escalations_without_findings_from_the_previous_json(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--since finds a previous audit's escalation-only fingerprints in its JSON: persisting now, or resolved."""
    alerts = tmp_path / "alerts.yaml"
    alerts.write_text(ALERTS, encoding="utf-8")
    args = ["audit", str(example_path), "--as-of", "2025-09-30", "--pack", "bundled", "--pack", str(alerts)]
    previous = tmp_path / "previous.json"
    assert main([*args, "--format", "json", "--out", str(previous)]) == 0
    data = json.loads(previous.read_text(encoding="utf-8"))
    gone = "alerts/alerts.gap-without-plan/agency=wcpft/cycle=s11-2025/requirement=5.4"
    data["escalations"].append({**data["escalations"][0], "finding": gone})
    previous.write_text(json.dumps(data), encoding="utf-8")
    assert main([*args, "--format", "json", "--since", str(previous)]) == 0
    now = json.loads(capsys.readouterr().out)
    assert [(e["finding"], e["status"]) for e in now["escalations"] if e["escalation_only"]] == [
        (GAP_WITHOUT_PLAN, "persisting")
    ]
    assert now["resolved"] == [gone]
