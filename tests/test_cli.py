"""The command line: output, exit codes, and errors on stderr without tracebacks."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from tests.conftest import MINI_RETURN, WorkspaceBuilder

import sgassure
from sgassure.cli import main

SCHEMA = json.loads((Path(sgassure.__file__).parent / "schemas" / "check.schema.json").read_text())


def test_check_json_validates_against_the_shipped_schema(
    example_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sgassure check --format json` on the example exits 0 and matches its JSON Schema."""
    assert main(["check", str(example_path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    jsonschema.validate(out, SCHEMA)
    assert out["schema_version"] == 1
    assert out["partnership"]["id"] == "wendmoor-castleby"


def test_check_text_summarises(example_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The text summary names the partnership, cycles and the masked identifiers without showing them."""
    assert main(["check", str(example_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Wendmoor and Castleby Safeguarding Partnership (wendmoor-castleby): Wendmoor, Castleby\n")
    assert "s11-2025 (section-11 2025" in out
    assert "Personal identifiers in free text:" in out
    assert "943 476 5919" not in out


def test_bad_input_exits_2_with_located_problems(
    make_workspace: WorkspaceBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    """A workspace that does not load exits 2 and prints each problem on stderr, with no traceback."""
    root = make_workspace({"returns/s11-2024/fen-police.yaml": MINI_RETURN.replace("level: mostly", "level: partial")})
    assert main(["check", str(root)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"sgassure: cannot load {root}:\n"
        "returns/s11-2024/fen-police.yaml:10:12: ratings[0].level: expected one of 'fully', 'mostly', 'partly', "
        "'not'; got 'partial'; did you mean 'partly'?\n"
    )


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown command is a usage error with exit code 2."""
    assert main(["audit-everything"]) == 2
    assert "invalid choice: 'audit-everything'" in capsys.readouterr().err


def test_output_into_a_missing_folder_is_written_and_an_unwritable_one_exits_2(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out into a folder that does not exist creates it; a path through a file exits 2 naming the path."""
    out = tmp_path / "new" / "folder" / "audit.json"
    assert main(["audit", str(example_path), "--as-of", "2025-09-30", "--format", "json", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["schema_version"]
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    capsys.readouterr()
    code = main(["audit", str(example_path), "--as-of", "2025-09-30", "--out", str(blocker / "audit.txt")])
    assert code == 2
    assert capsys.readouterr().err == f"sgassure: cannot write {blocker}: File exists\n"


ACCEPTED = "kpi/kpi.worse-than-national/indicator=kpi-c02"
DECISION = "accepted by Independent Chair on 2025-09-25 until 2026-03-31: In the 2025-26 business plan."


@pytest.fixture
def accepted_path(example_path: Path, tmp_path: Path) -> Path:
    """A copy of the example workspace whose decisions.yaml accepts one of its real findings."""
    root = tmp_path / "wendmoor"
    shutil.copytree(example_path, root)
    (root / "decisions.yaml").write_text(
        "version: 1\ndecisions:\n"
        f"  - {{fingerprint: {ACCEPTED}, justification: In the 2025-26 business plan., approver: Independent Chair, "
        "date: 2025-09-25, expires: 2026-03-31}\n",
        encoding="utf-8",
    )
    return root


def test_audit_csv_and_markdown_show_the_decision(
    accepted_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sgassure audit --format csv` and `--format md` show an accepted finding's decision, once."""
    args = ["audit", str(accepted_path), "--as-of", "2025-09-30", "--pack", "kpi"]
    assert main([*args, "--format", "csv", "--out", str(tmp_path / "a.csv")]) == 0
    assert main([*args, "--format", "md", "--out", str(tmp_path / "a.md")]) == 0
    rows = list(csv.reader(io.StringIO((tmp_path / "a.csv").read_text(encoding="utf-8"), newline="")))
    assert [(r[0], r[-1]) for r in rows] == [
        ("fingerprint", "decision"),
        ("kpi/kpi.adverse-trend/indicator=kpi-a04", ""),
        (ACCEPTED, DECISION),
    ]
    table = [line for line in (tmp_path / "a.md").read_text(encoding="utf-8").splitlines() if "kpi-c02" in line]
    assert table == [
        "| medium | kpi.worse-than-national | indicator kpi-c02 | Re-referrals within 12 months is 23.9 in 2024-25, "
        f"worse than the national 22.4 (lower-is-better) | {DECISION} |"
    ]
    assert capsys.readouterr().out == ""


def test_audit_text_shows_the_decision_once_and_counts_it(
    accepted_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The text output gives the decision as it reads, not "accepted: accepted by", and counts accepted findings."""
    assert main(["audit", str(accepted_path), "--as-of", "2025-09-30"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if "accepted" in line] == [
        f"         {DECISION}",
        "28 findings (14 high, 12 medium, 2 low; 1 accepted); 6 escalations",
    ]


BROKEN_PACK = """\
version: 1
id: local
title: Local rules
framework: section-11
rules:
  - id: local.comment
    title: Comment quoted
    severity: info
    source: test
    when:
      all:
        - fact: rating
          as: r
          where: {agency: wendmoor-police, comemnt: {exists: true}}
    then:
      finding: {message: "{r.comment}"}
"""
BROKEN_PROBLEM = "rules[0].when.all[0].where.comemnt: unknown field of 'rating'; did you mean 'comment'?"


@pytest.mark.parametrize("command", ["check", "test"])
def test_rules_load_error_names_the_pack(tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`sgassure rules check|test` name the pack file that does not load, not "the input"."""
    pack = tmp_path / "broken.yaml"
    pack.write_text(BROKEN_PACK, encoding="utf-8")
    assert main(["rules", command, "section-11", str(pack)]) == 2
    captured = capsys.readouterr()
    s11 = next(p for p in sgassure.bundled_rule_packs() if p.id == "section-11")
    checked = f"section-11: pack 'section-11' is well formed ({len(s11.rules)} rules, {len(s11.tests)} test cases)\n"
    assert captured.out == (checked if command == "check" else "")
    assert captured.err == f"sgassure: cannot load {pack}:\n{pack}:14:44: {BROKEN_PROBLEM}\n"


def test_rules_check_names_every_missing_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pack file that is missing is named in the error's first line."""
    missing = tmp_path / "missing.yaml"
    assert main(["rules", "check", str(missing)]) == 2
    assert capsys.readouterr().err == f"sgassure: cannot load {missing}:\n{missing}: file not found\n"


def test_rules_diff_names_the_broken_pack_or_the_workspace(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sgassure rules diff` names the pack that does not load; a workspace that does not load is named as before."""
    pack = tmp_path / "broken.yaml"
    pack.write_text(BROKEN_PACK, encoding="utf-8")
    assert main(["rules", "diff", "section-11", str(pack), str(example_path), "--as-of", "2025-09-30"]) == 2
    assert capsys.readouterr().err == f"sgassure: cannot load {pack}:\n{pack}:14:44: {BROKEN_PROBLEM}\n"
    nowhere = tmp_path / "nowhere"
    assert main(["rules", "diff", "section-11", "section-11", str(nowhere), "--as-of", "2025-09-30"]) == 2
    assert capsys.readouterr().err == f"sgassure: cannot load {nowhere}:\n{nowhere}: not a folder\n"


def test_pack_bundled_adds_a_local_pack_to_every_bundled_one(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--pack bundled --pack FILE` runs every bundled pack and the local one; `--pack FILE` alone only the file."""
    local = tmp_path / "local.yaml"
    kpi = Path(sgassure.__file__).parent / "packs" / "kpi.yaml"
    local.write_text(kpi.read_text(encoding="utf-8").replace("id: kpi\n", "id: local-kpi\n", 1), encoding="utf-8")
    args = ["audit", str(example_path), "--as-of", "2025-09-30", "--format", "json"]
    assert main([*args, "--pack", "bundled", "--pack", str(local)]) == 0
    both = json.loads(capsys.readouterr().out)
    assert main([*args, "--pack", str(local)]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert both["packs"] == ["escalation", "kpi", "partnership", "saaf", "section-11", "local-kpi"]
    assert alone["packs"] == ["local-kpi"]
    assert {f["pack"] for f in alone["findings"]} == {"local-kpi"}
    assert len(both["findings"]) == 28 + len(alone["findings"])


def test_rules_diff_shows_findings_whose_severity_or_message_changed(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A finding kept under the same fingerprint but with a new severity or message is listed as changed."""
    old = Path(sgassure.__file__).parent / "packs" / "kpi.yaml"
    new = tmp_path / "kpi.yaml"
    text = old.read_text(encoding="utf-8")
    changed = text.replace("severity: high", "severity: critical", 1)
    assert changed != text
    new.write_text(changed, encoding="utf-8")
    assert main(["rules", "diff", str(old), str(new), str(example_path), "--as-of", "2025-09-30"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "  0 added, 0 removed, 1 changed, 1 unchanged"
    assert out[2].startswith("~ high -> critical kpi.adverse-trend: Making Safeguarding Personal")


ALONE = """\
version: 1
id: alone
title: Matters raised with a board without a finding
framework: section-11
rules:
  - id: alone.not-compliant
    title: Not compliant, raised with the board
    severity: high
    source: test
    when:
      all:
        - fact: rating
          as: r
          where: {latest: true, level: {at_or_below: lowest}}
    then:
      escalate:
        concern: unresolved-risk
        subject: [r.agency, r.requirement]
        message: "{r.agency} is not compliant on {r.requirement}"
"""


def test_rules_diff_compares_escalations_without_findings_too(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An escalation-only rule's outcomes are added, removed or changed in `rules diff` like findings."""
    old, new, none = tmp_path / "old.yaml", tmp_path / "new.yaml", tmp_path / "none.yaml"
    old.write_text(ALONE, encoding="utf-8")
    new.write_text(ALONE.replace("severity: high", "severity: critical"), encoding="utf-8")
    none.write_text(ALONE.replace("at_or_below: lowest", "above: highest"), encoding="utf-8")
    assert main(["rules", "diff", str(old), str(new), str(example_path), "--as-of", "2025-09-30"]) == 0
    changed = capsys.readouterr().out.splitlines()
    assert changed[1] == "  0 added, 0 removed, 1 changed, 0 unchanged"
    assert changed[2].startswith("~ high -> critical alone.not-compliant: (escalated to ")
    assert changed[2].endswith(") uhwc is not compliant on 8.4")
    assert main(["rules", "diff", str(old), str(none), str(example_path), "--as-of", "2025-09-30"]) == 0
    removed = capsys.readouterr().out.splitlines()
    assert removed[1] == "  0 added, 1 removed, 0 changed, 0 unchanged"
    assert removed[2].startswith("- high alone.not-compliant: (escalated to ")
