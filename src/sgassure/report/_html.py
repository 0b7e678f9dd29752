"""The assurance report as one self-contained HTML page (private; see :mod:`sgassure.report.assurance`).

The page has inline CSS (``style.css``) and inline SVG, no script, and no
reference to any other file or host, so it works offline and can be mailed.
Every text is escaped. Colour is never the only signal: each heatmap and trend
cell names its level in words, below-threshold cells also get a heavy border,
and gaps in the picture carry a numbered tag.

Sections, in order: summary, heatmaps, trends, findings and escalations by the
body that must act, the partnership, indicators, option appraisals (only when
the workspace holds some: :data:`OPTIONAL`), and a note on how the report
reads the data.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable
from importlib import resources

from sgassure.report import _appraisal_section
from sgassure.report import _words as words
from sgassure.report.assurance import (
    AssuranceReport,
    BodyGroup,
    Heatmap,
    PartnershipPicture,
    PictureNode,
    ReportedFinding,
    TrendKind,
    TrendTable,
)
from sgassure.rules import Severity
from sgassure.standards import RatingScale, Standard

COMPLIANT_COLOURS = ("#7fc97f", "#a6d9a0", "#c8e8c0", "#e2f3dc")
"""Fills of levels at or above the threshold, best first."""
BELOW_COLOURS = ("#fdd58a", "#f9b27c", "#f38f7f", "#e9756e")
"""Fills of levels below the threshold, nearest the threshold first."""
TEXT_COLOUR = "#1a1a1a"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _spread(colours: tuple[str, ...], count: int) -> list[str]:
    if count <= 1:
        return list(colours[:1]) if count else []
    return [colours[round(i * (len(colours) - 1) / (count - 1))] for i in range(count)]


def palette(scale: RatingScale) -> dict[str, str]:
    """A fill per level: greens down to the threshold, ambers to reds below it."""
    cut = scale.rank(scale.threshold) + 1
    ids = scale.level_ids
    return dict(zip(ids, _spread(COMPLIANT_COLOURS, cut) + _spread(BELOW_COLOURS, len(ids) - cut), strict=True))


def _section(anchor: str, title: str, body: list[str]) -> list[str]:
    return [
        f'<section class="report-section" id="{anchor}" aria-labelledby="{anchor}-h">',
        f'<h2 id="{anchor}-h">{_e(title)}</h2>',
        *body,
        "</section>",
    ]


# --- summary --------------------------------------------------------------------------------------------


def summary(report: AssuranceReport) -> list[str]:
    """Counts of findings by severity, escalations by body, and below-threshold cells by cycle."""
    counts = Counter(f.severity for f in report.audit.findings)
    rows = [f'<tr><th scope="row">{_e(s.value.capitalize())}</th><td>{counts[s]}</td></tr>' for s in reversed(Severity)]
    out = [
        '<div class="summary-grid">',
        '<table class="counts">',
        f"<caption>Findings by severity ({len(report.audit.findings)} in all)</caption>",
        '<thead><tr><th scope="col">Severity</th><th scope="col">Findings</th></tr></thead>',
        "<tbody>",
        *rows,
        "</tbody></table>",
        '<table class="counts">',
        f"<caption>Escalations by the body that must act ({len(report.audit.escalations)} in all)</caption>",
        '<thead><tr><th scope="col">Body</th><th scope="col">Escalations</th></tr></thead>',
        "<tbody>",
    ]
    for group in report.groups:
        if not group.is_business_office:
            out.append(f'<tr><th scope="row"><a href="#act-{_e(group.body)}">{_e(group.name)}</a></th>')
            out.append(f"<td>{sum(1 for e in group.entries if e.escalation)}</td></tr>")
    out += [
        "</tbody></table>",
        '<table class="counts">',
        "<caption>Agency ratings of a standard below the threshold</caption>",
        '<thead><tr><th scope="col">Cycle</th><th scope="col">Below threshold</th></tr></thead>',
        "<tbody>",
    ]
    for h in report.heatmaps:
        out.append(f'<tr><th scope="row"><a href="#heatmap-{_e(h.cycle)}">{_e(h.cycle_title)}</a></th>')
        out.append(f"<td>{h.below_threshold()}</td></tr>")
    out += ["</tbody></table>", "</div>"]
    return out


# --- heatmaps -------------------------------------------------------------------------------------------


def legend(scale: RatingScale) -> list[str]:
    """The key to a heatmap: each level's colour and name, the threshold, and the cells without a rating."""
    fills = palette(scale)
    items = []
    for level in scale.levels:
        below = "" if scale.is_compliant(level.id) else " below"
        items.append(
            f'<li><span class="swatch{below}" style="background-color:{fills[level.id]}"></span>{_e(level.label)}</li>'
        )
        if level.id == scale.threshold:
            items.append(
                f'<li class="threshold">Threshold: {_e(level.label)} and above are compliant; '
                "cells below it have a heavy border</li>"
            )
    items += [
        '<li><span class="swatch na"></span>n/a: not applicable to the agency</li>',
        '<li><span class="swatch" style="background:repeating-linear-gradient(45deg,#ffffff,#ffffff 3px,#dedede 3px,'
        '#dedede 6px)"></span>no return by the date</li>',
        '<li><span class="swatch"></span>not rated: the return rates none of the requirements</li>',
    ]
    return ['<ul class="legend" aria-label="Key to the heatmap">', *items, "</ul>"]


