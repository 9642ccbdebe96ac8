"""The workbook's exceptions.

Every error the workbook raises on purpose is a :class:`WorkbookError`, whose message is
written for the analyst running the report: it says what is wrong and what to change.
The command line prints the message alone, never a traceback.
"""

from __future__ import annotations


class WorkbookError(Exception):
    """Base class of every error the workbook reports to its user."""


class QuarterError(WorkbookError, ValueError):
    """A quarter label that cannot be read."""


class ConfigError(WorkbookError, ValueError):
    """A rating framework, scale or dataset configuration that is not valid."""


class DataError(WorkbookError, ValueError):
    """A dataset with problems; ``problems`` holds every one found."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class RunError(WorkbookError, RuntimeError):
    """A report run that failed after its inputs were validated."""
