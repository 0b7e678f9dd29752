"""Re-checking a published score table figure by figure, within the rounding of each printed figure.

The table is plain values (ids, effective weights, printed figures seen through
the :class:`Printed` and :class:`PrintedPlace` protocols), so this module knows
nothing of files or of the public classes in :mod:`sgassure.appraisal`; the
interval arithmetic it works with is in :mod:`sgassure._scoring`.

- :class:`Recheck` checks the weights, weighted scores, subtotals, totals and
  ranks in that order and collects a :class:`Mismatch` for each figure that
  does not follow, and the raw scores each weighted score admits.
- :func:`implied_weight` narrows the weights a printed weight and its row
  admit together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Protocol

import attrs

from sgassure._scoring import (
    ONE,
    ZERO,
    Span,
    add_spans,
    competition_ranks,
    decimal_text,
    intersect,
    meets,
    quotient,
    scale_points,
    show,
    show_percent,
    snap,
    span_text,
    times,
)


class Printed(Protocol):
    """A printed figure: its text, value as a plain number (None for N/A), decimals and rounding test."""

    @property
    def text(self) -> str: ...

    @property
    def share(self) -> Fraction | None: ...

    @property
    def places(self) -> int: ...

    @property
    def half_unit(self) -> Fraction: ...

    def shows(self, value: Fraction) -> bool: ...


class PrintedPlace(Protocol):
    """A printed rank."""

    @property
    def text(self) -> str: ...

    @property
    def value(self) -> int: ...


def printed_span(figure: Printed) -> Span | None:
    """The closed interval a printed figure stands for, floored at 0 (weights and scores are not negative)."""
    share = figure.share
    if share is None:
        return None
    return max(share - figure.half_unit, ZERO), share + figure.half_unit


@attrs.frozen(kw_only=True)
class TableGroup:
    """A criteria group as the re-check needs it."""

    id: str
    label: str
    factor: Fraction
    low: Fraction
    high: Fraction
    step: Fraction | None
    criteria: tuple[tuple[str, Fraction | None], ...]
    """Each criterion's id and effective weight (None when not applicable)."""


@attrs.frozen(kw_only=True)
class Table:
    """A published table as the re-check needs it."""

    options: tuple[str, ...]
    groups: tuple[TableGroup, ...]
    known: Mapping[str, Mapping[str, Fraction]] | None
    weights: Mapping[str, Printed]
    rows: Mapping[str, Mapping[str, Printed]]
    subtotals: Mapping[str, Mapping[str, Printed]]
    totals: Mapping[str, Printed]
    ranks: Mapping[str, PrintedPlace]


@attrs.frozen(kw_only=True)
class Mismatch:
    """A printed figure that does not follow."""

    figure: str
    printed: Printed | PrintedPlace
    expected: str
    message: str
    group: str | None = None
    criterion: str | None = None
    option: str | None = None


@attrs.frozen(kw_only=True)
class Implied:
    """The raw scores one printed weighted score admits."""

    option: str
    criterion: str
    span: Span | None
    points: tuple[Fraction, ...] | None


@attrs.frozen(kw_only=True)
class Part:
    """What is known of one figure: as printed, exactly (when known) and as an interval."""

    printed: Fraction | None
    exact: Fraction | None
    span: Span


