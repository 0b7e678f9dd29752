"""Spreadsheets: agencies' returns in (.xlsx and .csv), findings and an agency's own slice out.

Agencies send their self-assessments as spreadsheets. :func:`write_template`
writes the template of a catalog version (an ``.xlsx`` workbook with drop-downs,
or the same tables as one ``.csv``), :func:`read_return` reads a filled one back
into a :class:`~sgassure.assessments.SelfAssessment`, strictly: every bad cell is a
located problem (``return.xlsx:Ratings!E12: Level: ...``, or
``return.csv:14:5: Level: ...`` where the column is the field's number), and all
of them are raised at once as one :class:`~sgassure.errors.LoadError`.
:func:`write_findings` and :func:`write_agency_slice` export an audit's results.

The layout of both forms is described in ``docs/spreadsheets.md``. Reading and
writing ``.xlsx`` needs openpyxl (``pip install 'sgassure[xlsx]'``); ``.csv``
needs nothing more.

Examples:
    >>> import pathlib, tempfile
    >>> from sgassure import bundled_framework
    >>> s11 = bundled_framework("section-11", "2025")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "return.csv"
    ...     write_template(s11, path, agency="wendmoor-police", cycle="s11-2025")
    ...     lines = path.read_text().splitlines()
    >>> print(*lines[:6], sep="\\n")
    # Agency id: wendmoor-police
    # Cycle id: s11-2025
    # Framework: section-11
    # Framework version: 2025
    # Submitted date:
    # Completed by:
    >>> lines[6].split(",")[:6]
    ['Standard id', 'Standard title', 'Requirement id', 'Requirement text', 'Level', 'Not applicable']
    >>> lines[7].split(",")[:3]
    ['1', 'Senior management commitment and a named board-level lead', '1.1']
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from sgassure._convert import did_you_mean
from sgassure._files import write_atomically, write_text_atomically
from sgassure._sheets_layout import (
    _ABOUT,
    _ABOUT_COLUMNS,
    _ACTIONS,
    _ACTIONS_COLUMNS,
    _AGENCY,
    _COMPLETED_BY,
    _CYCLE,
    _FRAMEWORK,
    _LEVELS,
    _LEVELS_COLUMNS,
    _RATINGS,
    _RATINGS_COLUMNS,
    _SUBMITTED,
    _VERSION,
    _openpyxl,
)
from sgassure._sheets_read import _file_problem, _read_csv, _read_xlsx, _Reader
from sgassure.assessments import ActionStatus, SelfAssessment
from sgassure.errors import SgassureError
from sgassure.findings import AuditResult
from sgassure.privacy import mask_identifiers
from sgassure.report import render_audit
from sgassure.standards import Framework
from sgassure.workspace import Workspace

__all__ = ["read_return", "write_agency_slice", "write_findings", "write_template"]

_EXTRA_ROWS = 500  # rows below the pre-filled ones that keep the drop-downs, for extra evidence and actions


def _suffix(path: str | os.PathLike[str], what: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SgassureError(f"{what} is written as .xlsx or .csv; got {Path(path).name!r}")
    return suffix


def _csv_text(sections: Sequence[Sequence[Sequence[object]]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for section in sections:
        writer.writerows(section)
    return out.getvalue()


# --- the template --------------------------------------------------------------------------------------------------


def _about_rows(framework: Framework, agency: str | None, cycle: str | None) -> list[tuple[str, str, str]]:
    return [
        (_AGENCY, agency or "", "The agency's id in the partnership file."),
        (_CYCLE, cycle or "", "The audit cycle's id."),
        (_FRAMEWORK, framework.id, f"{framework.title}. Filled in by sgassure: do not change."),
        (_VERSION, framework.version, "The catalog version. Filled in by sgassure: do not change."),
        (_SUBMITTED, "", "The date the return is submitted (a date, or text YYYY-MM-DD)."),
        (_COMPLETED_BY, "", "The role of the person who completed the return (a role, not a name)."),
    ]


def _requirement_rows(framework: Framework) -> list[list[str | None]]:
    blank: list[str | None] = [None] * (len(_RATINGS_COLUMNS) - 4)
    return [[s.id, s.title, r.id, r.text, *blank] for s, r in framework.requirements()]


def _compliance(framework: Framework, level: str) -> str:
    if level == framework.scale.threshold:
        return "compliant (the threshold)"
    return "compliant" if framework.scale.is_compliant(level) else "below threshold"


def write_template(
    framework: Framework, path: str | os.PathLike[str], *, agency: str | None = None, cycle: str | None = None
) -> None:
    """Write the return template of a catalog version, as ``.xlsx`` or as the ``.csv`` form (by suffix).

    The workbook has the sheets About (agency, cycle, framework, version,
    submitted date, completed by), Ratings (one row per requirement in catalog
    order; add rows with the same requirement id for more evidence items),
    Actions (one row per status change of an action) and Levels (the scale, with
    the threshold marked). Levels, "not applicable" and action statuses are
    drop-downs. The file is written atomically.

    Args:
        framework: the catalog version the return answers.
        path: where to write; ``.xlsx`` or ``.csv``.
        agency: the agency's id, pre-filled when given.
        cycle: the audit cycle's id, pre-filled when given.

    Raises:
        SgassureError: for another suffix, or ``.xlsx`` without openpyxl installed.

    Examples:
        >>> import pathlib, tempfile, openpyxl
        >>> from sgassure import bundled_framework
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder) / "return.xlsx"
        ...     write_template(bundled_framework("section-11", "2025"), path)
        ...     book = openpyxl.load_workbook(path)
        ...     book.sheetnames, book["Ratings"]["C2"].value, book["Ratings"].max_row
        (['About', 'Ratings', 'Actions', 'Levels'], '1.1', 38)
    """
    if _suffix(path, "a template") == ".csv":
        about = [[f"# {label}: {value}".rstrip()] for label, value, _ in _about_rows(framework, agency, cycle)]
        rows: list[Sequence[Sequence[object]]] = [
            about,
            [_RATINGS_COLUMNS, *_requirement_rows(framework)],
            [["# Actions"], _ACTIONS_COLUMNS],
        ]
        write_text_atomically(path, _csv_text(rows))
        return
    write_atomically(path, lambda tmp: _template_workbook(framework, agency, cycle).save(tmp))


def _book() -> tuple[Any, Any]:
    openpyxl = _openpyxl()
    book = openpyxl.Workbook()
    return openpyxl, book


def _sheet(
    book: Any, title: str, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]
) -> Any:
    """A sheet with a bold, frozen header row, set column widths and wrapped text."""
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]  # noqa: PLC0415

    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        if width >= 30:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    return sheet


def _drop_down(sheet: Any, cells: str, choices: Sequence[str], prompt: str, *, fallback: str = "") -> None:
    """A drop-down of ``choices``; of the cells ``fallback`` names when they do not fit Excel's inline list."""
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]  # noqa: PLC0415

    formula = '"' + ",".join(choices) + '"'
    if fallback and (len(formula) > 255 or any("," in c or '"' in c for c in choices)):
        formula = fallback
    rule = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning", prompt=prompt)
    rule.error = f"Expected one of: {', '.join(choices)}."
    sheet.add_data_validation(rule)
    rule.add(cells)


