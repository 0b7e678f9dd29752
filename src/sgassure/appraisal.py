"""Option appraisal for integration programmes: weighted criteria, ranks, sensitivity and a completeness check.

An :class:`Appraisal` file holds a programme's options (from business as usual
upwards, long- and short-listed with the reason), groups of criteria (programme
objectives, critical success factors) with their weights or a reason they do not
apply, a scoring scale per group, and scores in one of the forms people hold
them: raw scores, several scorers' sheets, or a published table of weighted
scores as printed.

- :func:`score_appraisal` scores exactly (fractions, never binary floats):
  weighted scores, group subtotals, totals and competition ranks (ties share a
  rank: 1, 1, 3). Figures are rounded half-up to 2 decimals only for display.
- :func:`recheck_table` re-checks a published table figure by figure within its
  rounding and returns the raw scores and weights it implies as intervals.
- :func:`analyse_sensitivity` gives the switching value of every weight and
  score, the lead against the precision of the inputs, and Monte Carlo rank
  stability from a seed.
- :func:`check_appraisal` reports what HM Treasury Green Book practice and
  Gateway reviews look for as :class:`~sgassure.findings.Finding` values
  (pack ``appraisal``).

Examples:
    >>> appraisal = load_appraisal(example_appraisal_path())
    >>> result = score_appraisal(appraisal)
    >>> [(o, result.ranks[o]) for o in result.options][:3]
    [('remain', 6), ('shared-triage', 5), ('virtual-hub', 4)]
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import random
import re
import statistics
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from sgassure import _scoring
from sgassure._convert import _Invalid, _kind, converter, structure_document
from sgassure._validate import Checker
from sgassure._yaml import Document, parse_document
from sgassure._yaml import Path as DocPath
from sgassure.errors import LoadError, Location, Problem, SgassureError
from sgassure.findings import Check, Explanation, Finding, finding_sort_key
from sgassure.rules import Severity

__all__ = [
    "Aggregation",
    "Appraisal",
    "AppraisalPartner",
    "AppraisalResult",
    "Combination",
    "CostLine",
    "CriteriaGroup",
    "Criterion",
    "Disagreement",
    "Dissent",
    "ImpliedScore",
    "ImpliedWeight",
    "Interval",
    "Option",
    "OptionDimension",
    "OptionRole",
    "PrintedFigure",
    "PrintedRank",
    "PublishedScoreTable",
    "RankStability",
    "Risk",
    "SavingsLine",
    "ScoreSource",
    "ScoreSwitch",
    "ScorerPanel",
    "ScorerSheet",
    "ScoringScale",
    "Sensitivity",
    "SensitivitySettings",
    "Share",
    "Shortfall",
    "SignUp",
    "TableDiscrepancy",
    "TableFigure",
    "TableRecheck",
    "WeightSwitch",
    "WeightsProvenance",
    "analyse_sensitivity",
    "check_appraisal",
    "example_appraisal_path",
    "load_appraisal",
    "parse_appraisal",
    "recheck_table",
    "score_appraisal",
]

DISPLAY_PLACES = 2
"""Weighted scores, subtotals and totals are displayed to 2 decimals, as published tables are."""


# --- Values written in files ----------------------------------------------------------------------------------

_SHARE = re.compile(r"^(?P<number>\d+(?:\.(?P<decimals>\d+))?)\s*(?P<percent>%)?$")
_RATIO = re.compile(r"^(?P<top>\d+)\s*/\s*(?P<bottom>\d+)$")
_FIGURE = re.compile(r"^(?P<number>-?\d+(?:\.(?P<decimals>\d+))?)(?P<percent>%)?$")
_RANK = re.compile(r"^(?P<before>=?)(?P<rank>\d+)(?P<after>=?)$")
_NOT_APPLICABLE = frozenset({"N/A", "n/a"})


@attrs.frozen(kw_only=True)
class Share:
    """A weight or proportion, exact, with the text it was written as.

    Written as a percentage (``33.3%`` is exactly 333/1000), an exact fraction
    (``11/60``) or a decimal (``0.25``). :attr:`precision` is half a unit in the
    last place written (0.05 points for ``33.3%``; 0 for a fraction).

    Examples:
        >>> Share.parse("33.3%").value, Share.parse("11/60").value, Share.parse("0.25").value
        (Fraction(333, 1000), Fraction(11, 60), Fraction(1, 4))
        >>> Share.parse("18.3%").precision
        Fraction(1, 2000)
    """

    value: Fraction
    written: str
    precision: Fraction = Fraction(0)

    @classmethod
    def parse(cls, text: str | int | float) -> Share:
        """Read a share from its written form.

        Args:
            text: ``"25%"``, ``"11/60"``, ``"0.25"``, ``0.25`` or ``1``.

        Returns:
            The share, exact.

        Raises:
            ValueError: the text is not a share.

        Examples:
            >>> Share.parse("25%").written
            '25%'
        """
        if isinstance(text, bool) or not isinstance(text, int | float | str):
            raise _Invalid(f"expected a share like '25%', '33.3%', '11/60' or 0.25; got {_kind(text)}")
        written = str(text).strip()
        if (ratio := _RATIO.match(written)) is not None:
            if int(ratio["bottom"]) == 0:
                raise _Invalid(f"expected a share like '25%', '33.3%', '11/60' or 0.25; got {written!r}")
            return cls(value=Fraction(int(ratio["top"]), int(ratio["bottom"])), written=written)
        match = _SHARE.match(written)
        if match is None:
            raise _Invalid(f"expected a share like '25%', '33.3%', '11/60' or 0.25; got {_kind(text)}")
        number = Fraction(match["number"])
        places = len(match["decimals"] or "")
        if match["percent"]:
            return cls(value=number / 100, written=written, precision=Fraction(1, 2 * 10**places) / 100)
        return cls(value=number, written=written, precision=Fraction(1, 2 * 10**places) if places else Fraction(0))


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


def _structure_share(value: object, _: type) -> Share:
    return Share.parse(value)  # type: ignore[arg-type]


def _printed(cls: type[PrintedFigure] | type[PrintedRank]) -> Any:
    def structure(value: object, _: type) -> PrintedFigure | PrintedRank:
        if not isinstance(value, str):
            hint = ": a number loses the digits it was printed with" if isinstance(value, int | float) else ""
            raise _Invalid(
                f'expected the figure as printed, in quotes ("2.00", "18.3%", "N/A"); got {_kind(value)}{hint}'
            )
        return cls(text=value)

    return structure


converter.register_structure_hook(Share, _structure_share)
converter.register_unstructure_hook(Share, lambda share: share.written)
converter.register_structure_hook(PrintedFigure, _printed(PrintedFigure))
converter.register_unstructure_hook(PrintedFigure, lambda figure: figure.text)
converter.register_structure_hook(PrintedRank, _printed(PrintedRank))
converter.register_unstructure_hook(PrintedRank, lambda rank: rank.text)


# --- The model --------------------------------------------------------------------------------------------------


class OptionRole(enum.StrEnum):
    """An option's role in the appraisal.

    Examples:
        >>> OptionRole("do-minimum") is OptionRole.DO_MINIMUM
        True
    """

    BUSINESS_AS_USUAL = "business-as-usual"
    DO_MINIMUM = "do-minimum"
    PREFERRED = "preferred"
    OTHER = "other"


class OptionDimension(enum.StrEnum):
    """The dimensions of the Green Book options framework, in the order choices are made.

    Examples:
        >>> [d.value for d in OptionDimension][:2]
        ['scope', 'service-solution']
    """

    SCOPE = "scope"
    SERVICE_SOLUTION = "service-solution"
    SERVICE_DELIVERY = "service-delivery"
    IMPLEMENTATION = "implementation"
    FUNDING = "funding"


class Aggregation(enum.StrEnum):
    """How several scorers' sheets are combined into one score per option and criterion.

    Examples:
        >>> Aggregation.MEDIAN.value
        'median'
    """

    MEAN = "mean"
    MEDIAN = "median"


class Shortfall(enum.StrEnum):
    """What a group does when its weights do not sum to 100%.

    ``refuse`` (the default) makes it a load error; ``as-written`` uses the
    weights as they stand (three of 33.3% sum to 99.9%); ``renormalise``
    divides each by their sum.

    Examples:
        >>> Shortfall("as-written") is Shortfall.AS_WRITTEN
        True
    """

    REFUSE = "refuse"
    AS_WRITTEN = "as-written"
    RENORMALISE = "renormalise"


class Combination(enum.StrEnum):
    """How group subtotals make the grand total: summed, as published tables do, or weighted.

    Examples:
        >>> Combination.SUM.value
        'sum'
    """

    SUM = "sum"
    WEIGHTED = "weighted"


@attrs.frozen(kw_only=True)
class AppraisalPartner:
    """A partner organisation whose written sign-up the preferred option needs.

    Examples:
        >>> AppraisalPartner(id="icb", name="NHS Wendmoor and Castleby ICB").id
        'icb'
    """

    id: str
    name: str


@attrs.frozen(kw_only=True)
class Risk:
    """One risk of an option: likelihood and impact on 1 to 5, and its owner.

    Examples:
        >>> Risk(description="Staff do not transfer", likelihood=3, impact=4, owner="Programme director").impact
        4
    """

    description: str
    likelihood: int
    impact: int
    owner: str


@attrs.frozen(kw_only=True)
class CostLine:
    """An option's costs in one financial year, in pounds; None where not stated.

    Examples:
        >>> CostLine(year="2025-26", capital=Decimal("250000"), revenue=Decimal("1200000")).capital
        Decimal('250000')
    """

    year: str
    capital: Decimal | None = None
    revenue: Decimal | None = None


@attrs.frozen(kw_only=True)
class SavingsLine:
    """An option's savings in one financial year, split as the Green Book asks; None where not stated.

    Examples:
        >>> SavingsLine(year="2026-27", cash_releasing=Decimal("90000")).non_cash is None
        True
    """

    year: str
    cash_releasing: Decimal | None = None
    non_cash: Decimal | None = None
    costs_avoided: Decimal | None = None


@attrs.frozen(kw_only=True)
class SignUp:
    """A partner's dated, written sign-up to an option (a letter, a minute, a decision notice).

    Examples:
        >>> SignUp(partner="icb", date=dt.date(2025, 4, 2), document="ICB board minute 25/041").partner
        'icb'
    """

    partner: str
    date: dt.date
    document: str


@attrs.frozen(kw_only=True)
class Option:
    """An option: its role, the framework dimensions it varies, its listing, risks, costs, savings, sign-up.

    Examples:
        >>> o = Option(id="remain", label="Remain as is", role=OptionRole.BUSINESS_AS_USUAL,
        ...     shortlisted=True, shortlist_reason="The baseline")
        >>> o.role.value, o.dimensions
        ('business-as-usual', ())
    """

    id: str
    label: str
    description: str = ""
    role: OptionRole = OptionRole.OTHER
    dimensions: tuple[OptionDimension, ...] = ()
    shortlisted: bool
    shortlist_reason: str
    risks: tuple[Risk, ...] = ()
    costs: tuple[CostLine, ...] = ()
    savings: tuple[SavingsLine, ...] = ()
    sign_up: tuple[SignUp, ...] = ()


@attrs.frozen(kw_only=True)
class Dissent:
    """A recorded disagreement with the weights.

    Examples:
        >>> Dissent(by="Castleby City Council", note="Wanted more weight on discharge").by
        'Castleby City Council'
    """

    by: str
    note: str


@attrs.frozen(kw_only=True)
class WeightsProvenance:
    """Who set the weights, how, when, and any dissent.

    Examples:
        >>> WeightsProvenance(set_by="Programme board", method="Paired comparison",
        ...     date=dt.date(2025, 2, 10)).dissent
        ()
    """

    set_by: str
    method: str
    date: dt.date
    dissent: tuple[Dissent, ...] = ()


@attrs.frozen(kw_only=True)
class ScoringScale:
    """A group's scoring scale: from ``min`` to ``max``, in steps of ``step`` when given.

    Examples:
        >>> ScoringScale(min=Fraction(0), max=Fraction(3), step=Fraction(1)).max
        Fraction(3, 1)
    """

    min: Fraction
    max: Fraction
    step: Fraction | None = None


@attrs.frozen(kw_only=True)
class Criterion:
    """A criterion: its weight, or not applicable for this appraisal with the reason.

    Examples:
        >>> Criterion(id="csf-4", label="Affordability", not_applicable=True,
        ...     reason="Assessed in the financial case").weight is None
        True
    """

    id: str
    label: str
    weight: Share | None = None
    not_applicable: bool = False
    reason: str | None = None


@attrs.frozen(kw_only=True)
class CriteriaGroup:
    """A group of criteria (programme objectives, critical success factors) with its scale.

    ``weight`` is the group's weight when the file's ``combination`` is
    ``weighted``; ``provenance`` overrides the appraisal's for this group.

    Examples:
        >>> g = CriteriaGroup(id="csf", label="Critical success factors",
        ...     scale=ScoringScale(min=Fraction(0), max=Fraction(5)), shortfall=Shortfall.AS_WRITTEN,
        ...     criteria=tuple(Criterion(id=f"c{i}", label=f"C{i}", weight=Share.parse("33.3%")) for i in (1, 2, 3)))
        >>> g.weight_sum
        Fraction(999, 1000)
    """

    id: str
    label: str
    scale: ScoringScale
    criteria: tuple[Criterion, ...]
    shortfall: Shortfall = Shortfall.REFUSE
    weight: Share | None = None
    provenance: WeightsProvenance | None = None

    @property
    def applicable(self) -> tuple[Criterion, ...]:
        """The criteria that apply (those not marked not applicable)."""
        return tuple(c for c in self.criteria if not c.not_applicable)

    @property
    def weight_sum(self) -> Fraction:
        """The sum of the weights as written."""
        return sum((c.weight.value for c in self.applicable if c.weight is not None), Fraction(0))

    def effective_weights(self) -> dict[str, Fraction]:
        """The weights used, per applicable criterion: as written, or divided by their sum for ``renormalise``.

        Examples:
            >>> g = CriteriaGroup(id="g", label="G", scale=ScoringScale(min=Fraction(0), max=Fraction(5)),
            ...     shortfall=Shortfall.RENORMALISE, criteria=(
            ...     Criterion(id="a", label="A", weight=Share.parse("33.3%")),
            ...     Criterion(id="b", label="B", weight=Share.parse("66.6%"))))
            >>> g.effective_weights()
            {'a': Fraction(1, 3), 'b': Fraction(2, 3)}
        """
        total = self.weight_sum
        weights = {c.id: c.weight.value if c.weight else Fraction(0) for c in self.applicable}
        if self.shortfall == Shortfall.RENORMALISE and total:
            return {k: v / total for k, v in weights.items()}
        return weights


@attrs.frozen(kw_only=True)
class ScorerSheet:
    """One scorer's sheet: per criterion, per option, a score on the group's scale.

    Examples:
        >>> ScorerSheet(scorer="Head of Adult Social Care", scores={"obj-1": {"remain": Fraction(0)}}).scorer
        'Head of Adult Social Care'
    """

    scorer: str
    scores: dict[str, dict[str, Fraction]]


@attrs.frozen(kw_only=True)
class ScorerPanel:
    """Several scorers' sheets, how they are aggregated, and the spread above which they disagree.

    Examples:
        >>> panel = ScorerPanel(aggregation=Aggregation.MEDIAN, disagreement_limit=Fraction(1), sheets=(
        ...     ScorerSheet(scorer="A", scores={"c": {"o": Fraction(1)}}),
        ...     ScorerSheet(scorer="B", scores={"c": {"o": Fraction(3)}}),
        ...     ScorerSheet(scorer="C", scores={"c": {"o": Fraction(2)}})))
        >>> panel.aggregate("c", "o")
        Fraction(2, 1)
    """

    aggregation: Aggregation
    disagreement_limit: Fraction
    sheets: tuple[ScorerSheet, ...]

    def aggregate(self, criterion: str, option: str) -> Fraction:
        """The panel's score: the mean or the median of the sheets' scores (exact)."""
        values = [sheet.scores[criterion][option] for sheet in self.sheets]
        if self.aggregation == Aggregation.MEAN:
            return sum(values, Fraction(0)) / len(values)
        return Fraction(statistics.median(values))

    def resolution(self, step: Fraction | None) -> Fraction | None:
        """The steps aggregated scores fall on, for sheets scored in ``step``s (None when unstepped)."""
        if step is None:
            return None
        if self.aggregation == Aggregation.MEAN:
            return step / len(self.sheets)
        return step / 2 if len(self.sheets) % 2 == 0 else step


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


@attrs.frozen(kw_only=True)
class SensitivitySettings:
    """How sensitivity is analysed: the Monte Carlo band, samples and seed, and the share that makes a choice robust.

    Each weight varies uniformly within ``band`` of itself (10%: from 90% to
    110% of its value), then its group is scaled back to its sum.

    Examples:
        >>> SensitivitySettings().band.value, SensitivitySettings().samples
        (Fraction(1, 10), 10000)
    """

    band: Share = Share(value=Fraction(1, 10), written="10%", precision=Fraction(1, 200))
    samples: int = 10_000
    seed: int = 1
    robust_share: Share = Share(value=Fraction(95, 100), written="95%", precision=Fraction(1, 200))


@attrs.frozen(kw_only=True)
class Appraisal:
    """An option appraisal: options, criteria groups, weights and their provenance, and scores.

    Scores come as ``scores`` (per criterion, per option) or ``scorers``
    (several sheets), and/or as a ``published`` table.

    Examples:
        >>> a = load_appraisal(example_appraisal_path())
        >>> a.title
        'Wendmoor and Castleby Integrated Point of Access: option appraisal'
        >>> [o.id for o in a.shortlist][:2]
        ['remain', 'shared-triage']
    """

    id: str
    title: str
    programme: str
    event: dt.date | None = None
    partners: tuple[AppraisalPartner, ...] = ()
    options: tuple[Option, ...]
    groups: tuple[CriteriaGroup, ...]
    combination: Combination = Combination.SUM
    weights_provenance: WeightsProvenance | None = None
    scores: dict[str, dict[str, Fraction]] | None = None
    scorers: ScorerPanel | None = None
    published: PublishedScoreTable | None = None
    sensitivity: SensitivitySettings = SensitivitySettings()

    @property
    def shortlist(self) -> tuple[Option, ...]:
        """The short-listed options, in the order written."""
        return tuple(o for o in self.options if o.shortlisted)

    @property
    def preferred(self) -> Option | None:
        """The option marked preferred, if any."""
        return next((o for o in self.options if o.role == OptionRole.PREFERRED), None)

    def option(self, option_id: str) -> Option:
        """The option with this id.

        Raises:
            KeyError: no such option.
        """
        for o in self.options:
            if o.id == option_id:
                return o
        raise KeyError(option_id)

    def criteria(self) -> list[tuple[CriteriaGroup, Criterion]]:
        """Every criterion with its group, in the order written."""
        return [(g, c) for g in self.groups for c in g.criteria]


# --- Loading ------------------------------------------------------------------------------------------------


def _exact_percent(value: Fraction) -> str:
    """A share as a percentage, exactly when it ends (99.9%), else rounded with the fraction (~43.33% (13/30))."""
    text = _scoring.decimal_text(value * 100, 6)
    return f"{text}%" if not text.startswith("~") else f"~{_scoring.show(value * 100, 2)}% ({value})"


def _on_steps(scale: ScoringScale) -> bool:
    step = scale.step
    return step is not None and step > 0 and (scale.max - scale.min) % step == 0


def _check_grid(c: Checker, at: DocPath, grid: Mapping[str, Mapping[str, Fraction]], a: Appraisal) -> None:
    groups = {crit.id: g for g, crit in a.criteria()}
    criteria = {crit.id: crit for _, crit in a.criteria()}
    options = [o.id for o in a.options]
    short = [o.id for o in a.shortlist]
    for crit_id, row in grid.items():
        if not c.ref((*at, crit_id), crit_id, list(criteria), "criterion"):
            continue
        if criteria[crit_id].not_applicable:
            c.add((*at, crit_id), f"criterion {crit_id!r} is not applicable; it takes no score")
            continue
        scale = groups[crit_id].scale
        for option_id, score in row.items():
            if not c.ref((*at, crit_id, option_id), option_id, options, "option"):
                continue
            if option_id not in short:
                c.add(
                    (*at, crit_id, option_id),
                    f"option {option_id!r} is on the long list only; only the short list is scored",
                )
            elif not scale.min <= score <= scale.max:
                c.add(
                    (*at, crit_id, option_id),
                    f"score {_decimal_text(score)} is outside the scale {scale.min} to {scale.max}",
                )
            elif scale.step is not None and _on_steps(scale) and (score - scale.min) % scale.step:
                c.add(
                    (*at, crit_id, option_id),
                    f"score {_decimal_text(score)} is not on the scale's steps of {scale.step}",
                )
    for group in a.groups:
        for crit in group.applicable:
            missing = [o for o in short if o not in grid.get(crit.id, {})]
            if missing:
                where = (*at, crit.id) if crit.id in grid else at
                c.add(
                    where,
                    f"no score for option{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(repr(m) for m in missing)} on criterion {crit.id!r}",
                )


def _check_table(c: Checker, t: PublishedScoreTable, a: Appraisal) -> None:
    at: DocPath = ("published",)
    criteria = [crit.id for _, crit in a.criteria()]
    short = [o.id for o in a.shortlist]
    groups = [g.id for g in a.groups]

    def columns(path: DocPath, cells: Mapping[str, object], what: str) -> None:
        for option_id in cells:
            if c.ref((*path, option_id), option_id, short, "short-listed option"):
                continue
        missing = [o for o in short if o not in cells]
        if missing:
            c.add(path, f"no {what} printed for {', '.join(repr(m) for m in missing)}")

    for crit_id in t.weights:
        c.ref((*at, "weights", crit_id), crit_id, criteria, "criterion")
    if t.weights and (missing := [k for k in criteria if k not in t.weights]):
        c.add((*at, "weights"), f"no weight printed for {', '.join(repr(m) for m in missing)}")
    for crit_id, row in t.rows.items():
        if c.ref((*at, "rows", crit_id), crit_id, criteria, "criterion"):
            columns((*at, "rows", crit_id), row, "weighted score")
        for option_id, figure in row.items():
            if figure.percent:
                c.add(
                    (*at, "rows", crit_id, option_id),
                    f"a weighted score is a number, not a percentage; got {figure.text!r}",
                )
    if missing := [k for k in criteria if k not in t.rows]:
        c.add((*at, "rows"), f"no row printed for {', '.join(repr(m) for m in missing)}")
    for group_id, row in t.subtotals.items():
        if c.ref((*at, "subtotals", group_id), group_id, groups, "group"):
            columns((*at, "subtotals", group_id), row, "subtotal")
    if t.subtotals and (missing := [g for g in groups if g not in t.subtotals]):
        c.add((*at, "subtotals"), f"no subtotal printed for {', '.join(repr(m) for m in missing)}")
    if t.totals:
        columns((*at, "totals"), t.totals, "total")
    if t.ranks:
        columns((*at, "ranks"), t.ranks, "rank")


def _problems(a: Appraisal, doc: Document) -> list[Problem]:
    c = Checker(doc)
    partners = [p.id for p in a.partners]
    c.unique(((("partners", i, "id"), p.id) for i, p in enumerate(a.partners)), "partner id")
    c.unique(((("options", i, "id"), o.id) for i, o in enumerate(a.options)), "option id")
    c.unique(((("groups", i, "id"), g.id) for i, g in enumerate(a.groups)), "group id")
    c.unique(
        ((("groups", i, "criteria", j, "id"), k.id) for i, g in enumerate(a.groups) for j, k in enumerate(g.criteria)),
        "criterion id",
    )
    for role in (OptionRole.BUSINESS_AS_USUAL, OptionRole.PREFERRED):
        holders = [(i, o) for i, o in enumerate(a.options) if o.role == role]
        for i, o in holders[1:]:
            c.add(("options", i, "role"), f"a second {role.value} option {o.id!r} (the first is {holders[0][1].id!r})")
    for i, o in enumerate(a.options):
        at: DocPath = ("options", i)
        if o.role == OptionRole.PREFERRED and not o.shortlisted:
            c.add((*at, "shortlisted"), f"the preferred option {o.id!r} must be on the short list")
        c.unique((((*at, "dimensions", j), d) for j, d in enumerate(o.dimensions)), "dimension")
        for j, risk in enumerate(o.risks):
            for name in ("likelihood", "impact"):
                if not 1 <= getattr(risk, name) <= 5:
                    c.add((*at, "risks", j, name), f"expected 1 to 5; got {getattr(risk, name)}")
        c.unique((((*at, "costs", j, "year"), line.year) for j, line in enumerate(o.costs)), "cost year")
        c.unique((((*at, "savings", j, "year"), line.year) for j, line in enumerate(o.savings)), "savings year")
        for j, line in enumerate(o.costs):
            for name in ("capital", "revenue"):
                value = getattr(line, name)
                if value is not None and value < 0:
                    c.add((*at, "costs", j, name), f"expected a cost of 0 or more; got {value}")
        c.unique((((*at, "sign_up", j, "partner"), s.partner) for j, s in enumerate(o.sign_up)), "sign-up by")
        for j, s in enumerate(o.sign_up):
            c.ref((*at, "sign_up", j, "partner"), s.partner, partners, "partner")
    for i, g in enumerate(a.groups):
        at = ("groups", i)
        scale = g.scale
        if scale.min < 0:
            c.add((*at, "scale", "min"), f"expected a scale starting at 0 or above; got {scale.min}")
        if scale.max <= scale.min:
            c.add((*at, "scale", "max"), f"expected a maximum above the minimum ({scale.min}); got {scale.max}")
        if scale.step is not None and (scale.step <= 0 or (scale.max - scale.min) % scale.step):
            c.add((*at, "scale", "step"), f"expected a step that divides {scale.min} to {scale.max}; got {scale.step}")
        if not g.criteria:
            c.add((*at, "criteria"), "a group needs at least one criterion")
        for j, k in enumerate(g.criteria):
            kat: DocPath = (*at, "criteria", j)
            if k.not_applicable and k.weight is not None:
                c.add((*kat, "weight"), "a criterion not applicable takes no weight")
            elif not k.not_applicable and k.weight is None:
                c.add(kat, "give a weight, or not_applicable: true with a reason")
            if k.reason is not None and not k.not_applicable:
                c.add((*kat, "reason"), "a reason is given only with not_applicable: true")
            if k.weight is not None and k.weight.value > 1:
                c.add((*kat, "weight"), f"expected a weight of at most 100%; got {k.weight.written!r}")
        total = g.weight_sum
        if g.applicable and all(k.weight is not None for k in g.applicable):
            if total == 0:
                c.add((*at, "criteria"), "the weights sum to 0%")
            elif total != 1 and g.shortfall == Shortfall.REFUSE:
                c.add(
                    (*at, "criteria"),
                    f"the weights sum to {_exact_percent(total)}, not 100%; write 'shortfall: as-written' to use them "
                    "as written or 'shortfall: renormalise' to scale them to 100%",
                )
        if a.combination == Combination.WEIGHTED and g.weight is None:
            c.add(at, "give the group a weight (the file's combination is 'weighted')")
        if a.combination == Combination.SUM and g.weight is not None:
            c.add((*at, "weight"), "a group weight is used only with 'combination: weighted'")
        if g.weight is not None and g.weight.value == 0:
            c.add((*at, "weight"), "expected a group weight above 0%")
    if a.combination == Combination.WEIGHTED and all(g.weight is not None for g in a.groups):
        total = sum((g.weight.value for g in a.groups if g.weight is not None), Fraction(0))
        if total != 1:
            c.add(("groups",), f"the group weights sum to {_exact_percent(total)}, not 100%")
    if a.scores is None and a.scorers is None and a.published is None:
        c.add((), "give the scores: 'scores', 'scorers' or a 'published' table")
    if a.scores is not None and a.scorers is not None:
        c.add(("scorers",), "give either 'scores' or 'scorers', not both")
    if a.scores is not None:
        _check_grid(c, ("scores",), a.scores, a)
    if a.scorers is not None:
        panel = a.scorers
        if not panel.sheets:
            c.add(("scorers", "sheets"), "a panel needs at least one sheet")
        if panel.disagreement_limit < 0:
            c.add(("scorers", "disagreement_limit"), f"expected 0 or more; got {panel.disagreement_limit}")
        c.unique(((("scorers", "sheets", i, "scorer"), s.scorer) for i, s in enumerate(panel.sheets)), "scorer")
        for i, sheet in enumerate(panel.sheets):
            _check_grid(c, ("scorers", "sheets", i, "scores"), sheet.scores, a)
    if a.published is not None:
        _check_table(c, a.published, a)
    settings = a.sensitivity
    if not 0 <= settings.band.value < 1:
        c.add(
            ("sensitivity", "band"),
            f"expected a band from 0% up to (not including) 100%; got {settings.band.written!r}",
        )
    if not 0 <= settings.samples <= 1_000_000:
        c.add(("sensitivity", "samples"), f"expected 0 to 1,000,000 samples; got {settings.samples}")
    if settings.robust_share.value > 1:
        c.add(("sensitivity", "robust_share"), f"expected at most 100%; got {settings.robust_share.written!r}")
    return c.problems


def _locate(table: PublishedScoreTable, doc: Document) -> PublishedScoreTable:
    at: DocPath = ("published",)

    def put(figure: Any, path: DocPath) -> Any:
        return attrs.evolve(figure, location=doc.locate((*at, *path)))

    return attrs.evolve(
        table,
        weights={k: put(f, ("weights", k)) for k, f in table.weights.items()},
        rows={k: {o: put(f, ("rows", k, o)) for o, f in row.items()} for k, row in table.rows.items()},
        subtotals={k: {o: put(f, ("subtotals", k, o)) for o, f in row.items()} for k, row in table.subtotals.items()},
        totals={o: put(f, ("totals", o)) for o, f in table.totals.items()},
        ranks={o: put(f, ("ranks", o)) for o, f in table.ranks.items()},
    )


def parse_appraisal(text: str, *, source: str = "<string>") -> Appraisal:
    """Read an appraisal file's text.

    Args:
        text: the YAML text, starting with ``version: 1``.
        source: the name problems are reported against.

    Returns:
        The appraisal, with printed figures located in the source.

    Raises:
        LoadError: for every problem found, located, all at once.

    Examples:
        >>> parse_appraisal("version: 1\\nid: x\\ntitle: X\\nprogramme: P\\noptions: []\\ngroups: []\\n",
        ...     source="x.yaml")
        Traceback (most recent call last):
        ...
        sgassure.errors.LoadError: x.yaml:1:1: give the scores: 'scores', 'scorers' or a 'published' table
    """
    doc = parse_document(text, source=source)
    appraisal = structure_document(doc, Appraisal)
    problems = _problems(appraisal, doc)
    if problems:
        raise LoadError(problems)
    if appraisal.published is not None:
        appraisal = attrs.evolve(appraisal, published=_locate(appraisal.published, doc))
    return appraisal


def load_appraisal(path: str | os.PathLike[str]) -> Appraisal:
    """Read an appraisal file.

    Args:
        path: the YAML file.

    Returns:
        The appraisal.

    Raises:
        LoadError: the file is missing, unreadable or has problems (all reported, located).

    Examples:
        >>> len(load_appraisal(example_appraisal_path()).shortlist)
        6
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError([Problem(location=Location(file=name), path="", message="file not found")]) from None
    except UnicodeDecodeError as exc:
        raise LoadError(
            [Problem(location=Location(file=name), path="", message=f"not UTF-8 text ({exc.reason})")]
        ) from None
    except OSError as exc:
        raise LoadError(
            [Problem(location=Location(file=name), path="", message=f"cannot read: {exc.strerror}")]
        ) from None
    return parse_appraisal(text, source=name)


