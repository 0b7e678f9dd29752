"""The option appraisals section of the assurance report (private; see :mod:`sgassure.report.assurance`).

Per appraisal: a line on where the scores came from, the completeness check
and the robustness of the preferred option; the results table in the
published layout (criteria as rows, options as columns, group subtotals with
the sum of their weights, total and rank); and a horizontal stacked bar chart
of each option's weighted contributions, one bar per option and one segment per
applicable criterion. Figures are shown as the appraisal module shows them
(:meth:`~sgassure.AppraisalResult.display`: half-up, 2 decimals; weights in
percent to 1 decimal). Colour is never the only signal in the chart: each
segment carries its criterion's key number where it fits and a tooltip, the
legend pairs numbers with names, and every contribution is also listed as text.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

from sgassure.appraisal import AppraisalResult
from sgassure.report.assurance import AssuranceReport, ReportedAppraisal
from sgassure.rules import Severity

FAMILIES = (
    ("#c6dbef", "#6baed6", "#deebf7", "#9ecae1"),
    ("#fdd0a2", "#fd8d3c", "#feedde", "#fdae6b"),
    ("#c7e9c0", "#74c476", "#e5f5e0", "#a1d99b"),
    ("#dadaeb", "#9e9ac8", "#efedf5", "#bcbddc"),
)
"""Segment fills: a family of shades per group of criteria (in group order), a shade per criterion in it."""
CHART_COLOURS = tuple(c for family in FAMILIES for c in family)
"""Every fill the chart uses (text on them is dark)."""

SOURCE_WORDS = {
    "scores": "raw scores as recorded",
    "scorers": "the scorers' sheets, aggregated as the file declares",
    "published": "the raw scores the published table pins",
}
WIDTH, MARGIN, BAR, ROW, LABEL, TOTAL_SPACE, AXIS = 760, 16, 24, 50, 18, 96, 30
MIN_NUMBERED = 16
"""The narrowest segment (in px) that carries its key number."""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _md(text: str) -> str:
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _percent(value: Fraction) -> str:
    return AppraisalResult.display(value * 100, 1) + "%"


# --- shared data --------------------------------------------------------------------------------------------


def layout(ra: ReportedAppraisal, r: AppraisalResult) -> list[tuple[str, str, str, list[str]]]:
    """The results table as rows of (kind, label, weight, cells); kind: group, criterion, subtotal, total, rank."""
    weighted_groups = any(w != 1 for w in r.group_weights.values())
    rows: list[tuple[str, str, str, list[str]]] = []
    for g in r.groups:
        heading = ra.groups[g]
        if weighted_groups:
            heading += f" (group weight {_percent(r.group_weights[g])})"
        rows.append(("group", heading, "", []))
        for c in r.criteria[g]:
            label = f"{c} {ra.criteria[c]}"
            if c in r.weights:
                rows.append(
                    ("criterion", label, _percent(r.weights[c]), [r.display(r.weighted[c][o]) for o in r.options])
                )
            else:
                rows.append(("criterion", label, "N/A", ["N/A"] * len(r.options)))
        subtotals = [r.display(r.subtotals[g][o]) for o in r.options]
        rows.append(("subtotal", f"Subtotal: {ra.groups[g]}", _percent(r.weight_sums[g]), subtotals))
    rows.append(("total", "Total", "", [r.display(r.totals[o]) for o in r.options]))
    rows.append(("rank", "Rank", "", [str(r.ranks[o]) for o in r.options]))
    return rows


def contributions(r: AppraisalResult) -> list[tuple[str, list[tuple[str, Fraction]]]]:
    """Each option's contribution per applicable criterion: weighted score times group weight; they sum to the total."""
    applicable = [(g, c) for g in r.groups for c in r.criteria[g] if c in r.weights]
    return [(o, [(c, r.group_weights[g] * r.weighted[c][o]) for g, c in applicable]) for o in r.options]


def fills(r: AppraisalResult) -> dict[str, str]:
    """A fill per applicable criterion: its group's family, shades in turn."""
    out = {}
    for gi, g in enumerate(r.groups):
        family = FAMILIES[gi % len(FAMILIES)]
        for ci, c in enumerate(c for c in r.criteria[g] if c in r.weights):
            out[c] = family[ci % len(family)]
    return out


def findings_words(ra: ReportedAppraisal) -> str:
    """The completeness check in a sentence: how many findings, by severity."""
    if not ra.findings:
        return "The completeness check finds nothing."
    counts = Counter(f.severity for f in ra.findings)
    parts = ", ".join(f"{counts[s]} {s.value}" for s in reversed(Severity) if counts[s])
    many = "s" if len(ra.findings) != 1 else ""
    return (
        f"The completeness check (Green Book practice, Gateway reviews) has {len(ra.findings)} finding{many}: {parts}."
    )