class Recheck:
    """Re-checks a published table figure by figure (see :func:`sgassure.appraisal.recheck_table`)."""

    def __init__(self, table: Table) -> None:
        self.t = table
        self.found: list[Mismatch] = []
        self.implied: list[Implied] = []
        self.figures = 0

    def run(self) -> None:
        """Check the weights, rows, subtotals, totals and ranks, in that order."""
        self.weights()
        parts = self.rows()
        totals = self.sums(parts)
        self.ranks(totals)

    def weights(self) -> None:
        """Each printed weight against the effective weight (N/A for a criterion not applicable)."""
        for g in self.t.groups:
            for criterion, weight in g.criteria:
                printed = self.t.weights.get(criterion)
                if printed is None:
                    continue
                self.figures += 1
                if weight is None:
                    if printed.share is not None:
                        self.found.append(
                            Mismatch(
                                figure="weight",
                                printed=printed,
                                expected="N/A",
                                criterion=criterion,
                                message=f"{criterion!r} is not applicable, yet its weight is printed {printed.text}",
                            )
                        )
                elif not printed.shows(weight):
                    expected = show_percent(weight, printed.places)
                    self.found.append(
                        Mismatch(
                            figure="weight",
                            printed=printed,
                            expected=expected,
                            criterion=criterion,
                            message=f"weight of {criterion!r} printed {printed.text}; the weight used, {weight}, "
                            f"shows as {expected}",
                        )
                    )

    def rows(self) -> dict[tuple[str, str], Part]:
        """Each weighted score; returns what is known of each."""
        parts: dict[tuple[str, str], Part] = {}
        for g in self.t.groups:
            for criterion, weight in g.criteria:
                for option in self.t.options:
                    printed = self.t.rows[criterion][option]
                    self.figures += 1
                    if weight is None:
                        if printed.share is not None:
                            self.found.append(
                                Mismatch(
                                    figure="weighted-score",
                                    printed=printed,
                                    expected="N/A",
                                    criterion=criterion,
                                    option=option,
                                    message=f"{criterion!r} is not applicable, yet {option!r} is printed "
                                    f"{printed.text}",
                                )
                            )
                        continue
                    parts[(criterion, option)] = self.row(g, criterion, weight, option, printed)
        return parts

    def row(self, g: TableGroup, criterion: str, weight: Fraction, option: str, printed: Printed) -> Part:
        """One weighted score: does some raw score (the known one, if any) times the weight round to it?"""
        known = None if self.t.known is None else self.t.known[criterion][option]
        y = printed_span(printed)
        if y is None:
            self.implied.append(Implied(option=option, criterion=criterion, span=None, points=None))
            product = None if known is None else weight * known
            self.found.append(
                Mismatch(
                    figure="weighted-score",
                    printed=printed,
                    criterion=criterion,
                    option=option,
                    expected="a figure" if product is None else show(product),
                    message=f"{criterion!r} applies, yet {option!r} is printed {printed.text}",
                )
            )
            return Part(printed=None, exact=product, span=(ZERO, None) if product is None else (product, product))
        raw = quotient(y, (weight, weight)) if weight else (g.low, g.high)
        snapped = snap(raw, g.low, g.high, g.step)
        points = None if snapped is None else scale_points(snapped, g.low, g.high, g.step)
        self.implied.append(Implied(option=option, criterion=criterion, span=snapped, points=points))
        if known is not None:
            value = weight * known
            if not printed.shows(value):
                self.found.append(
                    Mismatch(
                        figure="weighted-score",
                        printed=printed,
                        criterion=criterion,
                        option=option,
                        expected=show(value, printed.places),
                        message=f"weighted score of {option!r} on {criterion!r} printed {printed.text}; the "
                        f"weight {weight} times the score {known} is {decimal_text(value)}",
                    )
                )
            return Part(printed=printed.share, exact=value, span=(value, value))
        if snapped is None:
            self.found.append(
                Mismatch(
                    figure="weighted-score",
                    printed=printed,
                    criterion=criterion,
                    option=option,
                    expected=f"a score from {g.low} to {g.high} times {weight}",
                    message=f"weighted score of {option!r} on {criterion!r} printed {printed.text}; no score "
                    f"on the scale {g.low} to {g.high} times the weight {weight} rounds to it",
                )
            )
            return Part(printed=printed.share, exact=None, span=(weight * g.low, weight * g.high))
        low, high = snapped
        assert high is not None
        return Part(
            printed=printed.share, exact=weight * low if low == high else None, span=(weight * low, weight * high)
        )

    def follows(self, printed: Printed, parts: Sequence[Part], factors: Sequence[Fraction]) -> tuple[bool, str, Part]:
        """Whether a printed sum follows from its parts: rounded exact sum, rounded printed sum, or meeting interval."""
        exact_parts = [p.exact for p in parts]
        printed_parts = [p.printed for p in parts]
        exact = (
            None
            if None in exact_parts
            else sum((f * e for f, e in zip(factors, exact_parts, strict=True) if e is not None), ZERO)
        )
        as_printed = (
            None
            if None in printed_parts
            else sum((f * e for f, e in zip(factors, printed_parts, strict=True) if e is not None), ZERO)
        )
        span = add_spans(times(f, p.span) for f, p in zip(factors, parts, strict=True))
        ok = False
        expected: list[str] = []
        if exact is not None:
            ok = printed.shows(exact)
            expected.append(show(exact, printed.places))
        if as_printed is not None:
            ok = ok or printed.shows(as_printed)
            text = show(as_printed, printed.places)
            if text not in expected:
                expected.append(f"{text} as its printed parts add up" if expected else text)
        interval = printed_span(printed)
        if exact is None:
            ok = ok or (interval is not None and meets(interval, span))
            expected.append(span_text(span))
            if ok and interval is not None:
                span = intersect(span, interval) or span
        result = Part(printed=printed.share if printed.share is not None else as_printed, exact=exact, span=span)
        return ok, (expected[0] + (f" ({'; '.join(expected[1:])})" if len(expected) > 1 else "")), result

    def sums(self, parts: Mapping[tuple[str, str], Part]) -> dict[str, Part]:
        """Subtotals from the rows, totals from the subtotals; returns what is known of each total."""
        group_parts: dict[tuple[str, str], Part] = {}
        for g in self.t.groups:
            keys = [c for c, w in g.criteria if w is not None]
            for option in self.t.options:
                items = [parts[(k, option)] for k in keys]
                printed = self.t.subtotals.get(g.id, {}).get(option)
                if printed is None:
                    exact_parts = [p.exact for p in items]
                    printed_parts = [p.printed for p in items]
                    group_parts[(g.id, option)] = Part(
                        printed=None
                        if None in printed_parts
                        else sum((p for p in printed_parts if p is not None), ZERO),
                        exact=None if None in exact_parts else sum((e for e in exact_parts if e is not None), ZERO),
                        span=add_spans(p.span for p in items),
                    )
                    continue
                self.figures += 1
                ok, expected, part = self.follows(printed, items, [ONE] * len(items))
                if not ok:
                    self.found.append(
                        Mismatch(
                            figure="subtotal",
                            printed=printed,
                            expected=expected,
                            group=g.id,
                            option=option,
                            message=f"subtotal of {g.label!r} for {option!r} printed {printed.text}; its parts "
                            f"give {expected}",
                        )
                    )
                group_parts[(g.id, option)] = part
        totals: dict[str, Part] = {}
        factors = [g.factor for g in self.t.groups]
        for option in self.t.options:
            items = [group_parts[(g.id, option)] for g in self.t.groups]
            printed = self.t.totals.get(option)
            if printed is None:
                totals[option] = Part(
                    printed=None,
                    exact=None,
                    span=add_spans(times(f, p.span) for f, p in zip(factors, items, strict=True)),
                )
                exact_parts = [p.exact for p in items]
                if None not in exact_parts:
                    totals[option] = attrs.evolve(
                        totals[option],
                        exact=sum((f * e for f, e in zip(factors, exact_parts, strict=True) if e is not None), ZERO),
                    )
                continue
            self.figures += 1
            ok, expected, part = self.follows(printed, items, factors)
            if not ok:
                self.found.append(
                    Mismatch(
                        figure="total",
                        printed=printed,
                        expected=expected,
                        option=option,
                        message=f"total of {option!r} printed {printed.text}; its parts give {expected}",
                    )
                )
            totals[option] = attrs.evolve(part, printed=printed.share)
        return totals

    def ranks(self, totals: Mapping[str, Part]) -> None:
        """Each printed rank against the competition ranks of the printed or exact totals, or the totals' intervals."""
        options = self.t.options
        allowed: dict[str, set[int]] = {o: set() for o in options}
        said: dict[str, list[str]] = {o: [] for o in options}
        for values in ({o: totals[o].printed for o in options}, {o: totals[o].exact for o in options}):
            complete = {o: v for o, v in values.items() if v is not None}
            if len(complete) == len(options):
                for o, rank in competition_ranks(complete).items():
                    allowed[o].add(rank)
                    said[o].append(str(rank))
        if any(totals[o].exact is None for o in options):
            for o in options:
                low, high = totals[o].span
                best = 1 + sum(1 for p in options if p != o and high is not None and totals[p].span[0] > high)
                worst = 1 + sum(1 for p in options if p != o and _above(totals[p].span[1], low))
                allowed[o].update(range(best, worst + 1))
                said[o].append(str(best) if best == worst else f"{best} to {worst}")
        for o in options:
            printed = self.t.ranks.get(o)
            if printed is None:
                continue
            self.figures += 1
            if printed.value not in allowed[o]:
                expected = " or ".join(dict.fromkeys(said[o]))
                self.found.append(
                    Mismatch(
                        figure="rank",
                        printed=printed,
                        expected=expected,
                        option=o,
                        message=f"rank of {o!r} printed {printed.text}; the totals give {expected}",
                    )
                )


def _above(high: Fraction | None, low: Fraction) -> bool:
    return high is None or high > low


def implied_weight(
    printed: Printed | None, row: Sequence[Printed], low: Fraction, high: Fraction, step: Fraction | None
) -> Span | None:
    """The weights a printed weight and its row admit together, narrowed until nothing changes."""
    span: Span | None = (ZERO, ONE)
    if printed is not None and (own := printed_span(printed)) is not None:
        span = intersect((ZERO, ONE), own)
    for _ in range(50):
        if span is None:
            return None
        narrowed: Span | None = span
        for figure in row:
            y = printed_span(figure)
            if y is None or narrowed is None:
                continue
            scores = snap(quotient(y, narrowed), low, high, step)
            if scores is None or scores[1] == 0:
                continue
            narrowed = intersect(narrowed, quotient(y, scores))
        if narrowed == span:
            break
        span = narrowed
    return span
