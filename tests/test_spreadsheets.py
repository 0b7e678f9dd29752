"""Spreadsheet returns in and out: the template, strict reading, the CSV form, import and exports."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import io
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import alerts_pack

import sgassure
from sgassure import _cli_sheets
from sgassure.spreadsheets import read_return, write_agency_slice, write_findings, write_template

AS_OF = dt.date(2025, 9, 30)
RATINGS_HEADER = [
    "Standard id",
    "Standard title",
    "Requirement id",
    "Requirement text",
    "Level",
    "Not applicable",
    "Reason",
    "Comment",
    "Evidence description",
    "Evidence effective date",
    "Evidence recorded date",
    "Evidence valid months",
]
ACTIONS_HEADER = [
    "Action id",
    "Requirement id",
    "Action",
    "Owner",
    "Due date",
    "Status",
    "Status date",
    "Status note",
]


@pytest.fixture(scope="module")
def s11() -> sgassure.Framework:
    """The Section 11 catalog, 2025 edition."""
    return sgassure.bundled_framework("section-11", "2025")


@pytest.fixture(scope="module")
def police(example_path: Path) -> sgassure.SelfAssessment:
    """The example police return for s11-2025: multi-evidence ratings, an NHS number in a comment, actions."""
    return sgassure.load_self_assessment(example_path / "returns" / "s11-2025" / "wendmoor-police.yaml")


@pytest.fixture(scope="module")
def audit(example_ws: sgassure.Workspace) -> sgassure.AuditResult:
    """The example workspace audited with the bundled packs as at 30 September 2025."""
    return sgassure.run_audit(example_ws, sgassure.bundled_rule_packs(), as_of=AS_OF)


def _about(sa: sgassure.SelfAssessment) -> dict[str, object]:
    return {
        "Agency id": sa.agency,
        "Cycle id": sa.cycle,
        "Framework": sa.framework,
        "Framework version": sa.framework_version,
        "Submitted date": sa.submitted,
        "Completed by": sa.completed_by,
    }


def _rating_rows(rating: sgassure.Rating) -> list[list[object]]:
    """Columns E to L of a rating's rows: one per evidence item, the answers on the first."""
    answers: list[object] = [rating.level, "yes" if rating.not_applicable else None, rating.reason, rating.comment]
    items = [[e.description, e.effective, e.recorded, e.valid_months] for e in rating.evidence] or [[None] * 4]
    return [(answers if i == 0 else [None] * 4) + item for i, item in enumerate(items)]


def _action_rows(item: sgassure.ActionItem) -> list[list[object]]:
    """An action's rows: one per status change, the action's own fields on the first."""
    changes: list[Any] = list(item.history) or [None]
    rows = []
    for i, change in enumerate(changes):
        head = (
            [item.id, item.requirement, item.action, item.owner, item.due]
            if i == 0
            else [item.id, None, None, None, None]
        )
        tail = [change.status.value, change.date, change.note] if change else [None, None, None]
        rows.append(head + tail)
    return rows


def fill_workbook(path: Path, sa: sgassure.SelfAssessment) -> None:
    """Fill a written template with a return, as an agency would: extra evidence rows go at the bottom."""
    book = openpyxl.load_workbook(path)
    about = _about(sa)
    for label, value in book["About"].iter_rows(min_row=2, max_col=2):
        value.value = about[label.value]
    sheet = book["Ratings"]
    row_of = {sheet.cell(row, 3).value: row for row in range(2, sheet.max_row + 1)}
    for rating in sa.ratings:
        first, *extra = _rating_rows(rating)
        for column, value in enumerate(first, start=5):
            sheet.cell(row_of[rating.requirement], column).value = value
        for row in extra:
            sheet.append([None, None, rating.requirement, None, *row])
    for item in sa.actions:
        for row in _action_rows(item):
            book["Actions"].append(row)
    book.save(path)


