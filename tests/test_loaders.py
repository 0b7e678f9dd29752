"""Each kind of bad input gives a located error with the whole message."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import MINI_PARTNERSHIP, MINI_RETURN, WorkspaceBuilder, load_problems

import sgassure


def test_minimal_workspace_loads(make_workspace: WorkspaceBuilder) -> None:
    """The small workspace the other tests break loads cleanly."""
    ws = sgassure.load_workspace(make_workspace())
    assert [a.agency for a in ws.assessments] == ["fen-police"]
    assert [(f.id, f.version) for f in ws.frameworks] == [("section-11", "2023")]


def test_unknown_key_with_hint(make_workspace: WorkspaceBuilder) -> None:
    """An unknown key is an error with a did-you-mean hint, not silently dropped."""
    root = make_workspace({"returns/s11-2024/fen-police.yaml": MINI_RETURN.replace("    level:", "    levle:")})
    assert load_problems(root) == [
        "returns/s11-2024/fen-police.yaml:10:5: ratings[0].levle: unknown field; did you mean 'level'?",
    ]


def test_unknown_level_on_the_scale(make_workspace: WorkspaceBuilder) -> None:
    """A level that is not on the catalog's scale is an error listing the levels, with a hint."""
    root = make_workspace({"returns/s11-2024/fen-police.yaml": MINI_RETURN.replace("level: mostly", "level: partial")})
    assert load_problems(root) == [
        "returns/s11-2024/fen-police.yaml:10:12: ratings[0].level: expected one of 'fully', 'mostly', 'partly', "
        "'not'; got 'partial'; did you mean 'partly'?",
    ]


def test_level_alias_names_the_id_to_write(make_workspace: WorkspaceBuilder) -> None:
    """A level written as a colour or label is pointed at the level id it stands for."""
    root = make_workspace({"returns/s11-2024/fen-police.yaml": MINI_RETURN.replace("level: mostly", "level: amber")})
    assert load_problems(root) == [
        "returns/s11-2024/fen-police.yaml:10:12: ratings[0].level: write the level id 'partly' for 'amber' "
        "(ratings use the scale's level ids)",
    ]


def test_dangling_agency(make_workspace: WorkspaceBuilder) -> None:
    """A return for an agency not in the partnership is an error with a hint."""
    root = make_workspace(
        {"returns/s11-2024/fen-police.yaml": MINI_RETURN.replace("agency: fen-police", "agency: fen-polce")}
    )
    assert load_problems(root) == [
        "returns/s11-2024/fen-police.yaml:2:9: agency: unknown agency 'fen-polce'; did you mean 'fen-police'?",
    ]


def test_dangling_requirement(make_workspace: WorkspaceBuilder) -> None:
    """A rating of a requirement the pinned catalog version does not have is an error."""
    root = make_workspace({"returns/s11-2024/fen-police.yaml": MINI_RETURN.replace('"1.1"', '"1.9"')})
    assert load_problems(root) == [
        "returns/s11-2024/fen-police.yaml:9:18: ratings[0].requirement: unknown requirement '1.9'; did you mean '1.4'?",
    ]


def test_dangling_framework_version(make_workspace: WorkspaceBuilder) -> None:
    """A cycle pinning a catalog version that does not exist is an error."""
    root = make_workspace(
        {
            "cycles/s11-2024.yaml": "version: 1\nid: s11-2024\ntitle: T\nframework: section-11\n"
            'framework_version: "2024"\nopens: 2024-03-01\ndeadline: 2024-05-31\n',
        }
    )
    assert load_problems(root) == [
        "cycles/s11-2024.yaml:5:20: framework_version: unknown version of 'section-11' '2024'; did you mean '2025'?",
        "returns/s11-2024/fen-police.yaml:5:20: framework_version: cycle 's11-2024' answers 'section-11' version "
        "'2024', not 'section-11' version '2023'",
    ]


def test_unknown_choice(make_workspace: WorkspaceBuilder) -> None:
    """An enumerated field with a value outside its choices lists them with a hint."""
    root = make_workspace({"partnership.yaml": MINI_PARTNERSHIP.replace("class: statutory", "class: coopted")})
    assert load_problems(root) == [
        "partnership.yaml:13:50: memberships[0].class: expected one of 'statutory', 'co-opted', 'participant', "
        "'adviser'; got 'coopted'; did you mean 'co-opted'?",
    ]


def test_duplicate_id(make_workspace: WorkspaceBuilder) -> None:
    """Two agencies with one id are an error naming where the first was given."""
    extra = "  - {id: fen-police, name: Another Police, kind: police, sectors: both}\n"
    text = MINI_PARTNERSHIP.replace("bodies:\n", extra + "bodies:\n")
    root = make_workspace({"partnership.yaml": text})
    assert load_problems(root) == [
        "partnership.yaml:9:10: agencies[3].id: duplicate agency id 'fen-police' (first given at line 7)",
    ]


