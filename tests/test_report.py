"""The assurance report: its data, its HTML page and Markdown twin, masking, determinism and the command."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import MINI_RETURN, WorkspaceBuilder, alerts_pack

import sgassure
from sgassure import _cli_report
from sgassure.report import FORMATS, _appraisal_section, _html, _markdown_report, _words, render_audit
from sgassure.report.assurance import (
    AssuranceReport,
    CellStatus,
    HeatmapCell,
    Judgement,
    KpiComparison,
    KpiRow,
    StructuralGap,
    Trend,
    TrendKind,
    build_report,
    default_as_of,
    write_report,
)

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2025, 9, 30)
CYCLES = ["s11-2025", "saaf-2025", "saaf-2024", "s11-2023"]
S11_2023 = sgassure.bundled_framework("section-11", "2023")


# --- a small DOM, shared with the browser test ------------------------------------------------------------


@attrs.define
class Node:
    """An element of a parsed page: tag, attributes, children and text, in document order."""

    tag: str
    attrs: dict[str, str]
    children: list[Node] = attrs.field(factory=list)
    text: list[str] = attrs.field(factory=list)

    def walk(self) -> list[Node]:
        """This element and every element under it, in document order."""
        out = [self]
        for child in self.children:
            out += child.walk()
        return out

    def find(self, tag: str, cls: str | None = None) -> list[Node]:
        """Elements under this one with ``tag`` (and class ``cls``)."""
        return [n for n in self.walk() if n.tag == tag and (cls is None or cls in n.attrs.get("class", "").split())]

    def content(self) -> str:
        """All the text under this element, whitespace folded."""
        return " ".join(" ".join([*self.text, *(c.content() for c in self.children)]).split())


VOID = {"meta", "link", "br", "img", "input", "hr", "path", "rect", "circle", "line"}


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.declarations: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attributes})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attributes}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].text.append(data)


def parse_html(text: str) -> Node:
    """The page as a tree of :class:`Node`."""
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


def heading_owner(page: Node, target: Node, level: str) -> str | None:
    """The text of the last ``level`` heading before ``target`` in document order."""
    owner = None
    for node in page.walk():
        if node is target:
            return owner
        if node.tag == level:
            owner = node.content()
    return None


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(example_ws: sgassure.Workspace) -> AssuranceReport:
    """The assurance report of the example workspace as at 2025-09-30."""
    return build_report(example_ws, as_of=AS_OF)


@pytest.fixture(scope="module")
def pages(report: AssuranceReport, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The HTML page and the Markdown of the example report, as written."""
    html_path, md_path = write_report(report, tmp_path_factory.mktemp("report"))
    return html_path.read_text(encoding="utf-8"), md_path.read_text(encoding="utf-8")


def _cell(report: AssuranceReport, cycle: str, agency: str, standard: str) -> HeatmapCell:
    heatmap = next(h for h in report.heatmaps if h.cycle == cycle)
    row = next(r for r in heatmap.rows if r.agency == agency)
    return next(c for c in row.cells if c.standard == standard)


# --- the data ---------------------------------------------------------------------------------------------


def test_one_heatmap_per_framework_and_cycle(report: AssuranceReport) -> None:
    """Heatmaps come one per visible cycle, the newest first."""
    assert [(h.framework, h.cycle, h.framework_version) for h in report.heatmaps] == [
        ("section-11", "s11-2025", "2025"),
        ("saaf", "saaf-2025", "2024"),
        ("saaf", "saaf-2024", "2024"),
        ("section-11", "s11-2023", "2023"),
    ]


def test_heatmap_rows_are_expected_or_returning_agencies_by_name(report: AssuranceReport) -> None:
    """A cycle's rows are the agencies expected to return and those that did, sorted by name."""
    s11 = report.heatmaps[0]
    assert [r.agency_name for r in s11.rows] == sorted((r.agency_name for r in s11.rows), key=str.casefold)
    assert [r.agency for r in s11.rows if not r.returned] == ["st-aldhelm"]
    assert len(s11.rows) == 19


def test_cell_is_the_lowest_effective_level_with_counts(report: AssuranceReport) -> None:
    """A cell holds the lowest effective level of the standard's requirements and counts each level."""
    assert _cell(report, "s11-2025", "uhwc", "8") == HeatmapCell(
        agency="uhwc",
        standard="8",
        status=CellStatus.RATED,
        level="not",
        self_level="not",
        counts={"fully": 3, "mostly": 0, "partly": 0, "not": 1},
        met=3,
    )


def test_cell_keeps_the_self_level_when_moderation_changed_it(report: AssuranceReport) -> None:
    """A moderated rating lowers the cell, and the agency's own lowest rating is kept beside it."""
    cell = _cell(report, "s11-2025", "ccc-csc", "7")
    assert (cell.level, cell.self_level, cell.moderated, cell.moderation_changed) == ("partly", "mostly", 1, True)


def test_moderation_after_as_of_is_not_seen(example_ws: sgassure.Workspace) -> None:
    """Read before SEG's moderation, the cell shows the agency's own rating."""
    early = build_report(example_ws, as_of=dt.date(2025, 6, 1))
    cell = _cell(early, "s11-2025", "ccc-csc", "7")
    assert (cell.level, cell.moderated) == ("mostly", 0)


def test_cells_without_a_rating_say_why(report: AssuranceReport) -> None:
    """No return, not applicable, and n/a requirements beside rated ones are told apart."""
    assert _cell(report, "s11-2025", "st-aldhelm", "1") == HeatmapCell(
        agency="st-aldhelm", standard="1", status=CellStatus.NO_RETURN
    )
    assert _cell(report, "saaf-2025", "harrowfield-dc", "8") == HeatmapCell(
        agency="harrowfield-dc", standard="8", status=CellStatus.NOT_APPLICABLE, not_applicable=3
    )
    assert _cell(report, "saaf-2025", "wfrs", "6").not_applicable == 1


@given(levels=st.lists(st.sampled_from(["fully", "mostly", "partly", "not"]), min_size=1, max_size=6))
def test_cell_level_is_the_worst_of_any_ratings(levels: list[str]) -> None:
    """Whatever the ratings, the cell's level is the worst and the counts add up."""
    from sgassure.report._assurance import cell

    framework = S11_2023
    standard = sgassure.Standard(
        id="x",
        title="X",
        source="s",
        requirements=tuple(sgassure.Requirement(id=f"x.{i}", text="t") for i in range(len(levels))),
    )
    sa = sgassure.SelfAssessment(
        agency="a",
        cycle="c",
        framework="section-11",
        framework_version="2023",
        submitted=AS_OF,
        completed_by="Lead",
        ratings=tuple(sgassure.Rating(requirement=f"x.{i}", level=lv) for i, lv in enumerate(levels)),
    )
    result = cell(framework, sa, standard, kind=sgassure.AgencyKind.POLICE, agency="a", as_of=AS_OF)
    scale = framework.scale
    assert result.level == max(levels, key=scale.rank)
    assert (result.rated, result.met) == (len(levels), sum(1 for lv in levels if scale.is_compliant(lv)))