def return_csv(sa: sgassure.SelfAssessment, framework: sgassure.Framework) -> str:
    """A return in the CSV form, written row by row as the docs describe it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for label, value in _about(sa).items():
        writer.writerow([f"# {label}: {value.isoformat() if isinstance(value, dt.date) else value}"])
    writer.writerow(RATINGS_HEADER)
    for rating in sa.ratings:
        standard = framework.standard_of(rating.requirement)
        text = framework.requirement(rating.requirement).text
        for row in _rating_rows(rating):
            writer.writerow([standard.id, standard.title, rating.requirement, text, *row])
    if sa.actions:
        writer.writerow(["# Actions"])
        writer.writerow(ACTIONS_HEADER)
        for item in sa.actions:
            writer.writerows(_action_rows(item))
    return out.getvalue()


def _unmoderated(sa: sgassure.SelfAssessment) -> sgassure.SelfAssessment:
    """The return as the agency sent it: moderation is the board's and not part of a spreadsheet return."""
    return attrs.evolve(sa, ratings=tuple(attrs.evolve(r, moderation=None) for r in sa.ratings))


def _problems(call: Callable[[], object]) -> list[str]:
    with pytest.raises(sgassure.LoadError) as info:
        call()
    return str(info.value).splitlines()


# --- the template --------------------------------------------------------------------------------------------------


def test_template_has_the_documented_sheets_prefilled(tmp_path: Path, s11: sgassure.Framework) -> None:
    """The template holds About (pre-filled where known), a row per requirement in catalog order, and the scale."""
    path = tmp_path / "return.xlsx"
    write_template(s11, path, agency="wendmoor-police", cycle="s11-2025")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Ratings", "Actions", "Levels"]
    assert [row[:2] for row in book["About"].iter_rows(values_only=True)] == [
        ("Field", "Value"),
        ("Agency id", "wendmoor-police"),
        ("Cycle id", "s11-2025"),
        ("Framework", "section-11"),
        ("Framework version", "2025"),
        ("Submitted date", None),
        ("Completed by", None),
    ]
    ratings = list(book["Ratings"].iter_rows(values_only=True))
    assert list(ratings[0]) == RATINGS_HEADER
    assert [row[2] for row in ratings[1:]] == [r.id for _, r in s11.requirements()]
    assert ratings[1][:4] == ("1", s11.standards[0].title, "1.1", s11.requirement("1.1").text)
    assert all(value is None for row in ratings[1:] for value in row[4:])
    assert [list(row) for row in book["Actions"].iter_rows(values_only=True)] == [ACTIONS_HEADER]
    assert [row[::4] for row in book["Levels"].iter_rows(values_only=True)] == [
        ("Level id", "Compliance"),
        ("fully", "compliant"),
        ("mostly", "compliant (the threshold)"),
        ("partly", "below threshold"),
        ("not", "below threshold"),
    ]
    assert {book[name].freeze_panes for name in book.sheetnames} == {"A2"}
    assert book["Ratings"].column_dimensions["D"].width == 60


def test_template_drop_downs_list_the_scale_yes_no_and_statuses(tmp_path: Path, s11: sgassure.Framework) -> None:
    """Level, not applicable and action status are drop-downs of the right lists; months must be whole."""
    path = tmp_path / "return.xlsx"
    write_template(s11, path)
    book = openpyxl.load_workbook(path)
    found = {
        (sheet, str(v.sqref), v.type, v.formula1)
        for sheet in ("Ratings", "Actions")
        for v in book[sheet].data_validations.dataValidation
    }
    assert found == {
        ("Ratings", "E2:E538", "list", '"fully,mostly,partly,not"'),
        ("Ratings", "F2:F538", "list", '"yes,no"'),
        ("Ratings", "L2:L538", "whole", "0"),
        ("Actions", "F2:F501", "list", '"not-started,in-progress,complete,cancelled"'),
    }


