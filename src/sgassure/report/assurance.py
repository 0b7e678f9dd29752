"""The assurance report: what a board reads, as typed data, an offline HTML page and its Markdown twin.

:func:`build_report` reads a workspace as at a date and returns an
:class:`AssuranceReport`: for each framework and audit cycle a
:class:`Heatmap` of agencies against standards; :class:`TrendTable` s between
successive cycles; the audit's findings and escalations grouped by the body
that must act (:class:`BodyGroup`); indicators against their comparators
(:class:`KpiRow`); the partnership drawn as a layered picture with its gaps
marked (:class:`PartnershipPicture`); the workspace's option appraisals,
scored, checked for completeness and tested for robustness
(:class:`ReportedAppraisal`); and how many personal identifiers were
masked. :func:`write_report` writes it as ``index.html`` (self-contained:
inline CSS and SVG, no script, no external reference) and ``report.md``.

How the report reads the data (see also ``docs/report.md``):

- **Heatmap cells.** A cell is one agency's rating of one standard: the
  *lowest* effective level (moderated where a moderation is known as at the
  date, else the agency's own) across the standard's requirements the agency
  rated, with the number of requirements at or above the threshold. When the
  lowest self rating differs, it is shown too. A standard whose requirements
  are all not applicable (or not relevant to the agency's kind and unrated) is
  ``n/a``; an expected agency with no return submitted by the date is ``no
  return``; a return that rates none of the standard's requirements is ``not
  rated``.
- **Trends** compare a cycle with the one its ``previous`` names, per agency
  and standard, over the requirements rated in both cycles, paired through the
  catalog's ``supersedes`` map: improved or regressed when the lowest level
  moved; unchanged; or unchanged with stale evidence when some paired rating's
  evidence had all run out by the date.
- **Groups.** An escalation is listed under the body the escalation policy
  names, in the audit's order of escalations; every finding that is not
  escalated is listed under the business office, by rule pack. An escalation
  of a rule that makes no finding is listed under its body like the others
  (its :class:`ReportedFinding` holds the rule, subject, message and
  explanation the escalation carries). Bodies sort by name, the business
  office comes last.
- **Appraisals** whose event is dated after the report's date are not
  shown. They are scored exactly (:func:`~sgassure.score_appraisal`), and
  their figures shown rounded half-up to 2 decimals as the appraisal module
  shows them; robustness is that of :func:`~sgassure.analyse_sensitivity`
  with the file's own samples and seed, so it is reproducible.
- **Order.** Heatmaps and trend tables newest cycle first (by opening date,
  then cycle id); rows by agency name; indicators and appraisals by id. Two
  runs give byte-identical files.

Examples:
    >>> import datetime as dt
    >>> from sgassure import example_workspace_path, load_workspace
    >>> ws = load_workspace(example_workspace_path())
    >>> default_as_of(ws)
    datetime.date(2025, 7, 16)
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import attrs

from sgassure._files import write_text_atomically
from sgassure.appraisal import AppraisalResult
from sgassure.findings import AuditResult, Escalation, Finding
from sgassure.indicators import ComparatorKind, Polarity, Unit
from sgassure.privacy import IdentifierMatch
from sgassure.rules import RulePack
from sgassure.standards import RatingScale, Standard
from sgassure.workspace import Workspace

__all__ = [
    "AssuranceReport",
    "BodyGroup",
    "CellStatus",
    "Heatmap",
    "HeatmapCell",
    "HeatmapRow",
    "Judgement",
    "KpiComparison",
    "KpiRow",
    "PartnershipPicture",
    "PictureEdge",
    "PictureNode",
    "ReportedAppraisal",
    "ReportedFinding",
    "StructuralGap",
    "Trend",
    "TrendKind",
    "TrendTable",
    "build_report",
    "default_as_of",
    "write_report",
]

BUSINESS_OFFICE = "Business office"
"""The group that holds findings no escalation sends to a body."""


class CellStatus(enum.StrEnum):
    """What a heatmap cell holds: a rating, or why there is none.

    Examples:
        >>> CellStatus("no-return") is CellStatus.NO_RETURN
        True
    """

    RATED = "rated"
    NOT_APPLICABLE = "not-applicable"
    NOT_RATED = "not-rated"
    NO_RETURN = "no-return"


@attrs.frozen(kw_only=True)
class HeatmapCell:
    """One agency's rating of one standard: the lowest effective level across its requirements.

    ``counts`` holds the number of rated requirements at each effective level,
    every level of the scale in scale order; ``met`` is how many of them are at
    or above the threshold. ``self_level`` is the lowest self rating, kept so a
    moderation that changed the picture shows.

    Examples:
        >>> cell = HeatmapCell(agency="uhwc", standard="8", status=CellStatus.RATED, level="not",
        ...     self_level="not", counts={"fully": 3, "mostly": 0, "partly": 0, "not": 1}, met=3)
        >>> cell.rated, cell.moderation_changed
        (4, False)
    """

    agency: str
    standard: str
    status: CellStatus
    level: str | None = None
    self_level: str | None = None
    counts: dict[str, int] = attrs.field(factory=dict)
    met: int = 0
    not_applicable: int = 0
    unrated: int = 0
    moderated: int = 0

    @property
    def rated(self) -> int:
        """The number of requirements rated (not n/a)."""
        return sum(self.counts.values())

    @property
    def moderation_changed(self) -> bool:
        """Whether moderation moved the lowest level away from the agency's own."""
        return self.status is CellStatus.RATED and self.level != self.self_level


