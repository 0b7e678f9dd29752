"""Sensitivity of an option appraisal: switching values, the lead against the noise, rank stability.

:func:`analyse_sensitivity` gives the switching value of every weight and
score, the lead against the precision of the inputs, and Monte Carlo rank
stability from a seed.

Examples:
    >>> s = analyse_sensitivity(load_appraisal(example_appraisal_path()), samples=0)
    >>> s.leader
    'integrated'
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from fractions import Fraction

import attrs

from sgassure import _scoring
from sgassure.appraisal_file import (  # the loaders are used by the examples
    Appraisal,
    _exact_percent,
    example_appraisal_path,  # noqa: F401
    load_appraisal,  # noqa: F401
)
from sgassure.appraisal_results import AppraisalResult, _model, score_appraisal
from sgassure.appraisal_table import DISPLAY_PLACES, _decimal_text

__all__ = ["RankStability", "ScoreSwitch", "Sensitivity", "WeightSwitch", "analyse_sensitivity"]


@attrs.frozen(kw_only=True)
class WeightSwitch:
    """The switching values of one weight: the smallest rise and fall at which a rival draws level with the leader.

    Changes are in the weight's own units (0.05 is 5 percentage points); the
    group's other weights are scaled to keep the group's sum. None means no
    change within 0 to the group's sum displaces the leader; ``alone`` means
    the group has no other weight to rescale.

    Examples:
        >>> s = WeightSwitch(group="g", criterion="c", weight=Fraction(1, 4), rise=Fraction(1, 20),
        ...     rise_rivals=("b",), fall=None, fall_rivals=())
        >>> s.rise_to
        Fraction(3, 10)
    """

    group: str
    criterion: str
    weight: Fraction
    rise: Fraction | None
    rise_rivals: tuple[str, ...]
    fall: Fraction | None
    fall_rivals: tuple[str, ...]
    alone: bool = False

    @property
    def rise_to(self) -> Fraction | None:
        """The weight at which the leader is drawn level with, rising."""
        return None if self.rise is None else self.weight + self.rise

    @property
    def fall_to(self) -> Fraction | None:
        """The weight at which the leader is drawn level with, falling."""
        return None if self.fall is None else self.weight + self.fall

    @property
    def smallest(self) -> Fraction | None:
        """The switching value: the smaller in size of the rise and the fall (None if neither)."""
        found = [x for x in (self.rise, self.fall) if x is not None]
        return min(found, key=abs) if found else None


@attrs.frozen(kw_only=True)
class ScoreSwitch:
    """The switching value of one score: the change at which the leader is drawn level with.

    For the leader's own score it is the fall to the runner-up; for another
    option's score, the rise to the leader. None when no change within the
    group's scale does it.

    Examples:
        >>> ScoreSwitch(criterion="c", option="b", score=Fraction(2), change=Fraction(1, 2), rivals=("b",)).to
        Fraction(5, 2)
    """

    criterion: str
    option: str
    score: Fraction
    change: Fraction | None
    rivals: tuple[str, ...]

    @property
    def to(self) -> Fraction | None:
        """The score at which the leader is drawn level with."""
        return None if self.change is None else self.score + self.change


@attrs.frozen(kw_only=True)
class RankStability:
    """Monte Carlo rank stability: how often each option ranks first as weights vary within the band.

    ``first`` counts samples where the option ranks first, alone or shared;
    ``first_alone`` those where it ranks first alone.

    Examples:
        >>> s = RankStability(samples=200, seed=1, band=Fraction(1, 10), first={"a": 150, "b": 50},
        ...     first_alone={"a": 150, "b": 50})
        >>> s.share("a")
        Fraction(3, 4)
    """

    samples: int
    seed: int
    band: Fraction
    first: dict[str, int]
    first_alone: dict[str, int]

    def share(self, option: str) -> Fraction:
        """The share of samples in which ``option`` ranks first (alone or shared)."""
        return Fraction(self.first[option], self.samples) if self.samples else Fraction(0)


@attrs.frozen(kw_only=True)
class Sensitivity:
    """Switching values, the lead against the precision of the inputs, rank stability and robustness.

    ``noise`` is what the precision of the inputs can hide in the lead:
    ``rounding_noise`` (half a unit at 2 decimals in every weighted score of
    both totals) plus ``weights_noise`` (each weight's precision, as printed or
    written, times the gap between the two options' scores). ``robust`` is
    None when no option is marked preferred; otherwise True only when the
    preferred option ranks first alone, leads by more than the noise, and ranks
    first in at least the declared share of Monte Carlo samples.

    Examples:
        >>> s = analyse_sensitivity(load_appraisal(example_appraisal_path()), samples=200)
        >>> s.leader, s.runner_up, s.robust
        ('integrated', 'integrated-plus', False)
    """

    leader: str | None
    runner_up: str | None
    margin: Fraction | None
    rounding_noise: Fraction
    weights_noise: Fraction
    weight_switches: tuple[WeightSwitch, ...]
    score_switches: tuple[ScoreSwitch, ...]
    stability: RankStability | None
    preferred: str | None
    robust: bool | None
    reasons: tuple[str, ...]

    @property
    def noise(self) -> Fraction:
        """The whole noise: rounding plus weights."""
        return self.rounding_noise + self.weights_noise


def _precisions(a: Appraisal) -> dict[str, Fraction]:
    printed = a.published.weights if a.published is not None else {}
    found = {}
    for _, crit in a.criteria():
        if crit.id in printed and printed[crit.id].value is not None:
            found[crit.id] = printed[crit.id].half_unit
        elif crit.weight is not None:
            found[crit.id] = crit.weight.precision
    return found


def _stability(model: _scoring.Model, samples: int, seed: int, band: Fraction) -> RankStability:
    criteria = sorted(c for g in model.groups for c in g.criteria)
    if not criteria:  # nothing weighted: every option ties in every sample
        first = dict.fromkeys(model.options, samples)
        alone = dict.fromkeys(model.options, samples if len(model.options) == 1 else 0)
        return RankStability(samples=samples, seed=seed, band=band, first=first, first_alone=alone)
    columns = _scoring.draw_multipliers(random.Random(seed), len(criteria), samples, band)
    first, alone = _scoring.first_place_counts(model, dict(zip(criteria, columns, strict=True)))
    return RankStability(samples=samples, seed=seed, band=band, first=first, first_alone=alone)


def _lead(
    model: _scoring.Model, totals: Mapping[str, Fraction], precision: Mapping[str, Fraction]
) -> tuple[str | None, str | None, Fraction | None, tuple[Fraction, Fraction]]:
    """The first option, the runner-up, the lead and its noise; ties go to the lower id, for the runner-up to
    the option whose gap the inputs' precision could hide most (so the order in the file changes nothing)."""
    zero = (Fraction(0), Fraction(0))
    if not model.options:
        return None, None, None, zero
    best = max(totals.values())
    leader = min(o for o in model.options if totals[o] == best)
    rest = [o for o in model.options if o != leader]
    if not rest:
        return leader, None, None, zero
    second = max(totals[o] for o in rest)
    noises = {o: _scoring.noise(model, leader, o, precision, DISPLAY_PLACES) for o in rest if totals[o] == second}
    runner_up = min(noises, key=lambda o: (-sum(noises[o]), o))
    return leader, runner_up, best - second, noises[runner_up]


def _standing(option: str, ranks: Mapping[str, int], name: str | None = None) -> str:
    """Why ``option`` is not first alone: it shares the first rank, or which options rank first."""
    first = sorted(o for o, r in ranks.items() if r == 1)
    others = ", ".join(repr(o) for o in first if o != option)
    called = repr(name or option)
    if option in first:
        return f"the preferred option {called} shares the first rank with {others}"
    verb = "ranks" if len(first) == 1 else "rank"
    return f"the preferred option {called} ranks {ranks[option]}; {others} {verb} first"


def _robustness(
    a: Appraisal,
    *,
    leader: str | None,
    runner_up: str | None,
    margin: Fraction | None,
    noise: Fraction,
    stability: RankStability | None,
    ranks: Mapping[str, int],
) -> tuple[bool | None, tuple[str, ...]]:
    preferred = a.preferred
    if preferred is None:
        return None, ("no option is marked preferred",)
    reasons = [_standing(preferred.id, ranks)] if leader != preferred.id else []
    if leader == preferred.id and margin is not None and margin <= noise:
        reasons.append(
            f"its lead of {_decimal_text(margin)} over {runner_up!r} is within the noise of the inputs "
            f"({_decimal_text(noise)})"
        )
    if stability is not None and stability.samples:
        share = stability.share(preferred.id)
        if share < a.sensitivity.robust_share.value:
            reasons.append(
                f"it ranks first in {_scoring.show_percent(share)} of {stability.samples} samples with weights varied "
                f"by {_exact_percent(stability.band)}, below the {a.sensitivity.robust_share.written} required"
            )
    return not reasons, tuple(reasons)


def analyse_sensitivity(
    appraisal: Appraisal, *, seed: int | None = None, samples: int | None = None, result: AppraisalResult | None = None
) -> Sensitivity:
    """Switching values of every weight and score, the lead against the noise, and Monte Carlo rank stability.

    Switching values are exact: each total is linear in one weight (the rest of
    its group rescaled to keep the group's sum) or one score, so the change at
    which a rival draws level with the leader is the solution of a linear
    equation, found with fractions, not by search. Any smaller change leaves the
    leader first alone; at the switching value it shares the first rank, and
    beyond it the rival is ahead.

    Rank stability draws each applicable weight uniformly from the declared
    band around itself (on a grid of 1/R of the weight, R being 100,000 times
    the band's denominator: a millionth for 10%), rescales its group to the
    group's sum and counts how often each option ranks first, alone or shared,
    with totals compared exactly as integers. Draws come from ``random.Random(seed)``, one
    criterion after another in criterion-id order, so the same seed gives the
    same counts whatever order the file lists things in.

    Args:
        appraisal: the appraisal.
        seed: the Monte Carlo seed (default: the file's ``sensitivity.seed``).
        samples: the number of samples (default: the file's ``sensitivity.samples``; 0 skips it).
        result: the appraisal's result, if already scored.

    Returns:
        The sensitivity analysis.

    Raises:
        SgassureError: the appraisal cannot be scored (see :func:`score_appraisal`).

    Examples:
        >>> s = analyse_sensitivity(load_appraisal(example_appraisal_path()), samples=0)
        >>> s.margin, s.rounding_noise, s.weights_noise
        (Fraction(1, 20), Fraction(2, 25), Fraction(11, 1000))
        >>> w = next(x for x in s.weight_switches if x.criterion == "obj-3")
        >>> w.rise, w.rise_rivals
        (Fraction(4, 105), ('integrated-plus',))
    """
    result = score_appraisal(appraisal) if result is None else result
    model = _model(appraisal, result.scores)
    totals = result.totals
    _, runner_up, margin, (rounding, weights_noise) = _lead(model, totals, _precisions(appraisal))
    sole = result.leader
    weight_switches: list[WeightSwitch] = []
    score_switches: list[ScoreSwitch] = []
    if sole is not None and len(model.options) > 1:
        for gi, g in enumerate(model.groups):
            for ki, crit in enumerate(g.criteria):
                found = _scoring.weight_switch(model, totals, sole, group=gi, index=ki)
                rise, fall = found if found is not None else (None, None)
                weight_switches.append(
                    WeightSwitch(
                        group=g.id,
                        criterion=crit,
                        weight=g.weights[ki],
                        rise=None if rise is None else rise.change,
                        rise_rivals=() if rise is None else rise.rivals,
                        fall=None if fall is None else fall.change,
                        fall_rivals=() if fall is None else fall.rivals,
                        alone=found is None,
                    )
                )
                for o in model.options:
                    switch = _scoring.score_switch(model, totals, sole, group=gi, index=ki, option=o)
                    score_switches.append(
                        ScoreSwitch(
                            criterion=crit,
                            option=o,
                            score=model.score(crit, o),
                            change=None if switch is None else switch.change,
                            rivals=() if switch is None else switch.rivals,
                        )
                    )
    settings = appraisal.sensitivity
    count = settings.samples if samples is None else samples
    stability = (
        _stability(model, count, settings.seed if seed is None else seed, settings.band.value) if count > 0 else None
    )
    robust, reasons = _robustness(
        appraisal,
        leader=sole,
        runner_up=runner_up,
        margin=margin,
        noise=rounding + weights_noise,
        stability=stability,
        ranks=result.ranks,
    )
    return Sensitivity(
        leader=sole,
        runner_up=runner_up,
        margin=margin,
        rounding_noise=rounding,
        weights_noise=weights_noise,
        weight_switches=tuple(weight_switches),
        score_switches=tuple(score_switches),
        stability=stability,
        preferred=appraisal.preferred.id if appraisal.preferred else None,
        robust=robust,
        reasons=reasons,
    )