def test_xlsx_without_openpyxl_names_the_extra(
    tmp_path: Path, s11: sgassure.Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without openpyxl, .xlsx fails with a clear error naming the extra to install; CSV still works."""
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(sgassure.SgassureError) as info:
        write_template(s11, tmp_path / "return.xlsx")
    assert str(info.value) == ".xlsx files need openpyxl, which is not installed: pip install 'sgassure[xlsx]'"
    write_template(s11, tmp_path / "return.csv")
    assert (tmp_path / "return.csv").read_text().startswith("# Agency id:\n")


# --- reading returns -----------------------------------------------------------------------------------------------


def test_template_round_trips_a_return(
    tmp_path: Path, s11: sgassure.Framework, police: sgassure.SelfAssessment
) -> None:
    """A template filled with the example police return (extra evidence rows, action histories) reads back equal."""
    path = tmp_path / "return.xlsx"
    write_template(s11, path)
    fill_workbook(path, police)
    assert sum(len(r.evidence) > 1 for r in police.ratings) >= 5
    assert sum(len(a.history) > 1 for a in police.actions) >= 4
    assert read_return(path, framework=s11) == police


@pytest.mark.parametrize(
    ("cycle", "agency"), [("saaf-2025", "harrowfield-dc"), ("s11-2025", "wcpft"), ("s11-2023", "wcc-ph")]
)
def test_template_round_trips_not_applicable_and_status_notes(
    tmp_path: Path, example_ws: sgassure.Workspace, cycle: str, agency: str
) -> None:
    """Returns with not-applicable answers, reasons and status notes round-trip through the template."""
    sa = _unmoderated(next(a for a in example_ws.assessments_for(cycle) if a.agency == agency))
    framework = example_ws.framework_for(example_ws.cycle(cycle))
    path = tmp_path / "return.xlsx"
    write_template(framework, path, agency=agency, cycle=cycle)
    fill_workbook(path, sa)
    assert read_return(path, framework=framework) == sa


def test_csv_form_round_trips_every_example_return(tmp_path: Path, example_ws: sgassure.Workspace) -> None:
    """Every example return, written in the CSV form, reads back equal (moderation is not part of a return)."""
    path = tmp_path / "return.csv"
    for sa in example_ws.assessments:
        framework = example_ws.framework_for(example_ws.cycle(sa.cycle))
        path.write_text(return_csv(_unmoderated(sa), framework), encoding="utf-8")
        assert read_return(path, framework=framework) == _unmoderated(sa), (sa.cycle, sa.agency)


_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from('\n,"#'), min_size=1).filter(
    lambda t: t == t.strip()
)
_DATES = st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31))


@functools.cache
def _s11() -> sgassure.Framework:
    return sgassure.bundled_framework("section-11", "2025")


@st.composite
def _ratings(draw: st.DrawFn) -> tuple[sgassure.Rating, ...]:
    framework = _s11()
    ids = draw(st.lists(st.sampled_from([r.id for _, r in framework.requirements()]), min_size=1, unique=True))
    ratings = []
    for requirement in sorted(ids, key=[r.id for _, r in framework.requirements()].index):
        applies = draw(st.booleans())
        evidence = draw(
            st.lists(
                st.builds(
                    lambda text, day, gap, months: sgassure.Evidence(
                        description=text, effective=day, recorded=day + dt.timedelta(days=gap), valid_months=months
                    ),
                    _TEXT,
                    _DATES,
                    st.integers(0, 400),
                    st.none() | st.integers(1, 600),
                ),
                max_size=3,
            )
        )
        ratings.append(
            sgassure.Rating(
                requirement=requirement,
                level=draw(st.sampled_from(framework.scale.level_ids)) if applies else None,
                not_applicable=not applies,
                reason=None if applies else draw(st.none() | _TEXT),
                comment=draw(st.none() | _TEXT),
                evidence=tuple(evidence),
            )
        )
    return tuple(ratings)


@settings(max_examples=40, deadline=None)
@given(ratings=_ratings(), completed_by=_TEXT)
def test_csv_form_round_trips_any_text(ratings: tuple[sgassure.Rating, ...], completed_by: str) -> None:
    """Ratings with any text (commas, quotes, line breaks, '#'), dates and months survive the CSV form."""
    framework = _s11()
    sa = sgassure.SelfAssessment(
        agency="wendmoor-police",
        cycle="s11-2025",
        framework="section-11",
        framework_version="2025",
        submitted=dt.date(2025, 4, 25),
        completed_by=completed_by,
        ratings=ratings,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "return.csv"
        path.write_text(return_csv(sa, framework), encoding="utf-8")
        assert read_return(path, framework=framework) == sa


def test_csv_template_reads_back_once_filled(tmp_path: Path, s11: sgassure.Framework) -> None:
    """The CSV template, with About completed and one row answered, is a return of that one rating."""
    path = tmp_path / "return.csv"
    write_template(s11, path, agency="wendmoor-police", cycle="s11-2025")
    text = path.read_text(encoding="utf-8")
    text = text.replace("# Submitted date:", "# Submitted date: 2025-04-25")
    text = text.replace("# Completed by:", "# Completed by: Head of Public Protection, Wendmoor Police")
    text = text.replace('who it is.",,,,,,,,', 'who it is.",Mostly compliant,,,,Lead named,2024-04-20,2025-03-13,24')
    path.write_text("\ufeff" + text, encoding="utf-8")
    assert read_return(path, framework=s11) == sgassure.SelfAssessment(
        agency="wendmoor-police",
        cycle="s11-2025",
        framework="section-11",
        framework_version="2025",
        submitted=dt.date(2025, 4, 25),
        completed_by="Head of Public Protection, Wendmoor Police",
        ratings=(
            sgassure.Rating(
                requirement="1.1",
                level="mostly",
                evidence=(
                    sgassure.Evidence(
                        description="Lead named",
                        effective=dt.date(2024, 4, 20),
                        recorded=dt.date(2025, 3, 13),
                        valid_months=24,
                    ),
                ),
            ),
        ),
    )


def test_a_blank_template_is_not_a_return(tmp_path: Path, s11: sgassure.Framework) -> None:
    """A template sent back with About filled in but no requirement answered is refused."""
    path = tmp_path / "return.xlsx"
    write_template(s11, path, agency="wendmoor-police", cycle="s11-2025")
    book = openpyxl.load_workbook(path)
    book["About"]["B6"], book["About"]["B7"] = dt.date(2025, 4, 25), "Head of Public Protection"
    book.save(path)
    assert _problems(lambda: read_return(path, framework=s11)) == [f"{path}:Ratings: the return answers no requirement"]


def test_levels_by_label_or_alias_and_excel_values_are_accepted(tmp_path: Path, s11: sgassure.Framework) -> None:
    """Labels and aliases store the level id; Excel dates, whole 24.0 months, TRUE and a typed number id are read."""
    path = tmp_path / "return.xlsx"
    write_template(s11, path, agency="wendmoor-police", cycle="s11-2025")
    book = openpyxl.load_workbook(path)
    book["About"]["B6"] = dt.datetime(2025, 4, 25)
    book["About"]["B7"] = "Head of Public Protection"
    sheet = book["Ratings"]
    sheet["E2"], sheet["E3"], sheet["F4"], sheet["G4"] = "Amber", "Mostly compliant", True, "Not commissioned"
    sheet["E5"] = "green"
    sheet.append([None, None, 1.2, None, None, None, None, None, "Policy", dt.datetime(2024, 7, 4), "2025-03-02", 24.0])
    book.save(path)
    ratings = read_return(path, framework=s11).ratings
    assert [(r.requirement, r.level, r.not_applicable, r.reason, r.evidence) for r in ratings] == [
        ("1.1", "partly", False, None, ()),
        (
            "1.2",
            "mostly",
            False,
            None,
            (
                sgassure.Evidence(
                    description="Policy", effective=dt.date(2024, 7, 4), recorded=dt.date(2025, 3, 2), valid_months=24
                ),
            ),
        ),
        ("1.3", None, True, "Not commissioned", ()),
        ("1.4", "fully", False, None, ()),
    ]


def test_every_bad_cell_is_reported_at_its_cell(
    tmp_path: Path, s11: sgassure.Framework, police: sgassure.SelfAssessment
) -> None:
    """Each kind of bad cell gives one located problem, and all are reported at once."""
    path = tmp_path / "return.xlsx"
    write_template(s11, path)
    fill_workbook(path, police)
    book = openpyxl.load_workbook(path)
    book["About"]["B7"] = None  # completed by
    sheet = book["Ratings"]
    sheet["E2"] = "Amberish"  # 1.1: not a level
    sheet["E3"], sheet["F3"] = "mostly", "yes"  # 1.2: a level and not applicable
    sheet["E4"] = None  # 1.3: neither (its evidence stays)
    sheet["J5"] = "31/03/2025"  # 1.4: not an ISO date
    sheet["K6"] = dt.datetime(2025, 3, 9, 14, 30)  # 2.1: a date and a time
    sheet["L7"] = 2.9  # 2.2: not a whole number of months
    sheet["F8"] = "maybe"  # 2.3: not yes or no
    sheet["C9"] = "2.44"  # not a requirement: the extra evidence row of 2.4 (row 41) now stands alone
    sheet["E10"] = None  # 3.1: level moved to an extra row below, where it disagrees with the next one
    sheet.append([None, None, "3.1", None, "mostly"])
    sheet.append([None, None, "3.1", None, "partly"])
    sheet["I11"] = None  # 3.2: evidence without a description
    book["Actions"]["F2"] = "started"  # A1: not a status
    book.save(path)
    name = str(path)
    assert _problems(lambda: read_return(path, framework=s11)) == [
        f"{name}:About!B7: Completed by: required field missing",
        f"{name}:Actions!F2: Status: unknown action status 'started'; expected one of 'not-started', "
        "'in-progress', 'complete', 'cancelled'; did you mean 'not-started'?",
        f"{name}:Ratings!E2: Level: unknown level 'Amberish'; expected one of 'fully', 'mostly', 'partly', "
        "'not', or a label or alias on the Levels sheet; did you mean 'amber'?",
        f"{name}:Ratings!E3: Level: a rating is either a level or not applicable, not both",
        f"{name}:Ratings!E4: Level: give a level, or 'yes' under Not applicable with a reason",
        f"{name}:Ratings!J5: Evidence effective date: expected a date (YYYY-MM-DD, or a cell formatted as a "
        "date); got '31/03/2025'",
        f"{name}:Ratings!K6: Evidence recorded date: expected a date (YYYY-MM-DD, or a cell formatted as a "
        "date); got a date and time (2025-03-09 14:30)",
        f"{name}:Ratings!L7: Evidence valid months: expected a whole number of months; got a number (2.9)",
        f"{name}:Ratings!F8: Not applicable: expected yes or no; got 'maybe'",
        f"{name}:Ratings!C9: Requirement id: unknown requirement '2.44'; did you mean '2.4'?",
        f"{name}:Ratings!I11: Evidence description: evidence needs a description, an effective date and a "
        "recorded date",
        f"{name}:Ratings!E41: Level: give a level, or 'yes' under Not applicable with a reason",
        f"{name}:Ratings!E50: Level: requirement '3.1' has 'mostly' at Ratings!E49 and 'partly' here; "
        "rows of one requirement must agree (leave the cell blank on extra rows)",
    ]


def test_a_header_that_does_not_match_names_the_columns(tmp_path: Path, s11: sgassure.Framework) -> None:
    """A renamed column is reported as unknown (with a hint) and the template's column as missing; a sheet too."""
    path = tmp_path / "return.xlsx"
    write_template(s11, path, agency="wendmoor-police", cycle="s11-2025")
    book = openpyxl.load_workbook(path)
    book["Ratings"]["E1"] = "Levle"
    book["About"]["B6"], book["About"]["B7"] = dt.date(2025, 4, 25), "Head of Public Protection"
    del book["Actions"]
    book.create_sheet("Notes")["A1"] = "Draft notes"
    book.save(path)
    name = str(path)
    assert _problems(lambda: read_return(path, framework=s11)) == [
        f"{name}: missing sheet 'Actions'",
        f"{name}:Notes: unknown sheet 'Notes'; a return has the sheets 'About', 'Ratings', 'Actions', 'Levels'",
        f"{name}:Ratings!E1: unknown column 'Levle'; did you mean 'Level'?",
        f"{name}:Ratings!1:1: missing column 'Level'",
    ]


def test_about_must_match_the_framework_and_the_agency_it_is_read_for(
    tmp_path: Path, s11: sgassure.Framework, police: sgassure.SelfAssessment
) -> None:
    """A return for another catalog version or agency than the one it is read as is refused, at its cell."""
    path = tmp_path / "return.xlsx"
    write_template(sgassure.bundled_framework("section-11", "2023"), path)
    fill_workbook(path, attrs.evolve(police, ratings=(), actions=(), framework_version="2023"))
    name = str(path)
    assert _problems(lambda: read_return(path, framework=s11, agency="wc-icb")) == [
        f"{name}:About!B2: Agency id: the return is for agency 'wendmoor-police', but is read as agency 'wc-icb'",
        f"{name}:About!B5: Framework version: expected '2025' (the catalog this return is read against); got '2023'",
    ]


def test_csv_problems_are_located_by_line_and_field(tmp_path: Path, s11: sgassure.Framework) -> None:
    """CSV problems read file:line:column, the column being the field's number; blank lines are ignored."""
    path = tmp_path / "return.csv"
    path.write_text(
        "# Agency id: wendmoor-police\n"
        "# Cycle: s11-2025\n"
        "# Framework: section-11\n"
        "# Framework version: 2025\n"
        "# Submitted date: 25/04/2025\n"
        "# Completed by: Head of Public Protection\n"
        "\n" + ",".join(RATINGS_HEADER) + "\n"
        "1,,1.1,,mostly,,,,Policy,2024-04-20,2025-03-13,\n"
        ",,,,,,,,,,,\n"
        '1,,1.2,,partly,,Not needed,"A comment\nover two lines",,,,\n'
        "1,,1.3,,fully,,,,Report,2024-11-04,2025-02-06,two\n"
        "# Actions\n" + ",".join(ACTIONS_HEADER) + "\n"
        "A1,1.1,Run a campaign,Head of Public Protection,2025-10-31,complete,,\n",
        encoding="utf-8",
    )
    name = str(path)
    assert _problems(lambda: read_return(path, framework=s11)) == [
        f"{name}: Cycle id: required field missing",
        f"{name}:2:1: Field: unknown field 'Cycle'; did you mean 'Cycle id'?",
        f"{name}:5:1: Submitted date: expected a date (YYYY-MM-DD, or a cell formatted as a date); got '25/04/2025'",
        f"{name}:11:7: Reason: a reason is given only when not applicable; use Comment for remarks",
        f"{name}:13:12: Evidence valid months: expected a whole number of months; got 'two'",
        f"{name}:16:7: Status date: a status needs a status date",
    ]


# --- the commands --------------------------------------------------------------------------------------------------


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="sgassure")
    _cli_sheets.add_parser(parser.add_subparsers(dest="command", required=True))
    return _cli_sheets.run(parser.parse_args(argv))


