"""Results of an option appraisal: exact scores and ranks, and the re-check of a published table.

:func:`score_appraisal` scores exactly (fractions, never binary floats):
weighted scores, group subtotals, totals and competition ranks (ties share a
rank: 1, 1, 3). Figures are rounded half-up to 2 decimals only for display.
:func:`recheck_table` re-checks a published table figure by figure within its
rounding and returns the raw scores and weights it implies as intervals.

Examples:
    >>> result = score_appraisal(load_appraisal(example_appraisal_path()))
    >>> result.leader
    'integrated'
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from fractions import Fraction

import attrs

from sgassure import _recheck, _scoring
from sgassure.appraisal_file import (  # the loaders are used by the examples
    Appraisal,
    example_appraisal_path,  # noqa: F401
    load_appraisal,  # noqa: F401
)
from sgassure.appraisal_model import Combination, CriteriaGroup
from sgassure.appraisal_table import (
    DISPLAY_PLACES,
    ImpliedScore,
    ImpliedWeight,
    Interval,
    PublishedScoreTable,
    TableDiscrepancy,
    TableFigure,
)
from sgassure.errors import SgassureError

__all__ = [
    "AppraisalResult",
    "Disagreement",
    "ScoreSource",
    "TableRecheck",
    "recheck_table",
    "score_appraisal",
]


class ScoreSource(enum.StrEnum):
    """Where the scores of a result came from.

    Examples:
        >>> ScoreSource.SCORERS.value
        'scorers'
    """

    SCORES = "scores"
    SCORERS = "scorers"
    PUBLISHED = "published"


@attrs.frozen(kw_only=True)
class Disagreement:
    """Scorers whose scores for one option on one criterion spread wider than the declared limit.

    Examples:
        >>> d = Disagreement(criterion="obj-1", option="remain", scores=(("A", Fraction(0)), ("B", Fraction(3))),
        ...     spread=Fraction(3), limit=Fraction(1))
        >>> d.spread > d.limit
        True
    """

    criterion: str
    option: str
    scores: tuple[tuple[str, Fraction], ...]
    spread: Fraction
    limit: Fraction


@attrs.frozen(kw_only=True)
class AppraisalResult:
    """Exact results: weights used, scores, weighted scores, subtotals, totals and competition ranks.

    Mappings are keyed by criterion then option (as the published layout has
    criteria as rows); ``options`` and ``criteria`` keep the file's order.
    Nothing is rounded: use :meth:`display` to show a figure.

    Examples:
        >>> r = score_appraisal(load_appraisal(example_appraisal_path()))
        >>> r.display(r.totals["integrated"]), r.ranks["integrated"]
        ('6.43', 1)
    """

    appraisal: str
    source: ScoreSource
    options: tuple[str, ...]
    groups: tuple[str, ...]
    criteria: dict[str, tuple[str, ...]]
    not_applicable: tuple[str, ...]
    weights: dict[str, Fraction]
    weight_sums: dict[str, Fraction]
    group_weights: dict[str, Fraction]
    scores: dict[str, dict[str, Fraction]]
    weighted: dict[str, dict[str, Fraction]]
    subtotals: dict[str, dict[str, Fraction]]
    totals: dict[str, Fraction]
    ranks: dict[str, int]
    disagreements: tuple[Disagreement, ...] = ()

    @property
    def leader(self) -> str | None:
        """The option ranked first alone, or None when the top rank is shared."""
        return _scoring.leader_of(self.totals)

    @staticmethod
    def display(value: Fraction, places: int = DISPLAY_PLACES) -> str:
        """A figure as displayed: rounded half-up (1.665 shows as 1.67).

        Examples:
            >>> AppraisalResult.display(Fraction(333, 200))
            '1.67'
        """
        return _scoring.show(value, places)


def _declared_scores(a: Appraisal) -> tuple[dict[str, dict[str, Fraction]], ScoreSource] | None:
    short = [o.id for o in a.shortlist]
    applicable = [c.id for g in a.groups for c in g.applicable]
    if a.scores is not None:
        return {c: {o: a.scores[c][o] for o in short} for c in applicable}, ScoreSource.SCORES
    if a.scorers is not None:
        panel = a.scorers
        return {c: {o: panel.aggregate(c, o) for o in short} for c in applicable}, ScoreSource.SCORERS
    return None


def _factor(a: Appraisal, g: CriteriaGroup) -> Fraction:
    return g.weight.value if a.combination == Combination.WEIGHTED and g.weight is not None else Fraction(1)


def _model(a: Appraisal, scores: Mapping[str, Mapping[str, Fraction]]) -> _scoring.Model:
    groups = []
    for g in a.groups:
        weights = g.effective_weights()
        groups.append(
            _scoring.Group(
                id=g.id,
                factor=_factor(a, g),
                criteria=tuple(weights),
                weights=tuple(weights.values()),
                low=g.scale.min,
                high=g.scale.max,
            )
        )
    return _scoring.Model(options=tuple(o.id for o in a.shortlist), groups=tuple(groups), scores=scores)


def _disagreements(a: Appraisal) -> tuple[Disagreement, ...]:
    panel = a.scorers
    if panel is None:
        return ()
    found = []
    for g in a.groups:
        for crit in g.applicable:
            for o in a.shortlist:
                scores = tuple((s.scorer, s.scores[crit.id][o.id]) for s in panel.sheets)
                values = [v for _, v in scores]
                spread = max(values) - min(values)
                if spread > panel.disagreement_limit:
                    found.append(
                        Disagreement(
                            criterion=crit.id, option=o.id, scores=scores, spread=spread, limit=panel.disagreement_limit
                        )
                    )
    return tuple(found)


def _scores_for(a: Appraisal) -> tuple[dict[str, dict[str, Fraction]], ScoreSource]:
    declared = _declared_scores(a)
    if declared is not None:
        return declared
    recheck = recheck_table(a)
    pinned: dict[str, dict[str, Fraction]] = {}
    loose = []
    for implied in recheck.implied_scores:
        if implied.points is not None and len(implied.points) == 1:
            pinned.setdefault(implied.criterion, {})[implied.option] = implied.points[0]
        elif implied.interval is not None and implied.interval.low == implied.interval.high:
            pinned.setdefault(implied.criterion, {})[implied.option] = implied.interval.low
        else:
            loose.append(f"{implied.option!r} on {implied.criterion!r} ({implied.describe()})")
    if loose:
        raise SgassureError(
            "the published table does not pin every raw score, so the appraisal cannot be scored from it; "
            "give the raw scores ('scores' or 'scorers'). Not pinned: " + "; ".join(loose)
        )
    return pinned, ScoreSource.PUBLISHED


def score_appraisal(appraisal: Appraisal) -> AppraisalResult:
    """Score an appraisal exactly: weighted scores, subtotals, totals and ranks.

    Scores are the file's ``scores``, or the scorers' sheets aggregated by the
    declared mean or median, or, for a published table alone, the raw scores
    it implies when each is pinned to one point of its scale. Each weighted
    score is the effective weight times the score; group subtotals are summed
    into the total (or weighted against each other for ``combination:
    weighted``); ranks are competition ranks (ties share a rank: 1, 1, 3).

    Args:
        appraisal: the appraisal.

    Returns:
        The exact results.

    Raises:
        SgassureError: the appraisal has only a published table and it does not pin every raw score.

    Examples:
        >>> r = score_appraisal(load_appraisal(example_appraisal_path()))
        >>> r.weights["obj-2"], r.display(r.weighted["csf-1"]["integrated"])
        (Fraction(11, 60), '1.67')
    """
    scores, source = _scores_for(appraisal)
    model = _model(appraisal, scores)
    parts = _scoring.subtotals(model)
    total = _scoring.totals(model, parts)
    return AppraisalResult(
        appraisal=appraisal.id,
        source=source,
        options=model.options,
        groups=tuple(g.id for g in appraisal.groups),
        criteria={g.id: tuple(c.id for c in g.criteria) for g in appraisal.groups},
        not_applicable=tuple(c.id for _, c in appraisal.criteria() if c.not_applicable),
        weights={c: w for g in model.groups for c, w in zip(g.criteria, g.weights, strict=True)},
        weight_sums={g.id: g.weight_sum for g in model.groups},
        group_weights={g.id: g.factor for g in model.groups},
        scores={c: dict(row) for c, row in scores.items()},
        weighted={
            c: {o: w * scores[c][o] for o in model.options}
            for g in model.groups
            for c, w in zip(g.criteria, g.weights, strict=True)
        },
        subtotals=parts,
        totals=total,
        ranks=_scoring.competition_ranks(total),
        disagreements=_disagreements(appraisal),
    )


# --- Re-checking a published table ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TableRecheck:
    """The re-check of a published table: discrepancies, and the raw scores and weights it implies.

    Examples:
        >>> r = recheck_table(load_appraisal(example_appraisal_path("ipa-obc-table.yaml")))
        >>> [d.key for d in r.discrepancies]
        ['subtotal/objectives/co-located', 'rank/remain', 'rank/shared-triage']
    """

    source: str
    figures: int
    discrepancies: tuple[TableDiscrepancy, ...]
    implied_scores: tuple[ImpliedScore, ...]
    implied_weights: tuple[ImpliedWeight, ...]


def _interval(span: _scoring.Span | None) -> Interval | None:
    if span is None or span[1] is None:
        return None
    return Interval(low=span[0], high=span[1])


def _steps(a: Appraisal, g: CriteriaGroup) -> Fraction | None:
    """The steps the scores used fall on: the scale's, or finer for a panel's mean or even median."""
    return a.scorers.resolution(g.scale.step) if a.scorers is not None else g.scale.step


def _table(a: Appraisal, t: PublishedScoreTable) -> _recheck.Table:
    declared = _declared_scores(a)
    groups = []
    for g in a.groups:
        effective = g.effective_weights()
        groups.append(
            _recheck.TableGroup(
                id=g.id,
                label=g.label,
                factor=_factor(a, g),
                low=g.scale.min,
                high=g.scale.max,
                step=_steps(a, g),
                criteria=tuple((c.id, effective.get(c.id)) for c in g.criteria),
            )
        )
    return _recheck.Table(
        options=tuple(o.id for o in a.shortlist),
        groups=tuple(groups),
        known=None if declared is None else declared[0],
        weights=t.weights,
        rows=t.rows,
        subtotals=t.subtotals,
        totals=t.totals,
        ranks=t.ranks,
    )


def recheck_table(appraisal: Appraisal) -> TableRecheck:
    """Re-check a published table figure by figure, within its rounding.

    A figure printed to ``d`` decimals stands for half a unit in its last place
    either side. In the order of the table:

    - a printed **weight** follows when the effective weight rounds to it
      (printed 18.3% for 11/60), and a criterion not applicable prints N/A;
    - a **weighted score** follows when the effective weight times the raw
      score rounds to it; with no raw scores in the file, when some score on
      the group's scale (on its steps, if it has them) does;
    - a **subtotal** or **total** follows when it is the rounded exact sum of
      its parts, or the rounded sum of its parts as printed (tables summed
      from rounded figures); where the parts are not exactly known, when its
      interval meets the interval of the parts' sum;
    - a **rank** follows when it is the competition rank of the printed
      totals or of the exact totals, or, where those are not known, a rank the
      totals' intervals allow.

    The raw scores each weighted score admits (given the effective weight) and
    the weights each row admits (from the printed weight and the row alone)
    are returned as intervals.

    Args:
        appraisal: an appraisal with a ``published`` table.

    Returns:
        The discrepancies, in table order, and the implied scores and weights.

    Raises:
        SgassureError: the appraisal has no published table.

    Examples:
        >>> r = recheck_table(load_appraisal(example_appraisal_path("ipa-obc-table.yaml")))
        >>> d = r.discrepancies[0]
        >>> d.key, d.printed, d.expected
        ('subtotal/objectives/co-located', '2.10', '2.00 (2.01 as its printed parts add up)')
        >>> d.location.line, d.location.column
        (56, 90)
        >>> [str(w.interval) for w in r.implied_weights][:2]
        ['[~0.2483, ~0.2517]', '[0.1825, 0.1835]']
    """
    table = appraisal.published
    if table is None:
        raise SgassureError(f"appraisal {appraisal.id!r} has no published table to re-check")
    run = _recheck.Recheck(_table(appraisal, table))
    run.run()
    shortlist = [o.id for o in appraisal.shortlist]
    return TableRecheck(
        source=table.source,
        figures=run.figures,
        discrepancies=tuple(
            TableDiscrepancy(
                figure=TableFigure(m.figure),
                group=m.group,
                criterion=m.criterion,
                option=m.option,
                printed=m.printed.text,
                expected=m.expected,
                message=m.message,
                location=getattr(m.printed, "location", None),
            )
            for m in run.found
        ),
        implied_scores=tuple(
            ImpliedScore(option=i.option, criterion=i.criterion, interval=_interval(i.span), points=i.points)
            for i in run.implied
        ),
        implied_weights=tuple(
            ImpliedWeight(
                criterion=c.id,
                interval=_interval(
                    _recheck.implied_weight(
                        table.weights.get(c.id),
                        [table.rows[c.id][o] for o in shortlist],
                        g.scale.min,
                        g.scale.max,
                        _steps(appraisal, g),
                    )
                ),
            )
            for g in appraisal.groups
            for c in g.applicable
        ),
    )
