"""Spreadsheets: agencies' returns in (.xlsx and .csv), findings and an agency's own slice out.

Agencies send their self-assessments as spreadsheets. :func:`write_template`
writes the template of a catalog version (an ``.xlsx`` workbook with drop-downs,
or the same tables as one ``.csv``), :func:`read_return` reads a filled one back
into a :class:`~sgassure.assessments.SelfAssessment`, strictly: every bad cell is a
located problem (``return.xlsx:Ratings!E12: Level: ...``, or
``return.csv:14:5: Level: ...`` where the column is the field's number), and all
of them are raised at once as one :class:`~sgassure.errors.LoadError`.
:func:`write_findings` and :func:`write_agency_slice` export an audit's results.

The layout of both forms is described in ``docs/spreadsheets.md``. Reading and
writing ``.xlsx`` needs openpyxl (``pip install 'sgassure[xlsx]'``); ``.csv``
needs nothing more.

Examples:
    >>> import pathlib, tempfile
    >>> from sgassure import bundled_framework
    >>> s11 = bundled_framework("section-11", "2025")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "return.csv"
    ...     write_template(s11, path, agency="wendmoor-police", cycle="s11-2025")
    ...     lines = path.read_text().splitlines()
    >>> print(*lines[:6], sep="\\n")
    # Agency id: wendmoor-police
    # Cycle id: s11-2025
    # Framework: section-11
    # Framework version: 2025
    # Submitted date:
    # Completed by:
    >>> lines[6].split(",")[:6]
    ['Standard id', 'Standard title', 'Requirement id', 'Requirement text', 'Level', 'Not applicable']
    >>> lines[7].split(",")[:3]
    ['1', 'Senior management commitment and a named board-level lead', '1.1']
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from sgassure._convert import did_you_mean, one_of
from sgassure.assessments import ActionItem, ActionStatus, Evidence, Rating, SelfAssessment, StatusChange
from sgassure.errors import LoadError, Location, Problem, SgassureError
from sgassure.findings import AuditResult
from sgassure.privacy import mask_identifiers
from sgassure.report import render_audit
from sgassure.standards import Framework
from sgassure.workspace import Workspace

__all__ = ["read_return", "write_agency_slice", "write_findings", "write_template"]

_ABOUT, _RATINGS, _ACTIONS, _LEVELS = "About", "Ratings", "Actions", "Levels"
_AGENCY, _CYCLE, _FRAMEWORK, _VERSION = "Agency id", "Cycle id", "Framework", "Framework version"
_SUBMITTED, _COMPLETED_BY = "Submitted date", "Completed by"
_ABOUT_FIELDS = (_AGENCY, _CYCLE, _FRAMEWORK, _VERSION, _SUBMITTED, _COMPLETED_BY)
_ABOUT_COLUMNS = ("Field", "Value", "Notes")
_STANDARD, _REQUIREMENT, _LEVEL, _NA = "Standard id", "Requirement id", "Level", "Not applicable"
_REASON, _COMMENT = "Reason", "Comment"
_DESCRIPTION, _EFFECTIVE = "Evidence description", "Evidence effective date"
_RECORDED, _MONTHS = "Evidence recorded date", "Evidence valid months"
_RATINGS_COLUMNS = (
    _STANDARD,
    "Standard title",
    _REQUIREMENT,
    "Requirement text",
    _LEVEL,
    _NA,
    _REASON,
    _COMMENT,
    _DESCRIPTION,
    _EFFECTIVE,
    _RECORDED,
    _MONTHS,
)
# A row with none of these filled leaves its requirement unanswered (the template's pre-filled rows).
_ANSWERS = (_LEVEL, _NA, _REASON, _COMMENT, _DESCRIPTION, _EFFECTIVE, _RECORDED, _MONTHS)
_ACTION_ID, _ACTION, _OWNER, _DUE = "Action id", "Action", "Owner", "Due date"
_STATUS, _STATUS_DATE, _STATUS_NOTE = "Status", "Status date", "Status note"
_ACTIONS_COLUMNS = (_ACTION_ID, _REQUIREMENT, _ACTION, _OWNER, _DUE, _STATUS, _STATUS_DATE, _STATUS_NOTE)
_LEVELS_COLUMNS = ("Level id", "Label", "Aliases", "Description", "Compliance")
_KNOWN_SHEETS = (_ABOUT, _RATINGS, _ACTIONS, _LEVELS)
_EXTRA_ROWS = 500  # rows below the pre-filled ones that keep the drop-downs, for extra evidence and actions
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE = re.compile(r"[+-]?\d+")
_INSTALL_HINT = "pip install 'sgassure[xlsx]'"


def _openpyxl() -> Any:
    try:
        import openpyxl  # type: ignore[import-untyped]  # noqa: PLC0415 - an optional extra, imported when used
    except ImportError:
        raise SgassureError(f".xlsx files need openpyxl, which is not installed: {_INSTALL_HINT}") from None
    return openpyxl


def _suffix(path: str | os.PathLike[str], what: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SgassureError(f"{what} is written as .xlsx or .csv; got {Path(path).name!r}")
    return suffix


def _atomic(path: str | os.PathLike[str], write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the target's folder, then rename it into place."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_text(path: str | os.PathLike[str], text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_bytes(text.encode("utf-8"))

    _atomic(path, write)


def _csv_text(sections: Sequence[Sequence[Sequence[object]]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for section in sections:
        writer.writerows(section)
    return out.getvalue()


# --- the template --------------------------------------------------------------------------------------------------


def _about_rows(framework: Framework, agency: str | None, cycle: str | None) -> list[tuple[str, str, str]]:
    return [
        (_AGENCY, agency or "", "The agency's id in the partnership file."),
        (_CYCLE, cycle or "", "The audit cycle's id."),
        (_FRAMEWORK, framework.id, f"{framework.title}. Filled in by sgassure: do not change."),
        (_VERSION, framework.version, "The catalog version. Filled in by sgassure: do not change."),
        (_SUBMITTED, "", "The date the return is submitted (a date, or text YYYY-MM-DD)."),
        (_COMPLETED_BY, "", "The role of the person who completed the return (a role, not a name)."),
    ]


def _requirement_rows(framework: Framework) -> list[list[str | None]]:
    blank: list[str | None] = [None] * (len(_RATINGS_COLUMNS) - 4)
    return [[s.id, s.title, r.id, r.text, *blank] for s, r in framework.requirements()]


def _compliance(framework: Framework, level: str) -> str:
    if level == framework.scale.threshold:
        return "compliant (the threshold)"
    return "compliant" if framework.scale.is_compliant(level) else "below threshold"


def write_template(
    framework: Framework, path: str | os.PathLike[str], *, agency: str | None = None, cycle: str | None = None
) -> None:
    """Write the return template of a catalog version, as ``.xlsx`` or as the ``.csv`` form (by suffix).

    The workbook has the sheets About (agency, cycle, framework, version,
    submitted date, completed by), Ratings (one row per requirement in catalog
    order; add rows with the same requirement id for more evidence items),
    Actions (one row per status change of an action) and Levels (the scale, with
    the threshold marked). Levels, "not applicable" and action statuses are
    drop-downs. The file is written atomically.

    Args:
        framework: the catalog version the return answers.
        path: where to write; ``.xlsx`` or ``.csv``.
        agency: the agency's id, pre-filled when given.
        cycle: the audit cycle's id, pre-filled when given.

    Raises:
        SgassureError: for another suffix, or ``.xlsx`` without openpyxl installed.

    Examples:
        >>> import pathlib, tempfile, openpyxl
        >>> from sgassure import bundled_framework
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder) / "return.xlsx"
        ...     write_template(bundled_framework("section-11", "2025"), path)
        ...     book = openpyxl.load_workbook(path)
        ...     book.sheetnames, book["Ratings"]["C2"].value, book["Ratings"].max_row
        (['About', 'Ratings', 'Actions', 'Levels'], '1.1', 38)
    """
    if _suffix(path, "a template") == ".csv":
        about = [[f"# {label}: {value}".rstrip()] for label, value, _ in _about_rows(framework, agency, cycle)]
        rows: list[Sequence[Sequence[object]]] = [
            about,
            [_RATINGS_COLUMNS, *_requirement_rows(framework)],
            [["# Actions"], _ACTIONS_COLUMNS],
        ]
        _write_text(path, _csv_text(rows))
        return
    _atomic(path, lambda tmp: _template_workbook(framework, agency, cycle).save(tmp))


def _book() -> tuple[Any, Any]:
    openpyxl = _openpyxl()
    book = openpyxl.Workbook()
    return openpyxl, book


def _sheet(
    book: Any, title: str, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]
) -> Any:
    """A sheet with a bold, frozen header row, set column widths and wrapped text."""
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]  # noqa: PLC0415

    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        if width >= 30:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    return sheet


def _drop_down(sheet: Any, cells: str, choices: Sequence[str], prompt: str, *, fallback: str = "") -> None:
    """A drop-down of ``choices``; of the cells ``fallback`` names when they do not fit Excel's inline list."""
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]  # noqa: PLC0415

    formula = '"' + ",".join(choices) + '"'
    if fallback and (len(formula) > 255 or any("," in c or '"' in c for c in choices)):
        formula = fallback
    rule = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning", prompt=prompt)
    rule.error = f"Expected one of: {', '.join(choices)}."
    sheet.add_data_validation(rule)
    rule.add(cells)