@attrs.frozen(kw_only=True)
class HeatmapRow:
    """An agency's row of a heatmap: its return (if any) and one cell per standard.

    Examples:
        >>> HeatmapRow(agency="st-aldhelm", agency_name="St Aldhelm's School", submitted=None, cells=()).returned
        False
    """

    agency: str
    agency_name: str
    submitted: dt.date | None
    cells: tuple[HeatmapCell, ...]

    @property
    def returned(self) -> bool:
        """Whether the agency's return was submitted by the report's date."""
        return self.submitted is not None


@attrs.frozen(kw_only=True)
class Heatmap:
    """Agencies against standards for one audit cycle, with the catalog's scale and threshold.

    Examples:
        >>> from sgassure import bundled_framework
        >>> s11 = bundled_framework("section-11", "2025")
        >>> h = Heatmap(framework="section-11", framework_title=s11.title, framework_version="2025",
        ...     cycle="s11-2025", cycle_title="Section 11 audit 2025", scale=s11.scale,
        ...     standards=s11.standards, rows=())
        >>> h.scale.threshold, len(h.standards)
        ('mostly', 9)
    """

    framework: str
    framework_title: str
    framework_version: str
    cycle: str
    cycle_title: str
    scale: RatingScale
    standards: tuple[Standard, ...]
    rows: tuple[HeatmapRow, ...]

    def below_threshold(self) -> int:
        """The number of rated cells below the threshold."""
        return sum(
            1
            for row in self.rows
            for c in row.cells
            if c.status is CellStatus.RATED and c.level is not None and not self.scale.is_compliant(c.level)
        )


class TrendKind(enum.StrEnum):
    """How an agency's rating of a standard moved between two successive cycles.

    Examples:
        >>> TrendKind.UNCHANGED_STALE.value
        'unchanged-stale'
    """

    IMPROVED = "improved"
    REGRESSED = "regressed"
    UNCHANGED = "unchanged"
    UNCHANGED_STALE = "unchanged-stale"
    NOT_COMPARABLE = "not-comparable"


@attrs.frozen(kw_only=True)
class Trend:
    """The move of one agency's rating of one standard from the previous cycle to this one.

    ``pairs`` lists the requirements compared as ``(previous id, current id)``,
    following the catalog's ``supersedes`` map; ``before`` and ``after`` are
    the lowest effective levels over them. ``reason`` says why a trend is not
    comparable.

    Examples:
        >>> t = Trend(agency="wcpft", standard="5", kind=TrendKind.UNCHANGED, before="partly", after="partly",
        ...     pairs=(("5.1", "5.1"), ("5.3", "5.4")))
        >>> t.renumbered
        (('5.3', '5.4'),)
    """

    agency: str
    standard: str
    kind: TrendKind
    before: str | None = None
    after: str | None = None
    pairs: tuple[tuple[str, str], ...] = ()
    reason: str = ""

    @property
    def renumbered(self) -> tuple[tuple[str, str], ...]:
        """The compared requirements whose id changed between the catalog versions."""
        return tuple(p for p in self.pairs if p[0] != p[1])