def test_trends_follow_the_supersedes_map(report: AssuranceReport) -> None:
    """The 2023 supervision requirement 5.3 is compared with the 2025 requirement 5.4, as the catalog maps it."""
    table = report.trends[0]
    assert (table.previous_cycle, table.cycle) == ("s11-2023", "s11-2025")
    assert table.trend("wcpft", "5") == Trend(
        agency="wcpft",
        standard="5",
        kind=TrendKind.UNCHANGED,
        before="partly",
        after="partly",
        pairs=(("5.1", "5.1"), ("5.2", "5.3"), ("5.3", "5.4"), ("5.4", "5.5")),
    )


def test_trends_use_the_rules_engine_mapping(example_ws: sgassure.Workspace, report: AssuranceReport) -> None:
    """Every compared pair is the one the facts' previous-requirement helper gives."""
    from sgassure._facts import _previous_id

    table = report.trends[0]
    cycle = example_ws.cycle(table.cycle)
    pairs = {pair for t in table.trends for pair in t.pairs}
    assert pairs
    assert all(_previous_id(example_ws, cycle, new) == old for old, new in pairs)


def test_trend_kinds(report: AssuranceReport) -> None:
    """Regressed, improved, unchanged with stale evidence and not comparable are each found where they are."""
    s11, saaf = report.trends
    assert saaf.trend("harrowfield-dc", "9") == Trend(
        agency="harrowfield-dc",
        standard="9",
        kind=TrendKind.REGRESSED,
        before="effective",
        after="working-towards",
        pairs=(("9.1", "9.1"), ("9.2", "9.2"), ("9.3", "9.3"), ("9.4", "9.4")),
    )
    assert saaf.trend("moorside-homes", "5").kind is TrendKind.UNCHANGED_STALE  # P18: evidence expired
    assert s11.trend("wcc-ph", "9").kind is TrendKind.IMPROVED  # P15: action completed
    assert s11.trend("st-aldhelm", "1") == Trend(
        agency="st-aldhelm", standard="1", kind=TrendKind.NOT_COMPARABLE, reason="no return in s11-2025"
    )
    assert saaf.trend("oakmere-bc", "8").reason == "no requirement rated in both cycles"


def test_escalations_sit_under_the_body_that_must_act(report: AssuranceReport) -> None:
    """Each escalation is in the group of its body; every other finding is in the business office group."""
    groups = {g.body: g for g in report.groups}
    for e in report.audit.escalations:
        assert [r.finding.fingerprint for r in groups[e.body].entries if r.escalation == e] == [e.finding]
    office = groups[None]
    assert office.name == "Business office"
    assert all(r.escalation is None for r in office.entries)
    assert sum(len(g.entries) for g in report.groups) == len(report.audit.findings)
    assert [(g.body, g.name) for g in report.groups] == [
        ("seg", "Safeguarding Effectiveness Group"),
        ("wcsp-exec", "WCSP Executive Group"),
        ("chief-officers", "Wendmoor and Castleby Safeguarding Chief Officers Group"),
        (None, "Business office"),
    ]


def test_escalation_route_is_named(report: AssuranceReport) -> None:
    """An escalation shows its route by name, from the agency up to the body."""
    group = next(g for g in report.groups if g.body == "wcsp-exec")
    routes = {r.finding.rule: r.route for r in group.entries}
    assert routes["esc.multiple-high-findings"] == (
        "University Hospitals of Wendmoor and Castleby NHS Foundation Trust",
        "Case Review Subgroup",
        "WCSP Executive Group",
    )


def test_kpis_respect_the_direction_of_good(report: AssuranceReport) -> None:
    """Lower-is-better reads a fall as better and a higher national figure as worse; context never judges."""
    rows = {r.indicator: r for r in report.kpis}
    assert rows["kpi-c02"] == KpiRow(
        indicator="kpi-c02",
        title="Re-referrals within 12 months",
        unit=sgassure.Unit.PERCENT,
        polarity=sgassure.Polarity.LOWER_IS_BETTER,
        period="2024-25",
        value=Decimal("23.9"),
        source="Children in need census and local performance report",
        previous_period="2023-24",
        previous_value=Decimal("24.5"),
        change=Judgement.BETTER,
        comparisons=(
            KpiComparison(kind=sgassure.ComparatorKind.NATIONAL, value=Decimal("22.4"), judgement=Judgement.WORSE),
            KpiComparison(
                kind=sgassure.ComparatorKind.STATISTICAL_NEIGHBOURS, value=Decimal("23.1"), judgement=Judgement.WORSE
            ),
        ),
    )
    assert {c.judgement for c in rows["kpi-c01"].comparisons} | {rows["kpi-c01"].change} == {Judgement.CONTEXT}
    assert [r.indicator for r in report.kpis] == sorted(rows)


def test_picture_is_layered_and_marks_the_gaps(report: AssuranceReport) -> None:
    """External bodies on top, boards, the bodies under them, agencies at the bottom; gaps numbered."""
    p = report.picture
    tops = {layer: min(n.y for n in p.nodes if n.layer == layer) for layer in range(4)}
    bottoms = {layer: max(n.y + n.height for n in p.nodes if n.layer == layer) for layer in range(4)}
    assert all(bottoms[i] < tops[i + 1] for i in range(3))
    assert {n.id for n in p.nodes if n.layer == 1} == {"wcsp", "wsab"}
    assert {n.node_type for n in p.nodes} == {"agency", "body"}  # offices are not drawn
    kinds = sorted({g.kind for g in p.gaps})
    assert kinds == [
        "dead-end",
        "low-attendance",
        "no-escalation-route",
        "no-information-sharing",
        "no-reporting-route",
        "no-self-assessment",
        "one-board-only",
        "reporting-cycle",
        "single-point-of-failure",
        "statutory-partner-no-seat",
    ]
    assert [g.number for g in p.gaps] == list(range(1, len(p.gaps) + 1))
    police = next(g for g in p.gaps if g.kind == "statutory-partner-no-seat")
    assert police == StructuralGap(
        number=police.number,
        kind="statutory-partner-no-seat",
        node="wsab",
        message="Wendmoor and Castleby Safeguarding Adults Board has no seat held by its statutory partner "
        "'chief officer of police' on 2025-09-30",
    )
    marked = {n.id: n.gaps for n in p.nodes if n.gaps}
    assert police.number in marked["wsab"]
    assert "cse-missing" in marked