def _template_workbook(framework: Framework, agency: str | None, cycle: str | None) -> Any:
    from openpyxl.styles import Font, PatternFill  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    _, book = _book()
    book.remove(book.active)
    rows = [(label, value or None, notes) for label, value, notes in _about_rows(framework, agency, cycle)]
    about = _sheet(book, _ABOUT, _ABOUT_COLUMNS, rows, (22, 40, 70))
    for row in (4, 5):  # framework and version: filled in by sgassure
        about.cell(row=row, column=2).fill = PatternFill("solid", fgColor="E7E6E6")
        about.cell(row=row, column=2).font = Font(italic=True, color="595959")
    about.cell(row=6, column=2).number_format = "yyyy-mm-dd"
    requirements = _requirement_rows(framework)
    last = len(requirements) + 1 + _EXTRA_ROWS
    ratings = _sheet(book, _RATINGS, _RATINGS_COLUMNS, requirements, (9, 30, 12, 60, 12, 14, 30, 40, 50, 14, 14, 12))
    ratings.column_dimensions["C"].number_format = "@"
    for column in ("J", "K"):
        ratings.column_dimensions[column].number_format = "yyyy-mm-dd"
    levels = framework.scale.level_ids
    on_sheet = f"{_LEVELS}!$A$2:$A${len(levels) + 1}"
    _drop_down(ratings, f"E2:E{last}", levels, "A level from the Levels sheet.", fallback=on_sheet)
    _drop_down(ratings, f"F2:F{last}", ("yes", "no"), "yes if the requirement does not apply; give a reason.")
    months = DataValidation(type="whole", operator="greaterThan", formula1="0", allow_blank=True, errorStyle="warning")
    months.error = "A whole number of months, 1 or more."
    ratings.add_data_validation(months)
    months.add(f"L2:L{last}")
    actions = _sheet(book, _ACTIONS, _ACTIONS_COLUMNS, (), (10, 14, 50, 30, 12, 14, 12, 40))
    actions.column_dimensions["B"].number_format = "@"
    for column in ("E", "G"):
        actions.column_dimensions[column].number_format = "yyyy-mm-dd"
    _drop_down(actions, f"F2:F{1 + _EXTRA_ROWS}", [s.value for s in ActionStatus], "The status as of the status date.")
    scale = [
        (lv.id, lv.label, "; ".join(lv.aliases), lv.description, _compliance(framework, lv.id))
        for lv in framework.scale.levels
    ]
    _sheet(book, _LEVELS, _LEVELS_COLUMNS, scale, (12, 24, 24, 60, 24))
    return book


