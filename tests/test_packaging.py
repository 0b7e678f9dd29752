"""The wheel ships the catalogs and the example, and the core works without the rules engine."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    if env is None:
        # The installed wheel must be what runs: no source folder on the path.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_wheel_installs_and_loads_outside_the_source_tree(tmp_path: Path) -> None:
    """A wheel built from the tree, installed in a fresh venv, loads the catalogs and the example."""
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, ROOT)
    wheels = sorted(dist.glob("sgassure-*.whl"))
    assert len(wheels) == 1
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", wheels[0])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = textwrap.dedent(
        """
        import sgassure
        assert "site-packages" in sgassure.__file__, sgassure.__file__
        print(sorted((f.id, f.version) for f in sgassure.bundled_frameworks()))
        ws = sgassure.load_workspace(sgassure.example_workspace_path())
        print(ws.partnership.id, len(ws.assessments) > 0)
        """
    )
    out = _run(python, "-c", script, cwd=elsewhere)
    assert out.splitlines() == [
        "[('saaf', '2024'), ('section-11', '2023'), ('section-11', '2025')]",
        "wendmoor-castleby True",
    ]
    example = _run(python, "-c", "import sgassure; print(sgassure.example_workspace_path())", cwd=elsewhere).strip()
    summary = _run(venv / "bin" / "sgassure", "check", example, cwd=elsewhere)
    assert summary.startswith("Wendmoor and Castleby Safeguarding Partnership (wendmoor-castleby)")
    typed = _run(python, "-c", "import importlib.resources as r; print((r.files('sgassure') / 'py.typed').is_file())")
    assert typed.strip() == "True"


BLOCK_DURABLE = """
import importlib.abc, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"durable", "durable_rules_engine"}:
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, Block())
import sgassure
ws = sgassure.load_workspace(sgassure.example_workspace_path())
graph = sgassure.partnership_graph(ws.partnership)
print(len(ws.assessments) > 0, graph.number_of_nodes() > 0, len(sgassure.check_consistency(ws)) > 0)
print(sorted(m for m in sys.modules if m.startswith("durable")))
"""


def test_core_works_without_durable_rules() -> None:
    """With durable-rules blocked, the model, loaders, consistency checks and graph all work."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = _run(sys.executable, "-c", BLOCK_DURABLE, env=env)
    assert out.splitlines() == ["True True True", "[]"]
