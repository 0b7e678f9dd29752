"""Loading a whole workspace folder: finding its files, reading each, and cross-checking them.

The machinery behind :func:`sgassure.workspace.load_workspace`: every entry of
the folder is checked against the known layout, each YAML file is parsed into
its type (problems of all files kept), references between files are checked,
duplicate ids reported, and every problem is raised at once as one
:class:`~sgassure.errors.LoadError`. :func:`_parse` (YAML text into a typed
value and its located document) is shared with the single-file loaders.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sgassure import _validate

# The public module imports this one; names of it are read only when called, so the cycle is harmless.
from sgassure import workspace as api
from sgassure._convert import structure_document
from sgassure._files import read_text
from sgassure._yaml import Document, parse_document
from sgassure.appraisal import Appraisal, parse_appraisal
from sgassure.assessments import AuditCycle, CaseFileAudit, PractitionerAudit, SelfAssessment
from sgassure.consistency import PublishedFigures
from sgassure.errors import LoadError, Location, Problem
from sgassure.findings import DecisionLog
from sgassure.indicators import IndicatorSet
from sgassure.partnership import Partnership
from sgassure.standards import Framework, bundled_frameworks

T = TypeVar("T")


def _parse(text: str, source: str, cls: type[T]) -> tuple[T, Document]:
    doc = parse_document(text, source=source)
    return structure_document(doc, cls), doc


_KNOWN_ENTRIES = {
    "partnership.yaml": "the partnership",
    "cycles": "audit cycles",
    "returns": "self-assessments",
    "catalogs": "local catalogs",
    "case-file-audits": "case-file audits",
    "practitioner-audits": "practitioner audits",
    "indicators.yaml": "indicators",
    "published.yaml": "published figures",
    "decisions.yaml": "accepted gaps",
    "appraisals": "option appraisals",
}
# Files that document a workspace and are not part of its data.
_DOCUMENTATION = {"README.md", "planted.yaml"}


def _yaml_files(root: Path, folder: str, *, recursive: bool = False) -> list[Path]:
    base = root / folder
    if not base.is_dir():
        return []
    found = base.rglob("*") if recursive else base.iterdir()
    return sorted(p for p in found if p.is_file())


class _WorkspaceLoader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def name(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def fail(self, path: Path, message: str) -> None:
        self.problems.append(Problem(location=Location(file=self.name(path)), path="", message=message))

    def parse(self, path: Path, cls: type[T]) -> tuple[T, Document] | None:
        if path.suffix != ".yaml":
            self.fail(path, "not a .yaml file; a workspace folder holds only YAML data files")
            return None
        try:
            text, source = read_text(path, self.name(path))
            return _parse(text, source, cls)
        except LoadError as exc:
            self.problems.extend(exc.problems)
            return None

    def many(self, folder: str, cls: type[T], *, recursive: bool = False) -> list[tuple[T, Document]]:
        loaded = (self.parse(p, cls) for p in _yaml_files(self.root, folder, recursive=recursive))
        return [item for item in loaded if item is not None]

    def appraisals(self) -> list[Appraisal]:
        """The option appraisals in ``appraisals/``, each read by the appraisal loader; duplicate ids reported."""
        found: dict[str, tuple[Appraisal, str]] = {}
        for path in _yaml_files(self.root, "appraisals"):
            if path.suffix != ".yaml":
                self.fail(path, "not a .yaml file; a workspace folder holds only YAML data files")
                continue
            try:
                text, source = read_text(path, self.name(path))
                appraisal = parse_appraisal(text, source=source)
            except LoadError as exc:
                self.problems.extend(exc.problems)
                continue
            if appraisal.id in found:
                doc = parse_document(text, source=source)
                seen = found[appraisal.id][1]
                self.problems.append(doc.problem(("id",), f"duplicate appraisal id {appraisal.id!r} (also in {seen})"))
            else:
                found[appraisal.id] = (appraisal, source)
        return [a for a, _ in found.values()]

    def optional(self, name: str, cls: type[T]) -> tuple[T, Document] | None:
        path = self.root / name
        return self.parse(path, cls) if path.is_file() else None

    def check_entries(self) -> None:
        for entry in sorted(self.root.iterdir()):
            if entry.name in _KNOWN_ENTRIES or entry.name in _DOCUMENTATION or entry.name.startswith("."):
                continue
            known = ", ".join(sorted(_KNOWN_ENTRIES))
            self.fail(entry, f"unexpected entry in a workspace; expected only: {known}")

    def load(self) -> api.Workspace:
        if not self.root.is_dir():
            raise LoadError([Problem(location=Location(file=str(self.root)), path="", message="not a folder")])
        self.check_entries()
        partnership = self.parse(self.root / "partnership.yaml", Partnership)
        catalogs = self.many("catalogs", Framework)
        cycles = self.many("cycles", AuditCycle)
        returns = self.many("returns", SelfAssessment, recursive=True)
        case_audits = self.many("case-file-audits", CaseFileAudit)
        practitioner = self.many("practitioner-audits", PractitionerAudit)
        kpis = self.optional("indicators.yaml", IndicatorSet)
        published = self.optional("published.yaml", PublishedFigures)
        decisions = self.optional("decisions.yaml", DecisionLog)
        appraisals = self.appraisals()
        for framework, doc in catalogs:
            self.problems.extend(_validate.check_framework(framework, doc))
        if partnership is None:
            raise LoadError(self.problems)
        self.problems.extend(_validate.check_partnership(*partnership))
        frameworks = {(f.id, f.version): f for f in bundled_frameworks()}
        local: dict[tuple[str, str], Document] = {}
        for framework, doc in catalogs:
            key = (framework.id, framework.version)
            if key in local:
                self.problems.append(
                    doc.problem(("id",), f"catalog {key[0]!r} version {key[1]!r} is also in {local[key].source}")
                )
            local[key] = doc
            frameworks[key] = framework
        ctx = _validate.Context(partnership[0], list(frameworks.values()), [c for c, _ in cycles])
        for cycle, doc in cycles:
            self.problems.extend(_validate.check_cycle(cycle, doc, ctx))
        self._unique(cycles, lambda c: c.id, ("id",), "cycle id")
        for sa, doc in returns:
            self.problems.extend(_validate.check_assessment(sa, doc, ctx))
        self._unique(returns, lambda a: (a.agency, a.cycle), ("agency",), "return for (agency, cycle)")
        for audit, doc in case_audits:
            self.problems.extend(_validate.check_case_file_audit(audit, doc, ctx))
        self._unique(case_audits, lambda a: a.id, ("id",), "case-file audit id")
        for survey, doc in practitioner:
            self.problems.extend(_validate.check_practitioner_audit(survey, doc, ctx))
        self._unique(practitioner, lambda a: a.id, ("id",), "practitioner audit id")
        if kpis is not None:
            self.problems.extend(_validate.check_indicators(*kpis, ctx))
        if published is not None:
            self.problems.extend(_validate.check_published(*published, ctx))
        if decisions is not None:
            self.problems.extend(_validate.check_decisions(*decisions))
        if self.problems:
            raise LoadError(self.problems)
        used = {(c.framework, c.framework_version) for c, _ in cycles}
        used |= {(a.framework, a.framework_version) for a, _ in practitioner}
        used |= {(a.framework, max(v for (i, v) in frameworks if i == a.framework)) for a, _ in case_audits}
        used |= set(local)
        return api.Workspace(
            partnership=partnership[0],
            frameworks=tuple(frameworks[k] for k in sorted(used)),
            cycles=tuple(sorted((c for c, _ in cycles), key=lambda c: c.id)),
            assessments=tuple(sorted((a for a, _ in returns), key=lambda a: (a.cycle, a.agency))),
            case_file_audits=tuple(sorted((a for a, _ in case_audits), key=lambda a: a.id)),
            practitioner_audits=tuple(sorted((a for a, _ in practitioner), key=lambda a: a.id)),
            indicators=tuple(sorted(kpis[0].indicators, key=lambda k: k.id)) if kpis else (),
            appraisals=tuple(sorted(appraisals, key=lambda a: a.id)),
            published=published[0] if published else PublishedFigures(),
            decisions=decisions[0].decisions if decisions else (),
            decision_locations=tuple(
                decisions[1].locate(("decisions", i, "fingerprint")) for i in range(len(decisions[0].decisions))
            )
            if decisions
            else (),
        )

    def _unique(
        self, items: list[tuple[Any, Document]], key: Callable[[Any], Any], path: tuple[str, ...], what: str
    ) -> None:
        seen: dict[Any, Document] = {}
        for value, doc in items:
            k = key(value)
            if k in seen:
                self.problems.append(doc.problem(path, f"duplicate {what} {k!r} (also in {seen[k].source})"))
            else:
                seen[k] = doc
