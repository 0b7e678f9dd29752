"""Errors raised by sgassure.

Every problem found in input is reported with its place: the file, the line and
column (1-based), and the path of the field inside the document. A loader collects
every problem it can find in one pass and raises a single :class:`LoadError`.

Examples:
    >>> problem = Problem(
    ...     location=Location(file="rules/s11.yaml", line=14, column=7),
    ...     path="rules[2].when.level",
    ...     message="expected one of 'fully', 'mostly', 'partly', 'not'; got 'partial'",
    ... )
    >>> print(problem)
    rules/s11.yaml:14:7: rules[2].when.level: expected one of 'fully', 'mostly', 'partly', 'not'; got 'partial'
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = ["LoadError", "Location", "Problem", "RuleActionError", "RulesEngineError", "SgassureError"]


class SgassureError(Exception):
    """Base class of every error sgassure raises on purpose.

    Examples:
        >>> issubclass(LoadError, SgassureError)
        True
    """


def _cell_key(cell: str) -> tuple[str, int, int, str]:
    """``Sheet!C12`` sorts by sheet, then row 12, then column C (so E2 comes before E10)."""
    sheet, _, ref = cell.rpartition("!")
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    return (sheet, int(digits) if digits else 0, len(letters), letters)


@attrs.frozen(kw_only=True, order=False)
class Location:
    """A place in an input file: its name, and a 1-based line and column, or a spreadsheet cell.

    A line or column of 0 means the place is the file as a whole. ``cell`` names
    a spreadsheet cell as ``Sheet!C12``.

    Examples:
        >>> str(Location(file="partnership.yaml", line=3, column=5))
        'partnership.yaml:3:5'
        >>> str(Location(file="partnership.yaml"))
        'partnership.yaml'
        >>> str(Location(file="return.xlsx", cell="Ratings!C12"))
        'return.xlsx:Ratings!C12'
    """

    file: str
    line: int = 0
    column: int = 0
    cell: str = ""

    def _key(self) -> tuple[str, int, int, tuple[str, int, int, str]]:
        return (self.file, self.line, self.column, _cell_key(self.cell))

    def __lt__(self, other: Location) -> bool:
        return self._key() < other._key()

    def __str__(self) -> str:
        if self.cell:
            return f"{self.file}:{self.cell}"
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@attrs.frozen(kw_only=True, order=True)
class Problem:
    """One problem found in input: where it is, which field, and what is wrong.

    Problems sort by file, line, column, path and message, so a list of them
    reads in document order.

    Examples:
        >>> str(Problem(location=Location(file="a.yaml", line=1, column=1), path="", message="empty"))
        'a.yaml:1:1: empty'
    """

    location: Location
    path: str
    message: str

    def __str__(self) -> str:
        if self.path:
            return f"{self.location}: {self.path}: {self.message}"
        return f"{self.location}: {self.message}"


class LoadError(SgassureError):
    """Input that cannot be loaded: one or more located problems, all reported at once.

    ``str(error)`` is one problem per line, in document order.

    Args:
        problems: the problems found; they are sorted and de-duplicated.

    Examples:
        >>> error = LoadError([
        ...     Problem(location=Location(file="b.yaml", line=2, column=1), path="x", message="bad"),
        ...     Problem(location=Location(file="a.yaml", line=9, column=3), path="y", message="worse"),
        ... ])
        >>> print(error)
        a.yaml:9:3: y: worse
        b.yaml:2:1: x: bad
        >>> len(error.problems)
        2
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        super().__init__("\n".join(str(p) for p in self.problems))


class RulesEngineError(SgassureError):
    """The rules engine failed; the message says which rule or fact and what the engine's error code means.

    Examples:
        >>> issubclass(RuleActionError, RulesEngineError)
        True
    """


class RuleActionError(RulesEngineError):
    """A rule's action failed: the code run for a match raised, or binding its facts did.

    The message names the rule and the original exception, which is also the
    ``__cause__``.

    Examples:
        >>> str(RuleActionError("rule 'r1': ValueError: bad"))
        "rule 'r1': ValueError: bad"
    """