def _key(standards: tuple[Standard, ...]) -> list[str]:
    items = [f"<dt>{_e(s.id)}</dt><dd>{_e(s.title)}</dd>" for s in standards]
    return ['<dl class="key" aria-label="Standards">', *items, "</dl>"]


def _head(standards: tuple[Standard, ...]) -> str:
    cols = "".join(f'<th scope="col"><abbr title="{_e(s.title)}">{_e(s.id)}</abbr></th>' for s in standards)
    return f'<thead><tr><th scope="col">Agency</th>{cols}</tr></thead>'


def heatmap(h: Heatmap, as_of: str) -> list[str]:
    """One cycle's heatmap: a table of agencies against standards, a label in every cell."""
    fills = palette(h.scale)
    returned = sum(1 for r in h.rows if r.returned)
    out = [
        f'<section class="heatmap-section" id="heatmap-{_e(h.cycle)}" data-framework="{_e(h.framework)}"'
        f' data-cycle="{_e(h.cycle)}">',
        f"<h3>{_e(h.cycle_title)}</h3>",
        f"<p>{_e(h.framework_title)}, catalog {_e(h.framework_version)}: {len(h.rows)} agencies expected or "
        f"returning, {returned} returns by {as_of}, {h.below_threshold()} ratings of a standard below the "
        "threshold.</p>",
        *legend(h.scale),
        f'<table class="heatmap" data-cycle="{_e(h.cycle)}">',
        f"<caption>{_e(h.cycle_title)}: each agency's lowest effective rating of each standard as at {as_of}; "
        "“n of m met” counts the standard's requirements at or above the threshold.</caption>",
        _head(h.standards),
        "<tbody>",
    ]
    for row in h.rows:
        cells = []
        for c in row.cells:
            label, lines, below = words.cell_words(h.scale, c)
            classes = ["cell", c.status.value.replace("not-applicable", "na")]
            style = ""
            if c.level is not None:
                style = f' style="background-color:{fills[c.level]}"'
                classes.append("below" if below else "met")
            detail = "".join(f'<span class="{"self" if x.startswith("self") else "met"}">{_e(x)}</span>' for x in lines)
            level = f' data-level="{_e(c.level)}"' if c.level else ""
            cells.append(
                f'<td class="{" ".join(classes)}" data-status="{c.status.value}"{level}{style}>'
                f'<span class="lv">{_e(label)}</span>{detail}</td>'
            )
        out.append(f'<tr><th scope="row">{_e(row.agency_name)}</th>{"".join(cells)}</tr>')
    out += ["</tbody></table>", *_key(h.standards), "</section>"]
    return out


