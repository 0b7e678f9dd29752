"""Exact arithmetic of option appraisal: rounding, ranks, intervals, switching values, Monte Carlo.

Everything here works on :class:`fractions.Fraction` (or on integers scaled from
them): no binary float takes part in a result. The model is plain values (ids,
weights, scores), so this module knows nothing of files or of the public
classes in :mod:`sgassure.appraisal`.

- Display rounding is half-up (half away from zero) and happens only when a
  figure is shown: :func:`round_half_up`.
- Ranks are competition ranks ("1, 1, 3"): :func:`competition_ranks`.
- Switching values solve the linear equation at which a rival draws level with
  the leader: :func:`weight_switch`, :func:`score_switch`.
- The Monte Carlo kernel compares totals exactly as integers, column by column
  over all samples at once: :func:`first_place_counts`.
- Intervals (:data:`Span`) carry what a rounded figure stands for; the
  re-check of a published table built on them is in :mod:`sgassure._recheck`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from operator import add, and_, eq, mul

import attrs

ZERO = Fraction(0)
ONE = Fraction(1)
HALF = Fraction(1, 2)


def round_half_up(value: Fraction, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals, halves away from zero (1.665 -> 1.67, -0.125 -> -0.13)."""
    scaled = abs(value) * 10**places
    units = math.floor(scaled + HALF)
    return Decimal(-units if value < 0 else units).scaleb(-places)


def show(value: Fraction, places: int = 2) -> str:
    """A figure as displayed: rounded half-up to ``places`` decimals."""
    text = str(round_half_up(value, places))
    return "0" + text[2:] if text.startswith("-0") and set(text[1:]) <= {"0", "."} else text


def show_percent(value: Fraction, places: int = 1) -> str:
    """A share as a percentage rounded half-up (11/60 -> '18.3%')."""
    return show(value * 100, places) + "%"


def exact(value: Fraction) -> str:
    """The exact value as text: an integer, or ``numerator/denominator``."""
    return str(value)


def competition_ranks(totals: Mapping[str, Fraction]) -> dict[str, int]:
    """Competition ranks: 1 plus the number of strictly greater totals, so ties share a rank (1, 1, 3)."""
    values = list(totals.values())
    return {key: 1 + sum(1 for other in values if other > total) for key, total in totals.items()}


@attrs.frozen(kw_only=True)
class Group:
    """A group of applicable criteria: its factor in the grand total, weights and scale."""

    id: str
    factor: Fraction
    criteria: tuple[str, ...]
    weights: tuple[Fraction, ...]
    low: Fraction
    high: Fraction

    @property
    def weight_sum(self) -> Fraction:
        """The sum of the group's weights (kept when weights are renormalised)."""
        return sum(self.weights, ZERO)


@attrs.frozen(kw_only=True)
class Model:
    """The scoring problem: options, groups of weighted criteria, and each option's score per criterion."""

    options: tuple[str, ...]
    groups: tuple[Group, ...]
    scores: Mapping[str, Mapping[str, Fraction]]

    def score(self, criterion: str, option: str) -> Fraction:
        """The score of ``option`` on ``criterion``."""
        return self.scores[criterion][option]


def subtotals(model: Model) -> dict[str, dict[str, Fraction]]:
    """Per group, per option: the sum of weight times score over the group's criteria."""
    return {
        g.id: {
            o: sum((w * model.score(c, o) for c, w in zip(g.criteria, g.weights, strict=True)), ZERO)
            for o in model.options
        }
        for g in model.groups
    }


def totals(model: Model, parts: Mapping[str, Mapping[str, Fraction]] | None = None) -> dict[str, Fraction]:
    """Per option: the group subtotals times the groups' factors, summed."""
    parts = subtotals(model) if parts is None else parts
    return {o: sum((g.factor * parts[g.id][o] for g in model.groups), ZERO) for o in model.options}


def leader_of(total: Mapping[str, Fraction]) -> str | None:
    """The option ranked first alone, or None when the top is shared (or there is no option)."""
    if not total:
        return None
    best = max(total.values())
    top = [o for o, t in total.items() if t == best]
    return top[0] if len(top) == 1 else None


@attrs.frozen(kw_only=True)
class Switch:
    """A change at which rivals draw level with the leader."""

    change: Fraction
    rivals: tuple[str, ...]


