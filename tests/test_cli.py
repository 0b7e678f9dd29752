"""The command line: output, exit codes, and errors on stderr without tracebacks."""

from __future__ import annotations

import json
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