def heatmaps(report: AssuranceReport) -> list[str]:
    """The heatmaps section: one heatmap per framework and cycle."""
    intro = (
        "<p>Each cell is one agency's rating of one standard: the <strong>lowest</strong> effective level across "
        "the standard's requirements that the agency rated (the moderated level where moderation is known by the "
        "date, else the agency's own), with how many of them meet the threshold. Where the agency's own lowest "
        "rating differs, it is shown as “self”.</p>"
    )
    body = [intro]
    for h in report.heatmaps:
        body += heatmap(h, report.as_of.isoformat())
    if not report.heatmaps:
        body.append("<p>No audit cycle had opened by the date.</p>")
    return body


# --- trends ---------------------------------------------------------------------------------------------


def trend_table(t: TrendTable) -> list[str]:
    """Trends between two cycles: a table of agencies against standards, a word in every cell."""
    counts = ", ".join(f"{t.count(k)} {words.TREND_WORDS[k]}" for k in TrendKind)
    moved = words.renumbered(t)
    out = [
        f'<section class="trend-section" id="trend-{_e(t.cycle)}">',
        f"<h3>{_e(t.previous_title)} → {_e(t.cycle_title)}</h3>",
        f"<p>{_e(counts)}.</p>",
    ]
    if moved:
        pairs = ", ".join(f"{a} → {b}" for a, b in moved)
        out.append(f"<p>Requirements compared under a new number, from the catalog's supersedes map: {_e(pairs)}.</p>")
    out += [
        '<ul class="legend" aria-label="Key to the trends">',
        *(f'<li><span class="swatch t-{k.value}"></span>{_e(words.TREND_WORDS[k])}</li>' for k in TrendKind),
        "</ul>",
        f'<table class="trends" data-cycle="{_e(t.cycle)}">',
        f"<caption>Change of each agency's lowest effective rating per standard from {_e(t.previous_cycle)} to "
        f"{_e(t.cycle)}, over the requirements rated in both.</caption>",
        _head(t.standards),
        "<tbody>",
    ]
    for agency, name in t.agencies:
        cells = []
        for s in t.standards:
            trend = t.trend(agency, s.id)
            if trend is None:
                cells.append("<td></td>")
                continue
            label, detail = words.trend_words(t, trend)
            cells.append(
                f'<td class="trend t-{trend.kind.value}" data-trend="{trend.kind.value}">'
                f'<span class="lv">{_e(label)}</span><span class="met">{_e(detail)}</span></td>'
            )
        out.append(f'<tr><th scope="row">{_e(name)}</th>{"".join(cells)}</tr>')
    out += ["</tbody></table>", "</section>"]
    return out


def trends(report: AssuranceReport) -> list[str]:
    """The trends section: one table per pair of successive cycles."""
    body = [
        "<p>Each cycle is compared with the one it names as previous. Requirements are paired through the "
        "catalog's supersedes map, so a renumbered requirement is compared with itself. "
        "“Unchanged, stale evidence”: the level did not move and some rating rests on evidence that had all "
        "expired by the date.</p>"
    ]
    for t in report.trends:
        body += trend_table(t)
    if not report.trends:
        body.append("<p>No cycle has a previous cycle to compare with.</p>")
    return body


# --- findings and escalations ---------------------------------------------------------------------------


