"""Every code block of the topic pages and the README runs, so the pages cannot drift from the code.

For each page, in the order the blocks appear, with the working folder a
temporary folder holding a copy of ``examples/``:

* ```` ```python ```` blocks are executed with ``exec`` in one namespace per page;
* ```` ```pycon ```` blocks are doctests (ELLIPSIS and NORMALIZE_WHITESPACE on)
  run in that same namespace;
* ```` ```sh ```` blocks are run with ``bash -euo pipefail`` and must exit 0;
* transcripts (```` ```console ```` blocks, and ```` ```text ```` blocks whose first
  line is a ``$ `` prompt) have each ``$ sgassure ...`` command run, and print
  what the page shows after it (``...`` matches anything); the command may
  exit 0 or 1 (1 is "findings found"), not 2 (bad input or usage).

``sgassure`` means this interpreter's ``python -m sgassure``. A block that
cannot run is preceded by a visible ``> **Not run by the tests:** reason``
line, and is skipped. Complete rule packs shown as YAML must load and pass
their own tests. The guides (``docs/guides``) are followed by ``test_guides.py``.
"""

from __future__ import annotations

import doctest
import os
import shlex
import shutil
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the tests import with --import-mode=importlib
import sgassure
from guides import _FENCE, NOT_RUN, ROOT

# The pages whose code blocks this module runs, and which kinds of block it runs on each. The
# README's shell blocks create .venv and run the whole suite: the guides test covers them.
PAGES = {
    "README.md": ("python", "pycon"),
    "docs/workspace.md": ("python", "pycon", "sh", "transcript"),
    "docs/rule-packs.md": ("python", "pycon", "sh", "transcript"),
    "docs/graph.md": ("python", "pycon", "sh", "transcript"),
    "docs/spreadsheets.md": ("python", "pycon", "sh", "transcript"),
    "docs/report.md": ("python", "pycon", "sh", "transcript"),
    "docs/appraisal.md": ("python", "pycon", "sh", "transcript"),
}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@dataclass(frozen=True)
class Code:
    """One fenced block of a page: its kind, text, first line, and why it is not run (if it is not)."""

    kind: str  # python, pycon, sh, transcript, yaml or show
    text: str
    line: int
    not_run: str | None = None


def code_blocks(markdown: str) -> Iterator[Code]:
    """The fenced blocks of a page, in order, classified as above."""
    for match in _FENCE.finditer(markdown):
        info = match.group("info").strip()
        language = info.split(" ", 1)[0] if info else ""
        body = match.group("body")
        if match.group("indent"):
            body = textwrap.dedent(match.group("indent") + body)
        line = markdown.count("\n", 0, match.start()) + 1
        before = markdown[: match.start()].rstrip().rsplit("\n", 1)[-1].strip()
        not_run = before.removeprefix(NOT_RUN).strip() if before.startswith(NOT_RUN) else None
        if language in ("python", "pycon", "sh", "yaml"):
            kind = language
        elif language == "console" or (language == "text" and body.startswith("$ ")):
            kind = "transcript"
        else:
            kind = "show"
        yield Code(kind, body, line, not_run)


def transcript_steps(text: str) -> list[tuple[str, str]]:
    """A transcript's commands (``\\`` continuations joined) and the output shown after each."""
    steps: list[tuple[str, list[str]]] = []
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\"):
                command = command[:-1].rstrip() + " " + next(lines).strip()
            steps.append((command, []))
        else:
            assert steps, f"a transcript must begin with a '$ ' command: {line!r}"
            steps[-1][1].append(line)
    return [(command, "".join(f"{o}\n" for o in out)) for command, out in steps]


def _sgassure(workdir: Path) -> Path:
    """A folder holding an ``sgassure`` that runs this interpreter's ``python -m sgassure``."""
    folder = workdir.parent / "bin"
    folder.mkdir(exist_ok=True)
    script = folder / "sgassure"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m sgassure "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return folder


def _run_python(code: Code, where: str, namespace: dict[str, Any]) -> None:
    try:
        exec(compile(code.text, where, "exec"), namespace)
    except Exception:  # noqa: BLE001 - reported with the page and line
        pytest.fail(f"{where}: the python block raised:\n{code.text}\n{traceback.format_exc()}")


def _run_pycon(code: Code, where: str, namespace: dict[str, Any]) -> None:
    test = doctest.DocTestParser().get_doctest(code.text, namespace, where, where, code.line)
    test.globs = namespace  # get_doctest copies; the page's blocks share one namespace
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=report.append, clear_globs=False)
    assert runner.tries, f"{where}: a pycon block with no >>> example"
    assert not runner.failures, f"{where}: the session differs from the page:\n{''.join(report)}"