@attrs.frozen(kw_only=True)
class TrendTable:
    """Trends per agency and standard between a cycle and the one before it.

    Examples:
        >>> table = TrendTable(framework="saaf", previous_cycle="saaf-2024", previous_title="SAAF 2024",
        ...     cycle="saaf-2025", cycle_title="SAAF 2025", scale=None, standards=(), agencies=(), trends=())
        >>> table.count(TrendKind.IMPROVED)
        0
    """

    framework: str
    previous_cycle: str
    previous_title: str
    cycle: str
    cycle_title: str
    scale: RatingScale | None
    standards: tuple[Standard, ...]
    agencies: tuple[tuple[str, str], ...]
    """(agency id, agency name), in row order."""
    trends: tuple[Trend, ...]

    def trend(self, agency: str, standard: str) -> Trend | None:
        """The trend of ``agency`` on ``standard``, if the table has one."""
        return next((t for t in self.trends if (t.agency, t.standard) == (agency, standard)), None)

    def count(self, kind: TrendKind) -> int:
        """How many trends are of ``kind``."""
        return sum(1 for t in self.trends if t.kind is kind)


@attrs.frozen(kw_only=True)
class ReportedFinding:
    """A finding as the report shows it: masked explanation lines, and its escalation if any.

    For an escalation of a rule that makes no finding (``escalation.escalation_only``),
    ``finding`` stands in for it: the rule, subject, message and explanation the
    escalation carries. It is not one of the audit's findings.

    Examples:
        >>> from sgassure import Explanation, Severity
        >>> f = Finding(pack="kpi", rule="kpi.worse-than-national", title="Worse than national",
        ...     severity=Severity.MEDIUM, source="Local KPI set", subject={"indicator": "kpi-c02"},
        ...     message="Re-referrals is 23.9, worse than the national 22.4", explanation=Explanation(conditions=()))
        >>> ReportedFinding(finding=f, explanation=()).escalation is None
        True
    """

    finding: Finding
    explanation: tuple[str, ...]
    escalation: Escalation | None = None
    route: tuple[str, ...] = ()
    """Names along the escalation route, from the agency to the body that must act."""


@attrs.frozen(kw_only=True)
class BodyGroup:
    """Findings and escalations for one body that must act (``body`` None: the business office).

    Examples:
        >>> BodyGroup(body=None, name=BUSINESS_OFFICE, entries=()).is_business_office
        True
    """

    body: str | None
    name: str
    entries: tuple[ReportedFinding, ...]

    @property
    def is_business_office(self) -> bool:
        """Whether this is the group of findings no escalation sends to a body."""
        return self.body is None


class Judgement(enum.StrEnum):
    """How a value compares with another, read with the indicator's direction of good.

    Examples:
        >>> Judgement.of(Polarity.LOWER_IS_BETTER, Decimal("23.9"), Decimal("22.4"))
        <Judgement.WORSE: 'worse'>
        >>> Judgement.of(Polarity.CONTEXT, Decimal("579.3"), Decimal("548.0"))
        <Judgement.CONTEXT: 'context'>
    """

    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    CONTEXT = "context"

    @classmethod
    def of(cls, polarity: Polarity, value: Decimal, other: Decimal) -> Judgement:
        """Judge ``value`` against ``other``: same when equal, context when the direction is not known."""
        if value == other:
            return cls.SAME
        worse = polarity.is_worse(value, other)
        if worse is None:
            return cls.CONTEXT
        return cls.WORSE if worse else cls.BETTER


@attrs.frozen(kw_only=True)
class KpiComparison:
    """An indicator's latest value against one comparator.

    Examples:
        >>> KpiComparison(kind=ComparatorKind.NATIONAL, value=Decimal("22.4"), judgement=Judgement.WORSE).judgement
        <Judgement.WORSE: 'worse'>
    """

    kind: ComparatorKind
    value: Decimal
    judgement: Judgement