def _closest(candidates: Iterable[tuple[Fraction, str]]) -> Switch | None:
    found = sorted(candidates, key=lambda item: (abs(item[0]), item[1]))
    if not found:
        return None
    change = found[0][0]
    return Switch(change=change, rivals=tuple(sorted(o for d, o in found if d == change)))


def reweighted(model: Model, group: int, index: int, change: Fraction) -> Model:
    """The model with one weight changed by ``change`` and the rest of its group scaled to keep the group's sum."""
    g = model.groups[group]
    total = g.weight_sum
    rest = total - g.weights[index]
    new = g.weights[index] + change
    scale = (total - new) / rest
    weights = tuple(new if j == index else w * scale for j, w in enumerate(g.weights))
    groups = tuple(attrs.evolve(x, weights=weights) if i == group else x for i, x in enumerate(model.groups))
    return attrs.evolve(model, groups=groups)


def rescored(model: Model, criterion: str, option: str, change: Fraction) -> Model:
    """The model with one score changed by ``change``."""
    scores = {c: dict(row) for c, row in model.scores.items()}
    scores[criterion][option] += change
    return attrs.evolve(model, scores=scores)


def weight_switch(
    model: Model, total: Mapping[str, Fraction], leader: str, *, group: int, index: int
) -> tuple[Switch | None, Switch | None] | None:
    """The smallest rise and the smallest fall of one weight at which a rival draws level with the leader.

    The other weights of the group are scaled so that the group keeps its sum.
    Each total is linear in the change ``d``: ``T(d) = T + d * G * (s_k - R / (S - w_k))``
    where ``R`` is the option's weighted score on the group's other criteria, so
    the level point with each rival is one division. A rise is bounded by the
    group's sum, a fall by zero. Returns None when the group has no other weight
    to rescale against.
    """
    g = model.groups[group]
    weight = g.weights[index]
    rest = g.weight_sum - weight
    if rest == 0:
        return None
    criterion = g.criteria[index]

    def slope(option: str) -> Fraction:
        others = sum(
            (
                w * model.score(c, option)
                for j, (c, w) in enumerate(zip(g.criteria, g.weights, strict=True))
                if j != index
            ),
            ZERO,
        )
        return g.factor * (model.score(criterion, option) - others / rest)

    lead_slope = slope(leader)
    rises: list[tuple[Fraction, str]] = []
    falls: list[tuple[Fraction, str]] = []
    for rival in model.options:
        if rival == leader:
            continue
        gap = total[leader] - total[rival]
        closing = lead_slope - slope(rival)
        if closing == 0:
            continue
        change = -gap / closing
        if 0 < change <= rest:
            rises.append((change, rival))
        elif -weight <= change < 0:
            falls.append((change, rival))
    return _closest(rises), _closest(falls)


def score_switch(
    model: Model, total: Mapping[str, Fraction], leader: str, *, group: int, index: int, option: str
) -> Switch | None:
    """The change of one score at which the leader is drawn level with, within the group's scale.

    For the leader's own score: the fall that brings it down to the runner-up;
    for any other option's score: the rise that lifts it to the leader. None
    when the weight is zero or the change would leave the scale.
    """
    g = model.groups[group]
    step = g.factor * g.weights[index]
    if step == 0:
        return None
    score = model.score(g.criteria[index], option)
    if option == leader:
        second = max(t for o, t in total.items() if o != leader)
        change = -(total[leader] - second) / step
        rivals = tuple(sorted(o for o, t in total.items() if o != leader and t == second))
        return Switch(change=change, rivals=rivals) if score + change >= g.low else None
    change = (total[leader] - total[option]) / step
    return Switch(change=change, rivals=(option,)) if score + change <= g.high else None


def noise(
    model: Model, leader: str, runner_up: str, precision: Mapping[str, Fraction], places: int
) -> tuple[Fraction, Fraction]:
    """What the precision of the inputs can hide in the lead of ``leader`` over ``runner_up``.

    Returns ``(rounding, weights)``: the rounding term is half a unit in the
    last displayed place of every weighted score in both totals (times the
    group factor); the weights term is, per criterion, the weight's precision
    (half a unit in the last place it is written or printed in) times the gap
    between the two options' scores.
    """
    unit = Fraction(1, 10**places)
    rounding = sum((g.factor * unit * len(g.criteria) for g in model.groups), ZERO)
    weights = sum(
        (
            g.factor * precision.get(c, ZERO) * abs(model.score(c, leader) - model.score(c, runner_up))
            for g in model.groups
            for c in g.criteria
        ),
        ZERO,
    )
    return rounding, weights