def test_picture_boxes_do_not_overlap_and_fit(report: AssuranceReport) -> None:
    """No two boxes overlap and every box lies inside the drawing."""
    p = report.picture
    boxes = [(n.x, n.y, n.x + n.width, n.y + n.height) for n in p.nodes]
    for i, a in enumerate(boxes):
        assert (min(a[0], a[1]) >= 0, a[2] <= p.width, a[3] <= p.height) == (True, True, True)
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_picture_edges_are_seats_and_reporting_lines_in_force(report: AssuranceReport) -> None:
    """The lapsed line from the CSE subgroup is gone; seats and the four kinds of reporting line are drawn."""
    edges = {(e.source, e.target, e.edge_type) for e in report.picture.edges}
    assert ("cse-missing", "wcsp-exec", "reports-to") not in edges
    assert ("exploitation-ops", "cse-missing", "reports-to") in edges
    assert ("Exploitation Operational Group", "reports to Child Sexual Exploitation and Missing Children Subgroup") in (
        _words.reporting_lines(report.picture)
    )
    assert {e.edge_type for e in report.picture.edges} == {
        "membership",
        "reports-to",
        "annual-report-to",
        "accountable-to",
        "escalates-to",
    }


def test_default_as_of_is_the_latest_record_date(make_workspace: WorkspaceBuilder) -> None:
    """The default date is the latest deadline, observation or audit date."""
    assert default_as_of(sgassure.load_workspace(make_workspace())) == dt.date(2024, 5, 31)


def test_default_as_of_needs_a_dated_record(make_workspace: WorkspaceBuilder) -> None:
    """A workspace with no cycle, indicator or audit has no default date."""
    from tests.conftest import MINI_PARTNERSHIP

    bare = make_workspace({"partnership.yaml": MINI_PARTNERSHIP}, base=False)
    assert default_as_of(sgassure.load_workspace(bare)) is None


# --- the page ---------------------------------------------------------------------------------------------


def test_page_is_self_contained(pages: tuple[str, str]) -> None:
    """No script, no stylesheet link, no reference to another file or host: only in-page anchors."""
    page = pages[0]
    assert "<script" not in page
    assert "<link" not in page
    assert "http:" not in page
    assert "https:" not in page
    refs = re.findall(r"\b(?:src|href|xlink:href)\s*=\s*\"([^\"]*)\"", page)
    assert refs
    assert all(ref.startswith("#") for ref in refs)
    assert set(re.findall(r"url\(([^)]*)\)", page)) == {"#arrow"}


def test_page_is_accessible(pages: tuple[str, str]) -> None:
    """One h1, no skipped heading level, lang set, every table captioned, every header cell scoped."""
    page = parse_html(pages[0])
    assert page.find("html")[0].attrs["lang"] == "en-GB"
    headings = [int(n.tag[1]) for n in page.walk() if re.fullmatch(r"h[1-6]", n.tag)]
    assert headings.count(1) == 1
    assert headings[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(headings))
    for table in page.find("table"):
        assert table.children[0].tag == "caption"
        assert table.children[0].content()
    assert all(th.attrs.get("scope") in {"col", "row"} for th in page.find("th"))
    svg = page.find("svg")[0]
    assert (svg.attrs["role"], [c.tag for c in svg.children[:2]]) == ("img", ["title", "desc"])


def test_page_prints_well(pages: tuple[str, str]) -> None:
    """The print styles set A4 landscape, break between sections and keep colours."""
    page = pages[0]
    assert "@page { size: A4 landscape;" in page
    assert "section.report-section + section.report-section { break-before: page; }" in page
    assert "print-color-adjust: exact" in page


def test_every_heatmap_cell_has_a_text_label(pages: tuple[str, str], report: AssuranceReport) -> None:
    """Each heatmap cell carries a word, whatever its colour; below-threshold cells are marked so."""
    page = parse_html(pages[0])
    tables = page.find("table", "heatmap")
    assert [t.attrs["data-cycle"] for t in tables] == CYCLES
    for table, heatmap in zip(tables, report.heatmaps, strict=True):
        cells = table.find("td")
        assert len(cells) == len(heatmap.rows) * len(heatmap.standards)
        assert all(c.find("span", "lv")[0].content() for c in cells)
        assert sum("below" in c.attrs["class"].split() for c in cells) == heatmap.below_threshold()
    labels = [c.find("span", "lv")[0].content() for c in tables[0].find("td")]
    assert {"Fully compliant", "Mostly compliant", "Partly compliant", "Not compliant", "no return"} <= set(labels)


def test_legend_marks_the_threshold(pages: tuple[str, str]) -> None:
    """Each heatmap's key names every level and says where the threshold is."""
    page = parse_html(pages[0])
    legends = [u for u in page.find("ul", "legend") if u.attrs.get("aria-label") == "Key to the heatmap"]
    assert len(legends) == 4
    threshold = [li.content() for li in legends[0].find("li", "threshold")]
    assert threshold == ["Threshold: Mostly compliant and above are compliant; cells below it have a heavy border"]


def test_escalations_are_under_their_body_heading(pages: tuple[str, str], report: AssuranceReport) -> None:
    """Each escalation's article follows the h3 of the body the policy names."""
    page = parse_html(pages[0])
    articles = {a.attrs["data-finding"]: a for a in page.find("article", "escalation")}
    assert sorted(articles) == sorted(e.finding for e in report.audit.escalations)
    for e in report.audit.escalations:
        assert heading_owner(page, articles[e.finding], "h3") == e.body_name


def test_findings_show_message_severity_and_values(pages: tuple[str, str], report: AssuranceReport) -> None:
    """Every finding's article shows its message, its severity and each explanation line."""
    page = parse_html(pages[0])
    articles = {a.attrs["data-finding"]: a for a in page.walk() if a.tag == "article"}
    assert len(articles) == len(report.audit.findings)
    for group in report.groups:
        for r in group.entries:
            text = articles[r.finding.fingerprint].content()
            assert r.finding.message in text
            assert r.finding.severity.value.capitalize() in text
            assert all(" ".join(line.split()) in text for line in r.explanation)