def _entry(r: ReportedFinding, heading: str) -> list[str]:
    f, e = r.finding, r.escalation
    kind = "escalation" if e else "finding"
    body_attr = f' data-body="{_e(e.body)}"' if e else ""
    tags = [f'<span class="sev sev-{f.severity.value}">{_e(f.severity.value.capitalize())}</span>']
    if e:
        alone = ", without a finding" if e.escalation_only else ""
        tags.append(f"Escalated to {_e(e.body_name)} (concern: {_e(e.concern)}){alone}")
    if f.decision:
        tags.append("accepted")
    out = [
        f'<article class="{kind}" data-finding="{_e(e.finding if e else f.fingerprint)}"{body_attr}>',
        f"<{heading}>{_e(f.title)}</{heading}>",
        f'<p class="tags">{" · ".join(tags)}</p>',
        f'<p class="message">{_e(f.message)}</p>',
    ]
    if e and e.message != f.message:
        out.append(f'<p class="message">Escalated as: {_e(e.message)}</p>')
    if e:
        if e.agency is None:
            route = f"none needed: the {'escalation' if e.escalation_only else 'finding'} names no agency"
        else:
            route = " → ".join(r.route) if r.route else f"no route found from {e.agency}"
        out.append(f'<p class="route">Route: {_e(route)}</p>')
    out.append(f'<p class="subject">Subject: {_e(words.subject_text(f))}</p>')
    if r.explanation:
        out.append('<ul class="explanation" aria-label="The values behind it">')
        out += [f"<li><code>{_e(line)}</code></li>" for line in r.explanation]
        out.append("</ul>")
    if f.decision:
        out.append(f'<p class="decision">{_e(f.decision)}</p>')
    out += [f'<p class="source">Source: {_e(f.source)} · rule {_e(f.pack)}/{_e(f.rule)}</p>', "</article>"]
    return out


def body_group(group: BodyGroup) -> list[str]:
    """One body's escalations (or the business office's findings, by pack) under the body's heading."""
    anchor = "act-business-office" if group.is_business_office else f"act-{group.body}"
    data = "business-office" if group.body is None else group.body
    out = [f'<section class="body-group" id="{_e(anchor)}" data-body="{_e(data)}">', f"<h3>{_e(group.name)}</h3>"]
    if not group.is_business_office:
        out.append(f"<p>{len(group.entries)} escalated to this body, most serious first.</p>")
        for r in group.entries:
            out += _entry(r, "h4")
    else:
        out.append(
            "<p>Findings that no escalation sends to a body: the business office follows them up with the "
            "agency concerned. Grouped by rule pack, most serious first.</p>"
        )
        packs = sorted({r.finding.pack for r in group.entries})
        for pack in packs:
            out.append(f'<h4 id="act-business-office-{_e(pack)}">Rule pack {_e(pack)}</h4>')
            for r in group.entries:
                if r.finding.pack == pack:
                    out += _entry(r, "h5")
    out.append("</section>")
    return out


def actions(report: AssuranceReport) -> list[str]:
    """The findings and escalations section, grouped by the body that must act."""
    body = [
        "<p>Escalations are listed under the body the partnership's escalation policy names for their concern; "
        "each shows its plain-language reason, the route it takes and the values behind it.</p>"
    ]
    for group in report.groups:
        body += body_group(group)
    if not report.groups:
        body.append("<p>The audit found nothing.</p>")
    return body


# --- the partnership picture ------------------------------------------------------------------------------


def _edge_path(a: PictureNode, b: PictureNode) -> str:
    ax, bx = a.x + a.width // 2, b.x + b.width // 2
    if a.y == b.y:
        lift = 26
        return f"M{ax},{a.y} C{ax},{a.y - lift} {bx},{b.y - lift} {bx},{b.y}"
    if b.y < a.y:
        y1, y2 = a.y, b.y + b.height
    else:
        y1, y2 = a.y + a.height, b.y
    mid = (y1 + y2) // 2
    return f"M{ax},{y1} C{ax},{mid} {bx},{mid} {bx},{y2}"


def _node(n: PictureNode) -> list[str]:
    lines = words.wrap(n.name)
    gap = " gap" if n.gaps else ""
    cx = n.x + n.width // 2
    first = n.y + (n.height - 12 * len(lines)) // 2 + 10
    spans = "".join(f'<tspan x="{cx}" y="{first + 12 * i}">{_e(line)}</tspan>' for i, line in enumerate(lines))
    out = [
        f'<g class="node layer-{n.layer}{gap}" data-node="{_e(n.id)}">',
        f"<title>{_e(n.name)} ({_e(n.kind)})</title>",
        f'<rect class="box" x="{n.x}" y="{n.y}" width="{n.width}" height="{n.height}" rx="5"/>',
        f'<text x="{cx}" text-anchor="middle">{spans}</text>',
    ]
    if n.gaps:
        tag = ("Gap " if len(n.gaps) == 1 else "Gaps ") + ", ".join(map(str, n.gaps))
        width = 10 + 6 * len(tag)
        x = n.x + n.width - width + 6
        out.append(f'<rect class="badge" x="{x}" y="{n.y - 9}" width="{width}" height="15" rx="3"/>')
        out.append(f'<text class="badge" x="{x + width // 2}" y="{n.y + 2}" text-anchor="middle">{_e(tag)}</text>')
    out.append("</g>")
    return out