# --- Monte Carlo -----------------------------------------------------------------------------------------------


def band_grid(band: Fraction) -> tuple[int, int]:
    """The integer range of weight multipliers for a relative band: ``R(1-b)`` to ``R(1+b)`` with ``R*b`` whole."""
    resolution = 100_000 * band.denominator
    spread = int(resolution * band)
    return resolution - spread, resolution + spread


def draw_multipliers(rng: random.Random, criteria: int, samples: int, band: Fraction) -> list[list[int]]:
    """One column of integer weight multipliers per criterion, uniform on the band's grid.

    Draws use only ``rng.random()``, whose sequence Python keeps the same across
    versions for a seed; columns are drawn one criterion after another.
    """
    low, high = band_grid(band)
    span = high - low + 1
    draw = rng.random
    return [[low + int(draw() * span) for _ in range(samples)] for _ in range(criteria)]


def _lcm(values: Iterable[int]) -> int:
    result = 1
    for value in values:
        result = math.lcm(result, value)
    return result


def _dot(columns: Sequence[Sequence[int]], coefficients: Sequence[int], samples: int) -> list[int]:
    """Column-wise ``sum(coefficient * column)`` over every sample at once."""
    acc: list[int] = [0] * samples
    for coefficient, column in zip(coefficients, columns, strict=True):
        if coefficient == 0:
            continue
        acc = list(map(add, acc, column if coefficient == 1 else map(coefficient.__mul__, column)))
    return acc


def first_place_counts(model: Model, columns: Mapping[str, Sequence[int]]) -> tuple[dict[str, int], dict[str, int]]:
    """For each option: in how many samples it ranks first (alone or shared), and first alone.

    ``columns`` maps each applicable criterion to its multipliers, one per
    sample. In a sample, each weight is multiplied by its multiplier and the
    group's weights are scaled back to the group's sum, so option totals are
    ``sum_g G_g S_g N_og / M_g`` with ``N_og = sum_c w_c m_c s_oc`` and
    ``M_g = sum_c w_c m_c``. Weights and scores are scaled to integers by the
    least common multiple of their denominators, and every total is multiplied
    by the same positive ``prod_g M_g``: comparisons are then between integers,
    exact, with ties found as ties.
    """
    samples = len(next(iter(columns.values()))) if columns else 0
    weight_scale = _lcm(w.denominator for g in model.groups for w in g.weights)
    score_scale = _lcm(model.score(c, o).denominator for g in model.groups for c in g.criteria for o in model.options)
    factors = [g.factor * g.weight_sum for g in model.groups]
    factor_scale = _lcm(f.denominator for f in factors)
    keys = [int(f * factor_scale) for f in factors]
    sums: list[list[int]] = []
    numerators: list[dict[str, list[int]]] = []
    for g in model.groups:
        # Each weight's multipliers times the weight, once; then each (criterion, score) product, once.
        weighted = [
            list(map(int(w * weight_scale).__mul__, columns[c])) for c, w in zip(g.criteria, g.weights, strict=True)
        ]
        sums.append(_dot(weighted, [1] * len(weighted), samples))
        products: dict[tuple[str, int], list[int]] = {}
        per_option: dict[str, list[int]] = {}
        for o in model.options:
            acc: list[int] = [0] * samples
            for c, column in zip(g.criteria, weighted, strict=True):
                score = int(model.score(c, o) * score_scale)
                if score == 0:
                    continue
                if (c, score) not in products:
                    products[(c, score)] = column if score == 1 else list(map(score.__mul__, column))
                acc = list(map(add, acc, products[(c, score)]))
            per_option[o] = acc
        numerators.append(per_option)
    if len(model.groups) == 1:
        scores = {o: numerators[0][o] for o in model.options}
    else:
        others: list[list[int]] = []
        for i in range(len(model.groups)):
            product: list[int] = [1] * samples
            for j, column in enumerate(sums):
                if j != i:
                    product = list(map(mul, product, column))
            others.append(product)
        scores = {}
        for o in model.options:
            total: list[int] = [0] * samples
            for i, key in enumerate(keys):
                if key:
                    total = list(map(add, total, map(key.__mul__, map(mul, numerators[i][o], others[i]))))
            scores[o] = total
    if not model.options or samples == 0:
        return dict.fromkeys(model.options, 0), dict.fromkeys(model.options, 0)
    best = list(map(max, *scores.values())) if len(scores) > 1 else list(next(iter(scores.values())))
    tops = {o: list(map(eq, column, best)) for o, column in scores.items()}
    alone_mask = list(map((1).__eq__, map(sum, zip(*tops.values(), strict=True))))
    first = {o: sum(mask) for o, mask in tops.items()}
    alone = {o: sum(map(and_, mask, alone_mask)) for o, mask in tops.items()}
    return first, alone