def test_colours_have_enough_contrast() -> None:
    """Text on every fill the page uses, level colours included, reaches WCAG AA contrast (4.5:1)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(a: str, b: str) -> float:
        light, dark = sorted((luminance(a), luminance(b)), reverse=True)
        return (light + 0.05) / (dark + 0.05)

    dark = _html.TEXT_COLOUR
    fills = (*_html.COMPLIANT_COLOURS, *_html.BELOW_COLOURS, "#e6e6e6", "#cdeccd", "#f5b7b1", "#fde9b3", "#f5c04a")
    fills += _appraisal_section.CHART_COLOURS
    pairs = [(dark, fill) for fill in fills]
    pairs += [("#ffffff", fill) for fill in ("#b3261e", "#6d0a12", "#a1001c")]  # severity and gap tags
    pairs += [("#1f3b73", "#ffffff"), ("#333333", "#ececec"), (dark, "#e8ecf4"), (dark, "#d9e6fb")]
    assert [pair for pair in pairs if contrast(*pair) < 4.5] == []


@given(size=st.integers(1, 8), data=st.data())
def test_palette_greens_down_to_the_threshold(size: int, data: st.DataObject) -> None:
    """Any scale gets a colour per level: greens at or above the threshold, ambers and reds below."""
    threshold = data.draw(st.integers(0, size - 1))
    scale = sgassure.RatingScale(
        levels=tuple(sgassure.RatingLevel(id=f"l{i}", label=f"L{i}") for i in range(size)), threshold=f"l{threshold}"
    )
    fills = _html.palette(scale)
    assert list(fills) == list(scale.level_ids)
    assert all((fills[lv] in _html.COMPLIANT_COLOURS) == scale.is_compliant(lv) for lv in scale.level_ids)


QUOTE_PACK = """\
version: 1
id: quote
title: Comments quoted
rules:
  - id: quote.comment
    title: A comment worth reading
    severity: low
    source: Test pack
    when:
      all:
        - fact: rating
          as: r
          where: {comment: {matches: '.*moved.*'}}
    then:
      finding:
        message: "{r.agency} says: {r.comment}"
"""


def test_names_are_escaped(make_workspace: WorkspaceBuilder, tmp_path: Path) -> None:
    """Markup in a name is shown as text in the page and in the picture, never as markup."""
    from tests.conftest import MINI_PARTNERSHIP

    evil = MINI_PARTNERSHIP.replace("name: Fenmarsh Police", 'name: "Fenmarsh <script>Police</script> & Co"')
    ws = sgassure.load_workspace(make_workspace({"partnership.yaml": evil}))
    report = build_report(ws, as_of=dt.date(2024, 6, 30), packs=[sgassure.parse_rule_pack(QUOTE_PACK)])
    text = write_report(report, tmp_path / "out")[0].read_text(encoding="utf-8")
    assert "<script" not in text
    assert '<th scope="row">Fenmarsh &lt;script&gt;Police&lt;/script&gt; &amp; Co</th>' in text
    assert "<title>Fenmarsh &lt;script&gt;Police&lt;/script&gt; &amp; Co (police)</title>" in text


# --- masking ----------------------------------------------------------------------------------------------


DECISION = """\
version: 1
decisions:
  - fingerprint: quote/quote.comment/agency=fen-police/cycle=s11-2024/framework=section-11/standard=1/requirement=1.1
    justification: Discussed with the family at B33 8TH.
    approver: Independent Chair
    date: 2024-06-01
"""


def _commented(make_workspace: WorkspaceBuilder) -> sgassure.Workspace:
    commented = MINI_RETURN.replace(
        "    level: mostly\n", '    level: mostly\n    comment: "Family moved to LE1 5WW."\n'
    )
    return sgassure.load_workspace(
        make_workspace({"returns/s11-2024/fen-police.yaml": commented, "decisions.yaml": DECISION})
    )


def test_identifiers_are_masked_and_counted(make_workspace: WorkspaceBuilder, tmp_path: Path) -> None:
    """Postcodes in a finding and a decision are masked in the message, the values and both files, and counted."""
    ws = _commented(make_workspace)
    pack = sgassure.parse_rule_pack(QUOTE_PACK)
    report = build_report(ws, as_of=dt.date(2024, 6, 30), packs=[pack])
    entry = report.groups[0].entries[0]
    assert entry.finding.message == "fen-police says: Family moved to [postcode removed]."
    assert "r.comment = 'Family moved to [postcode removed].': matches '.*moved.*'" in entry.explanation
    assert entry.finding.decision == (
        "accepted by Independent Chair on 2024-06-01: Discussed with the family at [postcode removed]."
    )
    assert report.masked_items == 2
    for path in write_report(report, tmp_path):
        text = html.unescape(path.read_text(encoding="utf-8"))
        assert "LE1 5WW" not in text
        assert "B33 8TH" not in text
        assert (
            "2 items masked: the workspace's free text holds 2 personal identifiers (2 postcodes); each is replaced "
            "by a label such as [postcode removed] wherever this report would show it."
        ) in text


def test_masking_can_be_turned_off(make_workspace: WorkspaceBuilder, tmp_path: Path) -> None:
    """With masking off the identifier shows and the page says so."""
    report = build_report(
        _commented(make_workspace), as_of=dt.date(2024, 6, 30), packs=[sgassure.parse_rule_pack(QUOTE_PACK)], mask=False
    )
    text = html.unescape(write_report(report, tmp_path)[0].read_text(encoding="utf-8"))
    assert report.masked_items == 0
    assert "fen-police says: Family moved to LE1 5WW." in text
    assert "Discussed with the family at B33 8TH." in text
    assert (
        "Masking is off: the workspace's free text holds 2 personal identifiers (2 postcodes), which this report "
        "may show."
    ) in text


def test_example_masking_statement(pages: tuple[str, str]) -> None:
    """The example report says how many items it masked."""
    assert (
        "2 items masked: the workspace's free text holds 2 personal identifiers (1 NHS number, 1 postcode)" in pages[1]
    )


# --- the Markdown twin ------------------------------------------------------------------------------------


def test_markdown_has_the_same_sections(pages: tuple[str, str]) -> None:
    """The Markdown has one h1 and the HTML page's sections, in the same order."""
    md = pages[1]
    h2 = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert h2 == [name for _, name, _ in _html.SECTIONS]
    assert sum(line.startswith("# ") for line in md.splitlines()) == 1


def test_markdown_tables_are_well_formed(pages: tuple[str, str]) -> None:
    """Every row of every Markdown table has as many cells as its header."""
    table: list[str] = []
    for line in [*pages[1].splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table}
            assert len(widths) == 1, table[0]
            table = []


def test_markdown_escalations_are_under_their_body(pages: tuple[str, str], report: AssuranceReport) -> None:
    """In the Markdown, each escalation's heading follows the heading of its body."""
    body = None
    seen: dict[str, str] = {}
    titles = {r.finding.message: g.name for g in report.groups for r in g.entries if r.escalation}
    for line in pages[1].splitlines():
        if line.startswith("## ") and "gap" in line.lower():
            break  # the picture's list of gaps may repeat a message
        if line.startswith("### "):
            body = line[4:]
        for message in titles:
            if message in line and body is not None:
                seen.setdefault(message, body)
    assert seen == titles


