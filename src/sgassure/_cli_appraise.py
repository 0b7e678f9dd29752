"""The ``sgassure appraise`` command: an option appraisal's results, re-check, sensitivity and findings.

``sgassure appraise FILE [--format text|json|csv|md] [--sensitivity] [--check] [--seed N] [--samples N]
[--fail-on SEVERITY] [--out FILE]``

Prints the results table in the published layout (criteria as rows, options as
columns, group subtotals, totals and ranks), the scores and any disagreement
between scorers, the re-check of a published table when the file has one,
the sensitivity analysis with ``--sensitivity`` and the completeness findings
with ``--check`` (or ``--fail-on``).

Exit codes, as for ``sgassure audit``: 0 clean; 1 when a finding is at or above
``--fail-on``; 2 for bad input or usage (:class:`~sgassure.errors.LoadError` and
:class:`~sgassure.errors.SgassureError` reach the caller, which prints them).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs

from sgassure import _scoring
from sgassure._files import write_output
from sgassure.appraisal import (
    DISPLAY_PLACES,
    Appraisal,
    AppraisalResult,
    Sensitivity,
    TableRecheck,
    analyse_sensitivity,
    check_appraisal,
    load_appraisal,
    recheck_table,
    score_appraisal,
)
from sgassure.errors import SgassureError
from sgassure.findings import Finding
from sgassure.report import finding_to_json
from sgassure.rules import Severity

SCHEMA_VERSION = 1
FORMATS = ("text", "json", "csv", "md")
CSV_COLUMNS = ("section", "group", "criterion", "option", "exact", "display", "note")


@attrs.frozen(kw_only=True)
class Report:
    """Everything ``sgassure appraise`` shows, computed once for every format."""

    appraisal: Appraisal
    result: AppraisalResult | None
    unscored: str | None
    recheck: TableRecheck | None
    sensitivity: Sensitivity | None
    findings: tuple[Finding, ...] | None


def build_report(
    appraisal: Appraisal,
    *,
    sensitivity: bool = False,
    check: bool = False,
    seed: int | None = None,
    samples: int | None = None,
) -> Report:
    """Score, re-check, analyse and check an appraisal as the command's options ask.

    Raises:
        SgassureError: sensitivity is asked for and the appraisal cannot be scored.
    """
    try:
        result: AppraisalResult | None = score_appraisal(appraisal)
        unscored = None
    except SgassureError as exc:
        if sensitivity:
            raise
        result, unscored = None, str(exc)
    return Report(
        appraisal=appraisal,
        result=result,
        unscored=unscored,
        recheck=recheck_table(appraisal) if appraisal.published is not None else None,
        sensitivity=analyse_sensitivity(appraisal, seed=seed, samples=samples, result=result)
        if sensitivity and result is not None
        else None,
        findings=check_appraisal(appraisal) if check else None,
    )


# --- JSON -------------------------------------------------------------------------------------------------------


def _figure(value: Fraction, places: int = DISPLAY_PLACES) -> dict[str, str]:
    return {"exact": _scoring.exact(value), "display": _scoring.show(value, places)}


def _share(value: Fraction) -> dict[str, str]:
    return {"exact": _scoring.exact(value), "display": _scoring.show_percent(value)}


def _optional(value: Fraction | None) -> str | None:
    return None if value is None else _scoring.exact(value)


def _results_json(a: Appraisal, r: AppraisalResult) -> dict[str, Any]:
    groups = []
    for g in a.groups:
        criteria = []
        for c in g.criteria:
            applicable = c.id in r.weights
            criteria.append(
                {
                    "id": c.id,
                    "label": c.label,
                    "applicable": applicable,
                    "reason": c.reason,
                    "weight_written": c.weight.written if c.weight else None,
                    "weight": _share(r.weights[c.id]) if applicable else None,
                    "scores": {o: _figure(r.scores[c.id][o]) for o in r.options} if applicable else None,
                    "weighted": {o: _figure(r.weighted[c.id][o]) for o in r.options} if applicable else None,
                }
            )
        provenance = g.provenance or a.weights_provenance
        groups.append(
            {
                "id": g.id,
                "label": g.label,
                "provenance": None
                if provenance is None
                else {
                    "of": "group" if g.provenance is not None else "appraisal",
                    "set_by": provenance.set_by,
                    "method": provenance.method,
                    "date": provenance.date.isoformat(),
                    "dissent": [{"by": d.by, "note": d.note} for d in provenance.dissent],
                },
                "shortfall": g.shortfall.value,
                "weight_sum": _share(r.weight_sums[g.id]),
                "group_weight": _share(r.group_weights[g.id]),
                "criteria": criteria,
                "subtotals": {o: _figure(r.subtotals[g.id][o]) for o in r.options},
            }
        )
    return {
        "source": r.source.value,
        "aggregation": a.scorers.aggregation.value if a.scorers else None,
        "sheets": len(a.scorers.sheets) if a.scorers else None,
        "combination": a.combination.value,
        "groups": groups,
        "totals": {o: _figure(r.totals[o]) for o in r.options},
        "ranks": dict(r.ranks),
        "leader": r.leader,
        "disagreements": [
            {
                "criterion": d.criterion,
                "option": d.option,
                "spread": _scoring.exact(d.spread),
                "limit": _scoring.exact(d.limit),
                "scores": [{"scorer": s, "score": _scoring.exact(v)} for s, v in d.scores],
            }
            for d in r.disagreements
        ],
    }


def _recheck_json(t: TableRecheck) -> dict[str, Any]:
    return {
        "source": t.source,
        "figures": t.figures,
        "discrepancies": [
            {
                "key": d.key,
                "figure": d.figure.value,
                "group": d.group,
                "criterion": d.criterion,
                "option": d.option,
                "printed": d.printed,
                "expected": d.expected,
                "message": d.message,
                "location": None if d.location is None else str(d.location),
            }
            for d in t.discrepancies
        ],
        "implied_scores": [
            {
                "criterion": s.criterion,
                "option": s.option,
                "low": None if s.interval is None else _scoring.exact(s.interval.low),
                "high": None if s.interval is None else _scoring.exact(s.interval.high),
                "points": None if s.points is None else [_scoring.exact(p) for p in s.points],
            }
            for s in t.implied_scores
        ],
        "implied_weights": [
            {
                "criterion": w.criterion,
                "low": None if w.interval is None else _scoring.exact(w.interval.low),
                "high": None if w.interval is None else _scoring.exact(w.interval.high),
            }
            for w in t.implied_weights
        ],
    }


def _sensitivity_json(s: Sensitivity) -> dict[str, Any]:
    stability = s.stability
    return {
        "leader": s.leader,
        "runner_up": s.runner_up,
        "margin": _optional(s.margin),
        "noise": {
            "rounding": _scoring.exact(s.rounding_noise),
            "weights": _scoring.exact(s.weights_noise),
            "total": _scoring.exact(s.noise),
        },
        "weight_switches": [
            {
                "group": w.group,
                "criterion": w.criterion,
                "weight": _scoring.exact(w.weight),
                "rise": _optional(w.rise),
                "rise_rivals": list(w.rise_rivals),
                "fall": _optional(w.fall),
                "fall_rivals": list(w.fall_rivals),
                "alone": w.alone,
            }
            for w in s.weight_switches
        ],
        "score_switches": [
            {
                "criterion": x.criterion,
                "option": x.option,
                "score": _scoring.exact(x.score),
                "change": _optional(x.change),
                "rivals": list(x.rivals),
            }
            for x in s.score_switches
        ],
        "stability": None
        if stability is None
        else {
            "samples": stability.samples,
            "seed": stability.seed,
            "band": _scoring.exact(stability.band),
            "first": dict(stability.first),
            "first_alone": dict(stability.first_alone),
        },
        "preferred": s.preferred,
        "robust": s.robust,
        "reasons": list(s.reasons),
    }


def report_to_json(report: Report) -> dict[str, Any]:
    """The JSON document (schema: ``schemas/appraisal.schema.json``), with ``schema_version``."""
    a = report.appraisal
    return {
        "schema_version": SCHEMA_VERSION,
        "appraisal": {
            "id": a.id,
            "title": a.title,
            "programme": a.programme,
            "event": a.event.isoformat() if a.event else None,
        },
        "options": [
            {
                "id": o.id,
                "label": o.label,
                "role": o.role.value,
                "dimensions": [d.value for d in o.dimensions],
                "shortlisted": o.shortlisted,
                "shortlist_reason": o.shortlist_reason,
            }
            for o in a.options
        ],
        "results": None if report.result is None else _results_json(a, report.result),
        "unscored": report.unscored,
        "recheck": None if report.recheck is None else _recheck_json(report.recheck),
        "sensitivity": None if report.sensitivity is None else _sensitivity_json(report.sensitivity),
        "findings": None if report.findings is None else [finding_to_json(f) for f in report.findings],
    }


# --- Text and Markdown ----------------------------------------------------------------------------------------

_LABEL_WIDTH = 46


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _role(a: Appraisal, option: str) -> str:
    role = a.option(option).role.value
    return "" if role == "other" else f" ({role.replace('-', ' ')})"


def _layout(a: Appraisal, r: AppraisalResult) -> list[tuple[str, str, list[str]]]:
    """The results table as rows of (label, weight, cells): criteria as rows, options as columns."""
    rows: list[tuple[str, str, list[str]]] = []
    for g in a.groups:
        heading = g.label
        if a.combination.value == "weighted":
            heading += f" (group weight {_scoring.show_percent(r.group_weights[g.id])})"
        rows.append((heading, "", []))
        for c in g.criteria:
            label = f"  {c.id} {c.label}"
            if c.id in r.weights:
                rows.append(
                    (
                        label,
                        _scoring.show_percent(r.weights[c.id]),
                        [_scoring.show(r.weighted[c.id][o]) for o in r.options],
                    )
                )
            else:
                rows.append((label, "N/A", ["N/A"] * len(r.options)))
        how = "" if r.weight_sums[g.id] == 1 else f" ({g.shortfall.value})"
        rows.append(
            (
                f"  Subtotal{how}",
                _scoring.show_percent(r.weight_sums[g.id]),
                [_scoring.show(r.subtotals[g.id][o]) for o in r.options],
            )
        )
    rows.append(("Total", "", [_scoring.show(r.totals[o]) for o in r.options]))
    rows.append(("Rank", "", [str(r.ranks[o]) for o in r.options]))
    return rows


def _scores_layout(a: Appraisal, r: AppraisalResult) -> list[tuple[str, str, list[str]]]:
    rows: list[tuple[str, str, list[str]]] = []
    for g in a.groups:
        rows.append((f"{g.label} (scale {g.scale.min} to {g.scale.max})", "", []))
        for c in g.criteria:
            cells = [_decimal(r.scores[c.id][o]) for o in r.options] if c.id in r.weights else ["N/A"] * len(r.options)
            rows.append((f"  {c.id} {c.label}", "", cells))
    return rows


def _decimal(value: Fraction) -> str:
    for places in range(5):
        if (value * 10**places).denominator == 1:
            return _scoring.show(value, places)
    return "~" + _scoring.show(value, 4)


def _grid(options: tuple[str, ...], rows: list[tuple[str, str, list[str]]], *, weights: bool = True) -> list[str]:
    widths = [max(len(o), 6) for o in options]
    label = min(max(len(row[0]) for row in rows), _LABEL_WIDTH)
    weight = f"  {'Weight':>7}" if weights else ""
    lines = [(f"{'':{label}}{weight}" + "".join(f"  {o:>{w}}" for o, w in zip(options, widths, strict=True))).rstrip()]
    for text, share, cells in rows:
        line = f"{_cut(text, label):{label}}" + (f"  {share:>7}" if weights else "")
        line += "".join(f"  {c:>{w}}" for c, w in zip(cells, widths, strict=False))
        lines.append(line.rstrip())
    return lines


def _provenance_lines(a: Appraisal) -> list[str]:
    lines = []
    for g in a.groups:
        p = g.provenance or a.weights_provenance
        if p is None:
            lines.append(f"{g.label}: no provenance recorded")
            continue
        lines.append(f"{g.label}: set by {p.set_by} on {p.date.isoformat()} ({p.method})")
        lines += [f"  dissent: {d.by}: {d.note}" for d in p.dissent]
    return lines


def _source_text(a: Appraisal, r: AppraisalResult) -> str:
    if r.source.value == "scorers" and a.scorers is not None:
        return f"{a.scorers.aggregation.value} of {len(a.scorers.sheets)} scorers' sheets"
    if r.source.value == "published":
        return "implied by the published table (each pinned to one scale point)"
    return "raw scores as recorded"


def _switch_lines(a: Appraisal, s: Sensitivity) -> list[str]:
    lines = ["  Switching values of weights (the rest of each group rescaled to keep its sum):"]
    for w in s.weight_switches:
        if w.alone:
            lines.append(f"    {w.criterion:8} {_scoring.show_percent(w.weight):>6}  the only weight in its group")
            continue
        parts = []
        for name, change, to, rivals in (
            ("rise", w.rise, w.rise_to, w.rise_rivals),
            ("fall", w.fall, w.fall_to, w.fall_rivals),
        ):
            if change is None or to is None:
                parts.append(f"{name}: none")
            else:
                parts.append(
                    f"{name}: {_scoring.show(change * 100, 2)} points to {_scoring.show_percent(to, 2)} "
                    f"({', '.join(rivals)} level)"
                )
        lines.append(f"    {w.criterion:8} {_scoring.show_percent(w.weight):>6}  " + "; ".join(parts))
    reachable = sorted(
        (x for x in s.score_switches if x.change is not None), key=lambda x: (abs(x.change or 0), x.criterion, x.option)
    )
    lines.append("  Switching values of scores (within each scale, smallest first):")
    for x in reachable:
        assert x.change is not None
        assert x.to is not None
        names = ", ".join(x.rivals)
        lines.append(
            f"    {x.option} on {x.criterion}: {_decimal(x.score)} -> {_decimal(x.to)} "
            f"({'+' if x.change > 0 else ''}{_decimal(x.change)}): {names} level with {s.leader}"
            if x.option != s.leader
            else f"    {x.option} on {x.criterion}: {_decimal(x.score)} -> {_decimal(x.to)} "
            f"({_decimal(x.change)}): {names} level"
        )
    others = len(s.score_switches) - len(reachable)
    if others:
        lines.append(f"    {others} other scores cannot displace {s.leader} within their scale")
    return lines


def _sensitivity_text(a: Appraisal, r: AppraisalResult, s: Sensitivity) -> list[str]:
    lines = ["", "Sensitivity"]
    if s.leader is None:
        top = ", ".join(o for o in r.options if r.ranks[o] == 1)
        lines.append(f"  The first rank is shared ({top}): no switching values")
    else:
        assert s.margin is not None
        within = "within" if s.margin <= s.noise else "above"
        lines.append(
            f"  Leader {s.leader} ({_scoring.show(r.totals[s.leader])}), runner-up {s.runner_up} "
            f"({_scoring.show(r.totals[s.runner_up or s.leader])}): lead {_decimal(s.margin)}"
        )
        lines.append(
            f"  Precision of the inputs: {_decimal(s.noise)} (rounding {_decimal(s.rounding_noise)}, "
            f"weights {_decimal(s.weights_noise)}): the lead is {within} the noise"
        )
        lines += _switch_lines(a, s)
    if s.stability is not None:
        st = s.stability
        lines.append(
            f"  Rank stability: {st.samples} samples, each weight within ±{_decimal(st.band * 100)}% of "
            f"itself (seed {st.seed}); share ranked first (alone):"
        )
        for o in sorted(r.options, key=lambda o: (-st.first[o], r.options.index(o))):
            lines.append(
                f"    {o:{max(len(x) for x in r.options)}}  {_scoring.show_percent(st.share(o)):>6}  "
                f"({_scoring.show_percent(Fraction(st.first_alone[o], st.samples or 1))})"
            )
    if s.robust is None:
        lines.append(f"  Robustness: {s.reasons[0]}")
    elif s.robust:
        lines.append(f"  Preferred option {s.preferred}: a robust choice")
    else:
        lines.append(f"  Preferred option {s.preferred}: NOT a robust choice")
        lines += [f"    - {reason}" for reason in s.reasons]
    return lines


def _recheck_text(t: TableRecheck) -> list[str]:
    lines = ["", f"Published table re-checked ({t.source}): {t.figures} figures, {len(t.discrepancies)} do not follow"]
    for d in t.discrepancies:
        where = f"{d.location}: " if d.location is not None else ""
        lines.append(f"  {where}{d.message}")
    lines.append("  Weights the table implies (printed weight and row alone):")
    lines += [f"    {w.criterion:8} {w.interval if w.interval is not None else 'none'}" for w in t.implied_weights]
    loose = [s for s in t.implied_scores if not (s.points is not None and len(s.points) == 1)]
    if loose:
        lines.append("  Raw scores the table leaves open:")
        lines += [f"    {s.option} on {s.criterion}: {s.describe()}" for s in loose]
    else:
        lines.append("  Raw scores: every printed weighted score pins one point of its scale")
    return lines


def _findings_text(findings: tuple[Finding, ...]) -> list[str]:
    lines = ["", f"Completeness check: {len(findings)} findings"]
    for f in findings:
        lines.append(f"{f.severity.value.upper():8} {f.rule}: {f.message}")
        lines += [f"         - {line}" for line in f.explanation.lines()]
    return lines


def render_text(report: Report) -> str:
    """The report for a terminal: the published layout, then re-check, sensitivity and findings."""
    a, r = report.appraisal, report.result
    lines = [f"{a.title} ({a.id})"]
    lines.append(f"Programme: {a.programme}" + (f"; appraisal event {a.event.isoformat()}" if a.event else ""))
    if r is None:
        lines.append(f"Not scored: {report.unscored}")
    else:
        lines.append(f"Scores: {_source_text(a, r)}; figures exact, shown rounded half-up to 2 decimals")
        lines += ["", "Options (short list):"]
        lines += [f"  {o:{max(len(x) for x in r.options)}}  {a.option(o).label}{_role(a, o)}" for o in r.options]
        lines += ["", "Weighted scores", *_grid(r.options, _layout(a, r))]
        lines += ["", "Weights", *[f"  {line}" for line in _provenance_lines(a)]]
        lines += ["", "Scores", *_grid(r.options, _scores_layout(a, r), weights=False)]
        if r.disagreements:
            limit = r.disagreements[0].limit
            lines += ["", f"Scorers disagree (spread above {_decimal(limit)}):"]
            for d in r.disagreements:
                spread = ", ".join(f"{_decimal(v)} {who}" for who, v in d.scores)
                lines.append(f"  {d.option} on {d.criterion}: spread {_decimal(d.spread)} ({spread})")
    if report.recheck is not None:
        lines += _recheck_text(report.recheck)
    if report.sensitivity is not None and r is not None:
        lines += _sensitivity_text(a, r, report.sensitivity)
    if report.findings is not None:
        lines += _findings_text(report.findings)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    """The report as Markdown: the results table in the published layout, then the other sections."""
    a, r = report.appraisal, report.result
    lines = [f"# {_md(a.title)}", "", f"Programme: {_md(a.programme)}"]
    if a.event:
        lines[-1] += f"; appraisal event {a.event.isoformat()}"
    if r is None:
        lines += ["", f"Not scored: {_md(report.unscored or '')}"]
    else:
        lines += ["", f"Scores: {_source_text(a, r)}. Figures are exact and shown rounded half-up to 2 decimals.", ""]
        lines += ["## Weighted scores", ""]
        head = [a.option(o).label for o in r.options]
        lines.append("| Criterion | Weight | " + " | ".join(_md(h) for h in head) + " |")
        lines.append("|---|---:|" + "---:|" * len(head))
        for text, weight, cells in _layout(a, r):
            label = f"**{_md(text.strip())}**" if not cells or text in ("Total", "Rank") else _md(text.strip())
            lines.append(f"| {label} | {weight} | " + " | ".join(cells or [""] * len(head)) + " |")
        lines += ["", "## Weights", ""]
        lines += [f"    {_md(line)}" if line.startswith("  ") else f"- {_md(line)}" for line in _provenance_lines(a)]
        if r.disagreements:
            lines += ["", "## Scorers' disagreements", ""]
            for d in r.disagreements:
                spread = ", ".join(f"{_decimal(v)} ({_md(who)})" for who, v in d.scores)
                lines.append(f"- {d.option} on {d.criterion}: spread {_decimal(d.spread)}: {spread}")
    if report.recheck is not None:
        t = report.recheck
        lines += [
            "",
            "## Published table re-checked",
            "",
            f"{_md(t.source)}: {t.figures} figures, {len(t.discrepancies)} do not follow.",
            "",
        ]
        if t.discrepancies:
            lines += ["| Figure | Printed | Expected | Where |", "|---|---:|---|---|"]
            lines += [f"| {d.key} | {d.printed} | {_md(d.expected)} | {d.location or ''} |" for d in t.discrepancies]
    if report.sensitivity is not None and r is not None:
        lines += ["", "## Sensitivity", ""]
        # Sub-lines become a nested list: indented plain lines would join the item above into one paragraph.
        lines += [
            f"    - {_md(line.strip().removeprefix('- '))}" if line.startswith("    ") else f"- {_md(line.strip())}"
            for line in _sensitivity_text(a, r, report.sensitivity)[2:]
        ]
    if report.findings is not None:
        lines += ["", "## Completeness check", ""]
        if report.findings:
            lines += ["| Severity | Rule | Finding |", "|---|---|---|"]
            lines += [f"| {f.severity.value} | {f.rule} | {_md(f.message)} |" for f in report.findings]
        else:
            lines.append("No findings.")
    return "\n".join(lines) + "\n"


def render_csv(report: Report) -> str:
    """Every figure as one row (``section,group,criterion,option,exact,display,note``); findings are not included."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    a, r = report.appraisal, report.result
    if r is not None:
        for g in a.groups:
            writer.writerow(
                [
                    "weight-sum",
                    g.id,
                    "",
                    "",
                    _scoring.exact(r.weight_sums[g.id]),
                    _scoring.show_percent(r.weight_sums[g.id]),
                    g.shortfall.value,
                ]
            )
            for c in g.criteria:
                if c.id not in r.weights:
                    writer.writerow(["weight", g.id, c.id, "", "", "N/A", c.reason or ""])
                    continue
                writer.writerow(
                    [
                        "weight",
                        g.id,
                        c.id,
                        "",
                        _scoring.exact(r.weights[c.id]),
                        _scoring.show_percent(r.weights[c.id]),
                        c.weight.written if c.weight else "",
                    ]
                )
                for o in r.options:
                    writer.writerow(
                        ["score", g.id, c.id, o, _scoring.exact(r.scores[c.id][o]), _decimal(r.scores[c.id][o]), ""]
                    )
                    writer.writerow(
                        [
                            "weighted",
                            g.id,
                            c.id,
                            o,
                            _scoring.exact(r.weighted[c.id][o]),
                            _scoring.show(r.weighted[c.id][o]),
                            "",
                        ]
                    )
            for o in r.options:
                writer.writerow(
                    [
                        "subtotal",
                        g.id,
                        "",
                        o,
                        _scoring.exact(r.subtotals[g.id][o]),
                        _scoring.show(r.subtotals[g.id][o]),
                        "",
                    ]
                )
        for o in r.options:
            writer.writerow(["total", "", "", o, _scoring.exact(r.totals[o]), _scoring.show(r.totals[o]), ""])
        for o in r.options:
            writer.writerow(["rank", "", "", o, str(r.ranks[o]), str(r.ranks[o]), ""])
    if report.recheck is not None:
        for d in report.recheck.discrepancies:
            writer.writerow(
                ["discrepancy", d.group or "", d.criterion or "", d.option or "", d.expected, d.printed, d.message]
            )
    s = report.sensitivity
    if s is not None:
        if s.margin is not None:
            writer.writerow(
                ["margin", "", "", s.leader or "", _scoring.exact(s.margin), _decimal(s.margin), s.runner_up or ""]
            )
            writer.writerow(
                [
                    "noise",
                    "",
                    "",
                    "",
                    _scoring.exact(s.noise),
                    _decimal(s.noise),
                    f"rounding {_scoring.exact(s.rounding_noise)}; weights {_scoring.exact(s.weights_noise)}",
                ]
            )
        for w in s.weight_switches:
            for name, change, rivals in (("rise", w.rise, w.rise_rivals), ("fall", w.fall, w.fall_rivals)):
                writer.writerow(
                    [
                        f"weight-switch-{name}",
                        w.group,
                        w.criterion,
                        "",
                        "" if change is None else _scoring.exact(change),
                        "" if change is None else _scoring.show(change * 100, 2),
                        " ".join(rivals),
                    ]
                )
        for x in s.score_switches:
            writer.writerow(
                [
                    "score-switch",
                    "",
                    x.criterion,
                    x.option,
                    "" if x.change is None else _scoring.exact(x.change),
                    "" if x.change is None else _decimal(x.change),
                    " ".join(x.rivals),
                ]
            )
        if s.stability is not None:
            for o, count in s.stability.first.items():
                writer.writerow(
                    [
                        "first",
                        "",
                        "",
                        o,
                        str(count),
                        _scoring.show_percent(s.stability.share(o)),
                        f"of {s.stability.samples}; alone {s.stability.first_alone[o]}",
                    ]
                )
    return out.getvalue()


