"""Run a documentation guide verbatim: its shell steps, the files it writes and its Python sessions.

The conventions a guide (``docs/guides/*.md``) follows, so that a test can
follow it the way a reader would:

* ```` ```sh ```` blocks are run in order, each with ``bash -euo pipefail``, in
  the guide's working folder: a fresh copy of the repository. The first one
  creates ``.venv`` with the README's command. A ``cd`` lasts only to the end of
  its block.
* A block with a title (```` ```yaml title="rules/local.yaml" ````) is a file
  the reader writes: its text is written to that path, relative to the working
  folder, when the guide reaches it.
* ```` ```pycon ```` blocks are Python sessions (``>>>`` prompts and the output
  they print), run as doctests in order in one ``.venv/bin/python`` process, so
  names defined in one block are there in the next. ``...`` in expected output
  matches anything; whitespace runs compare equal.
* Other blocks (``text``, ``console``...) are output shown to the reader, not run.
* A ``sh`` or ``pycon`` block that cannot run is preceded by a visible line
  starting ``> **Not run by the tests:**`` and giving the reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ROOT / "docs" / "guides"
NOT_RUN = "> **Not run by the tests:**"

_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "site", "__pycache__", "*.egg-info", "build", "dist", ".mypy_cache", ".ruff_cache",
    ".pytest_cache", ".hypothesis",
)  # fmt: skip


@dataclass(frozen=True)
class Block:
    """One fenced block of a guide: what to do with it, its text, and where it starts."""

    action: str  # "sh", "file", "pycon", "skip" (not run, with a reason) or "show"
    text: str
    line: int
    path: str = ""
    reason: str = ""


def blocks(markdown: str) -> Iterator[Block]:
    """The fenced blocks of a guide, in order, classified by the conventions above."""
    for match in _FENCE.finditer(markdown):
        info = match.group("info").strip()
        language = info.split(" ", 1)[0] if info else ""
        body = (
            textwrap.dedent(match.group("indent") + match.group("body"))
            if match.group("indent")
            else match.group("body")
        )
        line = markdown.count("\n", 0, match.start()) + 1
        before = markdown[: match.start()].rstrip().rsplit("\n", 1)[-1].strip()
        title = _TITLE.search(info)
        if title is not None:
            yield Block("file", body, line, path=title.group("title"))
        elif language in ("sh", "pycon") and before.startswith(NOT_RUN):
            yield Block("skip", body, line, reason=before.removeprefix(NOT_RUN).strip())
        elif language in ("sh", "pycon"):
            yield Block(language, body, line)
        else:
            yield Block("show", body, line)


# A persistent doctest runner inside the guide's venv: one JSON request per line on stdin.
_PYCON_RUNNER = r"""
import doctest, io, json, sys
globs = {"__name__": "__guide__"}
parser = doctest.DocTestParser()
flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
for request in sys.stdin:
    block = json.loads(request)
    test = parser.get_doctest(block["text"], globs, block["name"], block["file"], block["line"])
    test.globs = globs  # get_doctest copies them: share one namespace across the guide's sessions
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=flags)
    runner.run(test, out=out.write, clear_globs=False)
    print(json.dumps({"failed": runner.failures, "tried": runner.tries, "report": out.getvalue()}), flush=True)
"""


class GuideError(AssertionError):
    """A step of a guide failed; the message names the guide, the line and what went wrong."""


def follow(guide: Path, workdir: Path, *, timeout: float = 1200) -> list[str]:
    """Copy the repository to ``workdir`` and follow the guide there; return a log line per step run.

    Raises:
        GuideError: a shell step exited non-zero, a session printed something
            other than the guide shows, or a step is malformed.
    """
    guide = guide.resolve()
    shutil.copytree(ROOT, workdir, ignore=_IGNORED)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    name = guide.relative_to(ROOT).as_posix()
    log: list[str] = []
    python: subprocess.Popen[str] | None = None
    try:
        for block in blocks(guide.read_text(encoding="utf-8")):
            where = f"{name}:{block.line}"
            if block.action == "sh":
                result = subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", block.text],
                    cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout, check=False,
                )  # fmt: skip
                if result.returncode != 0:
                    raise GuideError(
                        f"{where}: the shell step exited {result.returncode}:\n{block.text}\n"
                        f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
                    )
                log.append(f"{where}: sh ok")
            elif block.action == "file":
                target = workdir / block.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(block.text, encoding="utf-8")
                log.append(f"{where}: wrote {block.path}")
            elif block.action == "pycon":
                if python is None:
                    interpreter = workdir / ".venv" / "bin" / "python"
                    if not interpreter.exists():
                        raise GuideError(f"{where}: a Python session before any step created .venv")
                    python = subprocess.Popen(
                        [str(interpreter), "-c", _PYCON_RUNNER],
                        cwd=workdir, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                    )  # fmt: skip
                assert python.stdin is not None
                assert python.stdout is not None
                request = {"text": block.text, "name": where, "file": str(guide), "line": block.line - 1}
                python.stdin.write(json.dumps(request) + "\n")
                python.stdin.flush()
                reply = python.stdout.readline()
                if not reply:
                    raise GuideError(f"{where}: the Python session ended unexpectedly")
                outcome = json.loads(reply)
                if outcome["tried"] == 0:
                    raise GuideError(f"{where}: a pycon block with no >>> example")
                if outcome["failed"]:
                    raise GuideError(f"{where}: the Python session differs from the guide:\n{outcome['report']}")
                log.append(f"{where}: pycon ok ({outcome['tried']} examples)")
            elif block.action == "skip":
                if not block.reason:
                    raise GuideError(f"{where}: '{NOT_RUN}' must say why the block cannot run")
                log.append(f"{where}: not run ({block.reason})")
    finally:
        if python is not None:
            python.stdin.close()  # type: ignore[union-attr]
            python.wait(timeout=60)
            python.stdout.close()  # type: ignore[union-attr]
    return log
