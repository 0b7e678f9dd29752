"""Consistency checks that need no rules: published figures against themselves and the record.

Board reports carry arithmetic that does not add up: the parts of a funding
table fall short of its total; an agency's attendance is published as a
percentage that no number of meetings held could give. These checks report
each such figure as data (:class:`Inconsistency`), keeping both the stated and
the derived values, and never pick one silently.

Examples:
    >>> from sgassure import example_workspace_path, load_workspace
    >>> found = check_consistency(load_workspace(example_workspace_path()))
    >>> sorted({f.kind.value for f in found})
    ['attendance-mismatch', 'impossible-percentage', 'table-total']
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from sgassure.workspace import Workspace

__all__ = [
    "Inconsistency",
    "InconsistencyKind",
    "PublishedAttendance",
    "PublishedFigures",
    "PublishedTable",
    "TablePart",
    "check_consistency",
]


@attrs.frozen(kw_only=True)
class TablePart:
    """One row of a published table.

    Examples:
        >>> TablePart(label="Police", value=Decimal("24000")).label
        'Police'
    """

    label: str
    value: Decimal


@attrs.frozen(kw_only=True)
class PublishedTable:
    """A table as published: its parts and its stated total, with the precision it was printed at.

    ``tolerance`` is the largest difference that rounding of the printed parts
    can explain (0 for exact money figures).

    Examples:
        >>> t = PublishedTable(id="budget", title="Contributions", source="Annual report p.31", unit="GBP",
        ...     total=Decimal("100"), parts=(TablePart(label="A", value=Decimal("60")),
        ...     TablePart(label="B", value=Decimal("30"))))
        >>> t.parts_sum()
        Decimal('90')
    """

    id: str
    title: str
    source: str
    unit: str
    total: Decimal
    parts: tuple[TablePart, ...]
    tolerance: Decimal = Decimal(0)

    def parts_sum(self) -> Decimal:
        """The sum of the parts as printed."""
        return sum((p.value for p in self.parts), Decimal(0))


@attrs.frozen(kw_only=True)
class PublishedAttendance:
    """An attendance rate as published for an agency on a body over a period.

    ``decimals`` is the number of decimal places the percentage was printed with.

    Examples:
        >>> PublishedAttendance(body="wsab", agency="wfrs", start=dt.date(2024, 4, 1), end=dt.date(2025, 3, 31),
        ...     percent=Decimal("83"), source="SAB annual report 2024-25, appendix 2").decimals
        0
    """

    body: str
    agency: str
    start: dt.date
    end: dt.date
    percent: Decimal
    decimals: int = 0
    source: str


@attrs.frozen(kw_only=True)
class PublishedFigures:
    """The published figures file of a workspace: tables and attendance rates.

    Examples:
        >>> PublishedFigures().tables
        ()
    """

    tables: tuple[PublishedTable, ...] = ()
    attendance: tuple[PublishedAttendance, ...] = ()


class InconsistencyKind(enum.StrEnum):
    """The kinds of inconsistency found in published figures.

    Examples:
        >>> InconsistencyKind.TABLE_TOTAL.value
        'table-total'
    """

    TABLE_TOTAL = "table-total"
    IMPOSSIBLE_PERCENTAGE = "impossible-percentage"
    ATTENDANCE_MISMATCH = "attendance-mismatch"


@attrs.frozen(kw_only=True, order=True)
class Inconsistency:
    """A published figure that does not follow from the others or from the record.

    Examples:
        >>> Inconsistency(kind=InconsistencyKind.TABLE_TOTAL, subject="budget", source="p.31",
        ...     stated="100", derived="90", message="parts sum to 90, not the stated total 100").derived
        '90'
    """

    kind: InconsistencyKind
    subject: str
    source: str
    stated: str
    derived: str
    message: str


def _percent(attended: int, held: int, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return (Decimal(100 * attended) / Decimal(held)).quantize(quantum, rounding=ROUND_HALF_UP)


def _check_table(table: PublishedTable) -> Inconsistency | None:
    parts = table.parts_sum()
    if abs(parts - table.total) <= table.tolerance:
        return None
    return Inconsistency(
        kind=InconsistencyKind.TABLE_TOTAL,
        subject=table.id,
        source=table.source,
        stated=str(table.total),
        derived=str(parts),
        message=(
            f"{table.title}: the parts sum to {parts} {table.unit}, not the stated total {table.total} "
            f"(a difference of {parts - table.total}, beyond the rounding tolerance of {table.tolerance})"
        ),
    )


def _check_attendance(workspace: Workspace, figure: PublishedAttendance) -> Inconsistency | None:
    partnership = workspace.partnership
    attended, held = partnership.attendance(figure.agency, figure.body, figure.start, figure.end)
    subject = f"{figure.agency}@{figure.body}"
    where = f"{partnership.agency(figure.agency).name} on {partnership.body(figure.body).name}"
    possible = {_percent(k, held, figure.decimals) for k in range(held + 1)} if held else set()
    if figure.percent not in possible:
        return Inconsistency(
            kind=InconsistencyKind.IMPOSSIBLE_PERCENTAGE,
            subject=subject,
            source=figure.source,
            stated=f"{figure.percent}%",
            derived=f"{attended} of {held}",
            message=(
                f"{where}: {figure.percent}% cannot come from {held} recorded meeting(s) "
                f"between {figure.start.isoformat()} and {figure.end.isoformat()}"
            ),
        )
    derived = _percent(attended, held, figure.decimals)
    if derived != figure.percent:
        return Inconsistency(
            kind=InconsistencyKind.ATTENDANCE_MISMATCH,
            subject=subject,
            source=figure.source,
            stated=f"{figure.percent}%",
            derived=f"{derived}% ({attended} of {held})",
            message=(
                f"{where}: published {figure.percent}% but the recorded meetings give {derived}% ({attended} of {held})"
            ),
        )
    return None


def check_consistency(workspace: Workspace) -> tuple[Inconsistency, ...]:
    """Every inconsistency in a workspace's published figures, sorted by kind and subject.

    Args:
        workspace: a loaded workspace.

    Returns:
        The inconsistencies found, sorted.

    Examples:
        >>> from sgassure import example_workspace_path, load_workspace
        >>> [i.kind.value for i in check_consistency(load_workspace(example_workspace_path()))]
        ['attendance-mismatch', 'impossible-percentage', 'table-total']
    """
    found: list[Inconsistency] = []
    for table in workspace.published.tables:
        if (problem := _check_table(table)) is not None:
            found.append(problem)
    for figure in workspace.published.attendance:
        if (problem := _check_attendance(workspace, figure)) is not None:
            found.append(problem)
    return tuple(sorted(found))
