"""Reading the tables of a return: a header of named columns, and each cell's value checked and converted.

The lower half of :mod:`sgassure._sheets_read`: :class:`_CellReader` splits the
rows under a header into cells by column name, and turns one cell into text, a
date, a number of months, yes/no, a level, a requirement id or an action status,
keeping every bad cell as a located :class:`~sgassure.errors.Problem` (the
reader raises them all at once). Used for both the ``.xlsx`` and ``.csv`` forms.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

import attrs

from sgassure._convert import did_you_mean, one_of
from sgassure.assessments import ActionStatus
from sgassure.errors import Location, Problem
from sgassure.standards import Framework

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE = re.compile(r"[+-]?\d+")


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


class _CellReader:
    """Reads the tables and cells of one return against a catalog; problems are kept in ``problems``."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
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


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