def svg(p: PartnershipPicture, title: str) -> list[str]:
    """The picture as inline SVG: lines first, then boxes over them, then the gap tags."""
    nodes = {n.id: n for n in p.nodes}
    out = [
        f'<svg class="partnership" viewBox="0 0 {p.width} {p.height}" role="img" '
        'aria-labelledby="picture-title picture-desc">',
        f'<title id="picture-title">{_e(title)}</title>',
        f'<desc id="picture-desc">{len(p.nodes)} bodies and agencies in {len(p.bands)} layers, '
        f"{len(p.edges)} seats and reporting lines, {len(p.gaps)} gaps marked.</desc>",
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f3b73"/></marker>',
        "</defs>",
    ]
    for e in p.edges:
        a, b = nodes[e.source], nodes[e.target]
        if e.edge_type == "membership":
            out.append(f'<path class="e-membership" d="{_edge_path(a, b)}"/>')
        else:
            out.append(f'<path class="e-line e-{_e(e.edge_type)}" d="{_edge_path(a, b)}" marker-end="url(#arrow)"/>')
    for label, y in p.bands:
        out.append(f'<text class="band" x="16" y="{y + 15}">{_e(label)}</text>')
    for n in p.nodes:
        out += _node(n)
    out.append("</svg>")
    return out


def partnership(report: AssuranceReport) -> list[str]:
    """The partnership section: the picture, then the gaps it marks, numbered."""
    p = report.picture
    day = report.as_of.isoformat()
    body = [
        '<figure class="picture">',
        *svg(p, f"{report.partnership_name} as at {day}"),
        f"<figcaption>Bodies outside the arrangements at the top, then the boards, the bodies under them, and "
        f"the agencies at the bottom. Thin grey lines: seats held on {day}. Dark arrows: reporting lines in force "
        "on that day (solid: reports to; dotted: annual report or accountability; dashed: escalation). A red "
        "dashed outline and a numbered tag mark a gap listed below.</figcaption>",
        "</figure>",
        "<h3>Gaps in the structure</h3>",
    ]
    if p.gaps:
        body.append('<ol class="gaps">')
        body += [f'<li value="{g.number}" data-node="{_e(g.node)}">{_e(g.message)}</li>' for g in p.gaps]
        body.append("</ol>")
    else:
        body.append("<p>No gap found in the structure as at the date.</p>")
    lines = words.reporting_lines(p)
    body.append("<h3>Reporting lines in force</h3>")
    body.append('<ul class="lines">')
    body += [f"<li><strong>{_e(name)}</strong> {_e(said)}</li>" for name, said in lines]
    body.append("</ul>")
    return body


# --- indicators -------------------------------------------------------------------------------------------


def kpis(report: AssuranceReport) -> list[str]:
    """The indicators section: latest values against comparators, judged by the direction of good."""
    kinds = [k for k in words.COMPARATOR_WORDS if any(r.comparison(k) for r in report.kpis)]
    head = "".join(f'<th scope="col">{_e(words.COMPARATOR_WORDS[k])}</th>' for k in kinds)
    out = [
        "<p>Each comparison is read with the indicator's direction of good: “better” or “worse” where higher or "
        "lower is better, “context” where more may mean better identification and the direction depends on "
        "context.</p>",
        '<table class="kpis">',
        f"<caption>Indicators: the latest value known on {report.as_of.isoformat()}, its change since the period "
        "before, and its comparators.</caption>",
        '<thead><tr><th scope="col">Indicator</th><th scope="col">Direction of good</th><th scope="col">Period</th>'
        f'<th scope="col">Value</th><th scope="col">Change since the period before</th>{head}</tr></thead>',
        "<tbody>",
    ]
    for r in report.kpis:
        change = words.change_words(r)
        change_class = f' class="j-{r.change.value}"' if r.change else ""
        cells = []
        for k in kinds:
            c = r.comparison(k)
            if c is None:
                cells.append("<td>–</td>")
            else:
                cells.append(f'<td class="j-{c.judgement.value}">{_e(words.comparison_words(r, c))}</td>')
        out.append(
            f'<tr><th scope="row">{_e(r.title)} <small>({_e(r.indicator)})</small></th>'
            f"<td>{_e(words.POLARITY_WORDS[r.polarity])}</td><td>{_e(r.period or '–')}</td>"
            f"<td>{_e(words.value_text(r.value, r.unit))}</td><td{change_class}>{_e(change)}</td>{''.join(cells)}</tr>"
        )
    out.append("</tbody></table>")
    if not report.kpis:
        out = ["<p>The workspace holds no indicators.</p>"]
    return out