@pytest.fixture
def workspace(tmp_path: Path, example_path: Path) -> Path:
    """The example partnership with its Section 11 cycles and one return (wc-icb's, which is moderated)."""
    root = tmp_path / "ws"
    (root / "cycles").mkdir(parents=True)
    (root / "returns" / "s11-2025").mkdir(parents=True)
    shutil.copy(example_path / "partnership.yaml", root)
    for cycle in ("s11-2023", "s11-2025"):
        shutil.copy(example_path / "cycles" / f"{cycle}.yaml", root / "cycles")
    shutil.copy(example_path / "returns" / "s11-2025" / "wc-icb.yaml", root / "returns" / "s11-2025")
    return root


def test_template_command_writes_a_bundled_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`sgassure template` writes the newest bundled version unless told, and names a mistyped catalog."""
    out = tmp_path / "saaf.xlsx"
    assert _run("template", "saaf", "--agency", "wfrs", "--cycle", "saaf-2025", "--out", str(out)) == 0
    assert capsys.readouterr().out == f"wrote {out}: the saaf 2024 template, 36 requirements\n"
    assert openpyxl.load_workbook(out)["About"]["B2"].value == "wfrs"
    with pytest.raises(sgassure.SgassureError) as info:
        _run("template", "section11", "--out", str(out))
    assert str(info.value) == (
        "no bundled catalog 'section11'; did you mean 'section-11'? "
        "(bundled: saaf 2024, section-11 2023, section-11 2025)"
    )


def test_import_writes_a_return_that_loads(
    tmp_path: Path, workspace: Path, s11: sgassure.Framework, police: sgassure.SelfAssessment
) -> None:
    """`sgassure import` turns a filled template into returns/<cycle>/<agency>.yaml, and refuses to overwrite it."""
    target = workspace / "returns" / "s11-2025" / "wendmoor-police.yaml"
    sheet = tmp_path / "police.xlsx"
    write_template(s11, sheet, agency="wendmoor-police", cycle="s11-2025")
    fill_workbook(sheet, police)
    args = ("import", str(workspace), str(sheet), "--agency", "wendmoor-police", "--cycle", "s11-2025")
    assert _run(*args) == 0
    assert sgassure.load_self_assessment(target) == police
    assert target.read_text(encoding="utf-8").splitlines()[:9] == [
        "version: 1",
        "agency: wendmoor-police",
        "cycle: s11-2025",
        "framework: section-11",
        "framework_version: '2025'",
        "submitted: 2025-04-25",
        "completed_by: Detective Superintendent, Head of Public Protection",
        "ratings:",
        "- requirement: '1.1'",
    ]
    with pytest.raises(sgassure.SgassureError) as info:
        _run(*args)
    assert str(info.value) == f"{target} exists; pass --force to replace it"
    assert _run(*args, "--force") == 0


def test_import_refuses_a_return_for_another_agency_or_losing_moderation(
    tmp_path: Path, workspace: Path, s11: sgassure.Framework, police: sgassure.SelfAssessment
) -> None:
    """The spreadsheet must be the named agency's, and --force never drops the board's moderation."""
    sheet = tmp_path / "police.xlsx"
    write_template(s11, sheet)
    fill_workbook(sheet, police)
    with pytest.raises(sgassure.LoadError) as info:
        _run("import", str(workspace), str(sheet), "--agency", "st-aldhelm", "--cycle", "s11-2025")
    assert str(info.value) == (
        f"{sheet}:About!B2: Agency id: the return is for agency 'wendmoor-police', but is read as agency 'st-aldhelm'"
    )
    assert not (workspace / "returns" / "s11-2025" / "st-aldhelm.yaml").exists()
    fill_workbook(sheet, attrs.evolve(police, agency="wc-icb", ratings=police.ratings[:3], actions=()))
    with pytest.raises(sgassure.SgassureError) as refused:
        _run("import", str(workspace), str(sheet), "--agency", "wc-icb", "--cycle", "s11-2025", "--force")
    assert str(refused.value) == (
        "the workspace's return of wc-icb for s11-2025 holds the board's moderation of 7.1, which a "
        "spreadsheet return does not carry; replacing it would lose it"
    )


def test_import_from_csv_and_a_failed_reload_leaves_no_file(
    make_workspace: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CSV return imports into a small workspace; written where the workspace cannot hold it, it is removed."""
    root = make_workspace()
    sheet = tmp_path / "icb.csv"
    sheet.write_text(
        "# Submitted date: 2024-05-30\n# Completed by: Designated nurse\n# Framework: section-11\n"
        "# Framework version: 2023\n" + ",".join(RATINGS_HEADER) + "\n1,,1.1,,Green,,,,,,,\n",
        encoding="utf-8",
    )
    args = ("import", str(root), str(sheet), "--agency", "fen-icb", "--cycle", "s11-2024")
    stray = root / "extra.yaml"
    with pytest.raises(sgassure.LoadError) as info:
        _run(*args, "--out-file", str(stray))
    assert str(info.value).startswith("extra.yaml: unexpected entry in a workspace; expected only: ")
    assert not stray.exists()
    assert _run(*args) == 0
    target = root / "returns" / "s11-2024" / "fen-icb.yaml"
    assert capsys.readouterr().out == f"wrote {target}: 1 rating, 0 actions; the workspace loads\n"
    assert target.read_text(encoding="utf-8") == (
        "version: 1\nagency: fen-icb\ncycle: s11-2024\nframework: section-11\nframework_version: '2023'\n"
        "submitted: 2024-05-30\ncompleted_by: Designated nurse\nratings:\n- requirement: '1.1'\n  level: fully\n"
    )