def render(report: Report, fmt: str) -> str:
    """Render the report in one of :data:`FORMATS`.

    Raises:
        ValueError: for an unknown format.
    """
    renderers: dict[str, Callable[[Report], str]] = {
        "text": render_text,
        "json": lambda rep: json.dumps(report_to_json(rep), indent=2, ensure_ascii=False) + "\n",
        "csv": render_csv,
        "md": render_markdown,
    }
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return renderers[fmt](report)


# --- The command ----------------------------------------------------------------------------------------------


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more; got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number; got {text!r}") from None


def add_parser(subparsers: Any) -> None:
    """Add the ``appraise`` command to an argparse subparsers object (its parser class is the caller's)."""
    p = subparsers.add_parser("appraise", help="score an option appraisal; sensitivity and completeness checks")
    p.add_argument("file", help="the appraisal file (YAML)")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    p.add_argument("--sensitivity", action="store_true", help="switching values, lead against noise, rank stability")
    p.add_argument("--check", action="store_true", help="the completeness check (Green Book and Gateway practice)")
    p.add_argument("--seed", type=_seed, help="Monte Carlo seed (default: the file's sensitivity.seed)")
    p.add_argument("--samples", type=_count, help="Monte Carlo samples (default: the file's; 0 skips)")
    p.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="exit 1 when a completeness finding is at or above this severity (implies --check)",
    )
    p.add_argument("--out", help="write the output to this file (atomically) instead of stdout")


def run(args: argparse.Namespace) -> int:
    """Run ``sgassure appraise``: 0 clean, 1 when a finding reaches ``--fail-on``.

    Raises:
        LoadError: the appraisal file does not load.
        SgassureError: sensitivity was asked for and the appraisal cannot be scored.
    """
    appraisal = load_appraisal(args.file)
    check = bool(args.check or args.fail_on)
    report = build_report(appraisal, sensitivity=args.sensitivity, check=check, seed=args.seed, samples=args.samples)
    write_output(render(report, args.format), args.out)
    if args.fail_on and report.findings:
        bar = Severity(args.fail_on).rank
        if any(f.severity.rank >= bar for f in report.findings):
            return 1
    return 0
