"""The ``sgassure report`` command: the assurance report as an offline HTML page and Markdown.

``sgassure report WORKSPACE --out DIR [--as-of DATE] [--show-identifiers]``

Writes ``DIR/index.html`` (self-contained: inline CSS and SVG, no script, no
network) and ``DIR/report.md``, each atomically, and prints their paths.
Without ``--as-of`` the workspace is read at its latest as-at date: the latest
of its cycles' deadlines, its indicators' observation dates and its audits'
dates (:func:`sgassure.report.assurance.default_as_of`). Personal identifiers
are masked unless ``--show-identifiers`` is given.

Exit codes: 0 when the report is written (findings do not change it), 2 for
bad input or usage; :class:`~sgassure.errors.LoadError` and
:class:`~sgassure.errors.SgassureError` reach the caller, which prints them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from sgassure.errors import SgassureError
from sgassure.report.assurance import build_report, default_as_of, write_report
from sgassure.workspace import load_workspace


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD; got {text!r}") from None


def add_parser(subparsers: Any) -> None:
    """Add the ``report`` command to an argparse subparsers object (its parser class is the caller's)."""
    report = subparsers.add_parser("report", help="write the assurance report: an offline HTML page and Markdown")
    report.add_argument("workspace", help="the workspace folder")
    report.add_argument("--out", required=True, help="the folder to write index.html and report.md into")
    report.add_argument(
        "--as-of",
        type=_date,
        help="the date the report is read at (YYYY-MM-DD; default: the workspace's latest as-at date)",
    )
    report.add_argument("--show-identifiers", action="store_true", help="do not mask personal identifiers")


def run(args: argparse.Namespace) -> int:
    """Build and write the report; 0 when written.

    Raises:
        LoadError: the workspace does not load, or a pack cannot run on it.
        SgassureError: no ``--as-of`` and the workspace holds no dated record.
    """
    workspace = load_workspace(args.workspace)
    as_of = args.as_of
    if as_of is None:
        as_of = default_as_of(workspace)
        if as_of is None:
            raise SgassureError(f"{args.workspace} holds no dated record to read the report at; give --as-of")
        sys.stdout.write(f"report as at {as_of.isoformat()} (the workspace's latest as-at date)\n")
    report = build_report(workspace, as_of=as_of, mask=not args.show_identifiers)
    for path in write_report(report, args.out):
        sys.stdout.write(f"wrote {path}\n")
    return 0