def test_findings_export_is_the_audit_csv_and_byte_identical(
    tmp_path: Path, audit: sgassure.AuditResult, capsys: pytest.CaptureFixture[str]
) -> None:
    """The findings CSV has the columns of `render_audit(..., "csv")` and the same bytes on every run."""
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_findings(audit, first)
    assert (
        _run(
            "export",
            str(sgassure.example_workspace_path()),
            "--as-of",
            "2025-09-30",
            "--findings",
            "--out",
            str(second),
        )
        == 0
    )
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text(encoding="utf-8") == sgassure.render_audit(audit, "csv")
    book = tmp_path / "findings.xlsx"
    write_findings(audit, book)
    sheets = openpyxl.load_workbook(book)
    rows = [list(r) for r in sheets["Findings"].iter_rows(values_only=True)]
    assert rows == [[v or None for v in r] for r in csv.reader(io.StringIO(first.read_text(encoding="utf-8")))]
    assert sheets["Escalations"].max_row == len(audit.escalations) + 1


def test_agency_slice_holds_exactly_that_agencys_findings(
    tmp_path: Path, example_ws: sgassure.Workspace, audit: sgassure.AuditResult
) -> None:
    """The slice of an agency lists its ratings in every visible cycle and only the findings about it."""
    path = tmp_path / "icb.xlsx"
    write_agency_slice(example_ws, audit, "wc-icb", path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Ratings", "Findings", "Escalations"]
    listed = [row[0] for row in book["Findings"].iter_rows(min_row=2, values_only=True)]
    assert listed == [f.fingerprint for f in audit.findings if f.subject.get("agency") == "wc-icb"]
    assert listed
    ratings = list(book["Ratings"].iter_rows(min_row=2, values_only=True))
    assert sorted({(r[0], r[1]) for r in ratings}) == [
        ("s11-2023", "section-11"),
        ("s11-2025", "section-11"),
        ("saaf-2024", "saaf"),
        ("saaf-2025", "saaf"),
    ]
    moderated = [r for r in ratings if r[6]]
    assert [(r[0], r[4], r[5], r[6], r[7], r[8]) for r in moderated] == [
        ("s11-2025", "7.1", "fully", "mostly", "mostly", "no")
    ]
    escalated = {row[0] for row in book["Escalations"].iter_rows(min_row=2, values_only=True)}
    assert escalated == {e.finding for e in audit.escalations if e.agency == "wc-icb"}


def test_agency_slice_csv_is_sectioned_masked_and_byte_identical(
    tmp_path: Path, example_ws: sgassure.Workspace, audit: sgassure.AuditResult
) -> None:
    """The CSV slice has its three sections, masks identifiers unless asked not to, and is stable across runs."""
    first, second, plain = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "plain.csv"
    write_agency_slice(example_ws, audit, "wendmoor-police", first)
    assert (
        _run(
            "export",
            str(sgassure.example_workspace_path()),
            "--as-of",
            "2025-09-30",
            "--agency",
            "wendmoor-police",
            "--out",
            str(second),
        )
        == 0
    )
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        "# Agency: wendmoor-police",
        "# As at: 2025-09-30",
        "# Ratings",
        "# Findings",
        "# Escalations",
    ]
    assert "quoted NHS number [NHS number removed] without encryption" in text
    assert "943 476 5919" not in text
    write_agency_slice(example_ws, audit, "wendmoor-police", plain, mask=False)
    assert "quoted NHS number 943 476 5919 without encryption" in plain.read_text(encoding="utf-8")
    with pytest.raises(sgassure.SgassureError) as info:
        write_agency_slice(example_ws, audit, "wendmoor-polise", first)
    assert str(info.value) == "unknown agency 'wendmoor-polise'; did you mean 'wendmoor-police'?"