def test_not_applicable_with_a_level(make_workspace: WorkspaceBuilder) -> None:
    """A rating that is both a level and not applicable is refused."""
    text = MINI_RETURN.replace("    level: mostly\n", "    level: mostly\n    not_applicable: true\n")
    root = make_workspace({"returns/s11-2024/fen-police.yaml": text})
    assert load_problems(root) == [
        "returns/s11-2024/fen-police.yaml:10:12: ratings[0].level: a rating is either a level or not_applicable: "
        "true, not both",
    ]


def test_case_reference_must_be_a_pseudonym(make_workspace: WorkspaceBuilder) -> None:
    """A case reference that is not a pseudonym is refused."""
    audit = """\
    version: 1
    id: cfa-1
    title: Neglect
    topic: neglect
    framework: section-11
    date: 2024-11-05
    cases: [NEG-24-001, Jane Smith]
    agencies: [fen-police]
    findings:
      - {agency: fen-police, grade: good, themes: [recording], cases: [NEG-24-001], summary: Clear records.}
    """
    root = make_workspace({"case-file-audits/cfa-1.yaml": audit})
    assert load_problems(root) == [
        "case-file-audits/cfa-1.yaml:7:21: cases[1]: expected a pseudonymous case reference like 'CFA-24-017' "
        "(the value is not shown: it may identify someone)",
    ]


def test_unknown_theme(make_workspace: WorkspaceBuilder) -> None:
    """A finding themed outside the shared vocabulary is refused with a hint."""
    audit = """\
    version: 1
    id: cfa-1
    title: Neglect
    topic: neglect
    framework: section-11
    date: 2024-11-05
    cases: [NEG-24-001]
    agencies: [fen-police]
    findings:
      - {agency: fen-police, grade: good, themes: [recordng], summary: Clear records.}
    """
    root = make_workspace({"case-file-audits/cfa-1.yaml": audit})
    assert load_problems(root) == [
        "case-file-audits/cfa-1.yaml:10:48: findings[0].themes[0]: unknown theme 'recordng'; did you mean 'recording'?",
    ]


def test_unexpected_entry_in_workspace(make_workspace: WorkspaceBuilder) -> None:
    """A stray file in a workspace is reported, not ignored."""
    root = make_workspace({"notes.txt": "hello\n"})
    assert load_problems(root) == [
        "notes.txt: unexpected entry in a workspace; expected only: appraisals, case-file-audits, catalogs, cycles, "
        "decisions.yaml, indicators.yaml, partnership.yaml, practitioner-audits, published.yaml, returns",
    ]


def test_problems_from_several_files_come_together(make_workspace: WorkspaceBuilder) -> None:
    """Problems in different files are all reported in one LoadError, sorted by file."""
    root = make_workspace(
        {
            "partnership.yaml": MINI_PARTNERSHIP.replace("to: fscp}", "to: fscb}"),
            "returns/s11-2024/fen-police.yaml": MINI_RETURN.replace("level: mostly", "level: ~"),
        }
    )
    assert load_problems(root) == [
        "partnership.yaml:17:27: reporting_lines[0].to: unknown body 'fscb'; did you mean 'fscp'?",
        "returns/s11-2024/fen-police.yaml:9:5: ratings[0]: give a level, or not_applicable: true with a reason",
    ]


def test_missing_workspace_file(tmp_path: Path) -> None:
    """A workspace without a partnership file says so."""
    (tmp_path / "ws").mkdir()
    assert load_problems(tmp_path / "ws") == ["partnership.yaml: file not found"]


def test_load_file_not_found(tmp_path: Path) -> None:
    """Loading a file that does not exist is a LoadError, not an OSError."""
    with pytest.raises(sgassure.LoadError) as info:
        sgassure.load_partnership(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: file not found"


def test_local_catalog_overrides_the_bundled_one(make_workspace: WorkspaceBuilder) -> None:
    """A catalog in catalogs/ with a bundled id and version replaces the bundled one for that workspace."""
    bundled = (Path(sgassure.__file__).parent / "standards" / "section-11-2023.yaml").read_text()
    local = bundled.replace('label: "Partly compliant"', 'label: "Partly compliant (local wording)"')
    assert local != bundled
    root = make_workspace({"catalogs/section-11-2023.yaml": local})
    ws = sgassure.load_workspace(root)
    assert ws.framework("section-11", "2023").scale.level("partly").label == "Partly compliant (local wording)"


def test_duplicate_decision_is_refused(make_workspace: WorkspaceBuilder) -> None:
    """Two decisions for one fingerprint are refused at the second."""
    entry = "  - {fingerprint: section-11/x, justification: J, approver: Chair, date: 2024-06-01}\n"
    root = make_workspace({"decisions.yaml": "version: 1\ndecisions:\n" + entry + entry})
    assert load_problems(root) == [
        "decisions.yaml:4:19: decisions[1].fingerprint: duplicate decision for 'section-11/x' (first given at line 3)",
    ]
