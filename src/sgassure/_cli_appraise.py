"""The ``sgassure appraise`` command: an option appraisal's results, re-check, sensitivity and findings.

``sgassure appraise FILE [--format text|json|csv|md] [--sensitivity] [--check] [--seed N] [--samples N]
[--fail-on SEVERITY] [--out FILE]``

Prints the results table in the published layout (criteria as rows, options as
columns, group subtotals, totals and ranks), the scores and any disagreement
between scorers, the re-check of a published table when the file has one,
the sensitivity analysis with ``--sensitivity`` and the completeness findings
with ``--check`` (or ``--fail-on``). The report is built in
:mod:`sgassure._appraisal_report` (with its JSON document) and rendered as text,
Markdown or CSV in :mod:`sgassure._appraisal_render`.

Exit codes, as for ``sgassure audit``: 0 clean; 1 when a finding is at or above
``--fail-on``; 2 for bad input or usage (:class:`~sgassure.errors.LoadError` and
:class:`~sgassure.errors.SgassureError` reach the caller, which prints them).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from sgassure._appraisal_render import render_csv, render_markdown, render_text
from sgassure._appraisal_report import Report, build_report, report_to_json
from sgassure._files import write_output
from sgassure.appraisal import load_appraisal
from sgassure.rules import Severity

FORMATS = ("text", "json", "csv", "md")


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