def _template_workbook(framework: Framework, agency: str | None, cycle: str | None) -> Any:
    from openpyxl.styles import Font, PatternFill  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    _, book = _book()
    book.remove(book.active)
    rows = [(label, value or None, notes) for label, value, notes in _about_rows(framework, agency, cycle)]
    about = _sheet(book, _ABOUT, _ABOUT_COLUMNS, rows, (22, 40, 70))
    for row in (4, 5):  # framework and version: filled in by sgassure
        about.cell(row=row, column=2).fill = PatternFill("solid", fgColor="E7E6E6")
        about.cell(row=row, column=2).font = Font(italic=True, color="595959")
    about.cell(row=6, column=2).number_format = "yyyy-mm-dd"
    requirements = _requirement_rows(framework)
    last = len(requirements) + 1 + _EXTRA_ROWS
    ratings = _sheet(book, _RATINGS, _RATINGS_COLUMNS, requirements, (9, 30, 12, 60, 12, 14, 30, 40, 50, 14, 14, 12))
    ratings.column_dimensions["C"].number_format = "@"
    for column in ("J", "K"):
        ratings.column_dimensions[column].number_format = "yyyy-mm-dd"
    levels = framework.scale.level_ids
    on_sheet = f"{_LEVELS}!$A$2:$A${len(levels) + 1}"
    _drop_down(ratings, f"E2:E{last}", levels, "A level from the Levels sheet.", fallback=on_sheet)
    _drop_down(ratings, f"F2:F{last}", ("yes", "no"), "yes if the requirement does not apply; give a reason.")
    months = DataValidation(type="whole", operator="greaterThan", formula1="0", allow_blank=True, errorStyle="warning")
    months.error = "A whole number of months, 1 or more."
    ratings.add_data_validation(months)
    months.add(f"L2:L{last}")
    actions = _sheet(book, _ACTIONS, _ACTIONS_COLUMNS, (), (10, 14, 50, 30, 12, 14, 12, 40))
    actions.column_dimensions["B"].number_format = "@"
    for column in ("E", "G"):
        actions.column_dimensions[column].number_format = "yyyy-mm-dd"
    _drop_down(actions, f"F2:F{1 + _EXTRA_ROWS}", [s.value for s in ActionStatus], "The status as of the status date.")
    scale = [
        (lv.id, lv.label, "; ".join(lv.aliases), lv.description, _compliance(framework, lv.id))
        for lv in framework.scale.levels
    ]
    _sheet(book, _LEVELS, _LEVELS_COLUMNS, scale, (12, 24, 24, 60, 24))
    return book