@attrs.frozen(kw_only=True)
class KpiRow:
    """An indicator's latest value as at the report's date, its change and its comparators.

    Examples:
        >>> row = KpiRow(indicator="kpi-c02", title="Re-referrals within 12 months", unit=Unit.PERCENT,
        ...     polarity=Polarity.LOWER_IS_BETTER, period="2024-25", value=Decimal("23.9"), source="CIN census",
        ...     previous_period="2023-24", previous_value=Decimal("24.5"), change=Judgement.BETTER, comparisons=())
        >>> row.change
        <Judgement.BETTER: 'better'>
    """

    indicator: str
    title: str
    unit: Unit
    polarity: Polarity
    period: str | None
    value: Decimal | None
    source: str | None
    previous_period: str | None
    previous_value: Decimal | None
    change: Judgement | None
    comparisons: tuple[KpiComparison, ...]

    def comparison(self, kind: ComparatorKind) -> KpiComparison | None:
        """The comparison with ``kind``, if the latest observation has that comparator."""
        return next((c for c in self.comparisons if c.kind is kind), None)


@attrs.frozen(kw_only=True)
class PictureNode:
    """A box of the partnership picture: a body or an agency, its layer and its position.

    Layers: 0 bodies outside the arrangements, 1 boards, 2 executives,
    subgroups, panels and other bodies under the boards, 3 agencies.

    Examples:
        >>> PictureNode(id="wsab", name="Safeguarding Adults Board", node_type="body", kind="adults-board",
        ...     layer=1, x=16, y=40, width=150, height=50).gaps
        ()
    """

    id: str
    name: str
    node_type: str
    kind: str
    layer: int
    x: int
    y: int
    width: int
    height: int
    gaps: tuple[int, ...] = ()
    """Numbers of the gaps marked on this box."""


@attrs.frozen(kw_only=True)
class PictureEdge:
    """A line of the picture: a seat (``membership``) or a reporting line, by its graph edge type.

    Examples:
        >>> PictureEdge(source="seg", target="wcsp-exec", edge_type="reports-to").edge_type
        'reports-to'
    """

    source: str
    target: str
    edge_type: str


@attrs.frozen(kw_only=True)
class StructuralGap:
    """A gap in the partnership's structure as at the report's date, numbered for the picture.

    Examples:
        >>> StructuralGap(number=1, kind="no-reporting-line", node="cse-missing",
        ...     message="CSE subgroup has no reporting line out").number
        1
    """

    number: int
    kind: str
    node: str
    message: str


@attrs.frozen(kw_only=True)
class PartnershipPicture:
    """The partnership as a deterministic layered drawing: boxes, lines and gaps.

    ``bands`` gives each layer's label and the y of its top.

    Examples:
        >>> PartnershipPicture(width=100, height=50, bands=(), nodes=(), edges=(), gaps=()).node("x") is None
        True
    """

    width: int
    height: int
    bands: tuple[tuple[str, int], ...]
    nodes: tuple[PictureNode, ...]
    edges: tuple[PictureEdge, ...]
    gaps: tuple[StructuralGap, ...]

    def node(self, node_id: str) -> PictureNode | None:
        """The box of ``node_id``, if drawn."""
        return next((n for n in self.nodes if n.id == node_id), None)


@attrs.frozen(kw_only=True)
class ReportedAppraisal:
    """An option appraisal as the report shows it: exact results, completeness findings and robustness.

    Labels are keyed by id and masked like every text of the report;
    ``result`` is None when the appraisal cannot be scored (``unscored`` says
    why). ``robust`` is None when no option is marked preferred or there is no
    result; ``robust_reasons`` says which test the preferred option fails.

    Examples:
        >>> ReportedAppraisal(appraisal="x", title="X", programme="P", options={}, groups={}, criteria={},
        ...     result=None, unscored="no scores", findings=()).robust is None
        True
    """

    appraisal: str
    title: str
    programme: str
    event: dt.date | None = None
    options: dict[str, str]
    """Label of each short-listed option, in the file's order."""
    groups: dict[str, str]
    """Label of each group of criteria, in the file's order."""
    criteria: dict[str, str]
    """Label of each criterion, in the file's order."""
    result: AppraisalResult | None
    unscored: str = ""
    findings: tuple[Finding, ...]
    """The completeness check's findings (:func:`~sgassure.check_appraisal`), most serious first."""
    preferred: str | None = None
    robust: bool | None = None
    robust_reasons: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class AssuranceReport:
    """Everything the assurance report shows, as typed data.

    ``identifiers`` are the personal identifiers found in the workspace's free
    text (:func:`~sgassure.scan_workspace`, and the justifications of accepted
    gaps in ``decisions.yaml``), as locations only; when ``mask`` is true each
    is masked wherever the report would show it, and :attr:`masked_items`
    counts them.

    Examples:
        >>> report = AssuranceReport(partnership="x", partnership_name="X", as_of=dt.date(2025, 9, 30),
        ...     packs=(), mask=True, identifiers=(), audit=AuditResult(as_of=dt.date(2025, 9, 30), packs=(),
        ...     findings=(), escalations=()), heatmaps=(), trends=(), groups=(), kpis=(),
        ...     picture=PartnershipPicture(width=0, height=0, bands=(), nodes=(), edges=(), gaps=()))
        >>> report.masked_items
        0
    """

    partnership: str
    partnership_name: str
    as_of: dt.date
    packs: tuple[str, ...]
    mask: bool
    identifiers: tuple[IdentifierMatch, ...]
    audit: AuditResult
    heatmaps: tuple[Heatmap, ...]
    trends: tuple[TrendTable, ...]
    groups: tuple[BodyGroup, ...]
    kpis: tuple[KpiRow, ...]
    picture: PartnershipPicture
    appraisals: tuple[ReportedAppraisal, ...] = ()

    @property
    def masked_items(self) -> int:
        """How many identifiers the report masks (0 when masking is off)."""
        return len(self.identifiers) if self.mask else 0


