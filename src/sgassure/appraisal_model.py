"""The model of an option appraisal: options, criteria groups, weights, scales and scorers.

Weights are :class:`Share` values, exact, with the text they were written as;
options carry their role, the framework dimensions they vary, risks, costs,
savings and sign-up; :class:`CriteriaGroup` holds criteria with a scoring scale;
:class:`ScorerPanel` aggregates several scorers' sheets. The appraisal itself is
:class:`sgassure.appraisal_file.Appraisal`.

Examples:
    >>> Share.parse("33.3%").value
    Fraction(333, 1000)
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import statistics
from decimal import Decimal
from fractions import Fraction

import attrs

from sgassure._convert import _Invalid, _kind, converter

__all__ = [
    "Aggregation",
    "AppraisalPartner",
    "Combination",
    "CostLine",
    "CriteriaGroup",
    "Criterion",
    "Dissent",
    "Option",
    "OptionDimension",
    "OptionRole",
    "Risk",
    "SavingsLine",
    "ScorerPanel",
    "ScorerSheet",
    "ScoringScale",
    "SensitivitySettings",
    "Share",
    "Shortfall",
    "SignUp",
    "WeightsProvenance",
]

_SHARE = re.compile(r"^(?P<number>\d+(?:\.(?P<decimals>\d+))?)\s*(?P<percent>%)?$")
_RATIO = re.compile(r"^(?P<top>\d+)\s*/\s*(?P<bottom>\d+)$")


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


def _structure_share(value: object, _: type) -> Share:
    return Share.parse(value)  # type: ignore[arg-type]


converter.register_structure_hook(Share, _structure_share)
converter.register_unstructure_hook(Share, lambda share: share.written)


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
