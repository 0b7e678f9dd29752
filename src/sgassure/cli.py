"""The ``sgassure`` command line: the only module that prints or exits.

Commands:

- ``sgassure check WORKSPACE``: validate a workspace and summarise it.
- ``sgassure audit WORKSPACE --as-of DATE``: run rule packs; findings and escalations.
- ``sgassure rules test [PACK ...]``: run packs' own test cases, with coverage.
- ``sgassure rules check PACK ...``: lint rule packs.
- ``sgassure rules diff OLD NEW WORKSPACE --as-of DATE``: what a pack change would add and remove.
- ``sgassure graph WORKSPACE [--format ...] [--gaps --as-of DATE]``: the partnership graph and its gaps.
- ``sgassure appraise FILE [--sensitivity] [--check]``: score an option appraisal and check it.
- ``sgassure report WORKSPACE --out DIR [--as-of DATE]``: the offline HTML and Markdown assurance report.
- ``sgassure template FRAMEWORK --out FILE.xlsx``: a return template with drop-downs.
- ``sgassure import WORKSPACE FILE --agency A --cycle C``: a spreadsheet return into the workspace.
- ``sgassure export WORKSPACE --as-of DATE (--agency A | --findings) --out FILE``: findings or an agency's slice.

A PACK is a bundled pack id (``section-11``) or a path to a YAML file.

Exit codes: 0 clean; 1 findings (or escalations of rules that make no finding)
at or above ``--fail-on`` (or failing pack tests); 2 bad input or usage
(message on stderr, no traceback).

Examples:
    >>> import contextlib, io
    >>> from sgassure import example_workspace_path
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     code = main(["check", str(example_workspace_path()), "--format", "json"])
    >>> code, out.getvalue().startswith("{")
    (0, True)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sgassure import _cli_appraise, _cli_graph, _cli_report, _cli_sheets
from sgassure._files import write_output
from sgassure._summary import render_text, summarise
from sgassure.audit import compare_with_previous, run_audit, run_pack_tests
from sgassure.errors import LoadError, SgassureError
from sgassure.findings import AuditResult, Explanation, Finding
from sgassure.report import FORMATS, render_audit
from sgassure.rules import RulePack, Severity, bundled_rule_packs, load_rule_pack
from sgassure.workspace import load_workspace

__all__ = ["main"]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


# Commands defined in their own modules: each has add_parser(subparsers) and run(args) -> int.
_EXTENSIONS: tuple[Any, ...] = (_cli_appraise, _cli_graph, _cli_report, _cli_sheets)
_EXTENSION_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


class _UsageError(Exception):
    """A command-line mistake found after parsing."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD; got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sgassure", description="Assurance for multi-agency safeguarding partnerships.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="validate a workspace and summarise it")
    check.add_argument("workspace", help="the workspace folder")
    check.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")

    audit = sub.add_parser("audit", help="run rule packs over a workspace")
    audit.add_argument("workspace", help="the workspace folder")
    audit.add_argument("--as-of", type=_date, required=True, help="the date the audit is read at (YYYY-MM-DD)")
    audit.add_argument(
        "--pack",
        action="append",
        default=[],
        help="a bundled pack id, 'bundled' for every bundled pack, or a pack file (repeatable; default: 'bundled')",
    )
    audit.add_argument("--since", help="a previous audit's JSON output: mark findings new or persisting")
    audit.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    audit.add_argument("--out", help="write the output to this file (atomically) instead of stdout")
    audit.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="exit 1 when a finding not accepted in decisions.yaml, or an escalation of a rule that makes no "
        "finding, is at or above this severity",
    )
    audit.add_argument("--show-identifiers", action="store_true", help="do not mask personal identifiers")

    rules = sub.add_parser("rules", help="test, lint and compare rule packs")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True, parser_class=_Parser)
    test = rules_sub.add_parser("test", help="run packs' own test cases and report coverage")
    test.add_argument("packs", nargs="*", help="packs to test ('bundled' for every bundled pack; the default)")
    lint = rules_sub.add_parser("check", help="lint rule packs")
    lint.add_argument("packs", nargs="+", help="packs to check")
    diff = rules_sub.add_parser("diff", help="findings a pack change would add and remove")
    diff.add_argument("old", help="the pack as it is")
    diff.add_argument("new", help="the pack as changed")
    diff.add_argument("workspace", help="the workspace to compare on")
    diff.add_argument("--as-of", type=_date, required=True, help="the date the audit is read at")
    for extension in _EXTENSIONS:
        before = set(sub.choices)
        extension.add_parser(sub)
        for name in set(sub.choices) - before:
            _EXTENSION_COMMANDS[name] = extension.run
    return parser