def read_return(
    path: str | os.PathLike[str], *, framework: Framework, agency: str | None = None, cycle: str | None = None
) -> SelfAssessment:
    """Read an agency's return from a filled template (``.xlsx``) or the ``.csv`` form.

    Rows of one requirement are merged: each row gives one evidence item, and
    the level, not applicable, reason and comment may be given on any of them
    (blank on the others, or the same). A row with no answer at all (the
    template's pre-filled requirement columns only) gives no rating, as a YAML
    return that leaves the requirement out (a return that answers none is
    refused); a wholly empty row is ignored.
    Levels may be written as the scale's ids, labels or aliases (``Amber``);
    the level id is stored. Moderation is the board's and is not part of a return.

    Args:
        path: the ``.xlsx`` or ``.csv`` file.
        framework: the catalog version the return answers (its About sheet must name it).
        agency: the agency's id; required when About leaves it blank, and must match it otherwise.
        cycle: the audit cycle's id; likewise.

    Returns:
        The self-assessment, with ratings and actions in the order of their first rows.

    Raises:
        LoadError: every bad cell, located as ``file.xlsx:Sheet!C12`` or ``file.csv:line:column``.
        SgassureError: for ``.xlsx`` without openpyxl installed.

    Examples:
        >>> import contextlib, pathlib, tempfile
        >>> from sgassure import bundled_framework
        >>> s11 = bundled_framework("section-11", "2025")
        >>> with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        ...     write_template(s11, "return.csv", agency="wendmoor-police", cycle="s11-2025")
        ...     text = pathlib.Path("return.csv").read_text()
        ...     text = text.replace("# Submitted date:", "# Submitted date: 2025-04-25")
        ...     text = text.replace("# Completed by:", "# Completed by: Head of Public Protection")
        ...     _ = pathlib.Path("return.csv").write_text(text.replace('asks for.",,,,', 'asks for.",Amber,,,Late'))
        ...     sa = read_return("return.csv", framework=s11)
        ...     _ = pathlib.Path("return.csv").write_text(text.replace('asks for.",,,,', 'asks for.",Amberish,,,'))
        ...     read_return("return.csv", framework=s11)
        Traceback (most recent call last):
        ...
        sgassure.errors.LoadError: return.csv:43:5: Level: unknown level 'Amberish'; expected one of 'fully', \
'mostly', 'partly', 'not', or a label or alias on the Levels sheet; did you mean 'amber'?
        >>> [(r.requirement, r.level, r.comment) for r in sa.ratings]
        [('9.3', 'partly', 'Late')]
    """
    target = Path(path)
    reader = _Reader(framework, agency, cycle)
    if target.suffix.lower() == ".xlsx":
        return _read_xlsx(target, str(path), reader)
    if target.suffix.lower() == ".csv":
        return _read_csv(target, str(path), reader)
    raise _file_problem(str(path), "unsupported file type; a return is read from .xlsx or .csv")


