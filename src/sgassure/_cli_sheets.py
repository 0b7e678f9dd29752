"""The spreadsheet commands: ``sgassure template``, ``sgassure import`` and ``sgassure export``.

- ``sgassure template FRAMEWORK [--version V] [--agency A] [--cycle C] --out FILE.xlsx|.csv``
  writes the return template of a bundled catalog (the newest version unless
  ``--version``), with the agency and cycle pre-filled when given.
- ``sgassure import WORKSPACE FILE --agency A --cycle C [--out-file PATH] [--force]`` reads an
  agency's spreadsheet return against the cycle's catalog version, checks it as
  the workspace checks a return, writes it as ``returns/<cycle>/<agency>.yaml``
  (or ``PATH``) atomically, and re-loads the workspace (or re-reads ``PATH``) to
  prove it is valid; a failed re-load puts the previous file back. An existing
  file is replaced only with ``--force``, and never when it holds the board's
  moderation (a spreadsheet return does not carry it, so it would be lost).
- ``sgassure export WORKSPACE --as-of DATE (--agency A | --findings) --out FILE.xlsx|.csv``
  runs the bundled rule packs and writes the findings, or one agency's slice.
  Free text is masked for personal identifiers unless ``--show-identifiers``.

Exit codes: 0 done; 2 bad input or usage (:class:`~sgassure.errors.LoadError`
and :class:`~sgassure.errors.SgassureError` reach the caller, which prints them).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from sgassure._convert import did_you_mean, structure_document, unstructure_document
from sgassure._files import write_text_atomically
from sgassure._validate import Context, check_assessment
from sgassure._yaml import dump_yaml, parse_document
from sgassure.assessments import SelfAssessment
from sgassure.audit import run_audit
from sgassure.errors import LoadError, SgassureError
from sgassure.rules import bundled_rule_packs
from sgassure.spreadsheets import read_return, write_agency_slice, write_findings, write_template
from sgassure.standards import bundled_framework, bundled_frameworks
from sgassure.workspace import load_self_assessment, load_workspace

COMMANDS = ("template", "import", "export")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD; got {text!r}") from None


def add_parser(subparsers: Any) -> None:
    """Add the ``template``, ``import`` and ``export`` commands to an argparse subparsers object."""
    template = subparsers.add_parser("template", help="write the spreadsheet template of a bundled catalog")
    template.add_argument("framework", help="a bundled catalog id, e.g. section-11 or saaf")
    template.add_argument("--version", help="the catalog version (default: the newest bundled)")
    template.add_argument("--agency", help="pre-fill the agency's id")
    template.add_argument("--cycle", help="pre-fill the audit cycle's id")
    template.add_argument("--out", required=True, help="the file to write: .xlsx, or .csv for the CSV form")

    imported = subparsers.add_parser("import", help="add an agency's spreadsheet return to a workspace")
    imported.add_argument("workspace", help="the workspace folder")
    imported.add_argument("file", help="the return: a filled template (.xlsx) or the CSV form (.csv)")
    imported.add_argument("--agency", required=True, help="the agency's id")
    imported.add_argument("--cycle", required=True, help="the audit cycle's id")
    imported.add_argument("--out-file", help="write the YAML here instead of returns/<cycle>/<agency>.yaml")
    imported.add_argument("--force", action="store_true", help="replace an existing file")

    export = subparsers.add_parser("export", help="write findings, or an agency's own slice, as .xlsx or .csv")
    export.add_argument("workspace", help="the workspace folder")
    export.add_argument("--as-of", type=_date, required=True, help="the date the audit is read at (YYYY-MM-DD)")
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--agency", help="write this agency's ratings, findings and escalations")
    what.add_argument("--findings", action="store_true", help="write every finding")
    export.add_argument("--out", required=True, help="the file to write: .xlsx or .csv")
    export.add_argument("--show-identifiers", action="store_true", help="do not mask personal identifiers")


def _template(args: argparse.Namespace) -> int:
    try:
        framework = bundled_framework(args.framework, args.version)
    except KeyError:
        bundled = [f"{f.id} {f.version}" for f in bundled_frameworks()]
        ids = sorted({f.id for f in bundled_frameworks()})
        hint = did_you_mean(args.framework, ids)
        version = f" version {args.version!r}" if args.version else ""
        raise SgassureError(
            f"no bundled catalog {args.framework!r}{version}{hint} (bundled: {', '.join(bundled)})"
        ) from None
    write_template(framework, args.out, agency=args.agency, cycle=args.cycle)
    count = sum(1 for _ in framework.requirements())
    print(f"wrote {args.out}: the {framework.id} {framework.version} template, {count} requirements")
    return 0


def _prune(data: Any) -> Any:
    """Leave out the fields a return leaves at their defaults (nothing, false, an empty list)."""
    if isinstance(data, dict):
        return {k: _prune(v) for k, v in data.items() if v is not None and v is not False and v != []}
    if isinstance(data, list):
        return [_prune(v) for v in data]
    return data


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _import(args: argparse.Namespace) -> int:
    root = Path(args.workspace)
    relative = f"returns/{args.cycle}/{args.agency}.yaml"
    target = Path(args.out_file) if args.out_file else root / relative
    if target.exists() and not args.force:
        raise SgassureError(f"{target} exists; pass --force to replace it")
    workspace = load_workspace(root)
    cycles = [c.id for c in workspace.cycles]
    if args.cycle not in cycles:
        raise SgassureError(f"unknown cycle {args.cycle!r}{did_you_mean(args.cycle, cycles)}")
    agencies = [a.id for a in workspace.partnership.agencies]
    if args.agency not in agencies:
        raise SgassureError(f"unknown agency {args.agency!r}{did_you_mean(args.agency, agencies)}")
    framework = workspace.framework_for(workspace.cycle(args.cycle))
    assessment = read_return(args.file, framework=framework, agency=args.agency, cycle=args.cycle)
    text = dump_yaml(_prune(unstructure_document(assessment)))
    doc = parse_document(text, source=f"{args.file} (as {relative})")
    if structure_document(doc, SelfAssessment) != assessment:  # pragma: no cover - a converter bug, not input
        raise SgassureError(f"{args.file}: the return does not read back the same from YAML")
    context = Context(workspace.partnership, workspace.frameworks, workspace.cycles)
    problems = check_assessment(assessment, doc, context)
    if problems:
        raise LoadError(problems)
    inside = target.resolve().is_relative_to(root.resolve())
    existing = next((a for a in workspace.assessments if (a.agency, a.cycle) == (args.agency, args.cycle)), None)
    if inside and existing is not None and target.exists():
        moderated = [r.requirement for r in existing.ratings if r.moderation is not None]
        if moderated:
            raise SgassureError(
                f"the workspace's return of {args.agency} for {args.cycle} holds the board's moderation of "
                f"{', '.join(moderated)}, which a spreadsheet return does not carry; replacing it would lose it"
            )
    previous = target.read_bytes() if target.exists() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(target, text)
    try:
        if inside:
            load_workspace(root)
        else:
            load_self_assessment(target)
    except LoadError:
        if previous is None:
            target.unlink()
        else:
            write_text_atomically(target, previous.decode("utf-8"))
        raise
    where = "the workspace loads" if inside else "it reads back"
    counts = f"{_count(len(assessment.ratings), 'rating')}, {_count(len(assessment.actions), 'action')}"
    print(f"wrote {target}: {counts}; {where}")
    return 0


def _export(args: argparse.Namespace) -> int:
    workspace = load_workspace(args.workspace)
    mask = not args.show_identifiers
    result = run_audit(workspace, bundled_rule_packs(), as_of=args.as_of, mask=mask)
    if args.findings:
        write_findings(result, args.out, mask=mask)
        print(f"wrote {args.out}: {_count(len(result.findings), 'finding')} as at {args.as_of.isoformat()}")
    else:
        write_agency_slice(workspace, result, args.agency, args.out, mask=mask)
        count = _count(sum(1 for f in result.findings if f.subject.get("agency") == args.agency), "finding")
        print(f"wrote {args.out}: the slice of {args.agency}, {count} as at {args.as_of.isoformat()}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``template``, ``import`` or ``export`` (by ``args.command``); returns the exit code."""
    commands = {"template": _template, "import": _import, "export": _export}
    return commands[args.command](args)
