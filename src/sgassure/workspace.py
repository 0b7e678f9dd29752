"""Loading: every input file type, and a whole workspace at once.

Each input type has a pair of loaders: ``parse_x(text, source=...)`` reads YAML
text and ``load_x(path)`` reads a file. Every file starts with ``version: 1``.
A problem anywhere, of any kind, is reported with its file, line, column and
field path; all problems of a load are raised together as one
:class:`~sgassure.errors.LoadError`.

A *workspace* is a folder holding one partnership's data::

    partnership.yaml          agencies, bodies, seats, meetings, lines, policy
    cycles/*.yaml             audit cycles (one per file)
    returns/**/*.yaml         agencies' self-assessments
    catalogs/*.yaml           local catalogs (override bundled ones of the same id and version)
    case-file-audits/*.yaml   multi-agency case-file audits
    practitioner-audits/*.yaml
    indicators.yaml           key performance indicators
    published.yaml            published tables and attendance rates
    decisions.yaml            accepted gaps (findings accepted by the board, until an expiry)
    appraisals/*.yaml         option appraisals of integration programmes (one per file)

Examples:
    >>> ws = load_workspace(example_workspace_path())
    >>> ws.partnership.name
    'Wendmoor and Castleby Safeguarding Partnership'
    >>> parse_cycle("version: 1\\nid: x\\n", source="cycles/x.yaml")
    Traceback (most recent call last):
    ...
    sgassure.errors.LoadError: cycles/x.yaml:1:1: deadline: required field missing
    cycles/x.yaml:1:1: framework: required field missing
    cycles/x.yaml:1:1: framework_version: required field missing
    cycles/x.yaml:1:1: opens: required field missing
    cycles/x.yaml:1:1: title: required field missing
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import TypeVar

import attrs

from sgassure import _validate
from sgassure._files import read_text
from sgassure._workspace_load import _parse, _WorkspaceLoader
from sgassure.appraisal import Appraisal
from sgassure.assessments import AuditCycle, CaseFileAudit, PractitionerAudit, SelfAssessment
from sgassure.consistency import PublishedFigures
from sgassure.errors import LoadError, Location, Problem
from sgassure.findings import Decision, DecisionLog
from sgassure.indicators import Indicator, IndicatorSet
from sgassure.partnership import Partnership
from sgassure.privacy import IdentifierMatch, scan_record
from sgassure.standards import Basis, Framework

__all__ = [
    "Workspace",
    "example_workspace_path",
    "expected_returns",
    "load_case_file_audit",
    "load_cycle",
    "load_decisions",
    "load_framework",
    "load_indicators",
    "load_partnership",
    "load_practitioner_audit",
    "load_published",
    "load_self_assessment",
    "load_workspace",
    "parse_case_file_audit",
    "parse_cycle",
    "parse_decisions",
    "parse_framework",
    "parse_indicators",
    "parse_partnership",
    "parse_practitioner_audit",
    "parse_published",
    "parse_self_assessment",
    "scan_workspace",
]

T = TypeVar("T")


def _checked(value: T, problems: list[Problem]) -> T:
    if problems:
        raise LoadError(problems)
    return value


def parse_partnership(text: str, *, source: str = "<string>") -> Partnership:
    """Read a partnership file's text.

    Raises:
        LoadError: for every problem found, located.

    Examples:
        >>> p = parse_partnership("version: 1\\nid: x\\nname: X\\nareas: [X]\\nagencies: []\\nbodies: []\\n")
        >>> p.name
        'X'
    """
    partnership, doc = _parse(text, source, Partnership)
    return _checked(partnership, _validate.check_partnership(partnership, doc))


def load_partnership(path: str | os.PathLike[str]) -> Partnership:
    """Read a partnership file.

    Examples:
        >>> load_partnership(example_workspace_path() / "partnership.yaml").id
        'wendmoor-castleby'
    """
    text, source = read_text(path)
    return parse_partnership(text, source=source)


def parse_framework(text: str, *, source: str = "<string>") -> Framework:
    """Read a standards catalog's text.

    Examples:
        >>> from importlib.resources import files
        >>> text = (files("sgassure") / "standards" / "saaf-2024.yaml").read_text()
        >>> parse_framework(text).id
        'saaf'
    """
    framework, doc = _parse(text, source, Framework)
    return _checked(framework, _validate.check_framework(framework, doc))


def load_framework(path: str | os.PathLike[str]) -> Framework:
    """Read a standards catalog file.

    Examples:
        >>> from importlib.resources import as_file, files
        >>> with as_file(files("sgassure") / "standards" / "section-11-2025.yaml") as p:
        ...     load_framework(p).version
        '2025'
    """
    text, source = read_text(path)
    return parse_framework(text, source=source)


def parse_cycle(text: str, *, source: str = "<string>") -> AuditCycle:
    """Read an audit cycle file's text (references are checked when a workspace loads).

    Examples:
        >>> parse_cycle('''
        ... version: 1
        ... id: s11-2024
        ... title: Section 11 audit 2024
        ... framework: section-11
        ... framework_version: "2023"
        ... opens: 2024-03-01
        ... deadline: 2024-05-31
        ... ''').deadline
        datetime.date(2024, 5, 31)
    """
    return _parse(text, source, AuditCycle)[0]


def load_cycle(path: str | os.PathLike[str]) -> AuditCycle:
    """Read an audit cycle file.

    Examples:
        >>> load_cycle(example_workspace_path() / "cycles" / "s11-2025.yaml").framework
        'section-11'
    """
    text, source = read_text(path)
    return parse_cycle(text, source=source)


def parse_self_assessment(text: str, *, source: str = "<string>") -> SelfAssessment:
    """Read a self-assessment's text (references are checked when a workspace loads).

    Examples:
        >>> parse_self_assessment('''
        ... version: 1
        ... agency: a
        ... cycle: c
        ... framework: section-11
        ... framework_version: "2023"
        ... submitted: 2024-05-01
        ... completed_by: Designated safeguarding lead
        ... ratings: [{requirement: "1.1", level: fully}]
        ... ''').ratings[0].level
        'fully'
    """
    return _parse(text, source, SelfAssessment)[0]


def load_self_assessment(path: str | os.PathLike[str]) -> SelfAssessment:
    """Read a self-assessment file.

    Examples:
        >>> p = sorted((example_workspace_path() / "returns").rglob("*.yaml"))[0]
        >>> load_self_assessment(p).framework in {"section-11", "saaf"}
        True
    """
    text, source = read_text(path)
    return parse_self_assessment(text, source=source)


def parse_case_file_audit(text: str, *, source: str = "<string>") -> CaseFileAudit:
    """Read a case-file audit's text (references are checked when a workspace loads).

    Examples:
        >>> parse_case_file_audit('''
        ... version: 1
        ... id: cfa-1
        ... title: Repeat child protection plans
        ... topic: repeat-plans
        ... framework: section-11
        ... date: 2024-11-05
        ... cases: [RCP-24-001]
        ... agencies: [police]
        ... findings: []
        ... ''').cases
        ('RCP-24-001',)
    """
    return _parse(text, source, CaseFileAudit)[0]


def load_case_file_audit(path: str | os.PathLike[str]) -> CaseFileAudit:
    """Read a case-file audit file.

    Examples:
        >>> p = sorted((example_workspace_path() / "case-file-audits").glob("*.yaml"))[0]
        >>> bool(load_case_file_audit(p).findings)
        True
    """
    text, source = read_text(path)
    return parse_case_file_audit(text, source=source)


def parse_practitioner_audit(text: str, *, source: str = "<string>") -> PractitionerAudit:
    """Read a practitioner audit's text (references are checked when a workspace loads).

    Examples:
        >>> parse_practitioner_audit('''
        ... version: 1
        ... id: pa-1
        ... title: Practitioner survey
        ... framework: section-11
        ... framework_version: "2023"
        ... date: 2024-10-01
        ... results: [{agency: police, question: PQ1, respondents: 20, agreed: 15}]
        ... ''').results[0].agreement
        Fraction(3, 4)
    """
    return _parse(text, source, PractitionerAudit)[0]


def load_practitioner_audit(path: str | os.PathLike[str]) -> PractitionerAudit:
    """Read a practitioner audit file.

    Examples:
        >>> p = sorted((example_workspace_path() / "practitioner-audits").glob("*.yaml"))[0]
        >>> bool(load_practitioner_audit(p).results)
        True
    """
    text, source = read_text(path)
    return parse_practitioner_audit(text, source=source)


def parse_indicators(text: str, *, source: str = "<string>") -> IndicatorSet:
    """Read an indicators file's text.

    Examples:
        >>> parse_indicators("version: 1\\nindicators: []\\n").indicators
        ()
    """
    return _parse(text, source, IndicatorSet)[0]


def load_indicators(path: str | os.PathLike[str]) -> IndicatorSet:
    """Read an indicators file.

    Examples:
        >>> len(load_indicators(example_workspace_path() / "indicators.yaml").indicators) >= 12
        True
    """
    text, source = read_text(path)
    return parse_indicators(text, source=source)


def parse_published(text: str, *, source: str = "<string>") -> PublishedFigures:
    """Read a published-figures file's text.

    Examples:
        >>> parse_published("version: 1\\ntables: []\\n").tables
        ()
    """
    return _parse(text, source, PublishedFigures)[0]


def load_published(path: str | os.PathLike[str]) -> PublishedFigures:
    """Read a published-figures file.

    Examples:
        >>> bool(load_published(example_workspace_path() / "published.yaml").tables)
        True
    """
    text, source = read_text(path)
    return parse_published(text, source=source)


def parse_decisions(text: str, *, source: str = "<string>") -> DecisionLog:
    """Read a decisions file's text (whether each decision matches a finding is checked when an audit runs).

    Examples:
        >>> text = (
        ...     "version: 1\\ndecisions:\\n"
        ...     "  - {fingerprint: kpi/r/indicator=k1, justification: J, approver: Chair, date: 2025-07-01}\\n"
        ... )
        >>> parse_decisions(text).decisions[0].approver
        'Chair'
    """
    log, doc = _parse(text, source, DecisionLog)
    return _checked(log, _validate.check_decisions(log, doc))


def load_decisions(path: str | os.PathLike[str]) -> DecisionLog:
    """Read a decisions file.

    Examples:
        >>> import pathlib, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder) / "decisions.yaml"
        ...     _ = path.write_text("version: 1\\ndecisions: []\\n")
        ...     load_decisions(path).decisions
        ()
    """
    text, source = read_text(path)
    return parse_decisions(text, source=source)


@attrs.frozen(kw_only=True)
class Workspace:
    """One partnership's data over one or more audit cycles, loaded and cross-checked.

    Collections are sorted by a documented key, whatever the order of files on
    disk: cycles by id; assessments by (cycle, agency); audits by id;
    indicators by id; option appraisals by id.

    Examples:
        >>> ws = load_workspace(example_workspace_path())
        >>> [c.id for c in ws.cycles]
        ['s11-2023', 's11-2025', 'saaf-2024', 'saaf-2025']
        >>> ws.framework_for(ws.cycle("s11-2025")).version
        '2025'
    """

    partnership: Partnership
    frameworks: tuple[Framework, ...]
    cycles: tuple[AuditCycle, ...] = ()
    assessments: tuple[SelfAssessment, ...] = ()
    case_file_audits: tuple[CaseFileAudit, ...] = ()
    practitioner_audits: tuple[PractitionerAudit, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    appraisals: tuple[Appraisal, ...] = ()
    published: PublishedFigures = attrs.field(factory=PublishedFigures)
    decisions: tuple[Decision, ...] = ()
    decision_locations: tuple[Location, ...] = attrs.field(default=(), eq=False, repr=False)
    """Where each decision was written (for located errors); not part of the data."""

    def framework(self, framework_id: str, version: str) -> Framework:
        """The catalog of ``framework_id`` at ``version``.

        Raises:
            KeyError: if the workspace has no such catalog.
        """
        for f in self.frameworks:
            if (f.id, f.version) == (framework_id, version):
                return f
        raise KeyError(f"{framework_id} {version}")

    def cycle(self, cycle_id: str) -> AuditCycle:
        """The audit cycle ``cycle_id``.

        Raises:
            KeyError: if there is none.
        """
        for c in self.cycles:
            if c.id == cycle_id:
                return c
        raise KeyError(cycle_id)

    def framework_for(self, cycle: AuditCycle) -> Framework:
        """The catalog version a cycle answers."""
        return self.framework(cycle.framework, cycle.framework_version)

    def assessments_for(self, cycle_id: str) -> tuple[SelfAssessment, ...]:
        """The returns of a cycle, by agency id."""
        return tuple(a for a in self.assessments if a.cycle == cycle_id)


def load_workspace(path: str | os.PathLike[str]) -> Workspace:
    """Load and cross-check a workspace folder.

    File names in problems are relative to the workspace folder.

    Raises:
        LoadError: for every problem in every file, located, all at once.

    Examples:
        >>> ws = load_workspace(example_workspace_path())
        >>> len(ws.partnership.agencies) >= 12, len(ws.case_file_audits)
        (True, 2)
    """
    return _WorkspaceLoader(Path(path)).load()


def example_workspace_path() -> Path:
    """The folder of the example workspace shipped with sgassure.

    Examples:
        >>> (example_workspace_path() / "partnership.yaml").is_file()
        True
    """
    with resources.as_file(resources.files("sgassure") / "examples" / "wendmoor") as path:
        return Path(path)


def expected_returns(workspace: Workspace, cycle: AuditCycle) -> tuple[str, ...]:
    """Agencies expected to return for a cycle: those under a statutory duty to the framework, and those invited.

    Sorted by agency id.

    Examples:
        >>> ws = load_workspace(example_workspace_path())
        >>> "wendmoor-police" in expected_returns(ws, ws.cycle("s11-2025"))
        True
    """
    framework = workspace.framework_for(cycle)
    bound = {
        a.id
        for a in workspace.partnership.agencies
        if (entry := framework.scope_for(a.kind)) is not None and entry.basis is Basis.STATUTORY
    }
    return tuple(sorted(bound | set(cycle.invited)))


def scan_workspace(workspace: Workspace) -> tuple[IdentifierMatch, ...]:
    """Every personal identifier in a workspace's free text, located by record and field.

    Paths name the record by its keys, e.g.
    ``assessments[wendmoor-police@s11-2025].ratings[3].comment``; the matched
    text itself is never returned.

    Examples:
        >>> found = scan_workspace(load_workspace(example_workspace_path()))
        >>> sorted({m.kind.value for m in found})
        ['nhs-number', 'postcode']
    """
    found: list[IdentifierMatch] = []
    found += scan_record(workspace.partnership, path="partnership")
    for sa in workspace.assessments:
        found += scan_record(sa, path=f"assessments[{sa.agency}@{sa.cycle}]")
    for audit in workspace.case_file_audits:
        found += scan_record(audit, path=f"case_file_audits[{audit.id}]")
    for survey in workspace.practitioner_audits:
        found += scan_record(survey, path=f"practitioner_audits[{survey.id}]")
    for kpi in workspace.indicators:
        found += scan_record(kpi, path=f"indicators[{kpi.id}]")
    found += scan_record(workspace.published, path="published")
    for appraisal in workspace.appraisals:
        found += scan_record(appraisal, path=f"appraisals[{appraisal.id}]")
    found += scan_record(workspace.decisions, path="decisions")
    return tuple(found)