# --- writing, determinism, the command --------------------------------------------------------------------


def test_write_report_replaces_files_atomically(report: AssuranceReport, tmp_path: Path) -> None:
    """Writing over an earlier report leaves exactly the two files, with no temporary file behind."""
    out = tmp_path / "new" / "folder"
    write_report(report, out)
    (out / "index.html").write_text("old", encoding="utf-8")
    paths = write_report(report, out)
    assert paths == (out / "index.html", out / "report.md")
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "report.md"]
    assert paths[0].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.slow
def test_two_runs_are_byte_identical(example_path: Path, tmp_path: Path) -> None:
    """Two processes with different hash seeds write byte-identical HTML and Markdown."""
    script = textwrap.dedent(
        """
        import argparse, sys
        from sgassure import _cli_report
        parser = argparse.ArgumentParser()
        _cli_report.add_parser(parser.add_subparsers(dest="command"))
        sys.exit(_cli_report.run(parser.parse_args(sys.argv[1:])))
        """
    )
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "src")}
        done = subprocess.run(
            [sys.executable, "-c", script, "report", str(example_path), "--out", str(out), "--as-of", "2025-09-30"],
            env=env,
            capture_output=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr.decode()
        outputs.append(((out / "index.html").read_bytes(), (out / "report.md").read_bytes()))
    assert outputs[0] == outputs[1]
    assert len(outputs[0][0]) > 100_000


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    _cli_report.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["report", *argv])