def _run_sh(code: Code, where: str, workdir: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code.text],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, (
        f"{where}: the shell block exited {result.returncode}:\n{code.text}\n"
        f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )


def _run_transcript(code: Code, where: str, workdir: Path, env: dict[str, str]) -> None:
    checker = doctest.OutputChecker()
    for command, shown in transcript_steps(code.text):
        argv = shlex.split(command)
        assert argv[0] == "sgassure", f"{where}: only sgassure commands run; mark the block '{NOT_RUN}': {command}"
        result = subprocess.run(
            [sys.executable, "-m", "sgassure", *argv[1:]],
            cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert result.returncode in (0, 1), f"{where}: `{command}` exited {result.returncode}:\n{result.stderr}"
        if shown and not checker.check_output(shown, result.stdout, doctest.ELLIPSIS):
            pytest.fail(f"{where}: `{command}` printed\n{result.stdout}\nbut the page shows\n{shown}")


@pytest.mark.slow  # it starts the command line in processes
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_code_block_of_the_page_runs(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Python block, session, shell block and transcript of the page runs, in order, as the page shows it."""
    workdir = tmp_path / "work"
    shutil.copytree(ROOT / "examples", workdir / "examples")
    monkeypatch.chdir(workdir)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{_sgassure(workdir)}{os.pathsep}{env.get('PATH', '')}"
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    kinds = PAGES[page]
    for code in code_blocks((ROOT / page).read_text(encoding="utf-8")):
        where = f"{page}:{code.line}"
        if code.kind not in kinds:
            continue
        if code.not_run is not None:
            assert code.not_run, f"{where}: '{NOT_RUN}' must say why the block cannot run"
        elif code.kind == "python":
            _run_python(code, where, namespace)
        elif code.kind == "pycon":
            _run_pycon(code, where, namespace)
        elif code.kind == "sh":
            _run_sh(code, where, workdir, env)
        else:
            _run_transcript(code, where, workdir, env)


def test_the_pages_have_code_that_runs() -> None:
    """The README's Python example and the topic pages' commands are collected, so the test above is not empty."""
    run: dict[str, list[str]] = {}
    for page, kinds in PAGES.items():
        blocks = code_blocks((ROOT / page).read_text(encoding="utf-8"))
        run[page] = [c.kind for c in blocks if c.kind in kinds and c.not_run is None]
    assert run == {
        "README.md": ["python"],
        "docs/workspace.md": [],
        "docs/rule-packs.md": [],
        "docs/graph.md": ["python", "python", "transcript"],
        "docs/spreadsheets.md": ["transcript", "transcript"],
        "docs/report.md": ["transcript", "python"],
        "docs/appraisal.md": ["sh"],
    }


@pytest.mark.parametrize("page", sorted(PAGES))
def test_complete_rule_packs_on_the_page_load_and_pass_their_tests(page: str) -> None:
    """A YAML block that is a whole rule pack (``version: 1`` with ``rules:``) loads and passes its own test cases."""
    for code in code_blocks((ROOT / page).read_text(encoding="utf-8")):
        if code.kind == "yaml" and code.text.startswith("version: 1\n") and "\nrules:" in code.text:
            pack = sgassure.parse_rule_pack(code.text, source=f"{page}:{code.line}")
            report = sgassure.run_pack_tests(pack)
            assert report.passed, f"{page}:{code.line}: {report}"
            assert report.cases, f"{page}:{code.line}: the pack shown has no test case"


def test_transcripts_are_read_command_by_command() -> None:
    """A transcript splits into its commands, continuation lines joined, each with the output shown after it."""
    text = "$ sgassure report ws \\\n    --out r\nwrote r/index.html\n$ sgassure check ws\n"
    assert transcript_steps(text) == [("sgassure report ws --out r", "wrote r/index.html\n"), ("sgassure check ws", "")]


def test_blocks_not_run_are_marked_with_a_reason() -> None:
    """Python, shell and transcript blocks after the visible note are not run and carry the note's reason."""
    markdown = f"{NOT_RUN} it needs Chromium.\n\n```console\n$ chromium --headless\n```\n\n```python\nx = 1\n```\n"
    assert list(code_blocks(markdown)) == [
        Code("transcript", "$ chromium --headless\n", 3, "it needs Chromium."),
        Code("python", "x = 1\n", 7),
    ]
