"""The assurance report as Markdown, the twin of the HTML page (private; see :mod:`sgassure.report.assurance`).

Same sections, same order, same words as the HTML page; the partnership
picture becomes its layers as lists and the appraisals' charts become lists of
contributions (the drawings are in ``index.html``).
Table cells escape ``|`` and fold newlines.
"""

from __future__ import annotations

from collections import Counter

from sgassure.report import _appraisal_section
from sgassure.report import _words as words
from sgassure.report.assurance import AssuranceReport, BodyGroup, Heatmap, ReportedFinding, TrendKind, TrendTable
from sgassure.rules import Severity
from sgassure.standards import Standard


def _cell(text: str) -> str:
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _key(standards: tuple[Standard, ...]) -> list[str]:
    return ["Standards: " + "; ".join(f"**{s.id}** {s.title}" for s in standards) + ".", ""]


def summary(report: AssuranceReport) -> list[str]:
    """Counts of findings by severity, escalations by body, and below-threshold cells by cycle."""
    counts = Counter(f.severity for f in report.audit.findings)
    out = [f"Findings by severity ({len(report.audit.findings)} in all):", ""]
    out += _table(["Severity", "Findings"], [[s.value.capitalize(), str(counts[s])] for s in reversed(Severity)])
    out += ["", f"Escalations by the body that must act ({len(report.audit.escalations)} in all):", ""]
    rows = [[g.name, str(sum(1 for e in g.entries if e.escalation))] for g in report.groups if not g.is_business_office]
    out += _table(["Body", "Escalations"], rows)
    out += ["", "Agency ratings of a standard below the threshold:", ""]
    out += _table(["Cycle", "Below threshold"], [[h.cycle_title, str(h.below_threshold())] for h in report.heatmaps])
    return out


def heatmap(h: Heatmap, as_of: str) -> list[str]:
    """One cycle's heatmap as a table, a label in every cell."""
    threshold = h.scale.level(h.scale.threshold).label
    levels = ", ".join(level.label for level in h.scale.levels)
    out = [
        f"### {h.cycle_title}",
        "",
        f"{h.framework_title}, catalog {h.framework_version}. Scale, best first: {levels}. Threshold: "
        f"{threshold} and above are compliant; a level below it is marked **bold**. Each cell: the lowest "
        f"effective rating as at {as_of}, and how many of the standard's rated requirements meet the threshold.",
        "",
    ]
    rows = []
    for row in h.rows:
        cells = [row.agency_name]
        for c in row.cells:
            label, lines, below = words.cell_words(h.scale, c)
            text = f"**{label}**" if below else label
            cells.append(f"{text} ({'; '.join(lines)})" if lines else text)
        rows.append(cells)
    out += _table(["Agency", *(s.id for s in h.standards)], rows)
    return [*out, "", *_key(h.standards)]


def trend_table(t: TrendTable) -> list[str]:
    """Trends between two cycles as a table, a word in every cell."""
    counts = ", ".join(f"{t.count(k)} {words.TREND_WORDS[k]}" for k in TrendKind)
    out = [f"### {t.previous_title} → {t.cycle_title}", "", f"{counts}.", ""]
    moved = words.renumbered(t)
    if moved:
        pairs = ", ".join(f"{a} → {b}" for a, b in moved)
        out += [f"Requirements compared under a new number, from the catalog's supersedes map: {pairs}.", ""]
    rows = []
    for agency, name in t.agencies:
        cells = [name]
        for s in t.standards:
            trend = t.trend(agency, s.id)
            if trend is None:
                cells.append("")
                continue
            label, detail = words.trend_words(t, trend)
            cells.append(f"{label} ({detail})" if detail else label)
        rows.append(cells)
    return [*out, *_table(["Agency", *(s.id for s in t.standards)], rows), ""]


def _entry(r: ReportedFinding, level: str) -> list[str]:
    f, e = r.finding, r.escalation
    out = [f"{level} {f.title}", "", f"**{f.severity.value.capitalize()}**. {f.message}", ""]
    if e:
        if e.agency is None:
            route = f"none needed: the {'escalation' if e.escalation_only else 'finding'} names no agency"
        else:
            route = " → ".join(r.route) if r.route else f"no route found from {e.agency}"
        alone = ", without a finding" if e.escalation_only else ""
        out += [f"Escalated to {e.body_name} (concern: {e.concern}){alone}. Route: {route}.", ""]
        if e.message != f.message:
            out += [f"Escalated as: {e.message}", ""]
    out += [f"Subject: {words.subject_text(f)}.", ""]
    out += [f"- `{line}`" for line in r.explanation]
    if r.explanation:
        out.append("")
    if f.decision:
        out += [f"Accepted: {f.decision}", ""]
    return [*out, f"Source: {f.source} (rule {f.pack}/{f.rule}).", ""]