def default_as_of(workspace: Workspace) -> dt.date | None:
    """The latest as-at date among a workspace's records, or None when it has none.

    The dates considered are the cycles' deadlines, the indicators'
    observation as-at dates and the case-file and practitioner audits' dates.
    ``sgassure report`` reads the workspace at this date when ``--as-of`` is
    not given.

    Args:
        workspace: a loaded workspace.

    Returns:
        The latest of those dates.

    Examples:
        >>> from sgassure import example_workspace_path, load_workspace
        >>> default_as_of(load_workspace(example_workspace_path())).isoformat()
        '2025-07-16'
    """
    dates = [c.deadline for c in workspace.cycles]
    dates += [o.as_at for k in workspace.indicators for o in k.observations]
    dates += [a.date for a in workspace.case_file_audits]
    dates += [a.date for a in workspace.practitioner_audits]
    return max(dates, default=None)


def build_report(
    workspace: Workspace, *, as_of: dt.date, packs: Sequence[RulePack] | None = None, mask: bool = True
) -> AssuranceReport:
    """Read a workspace as at a date into the assurance report's data.

    Args:
        workspace: a loaded workspace.
        as_of: the date the report is read at; records dated later are invisible.
        packs: the rule packs to audit with (default: every bundled pack).
        mask: mask personal identifiers in every text the report shows (the default).

    Returns:
        The report, deterministic for the same inputs.

    Raises:
        LoadError: a pack cannot run on this workspace.
        RulesEngineError: the rules engine failed.

    Examples:
        >>> import datetime as dt
        >>> from sgassure import example_workspace_path, load_workspace
        >>> report = build_report(load_workspace(example_workspace_path()), as_of=dt.date(2025, 9, 30))
        >>> [h.cycle for h in report.heatmaps]
        ['s11-2025', 'saaf-2025', 'saaf-2024', 's11-2023']
        >>> report.masked_items
        2
    """
    from sgassure.report import _assurance  # noqa: PLC0415 - the builder imports this module's classes

    return _assurance.build(workspace, as_of=as_of, packs=packs, mask=mask)


def write_report(report: AssuranceReport, out_dir: str | os.PathLike[str]) -> tuple[Path, ...]:
    """Write the report as ``index.html`` and ``report.md`` in a folder, each file atomically.

    The folder is created if needed. The HTML is self-contained: inline CSS and
    SVG, no script and no reference to any other file or host.

    Args:
        report: the report, from :func:`build_report`.
        out_dir: the folder to write into.

    Returns:
        The paths written: the HTML page, then the Markdown.

    Examples:
        >>> import datetime as dt, tempfile
        >>> from sgassure import example_workspace_path, load_workspace
        >>> report = build_report(load_workspace(example_workspace_path()), as_of=dt.date(2025, 9, 30))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     [p.name for p in write_report(report, folder)]
        ['index.html', 'report.md']
    """
    from sgassure.report import _html, _markdown_report  # noqa: PLC0415 - the renderers import this module

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    pages = (("index.html", _html.render(report)), ("report.md", _markdown_report.render(report)))
    for name, text in pages:
        target = folder / name
        write_text_atomically(target, text)
        written.append(target)
    return tuple(written)
