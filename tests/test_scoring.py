"""Appraisal arithmetic: permutation invariance, linearity in weights, exact switching values, Monte Carlo."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgassure import _scoring
from sgassure.appraisal import (
    Appraisal,
    AppraisalResult,
    Combination,
    CriteriaGroup,
    Criterion,
    Option,
    OptionRole,
    ScoringScale,
    Share,
    Shortfall,
    WeightSwitch,
    _model,
    analyse_sensitivity,
    score_appraisal,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _share(value: Fraction) -> Share:
    return Share(value=value, written=str(value))


@st.composite
def appraisals(draw: st.DrawFn) -> Appraisal:
    """Small appraisals: 2 to 5 options, 1 or 2 groups of 1 to 4 weighted criteria (and maybe one not applicable)."""
    options = tuple(
        Option(
            id=f"opt{i}",
            label=f"Option {i}",
            shortlisted=True,
            shortlist_reason="r",
            role=OptionRole.PREFERRED if i == 0 else OptionRole.OTHER,
        )
        for i in range(draw(st.integers(2, 5)))
    )
    weighted = draw(st.booleans())
    groups, scores = [], {}
    count = draw(st.integers(1, 2))
    group_parts = draw(st.lists(st.integers(1, 9), min_size=count, max_size=count))
    for g in range(count):
        parts = draw(st.lists(st.integers(0, 12), min_size=1, max_size=4).filter(lambda xs: sum(xs) > 0))
        criteria = [
            Criterion(id=f"g{g}c{j}", label="c", weight=_share(Fraction(p, sum(parts)))) for j, p in enumerate(parts)
        ]
        if draw(st.booleans()):
            criteria.append(Criterion(id=f"g{g}na", label="n/a", not_applicable=True, reason="later"))
        for c in criteria:
            if not c.not_applicable:
                scores[c.id] = {o.id: Fraction(draw(st.integers(0, 5))) for o in options}
        groups.append(
            CriteriaGroup(
                id=f"g{g}",
                label=f"Group {g}",
                scale=ScoringScale(min=Fraction(0), max=Fraction(5), step=Fraction(1)),
                criteria=tuple(criteria),
                shortfall=Shortfall.AS_WRITTEN,
                weight=_share(Fraction(group_parts[g], sum(group_parts))) if weighted else None,
            )
        )
    return Appraisal(
        id="h",
        title="Hypothesis",
        programme="p",
        options=options,
        groups=tuple(groups),
        combination=Combination.WEIGHTED if weighted else Combination.SUM,
        scores=scores,
    )


def _results(r: AppraisalResult) -> tuple[object, ...]:
    return (r.weights, r.scores, r.weighted, r.subtotals, r.totals, r.ranks, r.weight_sums, r.group_weights, r.leader)


@FAST
@given(appraisals(), st.randoms(use_true_random=False))
def test_permuting_options_criteria_and_groups_changes_no_result(a: Appraisal, rng: random.Random) -> None:
    """Shuffled options, groups and criteria give the same results, switching values, noise and rank stability."""
    groups = [attrs.evolve(g, criteria=tuple(rng.sample(g.criteria, len(g.criteria)))) for g in a.groups]
    shuffled = attrs.evolve(
        a, options=tuple(rng.sample(a.options, len(a.options))), groups=tuple(rng.sample(groups, len(groups)))
    )
    assert _results(score_appraisal(shuffled)) == _results(score_appraisal(a))
    one, two = analyse_sensitivity(a, samples=40), analyse_sensitivity(shuffled, samples=40)
    assert (one.leader, one.runner_up, one.margin, one.noise, one.robust) == (
        two.leader,
        two.runner_up,
        two.margin,
        two.noise,
        two.robust,
    )
    assert set(one.weight_switches) == set(two.weight_switches)
    assert set(one.score_switches) == set(two.score_switches)
    assert one.stability == two.stability


def _with_weights(a: Appraisal, weights: dict[str, Fraction]) -> Appraisal:
    groups = tuple(
        attrs.evolve(
            g,
            criteria=tuple(attrs.evolve(c, weight=_share(weights[c.id])) if c.id in weights else c for c in g.criteria),
        )
        for g in a.groups
    )
    return attrs.evolve(a, groups=groups)


@FAST
@given(appraisals(), st.fractions(0, 3), st.fractions(0, 3))
def test_totals_are_linear_in_the_weights(a: Appraisal, alpha: Fraction, beta: Fraction) -> None:
    """Totals under alpha*w + beta*v are alpha times the totals under w plus beta times those under v."""
    first = score_appraisal(a)
    second_weights = {c: Fraction(1 + i % 3, 7) for i, c in enumerate(first.weights)}
    second = score_appraisal(_with_weights(a, second_weights))
    mixed = score_appraisal(
        _with_weights(a, {c: alpha * w + beta * second_weights[c] for c, w in first.weights.items()})
    )
    assert mixed.totals == {o: alpha * first.totals[o] + beta * second.totals[o] for o in first.options}


def _sole_first(r: AppraisalResult, leader: str) -> bool:
    return all(t < r.totals[leader] for o, t in r.totals.items() if o != leader)


def _reweighted(a: Appraisal, w: WeightSwitch, by: Fraction) -> AppraisalResult:
    """Score ``a`` with one weight moved by ``by`` and the rest of its group rescaled to keep the group's sum."""
    weights = next(g for g in a.groups if g.id == w.group).effective_weights()
    total = sum(weights.values(), Fraction(0))
    new = w.weight + by
    scale = (total - new) / (total - w.weight)
    return score_appraisal(_with_weights(a, {c: new if c == w.criterion else v * scale for c, v in weights.items()}))


