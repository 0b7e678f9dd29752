"""What ``sgassure appraise`` reports, and the report as a JSON document.

:class:`Report` holds everything the command shows, computed once by
:func:`build_report` (score, re-check, sensitivity and completeness check as
the command's options ask); :func:`report_to_json` turns it into the JSON
document of ``schemas/appraisal.schema.json``. The text, Markdown and CSV
renderings are in :mod:`sgassure._appraisal_render`, the command in
:mod:`sgassure._cli_appraise`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs

from sgassure import _scoring
from sgassure.appraisal import (
    DISPLAY_PLACES,
    Appraisal,
    AppraisalResult,
    Sensitivity,
    TableRecheck,
    analyse_sensitivity,
    check_appraisal,
    recheck_table,
    score_appraisal,
)
from sgassure.errors import SgassureError
from sgassure.findings import Finding
from sgassure.report import finding_to_json

SCHEMA_VERSION = 1


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