def robust_words(ra: ReportedAppraisal) -> str:
    """Whether the preferred option is a robust choice, and why not."""
    if ra.result is None:
        return ""
    if ra.preferred is None:
        return "No option is marked preferred, so there is no choice to test for robustness."
    name = ra.options.get(ra.preferred, ra.preferred)
    if ra.robust:
        return (
            f"The preferred option, {name}, is a robust choice: it ranks first alone, leads by more than the "
            "precision of the inputs and ranks first often enough when the weights vary."
        )
    return f"The preferred option, {name}, is not a robust choice: {'; '.join(ra.robust_reasons)}."


def intro_words(ra: ReportedAppraisal) -> list[str]:
    """The sentences above an appraisal's table."""
    out = [f"Programme: {ra.programme}" + (f"; appraisal event {ra.event.isoformat()}." if ra.event else ".")]
    if ra.result is None:
        out.append(f"Not scored: {ra.unscored}")
    else:
        out.append(
            f"Scores: {SOURCE_WORDS[ra.result.source.value]}. Figures are exact and shown rounded half-up to 2 "
            "decimals, so a shown total may differ from the sum of the shown parts."
        )
    out.append(findings_words(ra))
    robust = robust_words(ra)
    return [*out, robust] if robust else out


def contribution_lines(ra: ReportedAppraisal, r: AppraisalResult) -> list[str]:
    """Each option's contributions as a line of text: criterion and value, then the total and rank."""
    out = []
    for o, parts in contributions(r):
        listed = ", ".join(f"{c} {r.display(v)}" for c, v in parts)
        out.append(f"{ra.options[o]}: {listed}; total {r.display(r.totals[o])}, rank {r.ranks[o]}")
    return out


# --- the chart ---------------------------------------------------------------------------------------------


def _step(span: Fraction) -> Fraction:
    for step in (Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(2), Fraction(5), Fraction(10), Fraction(20)):
        if span / step <= 8:
            return step
    return Fraction(10 ** len(str(int(span))))