@FAST
@given(appraisals(), st.fractions(Fraction(1, 100), Fraction(99, 100)))
def test_weight_switching_values_are_exact(a: Appraisal, t: Fraction) -> None:
    """Applying a weight's switching value draws a rival level with the leader; any smaller share of it does not."""
    r = score_appraisal(a)
    leader = r.leader
    s = analyse_sensitivity(a, samples=0, result=r)
    if leader is None:
        assert s.weight_switches == ()
        return
    for w in s.weight_switches:
        for change, rivals in ((w.rise, w.rise_rivals), (w.fall, w.fall_rivals)):
            if change is None:
                continue
            at = _reweighted(a, w, change)
            assert not _sole_first(at, leader)
            assert max(at.totals.values()) == at.totals[leader]
            assert all(at.totals[x] == at.totals[leader] for x in rivals)
            assert _sole_first(_reweighted(a, w, change * t), leader)


@FAST
@given(appraisals(), st.fractions(Fraction(1, 100), Fraction(99, 100)))
def test_score_switching_values_are_exact(a: Appraisal, t: Fraction) -> None:
    """Applying a score's switching value draws level with the leader; any smaller share of it leaves it first alone."""
    r = score_appraisal(a)
    leader = r.leader
    if leader is None:
        return
    for x in analyse_sensitivity(a, samples=0, result=r).score_switches:
        if x.change is None:
            continue

        def moved(by: Fraction, crit: str = x.criterion, option: str = x.option) -> AppraisalResult:
            assert a.scores is not None
            scores = {c: dict(row) for c, row in a.scores.items()}
            scores[crit][option] += by
            return score_appraisal(attrs.evolve(a, scores=scores))

        at = moved(x.change)
        assert not _sole_first(at, leader)
        assert max(at.totals.values()) == at.totals[leader]
        assert all(at.totals[o] == at.totals[leader] for o in x.rivals)
        assert _sole_first(moved(x.change * t), leader)


@FAST
@given(appraisals(), st.integers(0, 2**32), st.sampled_from([Fraction(1, 10), Fraction(1, 3), Fraction(0)]))
def test_monte_carlo_kernel_matches_a_plain_loop(a: Appraisal, seed: int, band: Fraction) -> None:
    """The column-wise integer kernel counts first places exactly as a plain loop with fractions does."""
    model = _model(a, score_appraisal(a).scores)
    criteria = sorted(c for g in model.groups for c in g.criteria)
    columns = _scoring.draw_multipliers(random.Random(seed), len(criteria), 25, band)
    by_criterion = dict(zip(criteria, columns, strict=True))
    assert _scoring.first_place_counts(model, by_criterion) == _scoring.first_place_counts_plain(model, by_criterion)


def test_monte_carlo_counts_shared_first_places() -> None:
    """Two options with identical scores share first place in every sample: counted for both, alone for neither."""
    model = _scoring.Model(
        options=("a", "b", "c"),
        groups=(
            _scoring.Group(
                id="g",
                factor=Fraction(1),
                criteria=("x", "y"),
                weights=(Fraction(1, 2), Fraction(1, 2)),
                low=Fraction(0),
                high=Fraction(3),
            ),
        ),
        scores={
            "x": {"a": Fraction(3), "b": Fraction(3), "c": Fraction(0)},
            "y": {"a": Fraction(2), "b": Fraction(2), "c": Fraction(3)},
        },
    )
    columns = _scoring.draw_multipliers(random.Random(1), 2, 50, Fraction(1, 10))
    first, alone = _scoring.first_place_counts(model, {"x": columns[0], "y": columns[1]})
    assert (first, alone) == ({"a": 50, "b": 50, "c": 0}, {"a": 0, "b": 0, "c": 0})


def test_multipliers_stay_within_the_band() -> None:
    """Multipliers lie on the band's grid: 900,000 to 1,100,000 for 10% (R = 100,000 x the band's denominator)."""
    columns = _scoring.draw_multipliers(random.Random(3), 4, 2000, Fraction(1, 10))
    values = [v for column in columns for v in column]
    assert (min(values) >= 900_000, max(values) <= 1_100_000, _scoring.band_grid(Fraction(1, 10))) == (
        True,
        True,
        (900_000, 1_100_000),
    )
    assert len(set(values)) > 1900


@given(st.decimals(min_value=-1000, max_value=1000, places=6, allow_nan=False, allow_infinity=False))
def test_round_half_up_agrees_with_decimal_rounding(value: Decimal) -> None:
    """Display rounding of a fraction equals Decimal's ROUND_HALF_UP at 2 places (halves away from zero)."""
    assert _scoring.round_half_up(Fraction(value), 2) == value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_competition_ranks_share_ties() -> None:
    """Tied totals share a rank and the next rank is skipped: 1, 1, 3."""
    assert _scoring.competition_ranks({"a": Fraction(5), "b": Fraction(5), "c": Fraction(2)}) == {
        "a": 1,
        "b": 1,
        "c": 3,
    }


def test_scale_points_and_snapping() -> None:
    """A span is narrowed to the scale points inside it, or refused when none is."""
    assert _scoring.scale_points((Fraction(19, 10), Fraction(31, 10)), Fraction(0), Fraction(3), Fraction(1)) == (
        Fraction(2),
        Fraction(3),
    )
    assert _scoring.snap((Fraction(21, 10), Fraction(29, 10)), Fraction(0), Fraction(3), Fraction(1)) is None
    assert _scoring.snap((Fraction(1, 2), None), Fraction(0), Fraction(3), None) == (Fraction(1, 2), Fraction(3))