def test_report_command_writes_both_files(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sgassure report` writes index.html and report.md and says where; the default date is the latest record."""
    assert _cli_report.run(_args(str(example_path), "--out", str(tmp_path))) == 0
    assert capsys.readouterr().out == (
        f"report as at 2025-07-16 (the workspace's latest as-at date)\n"
        f"wrote {tmp_path / 'index.html'}\nwrote {tmp_path / 'report.md'}\n"
    )
    assert "As at <strong>2025-07-16</strong>" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_report_command_bad_input(make_workspace: WorkspaceBuilder, tmp_path: Path) -> None:
    """A workspace that does not load raises a LoadError; one with no dated record needs --as-of."""
    with pytest.raises(sgassure.LoadError):
        _cli_report.run(_args(str(tmp_path / "missing"), "--out", str(tmp_path / "out")))
    from tests.conftest import MINI_PARTNERSHIP

    bare = make_workspace({"partnership.yaml": MINI_PARTNERSHIP}, base=False)
    with pytest.raises(sgassure.SgassureError) as info:
        _cli_report.run(_args(str(bare), "--out", str(tmp_path / "out")))
    assert str(info.value) == f"{bare} holds no dated record to read the report at; give --as-of"


def test_report_command_usage() -> None:
    """--out is required and --as-of must be a date."""
    with pytest.raises(SystemExit):
        _args("ws")
    with pytest.raises(SystemExit):
        _args("ws", "--out", "o", "--as-of", "30/09/2025")


# --- option appraisals ------------------------------------------------------------------------------------

MINI_APPRAISAL = """\
version: 1
id: mini
title: "Front door <review> & options"
programme: Fenmarsh front door
event: 2024-04-01
options:
  - {id: stay, label: Stay as we are, role: business-as-usual, shortlisted: true, shortlist_reason: Baseline.}
  - {id: hub, label: "Hub <one>", role: preferred, shortlisted: true, shortlist_reason: Best fit.}
  - {id: merge, label: Merge, shortlisted: false, shortlist_reason: Too costly.}
groups:
  - id: obj
    label: Objectives
    scale: {min: 0, max: 3, step: 1}
    criteria:
      - {id: o1, label: Reach, weight: 60%}
      - {id: o2, label: Speed, weight: 40%}
      - {id: o3, label: Record, not_applicable: true, reason: Not scored.}
scores:
  o1: {stay: 1, hub: 3}
  o2: {stay: 2, hub: 1}
sensitivity: {samples: 200, seed: 7}
"""


def _section_of(page: Node, anchor: str) -> Node | None:
    return next((n for n in page.find("section") if n.attrs.get("id") == anchor), None)


def test_workspace_loads_its_appraisals_sorted_by_id(make_workspace: WorkspaceBuilder) -> None:
    """Appraisal files in appraisals/ load with the appraisal loader, sorted by id; problems name the file."""
    second = MINI_APPRAISAL.replace("id: mini", "id: alpha")
    root = make_workspace({"appraisals/z.yaml": MINI_APPRAISAL, "appraisals/a.yaml": second})
    assert [a.id for a in sgassure.load_workspace(root).appraisals] == ["alpha", "mini"]
    (root / "appraisals" / "a.yaml").write_text(MINI_APPRAISAL, encoding="utf-8")
    (root / "appraisals" / "z.yaml").write_text(MINI_APPRAISAL.replace("weight: 40%", "weight: 30%"), encoding="utf-8")
    with pytest.raises(sgassure.LoadError) as info:
        sgassure.load_workspace(root)
    assert str(info.value).splitlines() == [
        "appraisals/z.yaml:15:7: groups[0].criteria: the weights sum to 90%, not 100%; write 'shortfall: as-written' "
        "to use them as written or 'shortfall: renormalise' to scale them to 100%"
    ]
    (root / "appraisals" / "z.yaml").write_text(MINI_APPRAISAL, encoding="utf-8")
    with pytest.raises(sgassure.LoadError) as info:
        sgassure.load_workspace(root)
    assert str(info.value) == "appraisals/z.yaml:2:5: id: duplicate appraisal id 'mini' (also in appraisals/a.yaml)"


def test_example_appraisal_is_reported(report: AssuranceReport) -> None:
    """The example's appraisal is scored as the appraisal module scores it, with its findings and robustness."""
    (ra,) = report.appraisals
    assert ra.result == sgassure.score_appraisal(sgassure.load_appraisal(sgassure.example_appraisal_path()))
    assert (ra.appraisal, ra.preferred, ra.robust, len(ra.findings)) == ("wc-ipa-2025", "integrated", False, 9)
    assert ra.robust_reasons == (
        "its lead of 0.05 over 'integrated-plus' is within the noise of the inputs (0.091)",
        "it ranks first in 91.6% of 10000 samples with weights varied by 10%, below the 95% required",
    )


def test_appraisal_section_has_a_table_and_a_chart(pages: tuple[str, str], report: AssuranceReport) -> None:
    """After the indicators: per appraisal one results table in the published layout and one bar per option."""
    page = parse_html(pages[0])
    anchors = [n.attrs["id"] for n in page.find("section", "report-section")]
    assert anchors[-3:] == ["indicators", "appraisals", "about"]
    section = _section_of(page, "appraisals")
    assert section is not None
    (ra,) = report.appraisals
    assert ra.result is not None
    (table,) = section.find("table", "appraisal-results")
    rows = [[c.content() for c in tr.children] for tr in table.find("tr")]
    preferred = {"integrated": " (preferred)"}
    assert rows[0] == ["Criterion", "Weight", *(o.label + preferred.get(o.id, "") for o in _example_shortlist())]
    assert rows[2] == [
        "obj-1 One point of contact, 8am to 8pm, seven days a week",
        "25.0%",
        *("0.00", "0.25", "0.50", "0.50", "0.75", "0.50"),
    ]
    assert ["Subtotal: Critical success factors", "99.9%", *["3.33", "3.66", "3.33", "3.00", "4.00", "4.00"]] in rows
    assert rows[-2:] == [["Total", "", "3.70", "4.46", "4.58", "5.00", "6.43", "6.38"], ["Rank", "", *"654312"]]
    (chart,) = section.find("svg", "appraisal-chart")
    bars = chart.find("g", "bar")
    assert [b.attrs["data-option"] for b in bars] == list(ra.result.options)
    assert all(len(b.find("g", "segment")) == 8 - _zeros(ra.result, b.attrs["data-option"]) for b in bars)
    assert [c.tag for c in chart.children[:2]] == ["title", "desc"]
    assert (
        "Integrated point of access: obj-1 0.75, obj-2 0.55, obj-3 0.40, obj-4 0.55, obj-6 0.18, csf-1 1.67, "
        "csf-2 1.33, csf-3 1.00; total 6.43, rank 1" in section.content()
    )
    assert "9 findings: 6 high, 2 medium, 1 low" in section.content()
    assert "is not a robust choice" in section.content()
    md = pages[1]
    assert "| **Total** |  | 3.70 | 4.46 | 4.58 | 5.00 | 6.43 | 6.38 |" in md
    assert (
        "- Remain as is: obj-1 0.00, obj-2 0.00, obj-3 0.00, obj-4 0.18, obj-6 0.18, csf-1 0.33, csf-2 1.33, "
        "csf-3 1.67; total 3.70, rank 6" in md
    )


def _example_shortlist() -> tuple[sgassure.Option, ...]:
    return sgassure.load_appraisal(sgassure.example_appraisal_path()).shortlist


def _zeros(result: sgassure.AppraisalResult, option: str) -> int:
    return sum(1 for c in result.weights if result.weighted[c][option] == 0)


def test_contributions_sum_to_the_totals(report: AssuranceReport) -> None:
    """Each bar's segments are the option's weighted scores, and they add up to its total exactly."""
    (ra,) = report.appraisals
    assert ra.result is not None
    for option, parts in _appraisal_section.contributions(ra.result):
        assert sum(v for _, v in parts) == ra.result.totals[option]


def test_appraisal_section_escapes_and_is_absent_without_appraisals(
    make_workspace: WorkspaceBuilder, tmp_path: Path
) -> None:
    """A workspace without appraisals has no appraisal section; one with them shows them, every text escaped."""
    as_of = dt.date(2024, 6, 30)
    packs = [sgassure.parse_rule_pack(QUOTE_PACK)]
    plain = build_report(sgassure.load_workspace(make_workspace()), as_of=as_of, packs=packs)
    html_path, md_path = write_report(plain, tmp_path / "plain")
    page = parse_html(html_path.read_text(encoding="utf-8"))
    assert _section_of(page, "appraisals") is None
    assert "Option appraisals" not in html_path.read_text(encoding="utf-8")
    assert "## Option appraisals" not in md_path.read_text(encoding="utf-8")
    with_one = make_workspace({"appraisals/mini.yaml": MINI_APPRAISAL})
    html_path, md_path = write_report(
        build_report(sgassure.load_workspace(with_one), as_of=as_of, packs=packs), tmp_path / "one"
    )
    text = html_path.read_text(encoding="utf-8")
    assert "<review>" not in text
    assert "<one>" not in text
    assert "Front door &lt;review&gt; &amp; options" in text
    section = _section_of(parse_html(text), "appraisals")
    assert section is not None
    (chart,) = section.find("svg", "appraisal-chart")
    assert len(chart.find("g", "bar")) == 2
    assert "Hub <one> (preferred)" in md_path.read_text(encoding="utf-8")
    early = build_report(sgassure.load_workspace(with_one), as_of=dt.date(2024, 3, 31), packs=packs)
    assert early.appraisals == ()


def test_appraisal_section_is_byte_identical_twice(make_workspace: WorkspaceBuilder) -> None:
    """Two builds of a workspace with appraisals render byte-identical HTML and Markdown."""
    from sgassure.report import _markdown_report

    second = MINI_APPRAISAL.replace("id: mini", "id: alpha")
    root = make_workspace({"appraisals/z.yaml": MINI_APPRAISAL, "appraisals/a.yaml": second})
    renders = []
    for _ in range(2):
        packs = [sgassure.parse_rule_pack(QUOTE_PACK)]
        built = build_report(sgassure.load_workspace(root), as_of=dt.date(2024, 6, 30), packs=packs)
        renders.append((_html.render(built), _markdown_report.render(built)))
    assert renders[0] == renders[1]
    assert [n.attrs["data-appraisal"] for n in parse_html(renders[0][0]).find("section", "appraisal")] == [
        "alpha",
        "mini",
    ]


# --- render_audit: a finding accepted in decisions.yaml, in every format --------------------------------------------

ACCEPTED = "kpi/kpi.worse-than-national/indicator=kpi-c02"
ACCEPTED_DECISIONS = f"""\
version: 1
decisions:
  - fingerprint: {ACCEPTED}
    justification: Re-referrals are in the 2025-26 business plan, reported | quarterly.
    approver: Independent Chair
    date: 2025-09-25
    expires: 2026-03-31
"""
DECISION_TEXT = (
    "accepted by Independent Chair on 2025-09-25 until 2026-03-31: "
    "Re-referrals are in the 2025-26 business plan, reported | quarterly."
)
KPI_ADVERSE = (
    "Making Safeguarding Personal: outcomes achieved has worsened 3 times in a row, to 94.2 in 2024-25 "
    "(higher-is-better)"
)
KPI_NATIONAL = "Re-referrals within 12 months is 23.9 in 2024-25, worse than the national 22.4 (lower-is-better)"
KPI_SOURCE = "The partnership's quality assurance framework (quantitative data)"


@pytest.fixture(scope="module")
def accepted_audit(tmp_path_factory: pytest.TempPathFactory) -> sgassure.AuditResult:
    """The kpi pack's audit of a copy of the example workspace whose decisions.yaml accepts one finding."""
    root = tmp_path_factory.mktemp("accepted") / "wendmoor"
    shutil.copytree(sgassure.example_workspace_path(), root)
    (root / "decisions.yaml").write_text(ACCEPTED_DECISIONS, encoding="utf-8")
    kpi = [p for p in sgassure.bundled_rule_packs() if p.id == "kpi"]
    return sgassure.run_audit(sgassure.load_workspace(root), kpi, as_of=AS_OF)


def test_audit_text_shows_the_decision_once_and_counts_accepted(accepted_audit: sgassure.AuditResult) -> None:
    """The text output gives the decision on its own line, without repeating "accepted", and counts it."""
    assert render_audit(accepted_audit, "text") == (
        "Audit as at 2025-09-30 (packs: kpi)\n"
        f"HIGH     kpi.adverse-trend: {KPI_ADVERSE}\n"
        f"         subject: indicator kpi-a04; source: {KPI_SOURCE}\n"
        "         - k.adverse_run = 3: is at least 3\n"
        f"MEDIUM   kpi.worse-than-national: {KPI_NATIONAL}\n"
        f"         subject: indicator kpi-c02; source: {KPI_SOURCE}\n"
        f"         {DECISION_TEXT}\n"
        "         - k.worse_than_national = True: equals True\n"
        "\n"
        "Escalations:\n"
        f"  to Safeguarding Effectiveness Group (kpi-adverse-trend): {KPI_ADVERSE}\n"
        "     route: none needed: the finding names no agency\n"
        "\n"
        "2 findings (1 high, 1 medium; 1 accepted); 1 escalations\n"
    )


def test_audit_text_summary_without_decisions_is_unchanged(accepted_audit: sgassure.AuditResult) -> None:
    """With no finding accepted, the summary line counts severities only."""
    open_only = attrs.evolve(
        accepted_audit, findings=tuple(attrs.evolve(f, decision=None) for f in accepted_audit.findings)
    )
    assert render_audit(open_only, "text").splitlines()[-1] == "2 findings (1 high, 1 medium); 1 escalations"


def test_audit_markdown_has_a_decision_column(accepted_audit: sgassure.AuditResult) -> None:
    """The Markdown findings table has a Decision column: the decision text, escaped, or empty."""
    assert render_audit(accepted_audit, "md") == (
        "# Audit as at 2025-09-30\n"
        "\n"
        "Packs: kpi\n"
        "\n"
        "## Findings\n"
        "\n"
        "| Severity | Rule | Subject | Finding | Decision |\n"
        "|---|---|---|---|---|\n"
        f"| high | kpi.adverse-trend | indicator kpi-a04 | {KPI_ADVERSE} |  |\n"
        f"| medium | kpi.worse-than-national | indicator kpi-c02 | {KPI_NATIONAL} | "
        f"{DECISION_TEXT.replace('|', chr(92) + '|')} |\n"
        "\n"
        "## Escalations\n"
        "\n"
        "| To | Concern | Route | Finding |\n"
        "|---|---|---|---|\n"
        f"| Safeguarding Effectiveness Group | kpi-adverse-trend | — | {KPI_ADVERSE} |\n"
    )


def test_audit_csv_has_the_decision_as_its_last_column(accepted_audit: sgassure.AuditResult) -> None:
    """The CSV keeps its documented columns in place and adds `decision` at the end, empty when not accepted."""
    rows = list(csv.reader(io.StringIO(render_audit(accepted_audit, "csv"), newline="")))
    assert rows == [
        ["fingerprint", "severity", "pack", "rule", "status", "agency", "cycle", "requirement", "message", "decision"],
        [
            "kpi/kpi.adverse-trend/indicator=kpi-a04",
            "high",
            "kpi",
            "kpi.adverse-trend",
            "",
            "",
            "",
            "",
            KPI_ADVERSE,
            "",
        ],
        [ACCEPTED, "medium", "kpi", "kpi.worse-than-national", "", "", "", "", KPI_NATIONAL, DECISION_TEXT],
    ]


def test_audit_json_carries_the_decision_and_validates(accepted_audit: sgassure.AuditResult) -> None:
    """The JSON output has the decision text as given, counts it in the summary, and matches its schema."""
    data = json.loads(render_audit(accepted_audit, "json"))
    jsonschema.validate(
        data, json.loads((Path(sgassure.__file__).parent / "schemas" / "audit.schema.json").read_text())
    )
    assert [(f["fingerprint"], f["decision"]) for f in data["findings"]] == [
        ("kpi/kpi.adverse-trend/indicator=kpi-a04", None),
        (ACCEPTED, DECISION_TEXT),
    ]
    assert data["summary"]["accepted"] == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_repeats_accepted(accepted_audit: sgassure.AuditResult, fmt: str) -> None:
    """Every format shows the decision text once and never as "accepted: accepted by"."""
    out = render_audit(accepted_audit, fmt)
    assert "accepted: accepted" not in out
    assert out.count("accepted by Independent Chair on 2025-09-25") == 1


# --- escalations without a finding, in every renderer ---------------------------------------------------------------

KPI_ALERTS = """\
version: 1
id: kpi-alerts
title: Indicators raised with the boards without a finding
rules:
  - id: kpi-alerts.trend
    title: A worsening indicator, raised without a finding
    severity: high
    source: The partnership's quality assurance framework
    when:
      all:
        - fact: indicator
          as: k
          where: {adverse_run: {ge: 3}}
    then:
      escalate:
        concern: kpi-adverse-trend
        subject: [k.indicator]
        message: "{k.title} has worsened {k.adverse_run} times in a row"
"""
TREND = "Making Safeguarding Personal: outcomes achieved has worsened 3 times in a row"


@pytest.fixture(scope="module")
def alone_audit(example_ws: sgassure.Workspace) -> sgassure.AuditResult:
    """The example workspace's audit with only a pack whose rule escalates without a finding."""
    return sgassure.run_audit(example_ws, [sgassure.parse_rule_pack(KPI_ALERTS)], as_of=AS_OF)


def test_audit_text_shows_an_escalation_without_a_finding(alone_audit: sgassure.AuditResult) -> None:
    """The text output gives an escalation-only match its rule, severity, subject, source and explanation."""
    assert render_audit(alone_audit, "text") == (
        "Audit as at 2025-09-30 (packs: kpi-alerts)\n"
        "No findings.\n"
        "\n"
        "Escalations:\n"
        f"  to Safeguarding Effectiveness Group (kpi-adverse-trend): {TREND}\n"
        "     route: none needed: the escalation names no agency\n"
        "     without a finding: HIGH kpi-alerts.trend\n"
        "     subject: indicator kpi-a04; source: The partnership's quality assurance framework\n"
        "     - k.adverse_run = 3: is at least 3\n"
        "\n"
        "0 findings; 1 escalations (1 without a finding)\n"
    )
    compared, _ = sgassure.compare_with_previous(alone_audit, ["kpi-alerts/kpi-alerts.trend/indicator=kpi-a04"])
    assert "     without a finding: HIGH kpi-alerts.trend [persisting]\n" in render_audit(compared, "text")


def test_audit_text_summary_counts_escalations_without_findings(example_ws: sgassure.Workspace) -> None:
    """Beside findings, the summary line says how many escalations have no finding."""
    kpi = [p for p in sgassure.bundled_rule_packs() if p.id == "kpi"]
    both = sgassure.run_audit(example_ws, [*kpi, sgassure.parse_rule_pack(KPI_ALERTS)], as_of=AS_OF)
    assert render_audit(both, "text").splitlines()[-1] == (
        "2 findings (1 high, 1 medium); 2 escalations (1 without a finding)"
    )


def test_audit_markdown_marks_an_escalation_without_a_finding(alone_audit: sgassure.AuditResult) -> None:
    """The Markdown escalations table gives an escalation-only match's rule, severity and subject."""
    assert render_audit(alone_audit, "md") == (
        "# Audit as at 2025-09-30\n"
        "\n"
        "Packs: kpi-alerts\n"
        "\n"
        "## Findings\n"
        "\n"
        "No findings.\n"
        "\n"
        "## Escalations\n"
        "\n"
        "| To | Concern | Route | Finding |\n"
        "|---|---|---|---|\n"
        f"| Safeguarding Effectiveness Group | kpi-adverse-trend | — | {TREND} (without a finding: high, rule "
        "kpi-alerts.trend; subject indicator kpi-a04) |\n"
    )


def test_audit_csv_lists_findings_only(alone_audit: sgassure.AuditResult) -> None:
    """The CSV rows are findings: an escalation-only match adds none."""
    assert render_audit(alone_audit, "csv") == (
        "fingerprint,severity,pack,rule,status,agency,cycle,requirement,message,decision\n"
    )


def test_audit_json_gives_an_escalation_without_a_finding_in_full(alone_audit: sgassure.AuditResult) -> None:
    """The JSON escalation carries everything a finding would, and validates against the schema."""
    data = json.loads(render_audit(alone_audit, "json"))
    jsonschema.validate(
        data, json.loads((Path(sgassure.__file__).parent / "schemas" / "audit.schema.json").read_text())
    )
    assert (data["findings"], data["summary"]["findings"], data["summary"]["escalations"]) == ([], 0, 1)
    assert data["escalations"] == [
        {
            "finding": "kpi-alerts/kpi-alerts.trend/indicator=kpi-a04",
            "concern": "kpi-adverse-trend",
            "body": "seg",
            "body_name": "Safeguarding Effectiveness Group",
            "agency": None,
            "route": [],
            "message": TREND,
            "escalation_only": True,
            "pack": "kpi-alerts",
            "rule": "kpi-alerts.trend",
            "title": "A worsening indicator, raised without a finding",
            "severity": "high",
            "source": "The partnership's quality assurance framework",
            "subject": {"indicator": "kpi-a04"},
            "status": None,
            "explanation": {
                "conditions": [
                    {
                        "alias": "k",
                        "fact": "indicator",
                        "field": "adverse_run",
                        "reading": None,
                        "test": "is at least 3",
                        "value": "3",
                    }
                ],
                "counted": [],
                "absent": [],
                "facts": ["indicator:kpi-a04"],
            },
        }
    ]


CHAINED_ALERT = alerts_pack(
    "Gaps without a plan, raised with the Health and Wellbeing Board", "gap-without-plan", "overdue"
)


def test_assurance_report_lists_an_escalation_without_a_finding_under_its_body(
    example_ws: sgassure.Workspace,
) -> None:
    """The report puts an escalation-only match under the body that must act, in the page and in the Markdown."""
    s11 = [p for p in sgassure.bundled_rule_packs() if p.id == "section-11"]
    built = build_report(example_ws, as_of=AS_OF, packs=[*s11, sgassure.parse_rule_pack(CHAINED_ALERT)])
    fingerprint = "alerts/alerts.gap-without-plan/agency=uhwc/cycle=s11-2025/requirement=8.4"
    groups = {g.body: g for g in built.groups}
    (entry,) = groups["wendmoor-hwb"].entries
    assert (entry.finding.fingerprint, entry.finding.message, entry.explanation, entry.route) == (
        fingerprint,
        "uhwc has no plan for requirement 8.4 in s11-2025",
        (
            "f.rule = 's11.no-action-plan': equals 's11.no-action-plan'",
        ),
        (
            "University Hospitals of Wendmoor and Castleby NHS Foundation Trust",
            "Wendmoor and Castleby Safeguarding Children Partnership",
            "Wendmoor Health and Wellbeing Board",
        ),
    )  # fmt: skip
    assert entry.escalation is not None
    assert entry.escalation.escalation_only
    assert fingerprint not in {f.fingerprint for f in built.audit.findings}
    assert sum(len(g.entries) for g in built.groups) == len(built.audit.findings) + 1
    (own,) = [r for r in groups["seg"].entries if r.finding.rule == "alerts.overdue"]
    assert own.escalation is not None
    assert (own.finding.message, own.escalation.message) == (
        "Wendmoor and Castleby Partnership NHS Foundation Trust's action A4 is overdue",
        "Action A4 of wcpft was due 2025-06-30",
    )
    text = _html.render(built)
    page = parse_html(text)
    (article,) = [a for a in page.find("article", "escalation") if a.attrs["data-finding"] == fingerprint]
    assert heading_owner(page, article, "h3") == "Wendmoor Health and Wellbeing Board"
    assert (
        '<p class="tags"><span class="sev sev-critical">Critical</span> · Escalated to Wendmoor Health and '
        "Wellbeing Board (concern: unresolved-risk), without a finding</p>"
    ) in text
    assert '<p class="message">Escalated as: Action A4 of wcpft was due 2025-06-30</p>' in text
    markdown = _markdown_report.render(built)
    assert "\nEscalated as: Action A4 of wcpft was due 2025-06-30\n" in markdown
    assert (
        "Escalated to Wendmoor Health and Wellbeing Board (concern: unresolved-risk), without a finding. Route: "
        "University Hospitals of Wendmoor and Castleby NHS Foundation Trust → Wendmoor and Castleby Safeguarding "
        "Children Partnership → Wendmoor Health and Wellbeing Board."
    ) in markdown.split("### Wendmoor Health and Wellbeing Board", 1)[1]
