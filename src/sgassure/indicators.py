"""Key performance indicators: definitions, observations and comparators.

An :class:`Indicator` carries its definition, unit, which direction is good
(higher, lower, or "it depends": more referrals may mean better
identification), and dated :class:`Observation` values, each with its source
and comparators (national, statistical neighbours, region, previous period,
target).

Examples:
    >>> from decimal import Decimal
    >>> ind = Indicator(id="kpi-01", title="Re-referrals within 12 months", definition="...",
    ...     unit=Unit.PERCENT, polarity=Polarity.LOWER_IS_BETTER, sector=Sector.CHILDREN,
    ...     observations=(Observation(period="2024-25", as_at=dt.date(2025, 3, 31), value=Decimal("24.1"),
    ...         source="CIN census", comparators=(
    ...             Comparator(kind=ComparatorKind.NATIONAL, value=Decimal("21.4")),)),))
    >>> ind.polarity.is_worse(Decimal("24.1"), Decimal("21.4"))
    True
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import attrs

from sgassure.partnership import Sector

__all__ = ["Comparator", "ComparatorKind", "Indicator", "IndicatorSet", "Observation", "Polarity", "Unit"]


class Polarity(enum.StrEnum):
    """Which direction of an indicator is good.

    Examples:
        >>> Polarity.HIGHER_IS_BETTER.is_worse(Decimal(60), Decimal(70))
        True
        >>> Polarity.CONTEXT.is_worse(Decimal(60), Decimal(70)) is None
        True
    """

    HIGHER_IS_BETTER = "higher-is-better"
    LOWER_IS_BETTER = "lower-is-better"
    CONTEXT = "context"

    def is_worse(self, value: Decimal, comparator: Decimal) -> bool | None:
        """Whether ``value`` is worse than ``comparator``; None when direction depends on context."""
        if self is Polarity.HIGHER_IS_BETTER:
            return value < comparator
        if self is Polarity.LOWER_IS_BETTER:
            return value > comparator
        return None


class Unit(enum.StrEnum):
    """The unit an indicator is measured in.

    Examples:
        >>> Unit("rate-per-10000").value
        'rate-per-10000'
    """

    COUNT = "count"
    PERCENT = "percent"
    RATE_PER_10000 = "rate-per-10000"
    DAYS = "days"
    RATIO = "ratio"


class ComparatorKind(enum.StrEnum):
    """What an observation is compared with.

    Examples:
        >>> ComparatorKind("statistical-neighbours").value
        'statistical-neighbours'
    """

    NATIONAL = "national"
    STATISTICAL_NEIGHBOURS = "statistical-neighbours"
    REGION = "region"
    PREVIOUS_PERIOD = "previous-period"
    TARGET = "target"


@attrs.frozen(kw_only=True)
class Comparator:
    """A comparator value for an observation.

    Examples:
        >>> Comparator(kind=ComparatorKind.TARGET, value=Decimal("85")).value
        Decimal('85')
    """

    kind: ComparatorKind
    value: Decimal
    period: str | None = None
    source: str | None = None


@attrs.frozen(kw_only=True)
class Observation:
    """An indicator's value for a period, as at a date, with its source and comparators.

    Examples:
        >>> Observation(period="2024-25 Q1", as_at=dt.date(2024, 6, 30), value=Decimal("312"),
        ...     source="Children's services performance report").period
        '2024-25 Q1'
    """

    period: str
    as_at: dt.date
    value: Decimal
    source: str
    comparators: tuple[Comparator, ...] = ()

    def comparator(self, kind: ComparatorKind) -> Comparator | None:
        """The comparator of ``kind``, if the observation has one."""
        return next((c for c in self.comparators if c.kind is kind), None)


@attrs.frozen(kw_only=True)
class Indicator:
    """A key performance indicator with its definition and observations, oldest first.

    Examples:
        >>> from sgassure import example_workspace_path, load_workspace
        >>> kpis = load_workspace(example_workspace_path()).indicators
        >>> len(kpis) >= 12
        True
    """

    id: str
    title: str
    definition: str
    unit: Unit
    polarity: Polarity
    sector: Sector
    owner: str | None = None
    observations: tuple[Observation, ...] = ()

    def observations_on(self, as_of: dt.date | None = None) -> tuple[Observation, ...]:
        """Observations known on ``as_of`` (as-at date on or before it), oldest first."""
        seen = [o for o in self.observations if as_of is None or o.as_at <= as_of]
        return tuple(sorted(seen, key=lambda o: o.as_at))


@attrs.frozen(kw_only=True)
class IndicatorSet:
    """The indicators file of a workspace.

    Examples:
        >>> IndicatorSet(indicators=()).indicators
        ()
    """

    indicators: tuple[Indicator, ...]
