"""Renderers: audit results as text, JSON, CSV or Markdown.

Every renderer is a pure function from typed results to a string; the command
line writes it. Messages are masked for personal identifiers when the audit
runs (see :func:`sgassure.run_audit`); renderers add no free text of their own.

Examples:
    >>> import datetime as dt
    >>> from sgassure import AuditResult
    >>> empty = AuditResult(as_of=dt.date(2025, 9, 30), packs=("kpi",), findings=(), escalations=())
    >>> print(render_audit(empty, "text"))
    Audit as at 2025-09-30 (packs: kpi)
    No findings.
    <BLANKLINE>
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

from sgassure.findings import AuditResult, Escalation, Explanation, Finding
from sgassure.rules import Severity

__all__ = ["AUDIT_SCHEMA_VERSION", "FORMATS", "audit_to_json", "finding_to_json", "render_audit"]

AUDIT_SCHEMA_VERSION = 1
FORMATS = ("text", "json", "csv", "md")


def _explanation_to_json(explanation: Explanation) -> dict[str, Any]:
    return {
        "conditions": [
            {
                "alias": c.alias,
                "fact": c.fact,
                "field": c.field,
                "reading": c.reading,
                "test": c.test,
                "value": c.value,
            }
            for c in explanation.conditions
        ],
        "counted": list(explanation.counted),
        "absent": list(explanation.absent),
        "facts": list(explanation.facts),
    }


def finding_to_json(f: Finding) -> dict[str, Any]:
    """A finding as JSON-ready data: the one form every machine-readable output uses.

    Examples:
        >>> from sgassure import Explanation, Severity
        >>> f = Finding(pack="p", rule="r", title="t", severity=Severity.LOW, source="s",
        ...     subject={"agency": "a"}, message="m", explanation=Explanation(conditions=()))
        >>> finding_to_json(f)["fingerprint"]
        'p/r/agency=a'
    """
    return {
        "fingerprint": f.fingerprint,
        "pack": f.pack,
        "rule": f.rule,
        "title": f.title,
        "severity": f.severity.value,
        "source": f.source,
        "subject": dict(f.subject),
        "message": f.message,
        "status": f.status.value if f.status else None,
        "decision": f.decision,
        "explanation": _explanation_to_json(f.explanation),
    }


def _escalation_to_json(e: Escalation) -> dict[str, Any]:
    return {
        "finding": e.finding,
        "concern": e.concern,
        "body": e.body,
        "body_name": e.body_name,
        "agency": e.agency,
        "route": list(e.route),
        "message": e.message,
        "escalation_only": e.escalation_only,
        "pack": e.pack,
        "rule": e.rule,
        "title": e.title,
        "severity": e.severity.value if e.severity else None,
        "source": e.source,
        "subject": dict(e.subject),
        "status": e.status.value if e.status else None,
        "explanation": _explanation_to_json(e.explanation) if e.explanation else None,
    }


def audit_to_json(result: AuditResult, *, resolved: tuple[str, ...] = ()) -> dict[str, Any]:
    """The audit as JSON-ready data, with ``schema_version`` (schema: ``schemas/audit.schema.json``).

    Examples:
        >>> import datetime as dt
        >>> data = audit_to_json(AuditResult(as_of=dt.date(2025, 9, 30), packs=(), findings=(), escalations=()))
        >>> data["schema_version"], data["summary"]["by_severity"]
        (1, {'critical': 0, 'high': 0, 'medium': 0, 'low': 0, 'info': 0})
    """
    counts = Counter(f.severity for f in result.findings)
    return {
        "schema_version": AUDIT_SCHEMA_VERSION,
        "as_of": result.as_of.isoformat(),
        "packs": list(result.packs),
        "summary": {
            "findings": len(result.findings),
            "by_severity": {s.value: counts[s] for s in reversed(Severity)},
            "escalations": len(result.escalations),
            "accepted": sum(1 for f in result.findings if f.decision is not None),
            "resolved": len(resolved),
        },
        "findings": [finding_to_json(f) for f in result.findings],
        "escalations": [_escalation_to_json(e) for e in result.escalations],
        "resolved": list(resolved),
    }


def _subject(subject: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in subject.items())


def _text(result: AuditResult, resolved: tuple[str, ...]) -> str:
    lines = [f"Audit as at {result.as_of.isoformat()} (packs: {', '.join(result.packs)})"]
    if not result.findings:
        lines.append("No findings.")
    for f in result.findings:
        status = f" [{f.status.value}]" if f.status else ""
        lines.append(f"{f.severity.value.upper():8} {f.rule}{status}: {f.message}")
        lines.append(f"         subject: {_subject(f.subject)}; source: {f.source}")
        if f.decision:
            lines.append(f"         {f.decision}")
        lines += [f"         - {line}" for line in f.explanation.lines()]
    if result.escalations:
        lines += ["", "Escalations:"]
        for e in result.escalations:
            what = "escalation" if e.escalation_only else "finding"
            if e.agency is None:
                route = f"none needed: the {what} names no agency"
            else:
                route = " -> ".join([e.agency, *e.route]) if e.route else f"no route from {e.agency}"
            lines.append(f"  to {e.body_name} ({e.concern}): {e.message}")
            lines.append(f"     route: {route}")
            if e.escalation_only:
                severity = e.severity.value.upper() if e.severity else "no severity"
                status = f" [{e.status.value}]" if e.status else ""
                lines.append(f"     without a finding: {severity} {e.rule}{status}")
                lines.append(f"     subject: {_subject(e.subject)}; source: {e.source}")
                lines += [f"     - {line}" for line in (e.explanation.lines() if e.explanation else [])]
    if resolved:
        lines += ["", "Resolved since the previous audit:"] + [f"  {r}" for r in resolved]
    counts = Counter(f.severity.value for f in result.findings)
    summary = ", ".join(f"{counts[s.value]} {s.value}" for s in reversed(Severity) if counts[s.value])
    accepted = sum(1 for f in result.findings if f.decision is not None)
    if accepted:
        summary += f"; {accepted} accepted"
    alone = sum(1 for e in result.escalations if e.escalation_only)
    escalations = f"{len(result.escalations)} escalations" + (f" ({alone} without a finding)" if alone else "")
    if result.findings:
        lines += ["", f"{len(result.findings)} findings ({summary}); {escalations}"]
    elif result.escalations:
        lines += ["", f"0 findings; {escalations}"]
    return "\n".join(lines) + "\n"


# New columns go at the end, so a column keeps its place from one release to the next.
CSV_COLUMNS = (
    "fingerprint",
    "severity",
    "pack",
    "rule",
    "status",
    "agency",
    "cycle",
    "requirement",
    "message",
    "decision",
)


def _csv(result: AuditResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for f in result.findings:
        writer.writerow(
            [
                f.fingerprint,
                f.severity.value,
                f.pack,
                f.rule,
                f.status.value if f.status else "",
                f.subject.get("agency", ""),
                f.subject.get("cycle", ""),
                f.subject.get("requirement", ""),
                f.message,
                f.decision or "",
            ]
        )
    return out.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_escalated(e: Escalation) -> str:
    """The Finding cell of an escalation: its message, and for one without a finding, the rule and its severity."""
    if not e.escalation_only:
        return e.message
    severity = e.severity.value if e.severity else "no severity"
    return f"{e.message} (without a finding: {severity}, rule {e.rule}; subject {_subject(e.subject)})"


def _markdown(result: AuditResult, resolved: tuple[str, ...]) -> str:
    lines = [f"# Audit as at {result.as_of.isoformat()}", "", f"Packs: {', '.join(result.packs)}", ""]
    lines += ["## Findings", ""]
    if result.findings:
        lines += ["| Severity | Rule | Subject | Finding | Decision |", "|---|---|---|---|---|"]
        lines += [
            f"| {f.severity.value} | {f.rule} | {_md_cell(_subject(f.subject))} | {_md_cell(f.message)} "
            f"| {_md_cell(f.decision or '')} |"
            for f in result.findings
        ]
    else:
        lines.append("No findings.")
    if result.escalations:
        lines += ["", "## Escalations", "", "| To | Concern | Route | Finding |", "|---|---|---|---|"]
        lines += [
            f"| {_md_cell(e.body_name)} | {e.concern} | {' → '.join(e.route) or '—'} | {_md_cell(_md_escalated(e))} |"
            for e in result.escalations
        ]
    if resolved:
        lines += ["", "## Resolved since the previous audit", ""] + [f"- `{r}`" for r in resolved]
    return "\n".join(lines) + "\n"


def render_audit(result: AuditResult, fmt: str, *, resolved: tuple[str, ...] = ()) -> str:
    """Render an audit in one of :data:`FORMATS`.

    Every format shows a finding's decision when ``decisions.yaml`` accepts it
    (the text ``accepted by APPROVER on DATE[ until DATE]: JUSTIFICATION``):
    ``text`` on a line of its own under the finding, with the accepted findings
    counted in the closing summary; ``json`` as ``decision`` (and the count as
    ``summary.accepted``); ``csv`` in the ``decision`` column; ``md`` in the
    Decision column. A finding not accepted has no decision (empty; ``null`` in JSON).

    The CSV columns, in this order: ``fingerprint``, ``severity``, ``pack``,
    ``rule``, ``status``, ``agency``, ``cycle``, ``requirement``, ``message``,
    ``decision``. A column added in a later release goes at the end.

    Escalations are listed by ``text``, ``json`` and ``md``, each under the
    body that must act; CSV rows are findings only. An escalation of a rule
    that makes no finding (``escalation_only``) carries the rule, severity,
    subject and explanation itself: ``text`` shows them under it (with its
    ``--since`` status), ``md`` after its message, ``json`` in the fields that
    every escalation has. The ``text`` summary line then says how many
    escalations have no finding.

    Args:
        result: the audit.
        fmt: ``text``, ``json``, ``csv`` or ``md``.
        resolved: fingerprints of a previous audit's findings that are gone (see ``--since``).

    Returns:
        The rendering, ending in a newline.

    Raises:
        ValueError: for an unknown format.

    Examples:
        >>> import datetime as dt
        >>> print(render_audit(AuditResult(as_of=dt.date(2025, 9, 30), packs=(), findings=(), escalations=()), "csv"))
        fingerprint,severity,pack,rule,status,agency,cycle,requirement,message,decision
        <BLANKLINE>
    """
    if fmt == "json":
        return json.dumps(audit_to_json(result, resolved=resolved), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(result)
    if fmt == "md":
        return _markdown(result, resolved)
    if fmt == "text":
        return _text(result, resolved)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
