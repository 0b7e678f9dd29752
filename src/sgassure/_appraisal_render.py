"""The ``sgassure appraise`` report as text, Markdown and CSV.

Text and Markdown show the results table in the published layout (criteria as
rows, options as columns, group subtotals, totals and ranks), then the
re-check, sensitivity and findings sections; CSV gives every figure as one row
of :data:`CSV_COLUMNS`. The report itself and its JSON document are in
:mod:`sgassure._appraisal_report`.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction

from sgassure import _scoring
from sgassure._appraisal_report import Report
from sgassure.appraisal import Appraisal, AppraisalResult, Sensitivity, TableRecheck
from sgassure.findings import Finding

CSV_COLUMNS = ("section", "group", "criterion", "option", "exact", "display", "note")


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
    return _scoring.decimal_text(value, 4)


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


# --- CSV ------------------------------------------------------------------------------------------------------


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