def body_group(group: BodyGroup) -> list[str]:
    """One body's escalations, or the business office's findings by pack."""
    out = [f"### {group.name}", ""]
    if not group.is_business_office:
        out += [f"{len(group.entries)} escalated to this body, most serious first.", ""]
        for r in group.entries:
            out += _entry(r, "####")
        return out
    out += [
        "Findings that no escalation sends to a body: the business office follows them up with the agency "
        "concerned. Grouped by rule pack, most serious first.",
        "",
    ]
    for pack in sorted({r.finding.pack for r in group.entries}):
        out += [f"#### Rule pack {pack}", ""]
        for r in group.entries:
            if r.finding.pack == pack:
                out += _entry(r, "#####")
    return out


def partnership(report: AssuranceReport) -> list[str]:
    """The partnership's layers as lists, then the gaps (the drawing is in index.html)."""
    p = report.picture
    out = [f"The drawing of the partnership as at {report.as_of.isoformat()} is in `index.html`. Its layers:", ""]
    for layer, (label, _) in enumerate(p.bands):
        names = []
        for n in p.nodes:
            if n.layer == layer:
                tag = f" (gap {', '.join(map(str, n.gaps))})" if n.gaps else ""
                names.append(f"{n.name}{tag}")
        out += [f"- **{label}**: {'; '.join(names)}"]
    out += ["", "### Gaps in the structure", ""]
    out += [f"{g.number}. {g.message}" for g in p.gaps] or ["No gap found in the structure as at the date."]
    out += ["", "### Reporting lines in force", ""]
    out += [f"- **{name}** {said}" for name, said in words.reporting_lines(p)]
    return out


def kpis(report: AssuranceReport) -> list[str]:
    """Indicators against comparators, judged by the direction of good."""
    if not report.kpis:
        return ["The workspace holds no indicators."]
    kinds = [k for k in words.COMPARATOR_WORDS if any(r.comparison(k) for r in report.kpis)]
    rows = []
    for r in report.kpis:
        cells = [
            f"{r.title} ({r.indicator})",
            words.POLARITY_WORDS[r.polarity],
            r.period or "–",
            words.value_text(r.value, r.unit),
            words.change_words(r),
        ]
        for k in kinds:
            c = r.comparison(k)
            cells.append("–" if c is None else words.comparison_words(r, c))
        rows.append(cells)
    head = ["Indicator", "Direction of good", "Period", "Value", "Change since the period before"]
    return [
        f"The latest value known on {report.as_of.isoformat()}, read with each indicator's direction of good.",
        "",
        *_table([*head, *(words.COMPARATOR_WORDS[k] for k in kinds)], rows),
    ]


def render(report: AssuranceReport) -> str:
    """The whole Markdown report, deterministic for the same report."""
    day = report.as_of.isoformat()
    out = [
        f"# Assurance report: {report.partnership_name}",
        "",
        f"As at **{day}**. Rule packs: {', '.join(report.packs)}. {len(report.audit.findings)} findings, "
        f"{len(report.audit.escalations)} escalations.",
        "",
        words.masking_statement(report),
        "",
        "## Summary",
        "",
        *summary(report),
        "",
        "## Ratings by agency and standard",
        "",
        "Each cell is one agency's rating of one standard: the lowest effective level across the standard's "
        "requirements that the agency rated (moderated where moderation is known by the date, else the agency's "
        "own), with how many meet the threshold; “self” shows the agency's own lowest rating where it differs.",
        "",
    ]
    for h in report.heatmaps:
        out += heatmap(h, day)
    out += ["## Trends between cycles", ""]
    for t in report.trends:
        out += trend_table(t)
    if not report.trends:
        out += ["No cycle has a previous cycle to compare with.", ""]
    out += ["## Findings and escalations by the body that must act", ""]
    for group in report.groups:
        out += body_group(group)
    out += ["## The partnership", "", *partnership(report), ""]
    out += ["## Indicators against comparators", "", *kpis(report), ""]
    if report.appraisals:
        out += ["## Option appraisals", "", *_appraisal_section.markdown_section(report), ""]
    out += ["## About this report", "", f"Read as at {day}; records dated later are not seen.", ""]
    out += [words.masking_statement(report)]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip("\n") + "\n"