def example_appraisal_path(name: str = "ipa-appraisal.yaml") -> Path:
    """A file of the example appraisal shipped with sgassure (fictional).

    Args:
        name: ``ipa-appraisal.yaml`` (the scorers' sheets) or ``ipa-obc-table.yaml`` (the table as published).

    Returns:
        The path of the file.

    Examples:
        >>> example_appraisal_path().name
        'ipa-appraisal.yaml'
    """
    with resources.as_file(resources.files("sgassure") / "examples" / "appraisal" / name) as path:
        return Path(path)


# --- Results --------------------------------------------------------------------------------------------------


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


_decimal_text = _scoring.decimal_text


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


def _table(a: Appraisal, t: PublishedScoreTable) -> _scoring.Table:
    declared = _declared_scores(a)
    groups = []
    for g in a.groups:
        effective = g.effective_weights()
        groups.append(
            _scoring.TableGroup(
                id=g.id,
                label=g.label,
                factor=_factor(a, g),
                low=g.scale.min,
                high=g.scale.max,
                step=_steps(a, g),
                criteria=tuple((c.id, effective.get(c.id)) for c in g.criteria),
            )
        )
    return _scoring.Table(
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
    run = _scoring.Recheck(_table(appraisal, table))
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
                    _scoring.implied_weight(
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


# --- Sensitivity ----------------------------------------------------------------------------------------------


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


# --- Completeness -------------------------------------------------------------------------------------------

PACK = "appraisal"
GREEN_BOOK = "HM Treasury Green Book (2022)"
GATEWAY = "IPA Gateway review (business case)"

_RULES: tuple[tuple[str, str, str], ...] = (
    (
        "appraisal.no-baseline",
        "No business-as-usual or do-minimum baseline on the short list",
        f"{GREEN_BOOK}: the short list includes business as usual and a do-minimum option",
    ),
    (
        "appraisal.short-list-too-short",
        "Short list of fewer than four options",
        f"{GREEN_BOOK}: a short list of at least four options, including the baselines",
    ),
    (
        "appraisal.dimension-not-considered",
        "An options-framework dimension was never considered",
        f"{GREEN_BOOK}: the options framework (scope, service solution, service delivery, implementation, funding)",
    ),
    (
        "appraisal.no-risk-appraisal",
        "Short-listed option without its own risk appraisal",
        f"{GREEN_BOOK}: risks appraised for every short-listed option; {GATEWAY}",
    ),
    (
        "appraisal.no-costs",
        "Short-listed option without capital and revenue costs",
        f"{GREEN_BOOK}: costs of every short-listed option; {GATEWAY}",
    ),
    (
        "appraisal.savings-not-split",
        "Savings not split into cash-releasing, non-cash and costs avoided",
        f"{GREEN_BOOK}: benefits classified as cash-releasing, non-cash-releasing and costs avoided",
    ),
    (
        "appraisal.na-without-reason",
        "Criterion not applicable without a reason",
        f"{GATEWAY}: the appraisal explains what it leaves out",
    ),
    (
        "appraisal.weights-without-provenance",
        "Weights without provenance",
        f"{GATEWAY}: who set the weights, how and when, and any dissent",
    ),
    ("appraisal.no-preferred", "No option marked preferred", f"{GREEN_BOOK}: the preferred option"),
    (
        "appraisal.no-partner-sign-up",
        "Preferred option without written partner sign-up",
        f"{GATEWAY}: stakeholders' written support for the preferred option",
    ),
    (
        "appraisal.preferred-not-first",
        "Preferred option does not rank first",
        f"{GREEN_BOOK}: the preferred option follows from the appraisal",
    ),
    (
        "appraisal.lead-within-noise",
        "Preferred option leads by less than the precision of the inputs",
        f"{GATEWAY}: a robust choice, not one ahead by less than the rounding",
    ),
    (
        "appraisal.published-figure",
        "Published figure does not follow from the table",
        f"{GATEWAY}: the business case's figures can be reproduced",
    ),
)
_RULE_INDEX = {rule: i for i, (rule, _, _) in enumerate(_RULES)}


class _Findings:
    def __init__(self, a: Appraisal) -> None:
        self.a = a
        self.found: list[Finding] = []

    def add(
        self,
        rule: str,
        severity: Severity,
        subject: dict[str, str],
        message: str,
        why: Explanation,
    ) -> None:
        _, title, source = _RULES[_RULE_INDEX[rule]]
        self.found.append(
            Finding(
                pack=PACK,
                rule=rule,
                title=title,
                severity=severity,
                source=source,
                subject={"appraisal": self.a.id, **subject},
                message=message,
                explanation=why,
                rule_index=_RULE_INDEX[rule],
            )
        )


def _why(checks: tuple[Check, ...], absent: tuple[str, ...] = (), counted: tuple[str, ...] = ()) -> Explanation:
    return Explanation(conditions=checks, absent=absent, counted=counted)


def _check(fact: str, field: str, test: str, value: object, alias: str | None = None) -> Check:
    return Check(
        alias=alias or fact,
        fact=fact,
        field=field,
        test=test,
        value=repr(value) if isinstance(value, str) else str(value),
    )


def _option_checks(f: _Findings, a: Appraisal) -> None:
    for o in a.shortlist:
        subject = {"option": o.id}
        if not o.risks:
            f.add(
                "appraisal.no-risk-appraisal",
                Severity.HIGH,
                subject,
                f"short-listed option {o.label!r} has no risk appraisal of its own: its risks are not recorded",
                _why((_check("option", "risks", "at least one risk recorded", 0),), (f"no risk for option {o.id!r}",)),
            )
        missing = [name for name in ("capital", "revenue") if all(getattr(line, name) is None for line in o.costs)]
        if missing:
            what = " and ".join(missing)
            f.add(
                "appraisal.no-costs",
                Severity.HIGH,
                subject,
                f"short-listed option {o.label!r} has no {what} costs stated (write 0 where there are none)",
                _why(
                    tuple(_check("option", f"costs.{m}", "stated in at least one year", "none") for m in missing),
                    (f"no {what} costs for option {o.id!r}",),
                ),
            )
        if o.role == OptionRole.BUSINESS_AS_USUAL:
            continue
        kinds = {
            "cash_releasing": "cash-releasing",
            "non_cash": "non-cash efficiencies",
            "costs_avoided": "costs avoided",
        }
        missing = [label for name, label in kinds.items() if all(getattr(line, name) is None for line in o.savings)]
        if missing:
            f.add(
                "appraisal.savings-not-split",
                Severity.MEDIUM,
                subject,
                f"short-listed option {o.label!r} does not split its savings: {', '.join(missing)} not stated "
                "(write 0 where there are none)",
                _why(
                    tuple(
                        _check("option", f"savings.{name}", "stated in at least one year", "none")
                        for name, label in kinds.items()
                        if label in missing
                    ),
                    tuple(f"no {m} for option {o.id!r}" for m in missing),
                ),
            )


def _framework_checks(f: _Findings, a: Appraisal) -> None:
    short = a.shortlist
    for role in (OptionRole.BUSINESS_AS_USUAL, OptionRole.DO_MINIMUM):
        if not any(o.role == role for o in short):
            elsewhere = [o.id for o in a.options if o.role == role]
            where = f" (option {elsewhere[0]!r} is on the long list only)" if elsewhere else ""
            f.add(
                "appraisal.no-baseline",
                Severity.HIGH,
                {"role": role.value},
                f"the short list has no {role.value.replace('-', ' ')} option{where}: options cannot be compared "
                "with the baseline",
                _why(
                    (_check("shortlist", "role", f"includes {role.value}", ", ".join(o.role.value for o in short)),),
                    (f"no short-listed {role.value} option",),
                ),
            )
    if len(short) < 4:
        f.add(
            "appraisal.short-list-too-short",
            Severity.MEDIUM,
            {},
            f"the short list has {len(short)} option{'s' if len(short) != 1 else ''}; at least four are expected",
            _why((_check("shortlist", "count", "at least 4", len(short)),), (), tuple(o.id for o in short)),
        )
    considered = {d for o in a.options for d in o.dimensions}
    varied = [d.value for d in OptionDimension if d in considered]
    for d in OptionDimension:
        if d in considered:
            continue
        severity = Severity.HIGH if d == OptionDimension.SCOPE else Severity.MEDIUM
        lead = (
            "scope was never a choice"
            if d == OptionDimension.SCOPE
            else f"{d.value.replace('-', ' ')} was never a choice"
        )
        f.add(
            "appraisal.dimension-not-considered",
            severity,
            {"dimension": d.value},
            f"no option on the long or short list varies {d.value.replace('-', ' ')}: {lead} "
            f"(options vary only {', '.join(varied) or 'nothing'})",
            _why(
                (_check("options", "dimensions", f"some option varies {d.value}", ", ".join(varied) or "none"),),
                (f"no option varies {d.value}",),
            ),
        )


def _criteria_checks(f: _Findings, a: Appraisal) -> None:
    for g in a.groups:
        for crit in g.criteria:
            if crit.not_applicable and not (crit.reason or "").strip():
                f.add(
                    "appraisal.na-without-reason",
                    Severity.LOW,
                    {"criterion": crit.id},
                    f"criterion {crit.label!r} is marked not applicable without a reason",
                    _why(
                        (_check("criterion", "not_applicable", "has a reason", True),), (f"no reason for {crit.id!r}",)
                    ),
                )
        if g.applicable and g.provenance is None and a.weights_provenance is None:
            f.add(
                "appraisal.weights-without-provenance",
                Severity.MEDIUM,
                {"group": g.id},
                f"the weights of {g.label!r} have no provenance: who set them, how and when is not recorded",
                _why(
                    (_check("group", "provenance", "recorded for the group or the appraisal", "none"),),
                    (f"no provenance for the weights of {g.id!r}",),
                ),
            )


def _preferred_checks(f: _Findings, a: Appraisal) -> None:
    preferred = a.preferred
    if preferred is None:
        f.add(
            "appraisal.no-preferred",
            Severity.INFO,
            {},
            "no option is marked preferred",
            _why((_check("options", "role", "one option is preferred", "none"),), ("no preferred option",)),
        )
        return
    signed = {s.partner for s in preferred.sign_up if s.document.strip()}
    for partner in a.partners:
        if partner.id in signed:
            continue
        f.add(
            "appraisal.no-partner-sign-up",
            Severity.HIGH,
            {"option": preferred.id, "partner": partner.id},
            f"{partner.name} has not signed up in writing to the preferred option {preferred.label!r}",
            _why(
                (
                    _check(
                        "option",
                        "sign_up",
                        "a dated written sign-up by each partner",
                        ", ".join(sorted(signed)) or "none",
                    ),
                ),
                (f"no written sign-up by {partner.id!r}",),
            ),
        )


def _robustness_checks(f: _Findings, a: Appraisal) -> None:
    preferred = a.preferred
    if preferred is None:
        return
    try:
        s = analyse_sensitivity(a, samples=0)
    except SgassureError:
        return
    if s.leader != preferred.id:
        ranks = score_appraisal(a).ranks
        f.add(
            "appraisal.preferred-not-first",
            Severity.HIGH,
            {"option": preferred.id},
            _standing(preferred.id, ranks, preferred.label),
            _why((_check("option", "rank", "is 1, alone", ranks[preferred.id]),)),
        )
        return
    if s.margin is not None and s.margin <= s.noise:
        f.add(
            "appraisal.lead-within-noise",
            Severity.HIGH,
            {"option": preferred.id},
            f"the preferred option {preferred.label!r} leads {s.runner_up!r} by {_decimal_text(s.margin)}, within "
            f"the precision of the inputs ({_decimal_text(s.noise)}: rounding {_decimal_text(s.rounding_noise)}, "
            f"weights {_decimal_text(s.weights_noise)}): not a robust choice",
            _why((_check("option", "lead", f"above the noise {_decimal_text(s.noise)}", _decimal_text(s.margin)),)),
        )


def _table_checks(f: _Findings, a: Appraisal) -> None:
    if a.published is None:
        return
    for d in recheck_table(a).discrepancies:
        subject = {"figure": d.figure.value}
        subject |= {k: v for k, v in (("group", d.group), ("criterion", d.criterion), ("option", d.option)) if v}
        severity = Severity.HIGH if d.figure == TableFigure.RANK else Severity.MEDIUM
        where = f" ({d.location})" if d.location is not None else ""
        f.add(
            "appraisal.published-figure",
            severity,
            subject,
            d.message + where,
            _why((_check("table", d.figure.value, f"follows: {d.expected}", d.printed),)),
        )


def check_appraisal(appraisal: Appraisal) -> tuple[Finding, ...]:
    """Check an appraisal against Green Book practice and what Gateway reviews ask; findings, sorted.

    Findings are of pack ``appraisal`` with subject ``{"appraisal": id, ...}``
    (``option``, ``partner``, ``criterion``, ``group``, ``dimension``, ``role``
    or ``figure`` as the rule needs), sorted by
    :func:`~sgassure.findings.finding_sort_key`. The rules, in order:

    - ``appraisal.no-baseline`` (high): no business-as-usual, or no
      do-minimum, option on the short list;
    - ``appraisal.short-list-too-short`` (medium): fewer than four short-listed options;
    - ``appraisal.dimension-not-considered`` (high for scope, else medium): no
      option on the long or short list varies that framework dimension;
    - ``appraisal.no-risk-appraisal`` (high): a short-listed option with no risk of its own;
    - ``appraisal.no-costs`` (high): a short-listed option with no capital, or no revenue, cost stated;
    - ``appraisal.savings-not-split`` (medium): a short-listed option (other
      than business as usual) with cash-releasing savings, non-cash
      efficiencies or costs avoided never stated;
    - ``appraisal.na-without-reason`` (low): a criterion not applicable without a reason;
    - ``appraisal.weights-without-provenance`` (medium): a group whose weights
      have no provenance (neither its own nor the appraisal's);
    - ``appraisal.no-preferred`` (info): no option marked preferred;
    - ``appraisal.no-partner-sign-up`` (high): a partner without a dated written sign-up to the preferred option;
    - ``appraisal.preferred-not-first`` (high): the preferred option is not ranked first alone;
    - ``appraisal.lead-within-noise`` (high): the preferred option leads by no
      more than the precision of the inputs (see :class:`Sensitivity`);
    - ``appraisal.published-figure`` (medium; high for a rank): a printed
      figure that does not follow (see :func:`recheck_table`).

    Args:
        appraisal: the appraisal.

    Returns:
        The findings, most serious first.

    Examples:
        >>> found = check_appraisal(load_appraisal(example_appraisal_path()))
        >>> found[0].fingerprint
        'appraisal/appraisal.dimension-not-considered/appraisal=wc-ipa-2025/dimension=scope'
    """
    f = _Findings(appraisal)
    _framework_checks(f, appraisal)
    _option_checks(f, appraisal)
    _criteria_checks(f, appraisal)
    _preferred_checks(f, appraisal)
    _robustness_checks(f, appraisal)
    _table_checks(f, appraisal)
    return tuple(sorted(f.found, key=finding_sort_key))