# --- reading a return ----------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Cell:
    value: object
    location: Location


_Row = dict[str, _Cell]
_Locate = Callable[[int, int], Location]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _show(value: object) -> str:
    if isinstance(value, bool):
        return f"a true/false value ({'TRUE' if value else 'FALSE'})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, dt.datetime):
        return f"a date and time ({value:%Y-%m-%d %H:%M})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        return repr(value.strip())
    return type(value).__name__


def _say(value: object) -> str:
    if isinstance(value, bool):
        return "'yes'" if value else "'no'"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def _where(location: Location) -> str:
    return location.cell or f"line {location.line}"


@attrs.define
class _Draft:
    """The cells of one requirement's (or action's) rows, merged as they are read."""

    first: _Row
    values: dict[str, tuple[Any, _Cell]] = attrs.Factory(dict)
    evidence: list[Evidence] = attrs.Factory(list)
    history: list[tuple[StatusChange, _Cell]] = attrs.Factory(list)
    filled: set[str] = attrs.Factory(set)
    """Columns written on some row, whether or not the value was good."""


class _Reader:
    def __init__(self, framework: Framework, agency: str | None, cycle: str | None) -> None:
        self.framework = framework
        self.agency = agency
        self.cycle = cycle
        self.requirement_ids = [r.id for _, r in framework.requirements()]
        self.problems: list[Problem] = []

    def fail(self, location: Location, column: str, message: str) -> None:
        self.problems.append(Problem(location=location, path=column, message=message))

    def table(
        self, rows: Sequence[tuple[int, Sequence[object]]], columns: Sequence[str], header_at: Location, locate: _Locate
    ) -> list[_Row]:
        """The rows of a table under a header naming ``columns`` (in any order); wholly empty rows are left out."""
        if not rows:
            for column in columns:
                self.fail(header_at, "", f"missing column {column!r}")
            return []
        number, header = rows[0]
        known = {_norm(c): c for c in columns}
        index: dict[str, int] = {}
        for i, name in enumerate(header):
            if _blank(name):
                continue
            label = known.get(_norm(str(name)))
            if label is None:
                self.fail(locate(number, i), "", f"unknown column {str(name)!r}{did_you_mean(str(name), columns)}")
            elif label in index:
                self.fail(locate(number, i), "", f"column {label!r} appears twice")
            else:
                index[label] = i
        missing = [c for c in columns if c not in index]
        for column in missing:
            self.fail(header_at, "", f"missing column {column!r}")
        if missing:
            return []
        out: list[_Row] = []
        headed = set(index.values())
        for number, values in rows[1:]:
            if all(_blank(v) for v in values):
                continue
            for i, value in enumerate(values):
                if i not in headed and not _blank(value) and (i >= len(header) or _blank(header[i])):
                    self.fail(locate(number, i), "", "a value in a column without a header")
            out.append(
                {
                    c: _Cell(value=values[i] if i < len(values) else None, location=locate(number, i))
                    for c, i in index.items()
                }
            )
        return out

    # -- cell values: each returns None for a blank cell, and for a bad one after reporting it

    def text(self, cell: _Cell, column: str) -> str | None:
        value = cell.value
        if _blank(value):
            return None
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        self.fail(cell.location, column, f"expected text; got {_show(value)}")
        return None

    def date(self, cell: _Cell, column: str) -> dt.date | None:
        value = cell.value
        if _blank(value):
            return None
        if isinstance(value, dt.datetime):
            if value.time() == dt.time(0) and value.tzinfo is None:
                return value.date()
        elif isinstance(value, dt.date):
            return value
        elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.fail(cell.location, column, f"no such date: {value.strip()!r}")
                return None
        self.fail(
            cell.location, column, f"expected a date (YYYY-MM-DD, or a cell formatted as a date); got {_show(value)}"
        )
        return None

    def months(self, cell: _Cell, column: str) -> int | None:
        value = cell.value
        if _blank(value):
            return None
        number: int | None = None
        if isinstance(value, bool):
            pass
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            number = int(value.strip())
        if number is None:
            self.fail(cell.location, column, f"expected a whole number of months; got {_show(value)}")
        elif number <= 0:
            self.fail(cell.location, column, f"expected a positive number of months; got {number}")
            return None
        return number

    def yes_no(self, cell: _Cell, column: str) -> bool | None:
        value = cell.value
        if _blank(value):
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().casefold() in ("yes", "no"):
            return value.strip().casefold() == "yes"
        self.fail(cell.location, column, f"expected yes or no; got {_show(value)}")
        return None

    def level(self, cell: _Cell, column: str) -> str | None:
        value = cell.value
        if _blank(value):
            return None
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            text = str(value).strip()
            scale = self.framework.scale
            found = scale.resolve(text)
            if found is not None:
                return found
            names = [name for lv in scale.levels for name in (lv.id, lv.label, *lv.aliases)]
            self.fail(
                cell.location,
                column,
                f"unknown level {text!r}; expected one of {one_of(scale.level_ids)}, "
                f"or a label or alias on the Levels sheet{did_you_mean(text, names)}",
            )
            return None
        self.fail(cell.location, column, f"expected a level; got {_show(value)}")
        return None

    def requirement(self, cell: _Cell, column: str) -> str | None:
        value, ids = cell.value, self.requirement_ids
        if isinstance(value, str):
            text = value.strip()
            if text in ids:
                return text
            self.fail(cell.location, column, f"unknown requirement {text!r}{did_you_mean(text, ids)}")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            matches = [r for r in ids if _number(r) == value]
            if len(matches) == 1:
                return matches[0]
            if matches:
                self.fail(cell.location, column, f"the number {value} could be {one_of(matches)}; write the id as text")
            else:
                self.fail(cell.location, column, f"unknown requirement {value}{did_you_mean(str(value), ids)}")
        else:
            self.fail(cell.location, column, f"expected a requirement id; got {_show(value)}")
        return None

    def status(self, cell: _Cell, column: str) -> ActionStatus | None:
        value = cell.value
        if _blank(value):
            return None
        choices = [s.value for s in ActionStatus]
        text = str(value).strip()
        if isinstance(value, str) and text.casefold() in choices:
            return ActionStatus(text.casefold())
        self.fail(
            cell.location,
            column,
            f"unknown action status {text!r}; expected one of {one_of(choices)}{did_you_mean(text, choices)}",
        )
        return None

    # -- merging the rows of one requirement or action

    def merge(self, draft: _Draft, column: str, value: object, cell: _Cell, what: str) -> None:
        if value is None:
            return
        if column not in draft.values:
            draft.values[column] = (value, cell)
            return
        earlier, at = draft.values[column]
        if earlier != value:
            self.fail(
                cell.location,
                column,
                f"{what} has {_say(earlier)} at {_where(at.location)} and {_say(value)} here; "
                f"rows of one {what.split(maxsplit=1)[0]} must agree (leave the cell blank on extra rows)",
            )

    def about(self, cells: dict[str, _Cell], missing_at: Location) -> dict[str, Any]:
        given = {_AGENCY: self.agency, _CYCLE: self.cycle}
        expected = {_FRAMEWORK: self.framework.id, _VERSION: self.framework.version}
        out: dict[str, Any] = {}
        for label in _ABOUT_FIELDS:
            cell = cells.get(label)
            value = None
            if cell is not None:
                value = self.date(cell, label) if label == _SUBMITTED else self.text(cell, label)
                if value is None and not _blank(cell.value):
                    continue  # reported
            if label in given and given[label] is not None:
                if value is not None and value != given[label]:
                    assert cell is not None
                    what = "agency" if label == _AGENCY else "cycle"
                    self.fail(
                        cell.location,
                        label,
                        f"the return is for {what} {value!r}, but is read as {what} {given[label]!r}",
                    )
                value = given[label]
            if label in expected and value is not None and value != expected[label]:
                assert cell is not None
                self.fail(
                    cell.location,
                    label,
                    f"expected {expected[label]!r} (the catalog this return is read against); got {value!r}",
                )
            if value is None:
                self.fail(cell.location if cell is not None else missing_at, label, "required field missing")
            out[label] = value
        return out

    def ratings(self, rows: Sequence[_Row]) -> list[Rating]:
        drafts: dict[str, _Draft] = {}
        for row in rows:
            req_cell = row[_REQUIREMENT]
            answered = any(not _blank(row[c].value) for c in _ANSWERS)
            if _blank(req_cell.value):
                self.fail(
                    req_cell.location,
                    _REQUIREMENT,
                    "a row with answers needs a requirement id" if answered else "a row needs a requirement id",
                )
                continue
            requirement = self.requirement(req_cell, _REQUIREMENT)
            standard = self.text(row[_STANDARD], _STANDARD)
            if requirement is not None and standard is not None:
                owner = self.framework.standard_of(requirement).id
                if standard != owner:
                    self.fail(
                        row[_STANDARD].location,
                        _STANDARD,
                        f"requirement {requirement!r} is in standard {owner!r}, not {standard!r}",
                    )
            values = {
                _LEVEL: self.level(row[_LEVEL], _LEVEL),
                _NA: self.yes_no(row[_NA], _NA),
                _REASON: self.text(row[_REASON], _REASON),
                _COMMENT: self.text(row[_COMMENT], _COMMENT),
            }
            evidence = self.evidence(row)
            if requirement is None or not answered:
                continue  # an unknown requirement is reported; an unanswered one gives no rating
            draft = drafts.setdefault(requirement, _Draft(first=row))
            for column, value in values.items():
                self.merge(draft, column, value, row[column], f"requirement {requirement!r}")
                if not _blank(row[column].value):
                    draft.filled.add(column)
            if evidence is not None:
                draft.evidence.append(evidence)
        return [self.rating(requirement, draft) for requirement, draft in drafts.items()]

    def evidence(self, row: _Row) -> Evidence | None:
        cells = (_DESCRIPTION, _EFFECTIVE, _RECORDED, _MONTHS)
        if all(_blank(row[c].value) for c in cells):
            return None
        description = self.text(row[_DESCRIPTION], _DESCRIPTION)
        effective = self.date(row[_EFFECTIVE], _EFFECTIVE)
        recorded = self.date(row[_RECORDED], _RECORDED)
        months = self.months(row[_MONTHS], _MONTHS)
        for column in (_DESCRIPTION, _EFFECTIVE, _RECORDED):
            if _blank(row[column].value):
                self.fail(
                    row[column].location, column, "evidence needs a description, an effective date and a recorded date"
                )
        if description is None or effective is None or recorded is None:
            return None
        if recorded < effective:
            self.fail(row[_RECORDED].location, _RECORDED, f"recorded ({recorded}) before it took effect ({effective})")
        return Evidence(description=description, effective=effective, recorded=recorded, valid_months=months)

    def rating(self, requirement: str, draft: _Draft) -> Rating:
        def get(column: str) -> Any:
            return draft.values[column][0] if column in draft.values else None

        level, na = get(_LEVEL), bool(get(_NA))
        bad = draft.filled - set(draft.values)  # written but refused, and reported already
        if level is not None and na:
            self.fail(
                draft.values[_LEVEL][1].location, _LEVEL, "a rating is either a level or not applicable, not both"
            )
        elif level is None and not na and not bad & {_LEVEL, _NA}:
            self.fail(draft.first[_LEVEL].location, _LEVEL, "give a level, or 'yes' under Not applicable with a reason")
        if get(_REASON) is not None and not na and _NA not in bad:
            self.fail(
                draft.values[_REASON][1].location,
                _REASON,
                "a reason is given only when not applicable; use Comment for remarks",
            )
        return Rating(
            requirement=requirement,
            level=level,
            not_applicable=na,
            reason=get(_REASON),
            evidence=tuple(draft.evidence),
            comment=get(_COMMENT),
        )

    def actions(self, rows: Sequence[_Row]) -> list[ActionItem]:
        drafts: dict[str, _Draft] = {}
        for row in rows:
            ident = self.text(row[_ACTION_ID], _ACTION_ID)
            if ident is None:
                if _blank(row[_ACTION_ID].value):
                    self.fail(row[_ACTION_ID].location, _ACTION_ID, "a row of the action plan needs an action id")
                continue
            draft = drafts.setdefault(ident, _Draft(first=row))
            what = f"action {ident!r}"
            req = None if _blank(row[_REQUIREMENT].value) else self.requirement(row[_REQUIREMENT], _REQUIREMENT)
            self.merge(draft, _REQUIREMENT, req, row[_REQUIREMENT], what)
            self.merge(draft, _ACTION, self.text(row[_ACTION], _ACTION), row[_ACTION], what)
            self.merge(draft, _OWNER, self.text(row[_OWNER], _OWNER), row[_OWNER], what)
            self.merge(draft, _DUE, self.date(row[_DUE], _DUE), row[_DUE], what)
            self.status_change(draft, row)
        return [item for ident, draft in drafts.items() if (item := self.action(ident, draft)) is not None]

    def status_change(self, draft: _Draft, row: _Row) -> None:
        status, date = self.status(row[_STATUS], _STATUS), self.date(row[_STATUS_DATE], _STATUS_DATE)
        note = self.text(row[_STATUS_NOTE], _STATUS_NOTE)
        if _blank(row[_STATUS].value) and not _blank(row[_STATUS_DATE].value):
            self.fail(row[_STATUS].location, _STATUS, "a status date needs a status")
        if _blank(row[_STATUS_DATE].value) and not _blank(row[_STATUS].value):
            self.fail(row[_STATUS_DATE].location, _STATUS_DATE, "a status needs a status date")
        if note is not None and _blank(row[_STATUS].value) and _blank(row[_STATUS_DATE].value):
            self.fail(row[_STATUS_NOTE].location, _STATUS_NOTE, "a status note needs a status and a status date")
        if status is None or date is None:
            return
        for earlier, cell in draft.history:
            if earlier.date == date:
                self.fail(
                    row[_STATUS_DATE].location,
                    _STATUS_DATE,
                    f"a second status on {date} (the first is at {_where(cell.location)})",
                )
                return
        draft.history.append((StatusChange(date=date, status=status, note=note), row[_STATUS_DATE]))

    def action(self, ident: str, draft: _Draft) -> ActionItem | None:
        missing = [c for c in (_REQUIREMENT, _ACTION, _OWNER, _DUE) if c not in draft.values]
        for column in missing:
            if _blank(draft.first[column].value):
                self.fail(draft.first[column].location, column, f"required field missing for action {ident!r}")
        if missing:
            return None
        return ActionItem(
            id=ident,
            requirement=draft.values[_REQUIREMENT][0],
            action=draft.values[_ACTION][0],
            owner=draft.values[_OWNER][0],
            due=draft.values[_DUE][0],
            history=tuple(change for change, _ in draft.history),
        )

    def assessment(
        self,
        about: dict[str, _Cell],
        missing_at: Location,
        ratings: list[_Row],
        actions: list[_Row],
        ratings_at: Location,
    ) -> SelfAssessment:
        fields = self.about(about, missing_at)
        rated = self.ratings(ratings)
        planned = self.actions(actions)
        if not rated and not self.problems:  # a blank template sent back, not a return
            self.fail(ratings_at, "", "the return answers no requirement")
        if self.problems:
            raise LoadError(self.problems)
        return SelfAssessment(
            agency=fields[_AGENCY],
            cycle=fields[_CYCLE],
            framework=fields[_FRAMEWORK],
            framework_version=fields[_VERSION],
            submitted=fields[_SUBMITTED],
            completed_by=fields[_COMPLETED_BY],
            ratings=tuple(rated),
            actions=tuple(planned),
        )


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _file_problem(name: str, message: str) -> LoadError:
    return LoadError([Problem(location=Location(file=name), path="", message=message)])


