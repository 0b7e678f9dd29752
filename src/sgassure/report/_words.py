"""Words both renderers of the assurance report use (private; see :mod:`sgassure.report.assurance`).

Labels of levels, cells, trends and comparisons, the masking statement, and the
wrapping of names in the picture's boxes: one place, so the HTML page and its
Markdown twin say the same thing.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal

from sgassure.findings import Finding
from sgassure.indicators import ComparatorKind, Polarity, Unit
from sgassure.report.assurance import (
    AssuranceReport,
    CellStatus,
    HeatmapCell,
    Judgement,
    KpiComparison,
    KpiRow,
    PartnershipPicture,
    Trend,
    TrendKind,
    TrendTable,
)
from sgassure.standards import RatingScale

TREND_WORDS = {
    TrendKind.IMPROVED: "improved",
    TrendKind.REGRESSED: "regressed",
    TrendKind.UNCHANGED: "unchanged",
    TrendKind.UNCHANGED_STALE: "unchanged, stale evidence",
    TrendKind.NOT_COMPARABLE: "no comparison",
}
STATUS_WORDS = {
    CellStatus.NOT_APPLICABLE: "n/a",
    CellStatus.NOT_RATED: "not rated",
    CellStatus.NO_RETURN: "no return",
}
POLARITY_WORDS = {
    Polarity.HIGHER_IS_BETTER: "higher is better",
    Polarity.LOWER_IS_BETTER: "lower is better",
    Polarity.CONTEXT: "depends on context",
}
COMPARATOR_WORDS = {
    ComparatorKind.NATIONAL: "National",
    ComparatorKind.STATISTICAL_NEIGHBOURS: "Statistical neighbours",
    ComparatorKind.REGION: "Region",
    ComparatorKind.PREVIOUS_PERIOD: "Previous period",
    ComparatorKind.TARGET: "Target",
}


def level_label(scale: RatingScale | None, level: str | None) -> str:
    """A level's label on its scale (its id when the scale does not know it)."""
    if level is None:
        return "none"
    if scale is None or level not in scale.level_ids:
        return level
    return scale.level(level).label


def cell_words(scale: RatingScale, c: HeatmapCell) -> tuple[str, list[str], bool]:
    """A cell's label, its detail lines and whether it is below the threshold."""
    if c.status is not CellStatus.RATED or c.level is None:
        detail = [f"{c.unrated} unrated"] if c.status is CellStatus.NOT_RATED and c.unrated else []
        return STATUS_WORDS[c.status], detail, False
    lines = [f"{c.met} of {c.rated} met"]
    if c.moderation_changed:
        lines.append(f"self: {level_label(scale, c.self_level)}")
    return level_label(scale, c.level), lines, not scale.is_compliant(c.level)


def trend_words(table: TrendTable, t: Trend) -> tuple[str, str]:
    """A trend's label and its detail: the levels compared, or why there is no comparison."""
    if t.kind is TrendKind.NOT_COMPARABLE:
        return TREND_WORDS[t.kind], t.reason
    if t.before == t.after:
        return TREND_WORDS[t.kind], level_label(table.scale, t.after)
    return TREND_WORDS[t.kind], f"{level_label(table.scale, t.before)} → {level_label(table.scale, t.after)}"


def renumbered(table: TrendTable) -> list[tuple[str, str]]:
    """Every requirement compared under a new number in the table, sorted."""
    return sorted({pair for t in table.trends for pair in t.renumbered}, key=lambda p: (_key(p[0]), _key(p[1])))


def _key(requirement: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(part), "") if part.isdigit() else (0, part) for part in requirement.split("."))


UNIT_SUFFIX = {Unit.PERCENT: "%", Unit.RATE_PER_10000: " per 10,000", Unit.DAYS: " days"}


def value_text(value: Decimal | None, unit: Unit) -> str:
    """A value with its unit, as recorded (no rounding)."""
    return "–" if value is None else f"{value}{UNIT_SUFFIX.get(unit, '')}"


def _direction(value: Decimal, other: Decimal) -> str:
    return "same as" if value == other else "above" if value > other else "below"


def change_words(row: KpiRow) -> str:
    """The change since the period before, judged by the direction of good (a dash when there is none)."""
    if row.change is None or row.value is None or row.previous_value is None:
        return "–"
    was = f"{value_text(row.previous_value, row.unit)} in {row.previous_period}"
    if row.change is Judgement.SAME:
        return f"same as {was}"
    moved = "up from" if row.value > row.previous_value else "down from"
    return f"{row.change.value}: {moved} {was}"


def comparison_words(row: KpiRow, c: KpiComparison) -> str:
    """The latest value against a comparator, judged by the direction of good."""
    assert row.value is not None
    where = f"{_direction(row.value, c.value)} {value_text(c.value, row.unit)}"
    return where if c.judgement in (Judgement.SAME, Judgement.CONTEXT) else f"{c.judgement.value}: {where}"


def subject_text(finding: Finding) -> str:
    """A finding's subject keys, as ``key value`` pairs."""
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in finding.subject.items())


IDENTIFIER_WORDS = {"nhs-number": "NHS number", "postcode": "postcode", "date-of-birth": "date of birth"}


def masking_statement(report: AssuranceReport) -> str:
    """The sentence that says how many personal identifiers were masked."""
    kinds: dict[str, int] = {}
    for m in report.identifiers:
        kinds[m.kind.value] = kinds.get(m.kind.value, 0) + 1
    found = ", ".join(f"{n} {IDENTIFIER_WORDS.get(k, k)}{'s' if n != 1 else ''}" for k, n in sorted(kinds.items()))
    count = len(report.identifiers)
    items = f"{count} personal identifier{'s' if count != 1 else ''}"
    if not count:
        return "No personal identifiers were found in the workspace's free text, so none was masked."
    if report.mask:
        return (
            f"{report.masked_items} item{'s' if report.masked_items != 1 else ''} masked: the workspace's free text "
            f"holds {items} ({found}); each is replaced by a label such as [postcode removed] wherever this "
            "report would show it."
        )
    return f"Masking is off: the workspace's free text holds {items} ({found}), which this report may show."


def wrap(text: str, width: int = 25, lines: int = 3) -> list[str]:
    """``text`` in at most ``lines`` lines of about ``width`` characters; an ellipsis marks a cut."""
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1 :]), width, placeholder="…")]
    return wrapped


LINE_WORDS = {
    "reports-to": "reports to",
    "annual-report-to": "sends its annual report to",
    "accountable-to": "is accountable to",
    "escalates-to": "escalates to",
}


def reporting_lines(picture: PartnershipPicture) -> list[tuple[str, str]]:
    """Each body with reporting lines out and what they are, in words, sorted by the body's name."""
    names = {n.id: n.name for n in picture.nodes}
    lines: dict[str, dict[str, list[str]]] = {}
    for e in picture.edges:
        if e.edge_type in LINE_WORDS:
            lines.setdefault(e.source, {}).setdefault(e.edge_type, []).append(names[e.target])
    out = []
    for source, kinds in lines.items():
        said = [f"{LINE_WORDS[k]} {', '.join(sorted(kinds[k], key=str.casefold))}" for k in LINE_WORDS if k in kinds]
        out.append((names[source], "; ".join(said)))
    return sorted(out, key=lambda pair: pair[0].casefold())