GAP_ALERT = alerts_pack("Gaps without a plan, raised with the Health and Wellbeing Board", "gap-without-plan")


def test_exports_list_an_escalation_without_a_finding_among_escalations(
    tmp_path: Path, example_ws: sgassure.Workspace
) -> None:
    """An escalation-only match is a row of the Escalations tables (findings export and agency slice), not a finding."""
    packs = [p for p in sgassure.bundled_rule_packs() if p.id == "section-11"]
    result = sgassure.run_audit(example_ws, [*packs, sgassure.parse_rule_pack(GAP_ALERT)], as_of=AS_OF)
    alert = [
        "alerts/alerts.gap-without-plan/agency=uhwc/cycle=s11-2025/requirement=8.4",
        "unresolved-risk",
        "wendmoor-hwb",
        "Wendmoor Health and Wellbeing Board",
        "uhwc",
        "wcsp > wendmoor-hwb",
        "uhwc has no plan for requirement 8.4 in s11-2025",
    ]
    book = tmp_path / "findings.xlsx"
    write_findings(result, book)
    sheets = openpyxl.load_workbook(book)
    assert [list(r) for r in sheets["Escalations"].iter_rows(values_only=True)] == [
        ["finding", "concern", "body", "body_name", "agency", "route", "message"],
        alert,
    ]
    assert alert[0] not in [r[0] for r in sheets["Findings"].iter_rows(values_only=True)]
    sliced = tmp_path / "uhwc.csv"
    write_agency_slice(example_ws, result, "uhwc", sliced)
    escalations = sliced.read_text(encoding="utf-8").split("# Escalations\n", 1)[1]
    assert list(csv.reader(io.StringIO(escalations))) == [
        ["finding", "concern", "body", "body_name", "agency", "route", "message"],
        alert,
    ]