def _read_xlsx(path: Path, name: str, reader: _Reader) -> SelfAssessment:
    openpyxl = _openpyxl()
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it does not read (extensions, styles); none hold data.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise _file_problem(name, "file not found") from None
    except Exception as exc:  # noqa: BLE001 - translated at the boundary: openpyxl raises many kinds for a bad file
        raise _file_problem(name, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    sheets: dict[str, list[tuple[int, list[object]]]] = {}
    for sheet in book.worksheets:
        rows = [(i, list(values)) for i, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
        if sheet.title not in _KNOWN_SHEETS:
            if any(not _blank(v) for _, values in rows for v in values):
                hint = did_you_mean(sheet.title, _KNOWN_SHEETS)
                reader.fail(
                    Location(file=name, cell=sheet.title),
                    "",
                    f"unknown sheet {sheet.title!r}; a return has the sheets {one_of(_KNOWN_SHEETS)}{hint}",
                )
            continue
        sheets[sheet.title] = rows
    for title in (_ABOUT, _RATINGS, _ACTIONS):
        if title not in sheets:
            reader.fail(Location(file=name), "", f"missing sheet {title!r}")

    def table(title: str, columns: Sequence[str]) -> list[_Row]:
        if title not in sheets:
            return []

        def locate(row: int, column: int) -> Location:
            return Location(file=name, cell=f"{title}!{get_column_letter(column + 1)}{row}")

        return reader.table(sheets[title], columns, Location(file=name, cell=f"{title}!1:1"), locate)

    about: dict[str, _Cell] = {}
    for row in table(_ABOUT, _ABOUT_COLUMNS):
        field = row["Field"]
        label = _about_label(reader, field, field.value)
        if label is not None:
            _add_about(reader, about, label, field, row["Value"])
    return reader.assessment(
        about,
        Location(file=name, cell=_ABOUT),
        table(_RATINGS, _RATINGS_COLUMNS),
        table(_ACTIONS, _ACTIONS_COLUMNS),
        Location(file=name, cell=_RATINGS),
    )


def _about_label(reader: _Reader, cell: _Cell, text: object) -> str | None:
    if _blank(text):
        reader.fail(cell.location, "Field", "a row of About needs a field name")
        return None
    known = {_norm(f): f for f in _ABOUT_FIELDS}
    label = known.get(_norm(str(text)))
    if label is None:
        reader.fail(
            cell.location,
            "Field",
            f"unknown field {str(text).strip()!r}{did_you_mean(str(text).strip(), _ABOUT_FIELDS)}",
        )
    return label


def _add_about(reader: _Reader, about: dict[str, _Cell], label: str, at: _Cell, value: _Cell) -> None:
    if label in about:
        reader.fail(at.location, "Field", f"field {label!r} is given twice (first at {_where(about[label].location)})")
    else:
        about[label] = value


def _read_csv(path: Path, name: str, reader: _Reader) -> SelfAssessment:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise _file_problem(name, "file not found") from None
    except UnicodeDecodeError as exc:
        raise _file_problem(name, f"not UTF-8 text ({exc.reason}); save the CSV as UTF-8") from None
    except OSError as exc:
        raise _file_problem(name, f"cannot read: {exc.strerror}") from None
    records: list[tuple[int, list[str]]] = []
    parser = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for values in parser:
            records.append((start, values))
            start = parser.line_num + 1
    except csv.Error as exc:
        raise LoadError(
            [
                Problem(
                    location=Location(file=name, line=parser.line_num, column=1), path="", message=f"CSV syntax: {exc}"
                )
            ]
        ) from None
    about: dict[str, _Cell] = {}
    tables: dict[str, list[tuple[int, Sequence[object]]]] = {_RATINGS: [], _ACTIONS: []}
    state = _ABOUT
    for line, values in records:
        cells = list(values)
        while cells and _blank(cells[-1]):
            cells.pop()
        if not cells:
            continue
        if cells[0].lstrip().startswith("#"):
            body = ",".join(cells).strip()[1:].strip()
            where = _Cell(value=body, location=Location(file=name, line=line, column=1))
            if _norm(body) == "actions" and state != _ACTIONS:
                state = _ACTIONS
            elif state != _ABOUT:
                reader.fail(
                    where.location,
                    "",
                    "'# field: value' lines come before the ratings header; '# Actions' starts the action plan once",
                )
            elif ":" not in body:
                reader.fail(where.location, "", f"expected '# field: value' or '# Actions'; got {'#' + body!r}")
            else:
                key, value = body.split(":", 1)
                label = _about_label(reader, where, key)
                if label is not None:
                    _add_about(reader, about, label, where, _Cell(value=value.strip() or None, location=where.location))
            continue
        if state == _ABOUT:
            state = _RATINGS
        tables[state].append((line, values))

    def table(title: str, columns: Sequence[str], required: bool) -> list[_Row]:
        rows = tables[title]
        if not rows and not required:
            return []
        at = Location(file=name, line=rows[0][0], column=1) if rows else Location(file=name)
        return reader.table(rows, columns, at, lambda line, column: Location(file=name, line=line, column=column + 1))

    ratings = table(_RATINGS, _RATINGS_COLUMNS, True)
    actions = table(_ACTIONS, _ACTIONS_COLUMNS, state == _ACTIONS)
    return reader.assessment(about, Location(file=name), ratings, actions, Location(file=name))


def read_return(
    path: str | os.PathLike[str], *, framework: Framework, agency: str | None = None, cycle: str | None = None
) -> SelfAssessment:
    """Read an agency's return from a filled template (``.xlsx``) or the ``.csv`` form.

    Rows of one requirement are merged: each row gives one evidence item, and
    the level, not applicable, reason and comment may be given on any of them
    (blank on the others, or the same). A row with no answer at all (the
    template's pre-filled requirement columns only) gives no rating, as a YAML
    return that leaves the requirement out (a return that answers none is
    refused); a wholly empty row is ignored.
    Levels may be written as the scale's ids, labels or aliases (``Amber``);
    the level id is stored. Moderation is the board's and is not part of a return.

    Args:
        path: the ``.xlsx`` or ``.csv`` file.
        framework: the catalog version the return answers (its About sheet must name it).
        agency: the agency's id; required when About leaves it blank, and must match it otherwise.
        cycle: the audit cycle's id; likewise.

    Returns:
        The self-assessment, with ratings and actions in the order of their first rows.

    Raises:
        LoadError: every bad cell, located as ``file.xlsx:Sheet!C12`` or ``file.csv:line:column``.
        SgassureError: for ``.xlsx`` without openpyxl installed.

    Examples:
        >>> import contextlib, pathlib, tempfile
        >>> from sgassure import bundled_framework
        >>> s11 = bundled_framework("section-11", "2025")
        >>> with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        ...     write_template(s11, "return.csv", agency="wendmoor-police", cycle="s11-2025")
        ...     text = pathlib.Path("return.csv").read_text()
        ...     text = text.replace("# Submitted date:", "# Submitted date: 2025-04-25")
        ...     text = text.replace("# Completed by:", "# Completed by: Head of Public Protection")
        ...     _ = pathlib.Path("return.csv").write_text(text.replace('asks for.",,,,', 'asks for.",Amber,,,Late'))
        ...     sa = read_return("return.csv", framework=s11)
        ...     _ = pathlib.Path("return.csv").write_text(text.replace('asks for.",,,,', 'asks for.",Amberish,,,'))
        ...     read_return("return.csv", framework=s11)
        Traceback (most recent call last):
        ...
        sgassure.errors.LoadError: return.csv:43:5: Level: unknown level 'Amberish'; expected one of 'fully', \
'mostly', 'partly', 'not', or a label or alias on the Levels sheet; did you mean 'amber'?
        >>> [(r.requirement, r.level, r.comment) for r in sa.ratings]
        [('9.3', 'partly', 'Late')]
    """
    target = Path(path)
    reader = _Reader(framework, agency, cycle)
    if target.suffix.lower() == ".xlsx":
        return _read_xlsx(target, str(path), reader)
    if target.suffix.lower() == ".csv":
        return _read_csv(target, str(path), reader)
    raise _file_problem(str(path), "unsupported file type; a return is read from .xlsx or .csv")


# --- exports -------------------------------------------------------------------------------------------------------


def _masked(result: AuditResult, mask: bool) -> AuditResult:
    if not mask:
        return result
    return attrs.evolve(
        result,
        findings=tuple(attrs.evolve(f, message=mask_identifiers(f.message)) for f in result.findings),
        escalations=tuple(attrs.evolve(e, message=mask_identifiers(e.message)) for e in result.escalations),
    )


_ESCALATION_COLUMNS = ("finding", "concern", "body", "body_name", "agency", "route", "message")


def _escalation_rows(result: AuditResult, agency: str | None = None) -> list[list[object]]:
    return [
        [e.finding, e.concern, e.body, e.body_name, e.agency or "", " > ".join(e.route), e.message]
        for e in result.escalations
        if agency is None or e.agency == agency
    ]


def _write_book(path: str | os.PathLike[str], sheets: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> None:
    """An .xlsx of plain tables: the first row of each is its header."""

    def build(tmp: Path) -> None:
        _, book = _book()
        book.remove(book.active)
        for title, rows in sheets:
            header, body = rows[0], rows[1:]
            widths = [
                min(60, max([len(str(header[i])) + 2] + [len(str(r[i])) + 1 for r in body])) for i in range(len(header))
            ]
            _sheet(book, title, [str(h) for h in header], body, widths)
        book.save(tmp)

    _atomic(path, build)


def write_findings(result: AuditResult, path: str | os.PathLike[str], *, mask: bool = True) -> None:
    """Write an audit's findings as ``.csv`` (the columns of ``render_audit(result, "csv")``) or ``.xlsx``.

    The workbook has a Findings sheet with those columns and an Escalations
    sheet. Messages are masked for personal identifiers unless ``mask=False``.
    The CSV is byte-identical for the same result; the file is written atomically.

    Args:
        result: the audit.
        path: where to write; ``.csv`` or ``.xlsx``.
        mask: mask personal identifiers in messages (the default).

    Raises:
        SgassureError: for another suffix, or ``.xlsx`` without openpyxl installed.

    Examples:
        >>> import datetime as dt, pathlib, tempfile
        >>> from sgassure import AuditResult
        >>> result = AuditResult(as_of=dt.date(2025, 9, 30), packs=(), findings=(), escalations=())
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_findings(result, pathlib.Path(folder) / "findings.csv")
        ...     print((pathlib.Path(folder) / "findings.csv").read_text(), end="")
        fingerprint,severity,pack,rule,status,agency,cycle,requirement,message
    """
    suffix = _suffix(path, "findings")
    text = render_audit(_masked(result, mask), "csv")
    if suffix == ".csv":
        _write_text(path, text)
        return
    findings = list(csv.reader(io.StringIO(text, newline="")))
    escalations: list[list[object]] = [list(_ESCALATION_COLUMNS), *_escalation_rows(_masked(result, mask))]
    _write_book(path, [("Findings", findings), ("Escalations", escalations)])


_SLICE_COLUMNS = (
    "cycle",
    "framework",
    "framework_version",
    "standard",
    "requirement",
    "self_level",
    "moderated_level",
    "effective_level",
    "below_threshold",
    "not_applicable",
    "evidence",
    "reason",
    "comment",
    "moderation_rationale",
)


def _slice_ratings(workspace: Workspace, result: AuditResult, agency: str, mask: bool) -> list[list[object]]:
    as_of = result.as_of
    hide: Callable[[str | None], str] = (lambda t: mask_identifiers(t or "")) if mask else (lambda t: t or "")
    rows: list[list[object]] = []
    for cycle in workspace.cycles:
        sa = next((a for a in workspace.assessments_for(cycle.id) if a.agency == agency), None)
        if cycle.opens > as_of or sa is None or sa.submitted > as_of:
            continue
        framework = workspace.framework_for(cycle)
        order = {r.id: i for i, (_, r) in enumerate(framework.requirements())}
        for rating in sorted(sa.ratings, key=lambda r: order.get(r.requirement, len(order))):
            effective = rating.effective_level(as_of)
            below = "" if effective is None else ("no" if framework.scale.is_compliant(effective) else "yes")
            moderated = rating.moderated_level(as_of)
            rationale = rating.moderation.rationale if moderated is not None and rating.moderation else None
            rows.append(
                [
                    cycle.id,
                    framework.id,
                    framework.version,
                    framework.standard_of(rating.requirement).id,
                    rating.requirement,
                    rating.level or "",
                    moderated or "",
                    effective or "",
                    below,
                    "yes" if rating.not_applicable else "no",
                    len(rating.evidence_on(as_of)),
                    hide(rating.reason),
                    hide(rating.comment),
                    hide(rationale),
                ]
            )
    return rows


def write_agency_slice(
    workspace: Workspace, result: AuditResult, agency: str, path: str | os.PathLike[str], *, mask: bool = True
) -> None:
    """Write one agency's own slice of an audit: its ratings in every cycle, its findings and escalations.

    Ratings are those of the agency's returns visible as at the audit's date
    (cycles opened and returns submitted by then), by cycle and catalog order,
    with the self, moderated and effective level, whether the effective level
    is below threshold, and the number of evidence items recorded by then.
    Findings are those whose subject is the agency, escalations those about it,
    in the audit's order. ``.xlsx`` has the sheets Ratings, Findings and
    Escalations; ``.csv`` has the same three tables as sections, each after a
    ``# Ratings`` / ``# Findings`` / ``# Escalations`` line (see
    ``docs/spreadsheets.md``). Free text is masked for personal identifiers
    unless ``mask=False``. The CSV is byte-identical for the same input.

    Args:
        workspace: the workspace the audit ran over.
        result: the audit.
        agency: the agency's id.
        path: where to write; ``.csv`` or ``.xlsx``.
        mask: mask personal identifiers in free text (the default).

    Raises:
        SgassureError: for an agency not in the partnership, another suffix, or
            ``.xlsx`` without openpyxl installed.

    Examples:
        >>> import datetime as dt, pathlib, tempfile
        >>> from sgassure import AuditResult, example_workspace_path, load_workspace
        >>> ws = load_workspace(example_workspace_path())
        >>> result = AuditResult(as_of=dt.date(2025, 9, 30), packs=(), findings=(), escalations=())
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_agency_slice(ws, result, "wendmoor-police", pathlib.Path(folder) / "police.csv")
        ...     lines = (pathlib.Path(folder) / "police.csv").read_text().splitlines()
        >>> lines[:4]
        ['# Agency: wendmoor-police', '# As at: 2025-09-30', '', '# Ratings']
        >>> lines[5].split(",")[:9]
        ['s11-2023', 'section-11', '2023', '1', '1.1', 'fully', '', 'fully', 'no']
    """
    agencies = [a.id for a in workspace.partnership.agencies]
    if agency not in agencies:
        raise SgassureError(f"unknown agency {agency!r}{did_you_mean(agency, agencies)}")
    suffix = _suffix(path, "an agency's slice")
    shown = _masked(result, mask)
    ratings: list[list[object]] = [list(_SLICE_COLUMNS), *_slice_ratings(workspace, result, agency, mask)]
    text = render_audit(
        attrs.evolve(shown, findings=tuple(f for f in shown.findings if f.subject.get("agency") == agency)), "csv"
    )
    findings: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    escalations: list[list[object]] = [list(_ESCALATION_COLUMNS), *_escalation_rows(shown, agency)]
    if suffix == ".xlsx":
        _write_book(path, [("Ratings", ratings), ("Findings", findings), ("Escalations", escalations)])
        return
    head: list[list[object]] = [[f"# Agency: {agency}"], [f"# As at: {result.as_of.isoformat()}"], []]
    sections: list[list[list[object]]] = [
        head,
        [["# Ratings"], *ratings, []],
        [["# Findings"], *findings, []],
        [["# Escalations"], *escalations],
    ]
    _write_text(path, _csv_text(sections))