# --- exports -------------------------------------------------------------------------------------------------------


def _masked(result: AuditResult, mask: bool) -> AuditResult:
    if not mask:
        return result
    return attrs.evolve(
        result,
        findings=tuple(
            attrs.evolve(
                f,
                message=mask_identifiers(f.message),
                decision=mask_identifiers(f.decision) if f.decision is not None else None,
            )
            for f in result.findings
        ),
        escalations=tuple(attrs.evolve(e, message=mask_identifiers(e.message)) for e in result.escalations),
    )


_ESCALATION_COLUMNS = ("finding", "concern", "body", "body_name", "agency", "route", "message")


def _escalation_rows(result: AuditResult, agency: str | None = None) -> list[list[object]]:
    return [
        [e.finding, e.concern, e.body, e.body_name, e.agency or "", " > ".join(e.route), e.message]
        for e in result.escalations
        if agency is None or e.agency == agency
    ]


def _write_book(path: str | os.PathLike[str], sheets: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> None:
    """An .xlsx of plain tables: the first row of each is its header."""

    def build(tmp: Path) -> None:
        _, book = _book()
        book.remove(book.active)
        for title, rows in sheets:
            header, body = rows[0], rows[1:]
            widths = [
                min(60, max([len(str(header[i])) + 2] + [len(str(r[i])) + 1 for r in body])) for i in range(len(header))
            ]
            _sheet(book, title, [str(h) for h in header], body, widths)
        book.save(tmp)

    write_atomically(path, build)


def write_findings(result: AuditResult, path: str | os.PathLike[str], *, mask: bool = True) -> None:
    """Write an audit's findings as ``.csv`` (the columns of ``render_audit(result, "csv")``) or ``.xlsx``.

    The workbook has a Findings sheet with those columns and an Escalations
    sheet. Messages are masked for personal identifiers unless ``mask=False``.
    The CSV is byte-identical for the same result; the file is written atomically.

    Args:
        result: the audit.
        path: where to write; ``.csv`` or ``.xlsx``.
        mask: mask personal identifiers in messages (the default).

    Raises:
        SgassureError: for another suffix, or ``.xlsx`` without openpyxl installed.

    Examples:
        >>> import datetime as dt, pathlib, tempfile
        >>> from sgassure import AuditResult
        >>> result = AuditResult(as_of=dt.date(2025, 9, 30), packs=(), findings=(), escalations=())
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_findings(result, pathlib.Path(folder) / "findings.csv")
        ...     print((pathlib.Path(folder) / "findings.csv").read_text(), end="")
        fingerprint,severity,pack,rule,status,agency,cycle,requirement,message,decision
    """
    suffix = _suffix(path, "findings")
    text = render_audit(_masked(result, mask), "csv")
    if suffix == ".csv":
        write_text_atomically(path, text)
        return
    findings = list(csv.reader(io.StringIO(text, newline="")))
    escalations: list[list[object]] = [list(_ESCALATION_COLUMNS), *_escalation_rows(_masked(result, mask))]
    _write_book(path, [("Findings", findings), ("Escalations", escalations)])


_SLICE_COLUMNS = (
    "cycle",
    "framework",
    "framework_version",
    "standard",
    "requirement",
    "self_level",
    "moderated_level",
    "effective_level",
    "below_threshold",
    "not_applicable",
    "evidence",
    "reason",
    "comment",
    "moderation_rationale",
)


def _slice_ratings(workspace: Workspace, result: AuditResult, agency: str, mask: bool) -> list[list[object]]:
    as_of = result.as_of
    hide: Callable[[str | None], str] = (lambda t: mask_identifiers(t or "")) if mask else (lambda t: t or "")
    rows: list[list[object]] = []
    for cycle in workspace.cycles:
        sa = next((a for a in workspace.assessments_for(cycle.id) if a.agency == agency), None)
        if cycle.opens > as_of or sa is None or sa.submitted > as_of:
            continue
        framework = workspace.framework_for(cycle)
        order = {r.id: i for i, (_, r) in enumerate(framework.requirements())}
        for rating in sorted(sa.ratings, key=lambda r: order.get(r.requirement, len(order))):
            effective = rating.effective_level(as_of)
            below = "" if effective is None else ("no" if framework.scale.is_compliant(effective) else "yes")
            moderated = rating.moderated_level(as_of)
            rationale = rating.moderation.rationale if moderated is not None and rating.moderation else None
            rows.append(
                [
                    cycle.id,
                    framework.id,
                    framework.version,
                    framework.standard_of(rating.requirement).id,
                    rating.requirement,
                    rating.level or "",
                    moderated or "",
                    effective or "",
                    below,
                    "yes" if rating.not_applicable else "no",
                    len(rating.evidence_on(as_of)),
                    hide(rating.reason),
                    hide(rating.comment),
                    hide(rationale),
                ]
            )
    return rows


def write_agency_slice(
    workspace: Workspace, result: AuditResult, agency: str, path: str | os.PathLike[str], *, mask: bool = True
) -> None:
    """Write one agency's own slice of an audit: its ratings in every cycle, its findings and escalations.

    Ratings are those of the agency's returns visible as at the audit's date
    (cycles opened and returns submitted by then), by cycle and catalog order,
    with the self, moderated and effective level, whether the effective level
    is below threshold, and the number of evidence items recorded by then.
    Findings are those whose subject is the agency, escalations those about it,
    in the audit's order. ``.xlsx`` has the sheets Ratings, Findings and
    Escalations; ``.csv`` has the same three tables as sections, each after a
    ``# Ratings`` / ``# Findings`` / ``# Escalations`` line (see
    ``docs/spreadsheets.md``). Free text is masked for personal identifiers
    unless ``mask=False``. The CSV is byte-identical for the same input.

    Args:
        workspace: the workspace the audit ran over.
        result: the audit.
        agency: the agency's id.
        path: where to write; ``.csv`` or ``.xlsx``.
        mask: mask personal identifiers in free text (the default).

    Raises:
        SgassureError: for an agency not in the partnership, another suffix, or
            ``.xlsx`` without openpyxl installed.

    Examples:
        >>> import datetime as dt, pathlib, tempfile
        >>> from sgassure import AuditResult, example_workspace_path, load_workspace
        >>> ws = load_workspace(example_workspace_path())
        >>> result = AuditResult(as_of=dt.date(2025, 9, 30), packs=(), findings=(), escalations=())
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_agency_slice(ws, result, "wendmoor-police", pathlib.Path(folder) / "police.csv")
        ...     lines = (pathlib.Path(folder) / "police.csv").read_text().splitlines()
        >>> lines[:4]
        ['# Agency: wendmoor-police', '# As at: 2025-09-30', '', '# Ratings']
        >>> lines[5].split(",")[:9]
        ['s11-2023', 'section-11', '2023', '1', '1.1', 'fully', '', 'fully', 'no']
    """
    agencies = [a.id for a in workspace.partnership.agencies]
    if agency not in agencies:
        raise SgassureError(f"unknown agency {agency!r}{did_you_mean(agency, agencies)}")
    suffix = _suffix(path, "an agency's slice")
    shown = _masked(result, mask)
    ratings: list[list[object]] = [list(_SLICE_COLUMNS), *_slice_ratings(workspace, result, agency, mask)]
    text = render_audit(
        attrs.evolve(shown, findings=tuple(f for f in shown.findings if f.subject.get("agency") == agency)), "csv"
    )
    findings: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    escalations: list[list[object]] = [list(_ESCALATION_COLUMNS), *_escalation_rows(shown, agency)]
    if suffix == ".xlsx":
        _write_book(path, [("Ratings", ratings), ("Findings", findings), ("Escalations", escalations)])
        return
    head: list[list[object]] = [[f"# Agency: {agency}"], [f"# As at: {result.as_of.isoformat()}"], []]
    sections: list[list[list[object]]] = [
        head,
        [["# Ratings"], *ratings, []],
        [["# Findings"], *findings, []],
        [["# Escalations"], *escalations],
    ]
    write_text_atomically(path, _csv_text(sections))