def _x(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def chart(ra: ReportedAppraisal, r: AppraisalResult) -> list[str]:
    """The weighted contributions as an inline SVG horizontal stacked bar chart: one bar per option."""
    rows = contributions(r)
    colour = fills(r)
    number = {c: i for i, c in enumerate(colour, start=1)}
    high = max((sum((x for _, x in parts if x > 0), Fraction(0)) for _, parts in rows), default=Fraction(0))
    low = max((-sum((x for _, x in parts if x < 0), Fraction(0)) for _, parts in rows), default=Fraction(0))
    step = _step(high + low or Fraction(1))
    top = -(-high // step) * step if high else step
    bottom = -(-low // step) * step
    plot = WIDTH - 2 * MARGIN - TOTAL_SPACE
    scale = plot / float(top + bottom)
    zero = MARGIN + float(bottom) * scale
    height = AXIS + ROW * len(rows) + MARGIN
    slug = _e(ra.appraisal)
    out = [
        f'<svg class="appraisal-chart" viewBox="0 0 {WIDTH} {height}" role="img" data-appraisal="{slug}" '
        f'aria-labelledby="chart-{slug}-title chart-{slug}-desc">',
        f'<title id="chart-{slug}-title">{_e(ra.title)}: weighted contributions per option</title>',
        f'<desc id="chart-{slug}-desc">{len(rows)} bars, one per short-listed option, each split into '
        f"{len(colour)} segments, one per applicable criterion; the figures are listed below the chart.</desc>",
    ]
    out.append(f'<line class="zero" x1="{_x(zero)}" y1="{AXIS - 6}" x2="{_x(zero)}" y2="{height - MARGIN}"/>')
    tick = -bottom
    while tick <= top:
        x = zero + float(tick) * scale
        out.append(f'<line class="grid" x1="{_x(x)}" y1="{AXIS - 6}" x2="{_x(x)}" y2="{height - MARGIN}"/>')
        out.append(f'<text class="tick" x="{_x(x)}" y="{AXIS - 10}" text-anchor="middle">{_e(r.display(tick))}</text>')
        tick += step
    for i, (o, parts) in enumerate(rows):
        y = AXIS + ROW * i + LABEL
        out.append(f'<g class="bar" data-option="{_e(o)}">')
        out.append(f'<text class="option" x="{MARGIN + 4}" y="{y - 5}">{_e(ra.options[o])}</text>')
        right = left = zero
        for c, v in parts:
            if v == 0:
                continue
            width = float(abs(v)) * scale
            if v > 0:
                x, right = right, right + width
            else:
                left -= width
                x = left
            out.append(f'<g class="segment" data-criterion="{_e(c)}">')
            out.append(f"<title>{_e(ra.options[o])}: {_e(c)} {_e(ra.criteria[c])}: {_e(r.display(v))}</title>")
            out.append(f'<rect x="{_x(x)}" y="{y}" width="{_x(width)}" height="{BAR}" style="fill:{colour[c]}"/>')
            if width >= MIN_NUMBERED:
                out.append(
                    f'<text class="key" x="{_x(x + width / 2)}" y="{y + BAR / 2 + 4:g}" '
                    f'text-anchor="middle">{number[c]}</text>'
                )
            out.append("</g>")
        total = f"{r.display(r.totals[o])} (rank {r.ranks[o]})"
        out.append(f'<text class="total" x="{_x(right + 6)}" y="{y + BAR / 2 + 4:g}">{_e(total)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return out


def chart_legend(ra: ReportedAppraisal, r: AppraisalResult) -> list[str]:
    """The key to the chart: each segment's number, fill and criterion, by group."""
    colour = fills(r)
    number = {c: i for i, c in enumerate(colour, start=1)}
    out = [f'<ul class="legend appraisal-legend" aria-label="Key to the chart of {_e(ra.title)}">']
    for g in r.groups:
        for c in r.criteria[g]:
            if c in colour:
                out.append(
                    f'<li><span class="swatch" style="background-color:{colour[c]}"></span>'
                    f"<strong>{number[c]}</strong> {_e(c)} {_e(ra.criteria[c])} ({_e(ra.groups[g])})</li>"
                )
    return [*out, "</ul>"]


# --- HTML ----------------------------------------------------------------------------------------------------


def results_table(ra: ReportedAppraisal, r: AppraisalResult) -> list[str]:
    """The results table in the published layout, every header cell scoped."""
    head = "".join(
        f'<th scope="col" data-option="{_e(o)}">{_e(ra.options[o])}{" (preferred)" if o == ra.preferred else ""}</th>'
        for o in r.options
    )
    out = [
        f'<table class="appraisal-results" data-appraisal="{_e(ra.appraisal)}">',
        f"<caption>{_e(ra.title)}: weighted scores (weight × score) per criterion and option, group subtotals "
        "with the sum of their weights, totals and competition ranks.</caption>",
        f'<thead><tr><th scope="col">Criterion</th><th scope="col">Weight</th>{head}</tr></thead>',
        "<tbody>",
    ]
    for kind, label, weight, cells in layout(ra, r):
        if kind == "group":
            out.append(f'<tr class="group"><th scope="row" colspan="{len(r.options) + 2}">{_e(label)}</th></tr>')
            continue
        tds = "".join(f"<td>{_e(c)}</td>" for c in cells)
        out.append(f'<tr class="{kind}"><th scope="row">{_e(label)}</th><td>{_e(weight)}</td>{tds}</tr>')
    return [*out, "</tbody></table>"]


def appraisal_html(ra: ReportedAppraisal) -> list[str]:
    """One appraisal: the sentences, the results table, then the chart with its key and its figures."""
    out = [
        f'<section class="appraisal" id="appraisal-{_e(ra.appraisal)}" data-appraisal="{_e(ra.appraisal)}">',
        f"<h3>{_e(ra.title)}</h3>",
        *(f"<p>{_e(line)}</p>" for line in intro_words(ra)),
    ]
    r = ra.result
    if r is not None:
        out += results_table(ra, r)
        out += [
            '<figure class="appraisal-figure">',
            *chart(ra, r),
            *chart_legend(ra, r),
            "<figcaption>Each option's total as the sum of its weighted contributions, one segment per applicable "
            "criterion, numbered as in the key (narrow segments unnumbered); hover a segment for its figure. "
            "The figures:</figcaption>",
            '<ul class="contributions">',
            *(f"<li>{_e(line)}</li>" for line in contribution_lines(ra, r)),
            "</ul>",
            "</figure>",
        ]
    return [*out, "</section>"]


def html_section(report: AssuranceReport) -> list[str]:
    """The option appraisals section of the page."""
    body = [
        "<p>Option appraisals held in the workspace, scored exactly from their files; the completeness check and "
        "the robustness test are those of <code>sgassure appraise --check --sensitivity</code>.</p>"
    ]
    for ra in report.appraisals:
        body += appraisal_html(ra)
    return body


# --- Markdown ------------------------------------------------------------------------------------------------


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_md(c) for c in cells) + " |"


def appraisal_markdown(ra: ReportedAppraisal) -> list[str]:
    """One appraisal: the sentences, the results table, and the contributions as a list."""
    out = [f"### {ra.title}", ""]
    for line in intro_words(ra):
        out += [line, ""]
    r = ra.result
    if r is None:
        return out
    head = [f"{ra.options[o]}{' (preferred)' if o == ra.preferred else ''}" for o in r.options]
    out += [_row(["Criterion", "Weight", *head]), "|---|---:|" + "---:|" * len(head)]
    for kind, label, weight, cells in layout(ra, r):
        shown = f"**{label}**" if kind in ("group", "total", "rank") else label
        out.append(_row([shown, weight, *(cells or [""] * len(head))]))
    out += ["", "Weighted contributions per option (the chart is in `index.html`):", ""]
    out += [f"- {line}" for line in contribution_lines(ra, r)]
    return [*out, ""]


def markdown_section(report: AssuranceReport) -> list[str]:
    """The option appraisals section of the Markdown."""
    out = [
        "Option appraisals held in the workspace, scored exactly from their files; the completeness check and the "
        "robustness test are those of `sgassure appraise --check --sensitivity`.",
        "",
    ]
    for ra in report.appraisals:
        out += appraisal_markdown(ra)
    return out