def first_place_counts_plain(
    model: Model, columns: Mapping[str, Sequence[int]]
) -> tuple[dict[str, int], dict[str, int]]:
    """The same counts by a plain loop over samples with Fractions (the reference the kernel is tested against)."""
    samples = len(next(iter(columns.values()))) if columns else 0
    first = dict.fromkeys(model.options, 0)
    alone = dict.fromkeys(model.options, 0)
    for s in range(samples):
        total = dict.fromkeys(model.options, ZERO)
        for g in model.groups:
            raw = [w * columns[c][s] for c, w in zip(g.criteria, g.weights, strict=True)]
            denominator = sum(raw, ZERO)
            if denominator == 0:
                continue
            for o in model.options:
                part = sum((r * model.score(c, o) for r, c in zip(raw, g.criteria, strict=True)), ZERO)
                total[o] += g.factor * g.weight_sum * part / denominator
        best = max(total.values())
        top = [o for o, t in total.items() if t == best]
        for o in top:
            first[o] += 1
        if len(top) == 1:
            alone[top[0]] += 1
    return first, alone


# --- Intervals ------------------------------------------------------------------------------------------------

Span = tuple[Fraction, Fraction | None]
"""A closed interval ``(low, high)``; a high of None is unbounded."""


def meets(a: Span, b: Span) -> bool:
    """Whether two closed intervals share a point."""
    return (a[1] is None or b[0] <= a[1]) and (b[1] is None or a[0] <= b[1])


def intersect(a: Span, b: Span) -> Span | None:
    """The common part of two closed intervals, or None."""
    low = max(a[0], b[0])
    high = b[1] if a[1] is None else a[1] if b[1] is None else min(a[1], b[1])
    return None if high is not None and low > high else (low, high)


def quotient(numerator: Span, denominator: Span) -> Span:
    """``{x / y}`` for non-negative x and y in the intervals, y > 0 (a zero low end of y leaves it unbounded)."""
    low = ZERO if denominator[1] is None else numerator[0] / denominator[1] if denominator[1] > 0 else ZERO
    high = None if denominator[0] == 0 or numerator[1] is None else numerator[1] / denominator[0]
    return low, high


def scale_points(span: Span, low: Fraction, high: Fraction, step: Fraction | None) -> tuple[Fraction, ...] | None:
    """The points ``low + k*step`` of a scale inside ``span`` (None for a scale without steps)."""
    if step is None:
        return None
    top = high if span[1] is None else min(high, span[1])
    first = max(0, math.ceil((span[0] - low) / step))
    last = math.floor((top - low) / step)
    return tuple(low + k * step for k in range(first, last + 1))


def snap(span: Span, low: Fraction, high: Fraction, step: Fraction | None) -> Span | None:
    """``span`` within the scale, narrowed to its outermost scale points when the scale has steps."""
    inside = intersect(span, (low, high))
    if inside is None:
        return None
    points = scale_points(inside, low, high, step)
    if points is None:
        return inside
    return (points[0], points[-1]) if points else None


def add_spans(spans: Iterable[Span]) -> Span:
    """The interval of a sum of values in the given intervals."""
    low, high, bounded = ZERO, ZERO, True
    for lo, hi in spans:
        low += lo
        if hi is None:
            bounded = False
        else:
            high += hi
    return low, high if bounded else None


def times(factor: Fraction, span: Span) -> Span:
    """The interval of a non-negative factor times a value in ``span``."""
    return factor * span[0], None if span[1] is None else factor * span[1]


def decimal_text(value: Fraction, places: int = 4) -> str:
    """Exact decimal text when it ends within ``places`` decimals, else rounded with a leading '~'."""
    for p in range(places + 1):
        if (value * 10**p).denominator == 1:
            return show(value, p)
    return "~" + show(value, places)


def span_text(span: Span) -> str:
    """``[low, high]`` or ``at least low``."""
    if span[1] is None:
        return f"at least {decimal_text(span[0])}"
    return f"[{decimal_text(span[0])}, {decimal_text(span[1])}]"
