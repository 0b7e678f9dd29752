"""The ``sgassure`` command line: the only module that prints or exits.

Exit codes: 0 clean; 1 findings at or above ``--fail-on``; 2 bad input or usage
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
import json
import sys
from collections.abc import Sequence

from sgassure._summary import render_text, summarise
from sgassure.errors import LoadError
from sgassure.workspace import load_workspace

__all__ = ["main"]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sgassure", description="Assurance for multi-agency safeguarding partnerships.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = sub.add_parser("check", help="validate a workspace and summarise it")
    check.add_argument("workspace", help="the workspace folder")
    check.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    return parser


def _check(args: argparse.Namespace) -> int:
    workspace = load_workspace(args.workspace)
    summary = summarise(workspace)
    if args.format == "json":
        sys.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(summary))
    return EXIT_CLEAN


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
    try:
        return _check(args)
    except LoadError as exc:
        print(f"sgassure: cannot load {args.workspace}:", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