BUNDLED = "bundled"
"""The pack name that stands for every bundled pack, so local packs can be added to them."""


def _packs(names: Sequence[str]) -> list[RulePack]:
    """The packs named, ``bundled`` standing for every bundled pack; every bundled pack if none is named.

    The bundled packs are read once, and only if a name is not a file.
    """
    if not names:
        return list(bundled_rule_packs())
    bundled = () if all(_is_file(n) for n in names) else bundled_rule_packs()
    out: list[RulePack] = []
    for name in names:
        out += bundled if name == BUNDLED and not _is_file(name) else [_pack(name, bundled)]
    return out


def _is_file(name: str) -> bool:
    """Whether a PACK argument names a file rather than a bundled pack."""
    return os.sep in name or name.endswith((".yaml", ".yml")) or Path(name).exists()


def _pack(name: str, bundled: Sequence[RulePack] | None = None) -> RulePack:
    """The pack a PACK argument names: a file, or a bundled pack by id (``bundled``: the bundled packs, if read)."""
    if _is_file(name):
        return load_rule_pack(name)
    by_id = {p.id: p for p in (bundled if bundled is not None else bundled_rule_packs())}
    if name not in by_id:
        raise _UsageError(f"no bundled pack {name!r} (bundled: {', '.join(sorted(by_id))}) and no such file")
    return by_id[name]


