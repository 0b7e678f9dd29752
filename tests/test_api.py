"""The public API is small, sorted, typed and documented with running examples."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import sgassure

PUBLIC = sorted(sgassure.__all__)


def test_all_is_sorted_and_unique() -> None:
    """`sgassure.__all__` is sorted and has no repeats."""
    assert sgassure.__all__ == sorted(set(sgassure.__all__))


def test_package_is_typed() -> None:
    """The package ships the py.typed marker."""
    assert (Path(sgassure.__file__).parent / "py.typed").is_file()


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_has_a_docstring_with_an_example(name: str) -> None:
    """Every public class and function has a docstring with an Examples section holding a doctest."""
    obj = getattr(sgassure, name)
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{name} has no docstring"
    assert "Examples:" in doc, f"{name} has no Examples section"
    assert ">>>" in doc.split("Examples:", 1)[1], f"{name} has no runnable example"


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_comes_from_a_public_module(name: str) -> None:
    """Public names live in public modules, never in private `_module`s."""
    module = getattr(sgassure, name).__module__
    assert not any(part.startswith("_") for part in module.split(".")), module


def test_public_modules_are_documented() -> None:
    """Each public module has an API page in the docs."""
    modules = {getattr(sgassure, name).__module__ for name in PUBLIC}
    pages = {p.stem for p in (Path(__file__).parent.parent / "docs" / "api").glob("*.md")}
    assert {m.removeprefix("sgassure.") for m in modules} <= pages
    for module in modules:
        assert importlib.import_module(module).__doc__
