"""Reading an agency's return: the cells of a filled template (``.xlsx``) or the ``.csv`` form into a SelfAssessment.

The machinery behind :func:`sgassure.spreadsheets.read_return`: the sheets or
CSV sections are split into tables under their headers, each cell is checked
and converted (text, dates, levels, requirement ids, yes/no, action statuses;
see :mod:`sgassure._sheets_cells`), the rows of one requirement or action are
merged, and every bad cell is kept as a located :class:`~sgassure.errors.Problem`
until all of them are raised at once as one :class:`~sgassure.errors.LoadError`.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from sgassure._convert import did_you_mean, one_of
from sgassure._sheets_cells import _blank, _Cell, _CellReader, _norm, _Row, _say, _where
from sgassure._sheets_layout import (
    _ABOUT,
    _ABOUT_COLUMNS,
    _ACTION,
    _ACTION_ID,
    _ACTIONS,
    _ACTIONS_COLUMNS,
    _AGENCY,
    _COMMENT,
    _COMPLETED_BY,
    _CYCLE,
    _DESCRIPTION,
    _DUE,
    _EFFECTIVE,
    _FRAMEWORK,
    _LEVEL,
    _LEVELS,
    _MONTHS,
    _NA,
    _OWNER,
    _RATINGS,
    _RATINGS_COLUMNS,
    _REASON,
    _RECORDED,
    _REQUIREMENT,
    _STANDARD,
    _STATUS,
    _STATUS_DATE,
    _STATUS_NOTE,
    _SUBMITTED,
    _VERSION,
    _openpyxl,
)
from sgassure.assessments import ActionItem, Evidence, Rating, SelfAssessment, StatusChange
from sgassure.errors import LoadError, Location, Problem
from sgassure.standards import Framework

_ABOUT_FIELDS = (_AGENCY, _CYCLE, _FRAMEWORK, _VERSION, _SUBMITTED, _COMPLETED_BY)
# A row with none of these filled leaves its requirement unanswered (the template's pre-filled rows).
_ANSWERS = (_LEVEL, _NA, _REASON, _COMMENT, _DESCRIPTION, _EFFECTIVE, _RECORDED, _MONTHS)
_KNOWN_SHEETS = (_ABOUT, _RATINGS, _ACTIONS, _LEVELS)


@attrs.define
class _Draft:
    """The cells of one requirement's (or action's) rows, merged as they are read."""

    first: _Row
    values: dict[str, tuple[Any, _Cell]] = attrs.Factory(dict)
    evidence: list[Evidence] = attrs.Factory(list)
    history: list[tuple[StatusChange, _Cell]] = attrs.Factory(list)
    filled: set[str] = attrs.Factory(set)
    """Columns written on some row, whether or not the value was good."""


class _Reader(_CellReader):
    """Reads one return: the About fields, the ratings and the action plan, merged over their rows."""

    def __init__(self, framework: Framework, agency: str | None, cycle: str | None) -> None:
        super().__init__(framework)
        self.agency = agency
        self.cycle = cycle

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


def _file_problem(name: str, message: str) -> LoadError:
    return LoadError([Problem(location=Location(file=name), path="", message=message)])


def _read_xlsx(path: Path, name: str, reader: _Reader) -> SelfAssessment:
    openpyxl = _openpyxl()
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]  # noqa: PLC0415

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
            written = ",".join(cells).strip()
            body = written[1:].strip()
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
                reader.fail(where.location, "", f"expected '# field: value' or '# Actions'; got {written!r}")
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