def _previous(path: str) -> list[str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _UsageError(f"cannot read the previous audit {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema_version") != 1 or not isinstance(data.get("findings"), list):
        raise _UsageError(f"{path} is not the JSON output of 'sgassure audit' (schema_version 1)")
    prints = [f.get("fingerprint") for f in data["findings"] if isinstance(f, dict)]
    if not all(isinstance(p, str) for p in prints):
        raise _UsageError(f"{path}: a finding has no fingerprint")
    # Escalations of rules that make no finding are compared by their fingerprint too (absent before they existed).
    escalations = data.get("escalations")
    alone = [e.get("finding") for e in escalations or () if isinstance(e, dict) and e.get("escalation_only") is True]
    return [str(p) for p in prints] + [str(p) for p in alone if isinstance(p, str)]


def _audit(args: argparse.Namespace) -> int:
    packs = _packs(args.pack)
    previous = _previous(args.since) if args.since else None
    workspace = load_workspace(args.workspace)
    result = run_audit(workspace, packs, as_of=args.as_of, mask=not args.show_identifiers)
    resolved: tuple[str, ...] = ()
    if previous is not None:
        result, resolved = compare_with_previous(result, previous)
    write_output(render_audit(result, args.format, resolved=resolved), args.out)
    if args.fail_on and result.failing(Severity(args.fail_on)):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _rules_test(args: argparse.Namespace) -> int:
    packs = _packs(args.packs)
    failed = False
    for pack in packs:
        report = run_pack_tests(pack)
        passed = sum(1 for c in report.cases if c.passed)
        print(f"{pack.id}: {passed} of {len(report.cases)} cases passed")
        for case in report.cases:
            if case.passed:
                continue
            print(f"  FAIL {case.name}")
            print("".join(f"    missing: {m}\n" for m in case.missing), end="")
            print("".join(f"    unexpected: {u}\n" for u in case.unexpected), end="")
        for rule in report.never_fired:
            print(f"  coverage: rule {rule} fires in no case")
        for rule in report.never_silent:
            print(f"  coverage: rule {rule} fires in every case (no non-firing case)")
        if report.uncovered_requirements:
            print(f"  coverage: no rule reaches requirements {', '.join(report.uncovered_requirements)}")
        failed |= not (report.passed and report.complete)
    return EXIT_FINDINGS if failed else EXIT_CLEAN


def _rules_check(args: argparse.Namespace) -> int:
    for name in args.packs:
        pack = _pack(name)
        print(f"{name}: pack {pack.id!r} is well formed ({len(pack.rules)} rules, {len(pack.tests)} test cases)")
    return EXIT_CLEAN


def _rules_diff(args: argparse.Namespace) -> int:
    old, new = _pack(args.old), _pack(args.new)
    workspace = load_workspace(args.workspace)
    before = _outcomes(run_audit(workspace, [old], as_of=args.as_of))
    after = _outcomes(run_audit(workspace, [new], as_of=args.as_of))
    added = [after[k] for k in after if k not in before]
    removed = [before[k] for k in before if k not in after]
    both = [k for k in after if k in before]
    changed = [(before[k], after[k]) for k in both if _shown(before[k]) != _shown(after[k])]
    print(f"{args.old} -> {args.new} on {args.workspace} as at {args.as_of.isoformat()}:")
    print(f"  {len(added)} added, {len(removed)} removed, {len(changed)} changed, {len(both) - len(changed)} unchanged")
    for f in added:
        print(f"+ {f.severity.value} {f.rule}: {f.message}")
    for f in removed:
        print(f"- {f.severity.value} {f.rule}: {f.message}")
    for was, now in changed:
        severity = (
            now.severity.value if was.severity == now.severity else f"{was.severity.value} -> {now.severity.value}"
        )
        print(f"~ {severity} {now.rule}: {now.message}")
        if was.message != now.message:
            print(f"    was: {was.message}")
    return EXIT_CLEAN


def _outcomes(result: AuditResult) -> dict[str, Finding]:
    """What an audit makes, by fingerprint: its findings, and its escalations of rules that make no finding.

    An escalation without a finding is shown in the finding's form (severity, rule, message), so
    ``rules diff`` compares both kinds of outcome alike.
    """
    out = {f.fingerprint: f for f in result.findings}
    for e in result.escalations:
        if e.escalation_only and e.severity is not None:
            out[e.finding] = Finding(
                pack=e.pack,
                rule=e.rule,
                title=e.title,
                severity=e.severity,
                source=e.source,
                subject=e.subject,
                message=f"(escalated to {e.body_name}) {e.message}",
                explanation=e.explanation or Explanation(conditions=()),
                rule_index=e.rule_index,
            )
    return out


def _shown(finding: Finding) -> tuple[str, str, str, str]:
    """What a reader of the audit sees of a finding besides its fingerprint: a change here is a change."""
    return (finding.severity.value, finding.message, finding.title, finding.source)


def _check(args: argparse.Namespace) -> int:
    summary = summarise(load_workspace(args.workspace))
    if args.format == "json":
        sys.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(summary))
    return EXIT_CLEAN


def _loading(args: argparse.Namespace, exc: LoadError) -> str:
    """What a command was loading when ``exc`` was raised, as its error's first line names it."""
    if args.command == "rules":
        packs: list[str] = [args.old, args.new] if args.rules_command == "diff" else list(args.packs)
        files = {p.location.file for p in exc.problems}
        failed = [name for name in dict.fromkeys(packs) if name in files]
        if failed:
            return ", ".join(failed)
        if args.rules_command != "diff" and packs:
            return ", ".join(packs)
    what = getattr(args, "file", None) if args.command in ("import", "appraise") else None
    return str(what or getattr(args, "workspace", None) or "the input")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Args:
        argv: the arguments, without the program name (default: ``sys.argv[1:]``).

    Returns:
        0 when clean, 1 when findings reach ``--fail-on``, 2 for bad input or usage.
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    commands = {"check": _check, "audit": _audit, **_EXTENSION_COMMANDS}
    rules_commands = {"test": _rules_test, "check": _rules_check, "diff": _rules_diff}
    command = rules_commands[args.rules_command] if args.command == "rules" else commands[args.command]
    try:
        return command(args)
    except LoadError as exc:
        print(f"sgassure: cannot load {_loading(args, exc)}:", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except _UsageError as exc:
        print(f"sgassure: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SgassureError as exc:
        print(f"sgassure: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # an output that cannot be written: no permission, a file where a folder should be
        where = f" {exc.filename}" if exc.filename else ""
        print(f"sgassure: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
