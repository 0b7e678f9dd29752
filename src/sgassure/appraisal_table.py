"""Published score tables as printed: figures, ranks and intervals, and what a re-check finds.

A business case prints its appraisal as a table of weighted scores, rounded. A
:class:`PrintedFigure` or :class:`PrintedRank` keeps each figure as printed (so
``"2.00"`` keeps its two decimals), a :class:`PublishedScoreTable` holds the
table, and an :class:`Interval` is what a rounded figure stands for. The
re-check itself is :func:`sgassure.appraisal_results.recheck_table`; what it
reports is a :class:`TableDiscrepancy` per figure that does not follow, and an
:class:`ImpliedScore` or :class:`ImpliedWeight` per score and weight the table
admits.

Examples:
    >>> str(PrintedFigure(text="18.3%").span())
    '[0.1825, 0.1835]'
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from sgassure import _scoring
from sgassure._convert import _Invalid, _kind, converter
from sgassure.errors import Location

__all__ = [
    "DISPLAY_PLACES",
    "ImpliedScore",
    "ImpliedWeight",
    "Interval",
    "PrintedFigure",
    "PrintedRank",
    "PublishedScoreTable",
    "TableDiscrepancy",
    "TableFigure",
]

DISPLAY_PLACES = 2
"""Weighted scores, subtotals and totals are displayed to 2 decimals, as published tables are."""


_FIGURE = re.compile(r"^(?P<number>-?\d+(?:\.(?P<decimals>\d+))?)(?P<percent>%)?$")
_RANK = re.compile(r"^(?P<before>=?)(?P<rank>\d+)(?P<after>=?)$")
_NOT_APPLICABLE = frozenset({"N/A", "n/a"})

_decimal_text = _scoring.decimal_text


@attrs.frozen(kw_only=True)
class Interval:
    """A closed interval of exact values.

    Examples:
        >>> i = Interval(low=Fraction(1825, 10000), high=Fraction(1835, 10000))
        >>> str(i), Fraction(11, 60) in i
        ('[0.1825, 0.1835]', True)
    """

    low: Fraction
    high: Fraction

    def __contains__(self, value: object) -> bool:
        return isinstance(value, Fraction | int) and self.low <= value <= self.high

    def __str__(self) -> str:
        return f"[{_decimal_text(self.low)}, {_decimal_text(self.high)}]"


@attrs.frozen(kw_only=True)
class PrintedFigure:
    """A figure of a published table, kept as printed: ``"2.00"``, ``"18.3%"`` or ``"N/A"``.

    A figure printed to ``d`` decimals stands for the interval of half a unit
    in its last place either side (``"2.00"`` for 1.995 to 2.005).

    Raises:
        ValueError: the text is not a figure as printed (a number, a percentage or N/A).

    Examples:
        >>> f = PrintedFigure(text="1.67")
        >>> f.value, f.places, f.shows(Fraction(333, 200))
        (Decimal('1.67'), 2, True)
        >>> PrintedFigure(text="N/A").value is None
        True
    """

    text: str
    location: Location | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.text not in _NOT_APPLICABLE and _FIGURE.match(self.text) is None:
            raise _Invalid(f"expected a figure as printed, like '2.00', '18.3%' or 'N/A'; got {self.text!r}")

    @property
    def value(self) -> Decimal | None:
        """The number printed (a percentage as its number of percent), or None for N/A."""
        match = _FIGURE.match(self.text)
        return None if match is None else Decimal(match["number"])

    @property
    def percent(self) -> bool:
        """Whether the figure is printed as a percentage."""
        return self.text.endswith("%")

    @property
    def places(self) -> int:
        """The number of decimals printed."""
        match = _FIGURE.match(self.text)
        return len(match["decimals"] or "") if match else 0

    @property
    def share(self) -> Fraction | None:
        """The figure as a plain number (a percentage divided by 100), or None for N/A."""
        value = self.value
        if value is None:
            return None
        return Fraction(value) / 100 if self.percent else Fraction(value)

    @property
    def half_unit(self) -> Fraction:
        """Half a unit in the last printed place, as a plain number."""
        half = Fraction(1, 2 * 10**self.places)
        return half / 100 if self.percent else half

    def span(self) -> Interval | None:
        """The closed interval the printed figure stands for, as a plain number (None for N/A).

        Examples:
            >>> str(PrintedFigure(text="18.3%").span())
            '[0.1825, 0.1835]'
        """
        share = self.share
        return None if share is None else Interval(low=share - self.half_unit, high=share + self.half_unit)

    def shows(self, value: Fraction) -> bool:
        """Whether ``value`` (a plain number) rounds half-up to this figure.

        Examples:
            >>> PrintedFigure(text="18.3%").shows(Fraction(11, 60))
            True
        """
        printed = self.value
        if printed is None:
            return False
        return _scoring.round_half_up(value * 100 if self.percent else value, self.places) == printed


@attrs.frozen(kw_only=True)
class PrintedRank:
    """A rank as printed: ``"1"``, or ``"=2"`` / ``"2="`` for a shared rank.

    Raises:
        ValueError: the text is not a rank as printed.

    Examples:
        >>> PrintedRank(text="=2").value, PrintedRank(text="=2").shared
        (2, True)
    """

    text: str
    location: Location | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        match = _RANK.match(self.text)
        if match is None or int(match["rank"]) < 1 or (match["before"] and match["after"]):
            raise _Invalid(f"expected a rank as printed, like '1', '=2' or '2='; got {self.text!r}")

    @property
    def value(self) -> int:
        """The rank."""
        match = _RANK.match(self.text)
        assert match is not None
        return int(match["rank"])

    @property
    def shared(self) -> bool:
        """Whether the rank is printed as shared (``=``)."""
        return "=" in self.text


def _printed(cls: type[PrintedFigure] | type[PrintedRank]) -> Any:
    def structure(value: object, _: type) -> PrintedFigure | PrintedRank:
        if not isinstance(value, str):
            hint = ": a number loses the digits it was printed with" if isinstance(value, int | float) else ""
            raise _Invalid(
                f'expected the figure as printed, in quotes ("2.00", "18.3%", "N/A"); got {_kind(value)}{hint}'
            )
        return cls(text=value)

    return structure


converter.register_structure_hook(PrintedFigure, _printed(PrintedFigure))
converter.register_unstructure_hook(PrintedFigure, lambda figure: figure.text)
converter.register_structure_hook(PrintedRank, _printed(PrintedRank))
converter.register_unstructure_hook(PrintedRank, lambda rank: rank.text)


@attrs.frozen(kw_only=True)
class PublishedScoreTable:
    """A published table of weighted scores, as printed: criteria as rows, options as columns.

    ``weights`` is the printed weight column; ``rows`` the weighted scores per
    criterion and option; ``subtotals`` per group; ``totals`` and ``ranks`` per
    option. Subtotals, totals and ranks may be left out if the table has none.

    Examples:
        >>> t = PublishedScoreTable(source="OBC table 7", rows={"c": {"o": PrintedFigure(text="0.55")}})
        >>> t.rows["c"]["o"].value
        Decimal('0.55')
    """

    source: str
    weights: dict[str, PrintedFigure] = attrs.Factory(dict)
    rows: dict[str, dict[str, PrintedFigure]]
    subtotals: dict[str, dict[str, PrintedFigure]] = attrs.Factory(dict)
    totals: dict[str, PrintedFigure] = attrs.Factory(dict)
    ranks: dict[str, PrintedRank] = attrs.Factory(dict)


class TableFigure(enum.StrEnum):
    """The kinds of figure in a published table, in the order they are re-checked.

    Examples:
        >>> [f.value for f in TableFigure]
        ['weight', 'weighted-score', 'subtotal', 'total', 'rank']
    """

    WEIGHT = "weight"
    WEIGHTED_SCORE = "weighted-score"
    SUBTOTAL = "subtotal"
    TOTAL = "total"
    RANK = "rank"


@attrs.frozen(kw_only=True)
class TableDiscrepancy:
    """A printed figure that does not follow: what was printed, what it should be, and where.

    Examples:
        >>> d = TableDiscrepancy(figure=TableFigure.TOTAL, option="a", printed="3.61", expected="3.51",
        ...     message="total of 'a' printed 3.61; the figures give 3.51")
        >>> d.key
        'total/a'
    """

    figure: TableFigure
    option: str | None = None
    criterion: str | None = None
    group: str | None = None
    printed: str
    expected: str
    message: str
    location: Location | None = None

    @property
    def key(self) -> str:
        """The figure named by its kind and row and column, e.g. ``weighted-score/obj-2/virtual-hub``."""
        return "/".join(x for x in (self.figure.value, self.group or self.criterion, self.option) if x)


@attrs.frozen(kw_only=True)
class ImpliedScore:
    """The raw scores a printed weighted score admits, given the effective weight and the group's scale.

    ``interval`` is None when no score on the scale gives the printed figure;
    ``points`` lists the scale points inside it (None for a scale without steps).

    Examples:
        >>> ImpliedScore(option="a", criterion="c", interval=Interval(low=Fraction(3), high=Fraction(3)),
        ...     points=(Fraction(3),)).describe()
        '3'
    """

    option: str
    criterion: str
    interval: Interval | None
    points: tuple[Fraction, ...] | None

    def describe(self) -> str:
        """The admissible scores in words: ``3``, ``2 or 3``, ``[2.4727, 2.5273]`` or ``none on the scale``."""
        if self.interval is None:
            return "none on the scale"
        if self.points is not None:
            return " or ".join(_decimal_text(p) for p in self.points)
        if self.interval.low == self.interval.high:
            return _decimal_text(self.interval.low)
        return str(self.interval)


@attrs.frozen(kw_only=True)
class ImpliedWeight:
    """The weights a criterion's printed figures admit, from the table alone (the printed weight and its row).

    Examples:
        >>> ImpliedWeight(criterion="c", interval=Interval(low=Fraction(1825, 10000),
        ...     high=Fraction(1835, 10000))).interval.high
        Fraction(367, 2000)
    """

    criterion: str
    interval: Interval | None