# --- about ------------------------------------------------------------------------------------------------


def about(report: AssuranceReport) -> list[str]:
    """How the report reads the data, and what it withholds."""
    paths = sorted({m.path for m in report.identifiers})
    out = [
        f"<p>Read as at {report.as_of.isoformat()}: records dated later (returns, moderations, evidence, action "
        "updates, observations, audits) are not seen. Findings and escalations come from the rule packs "
        f"{_e(', '.join(report.packs))}.</p>",
        f'<p id="masked-count">{_e(words.masking_statement(report))}</p>',
    ]
    if paths:
        out.append("<p>Where the identifiers are, so that the source records can be corrected:</p>")
        out += ['<ul class="identifier-paths">', *(f"<li><code>{_e(p)}</code></li>" for p in paths), "</ul>"]
    return out


Renderer = Callable[[AssuranceReport], list[str]]
SECTIONS: tuple[tuple[str, str, Renderer], ...] = (
    ("summary", "Summary", summary),
    ("heatmaps", "Ratings by agency and standard", heatmaps),
    ("trends", "Trends between cycles", trends),
    ("actions", "Findings and escalations by the body that must act", actions),
    ("partnership", "The partnership", partnership),
    ("indicators", "Indicators against comparators", kpis),
    ("appraisals", "Option appraisals", _appraisal_section.html_section),
    ("about", "About this report", about),
)


def _has_appraisals(report: AssuranceReport) -> bool:
    return bool(report.appraisals)


OPTIONAL: dict[str, Callable[[AssuranceReport], bool]] = {"appraisals": _has_appraisals}
"""Sections shown only when the report has something for them, by anchor."""


def sections(report: AssuranceReport) -> tuple[tuple[str, str, Renderer], ...]:
    """The sections this report shows, in order: every section, less the optional ones it has nothing for."""
    return tuple(s for s in SECTIONS if s[0] not in OPTIONAL or OPTIONAL[s[0]](report))


def _css() -> str:
    return (resources.files("sgassure") / "report" / "style.css").read_text(encoding="utf-8")


def render(report: AssuranceReport) -> str:
    """The whole page, deterministic for the same report."""
    day = report.as_of.isoformat()
    title = f"Assurance report: {report.partnership_name}"
    shown = sections(report)
    contents = "".join(f'<li><a href="#{anchor}">{_e(name)}</a></li>' for anchor, name, _ in shown)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="sgassure">',
        f"<title>{_e(title)}, as at {day}</title>",
        "<style>",
        _css().rstrip("\n"),
        "</style>",
        "</head>",
        "<body>",
        '<header class="masthead">',
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">As at <strong>{day}</strong>. Rule packs: {_e(", ".join(report.packs))}. '
        f"{len(report.audit.findings)} findings, {len(report.audit.escalations)} escalations.</p>",
        f'<p class="privacy">{_e(words.masking_statement(report))}</p>',
        f'<nav class="contents" aria-label="Contents"><ol>{contents}</ol></nav>',
        "</header>",
        "<main>",
    ]
    for anchor, name, renderer in shown:
        out += _section(anchor, name, renderer(report))
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
