"""The layout of the return spreadsheets: sheet names, column names and the optional openpyxl import.

Shared by :mod:`sgassure.spreadsheets` (which writes the template and the
exports) and :mod:`sgassure._sheets_read` (which reads a return back); kept
apart so that the reader does not import the writer. The layout itself is
described in ``docs/spreadsheets.md``.
"""

from __future__ import annotations

from typing import Any

from sgassure.errors import SgassureError

_ABOUT, _RATINGS, _ACTIONS, _LEVELS = "About", "Ratings", "Actions", "Levels"
_AGENCY, _CYCLE, _FRAMEWORK, _VERSION = "Agency id", "Cycle id", "Framework", "Framework version"
_SUBMITTED, _COMPLETED_BY = "Submitted date", "Completed by"
_ABOUT_COLUMNS = ("Field", "Value", "Notes")
_STANDARD, _REQUIREMENT, _LEVEL, _NA = "Standard id", "Requirement id", "Level", "Not applicable"
_REASON, _COMMENT = "Reason", "Comment"
_DESCRIPTION, _EFFECTIVE = "Evidence description", "Evidence effective date"
_RECORDED, _MONTHS = "Evidence recorded date", "Evidence valid months"
_RATINGS_COLUMNS = (
    _STANDARD,
    "Standard title",
    _REQUIREMENT,
    "Requirement text",
    _LEVEL,
    _NA,
    _REASON,
    _COMMENT,
    _DESCRIPTION,
    _EFFECTIVE,
    _RECORDED,
    _MONTHS,
)
_ACTION_ID, _ACTION, _OWNER, _DUE = "Action id", "Action", "Owner", "Due date"
_STATUS, _STATUS_DATE, _STATUS_NOTE = "Status", "Status date", "Status note"
_ACTIONS_COLUMNS = (_ACTION_ID, _REQUIREMENT, _ACTION, _OWNER, _DUE, _STATUS, _STATUS_DATE, _STATUS_NOTE)
_LEVELS_COLUMNS = ("Level id", "Label", "Aliases", "Description", "Compliance")
_INSTALL_HINT = "pip install 'sgassure[xlsx]'"


def _openpyxl() -> Any:
    try:
        import openpyxl  # type: ignore[import-untyped]  # noqa: PLC0415 - an optional extra, imported when used
    except ImportError:
        raise SgassureError(f".xlsx files need openpyxl, which is not installed: {_INSTALL_HINT}") from None
    return openpyxl
