"""The command line: ``python -m analysis <command>``.

Commands
--------
``validate [DATASET] [--quarter Q]``
    Check a dataset folder (by default the bundled ``data/derby-2021-22``) and report
    every problem. Exits 0 when the dataset is clean, 1 when it has problems.
``dictionary [--check]``
    Rewrite the generated data dictionary in ``data/README.md``.

Any :class:`analysis.errors.WorkbookError` prints its message, without a traceback, and
exits 2.

Adding a command
----------------
Each command lives in a module with a ``register(subparsers)`` function that adds its
parser and sets ``handler``: a function of the parsed arguments returning the exit
code. List the function in :data:`COMMANDS` as ``"module:function"``; it is imported
only when the command line is built.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.errors import WorkbookError

__all__ = ["COMMANDS", "main", "build_parser", "register_validate"]

# Every command's register function, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = (
    "analysis.cli:register_validate",
    "analysis.dataset.dictionary:register",
    "analysis.pipeline.run:register",
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code.

    Examples
    --------
    >>> main(["validate", "/no/such/folder"])  # the message goes to standard error
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except WorkbookError as error:
        print(error, file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="The quarterly performance report workbook.",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for entry in COMMANDS:
        module, function = entry.split(":")
        getattr(importlib.import_module(module), function)(subparsers)
    return parser


def register_validate(subparsers: Any) -> None:
    """Add the ``validate`` command."""
    from analysis.dataset.read import BUNDLED_DATASET

    parser = subparsers.add_parser(
        "validate",
        help="check a dataset and report every problem",
        description="Check a dataset folder and report every problem, with file, sheet, "
        "row (the header is row 1), column, value and the rule broken.",
    )
    parser.add_argument(
        "dataset",
        nargs="?",
        type=Path,
        default=BUNDLED_DATASET,
        metavar="DATASET",
        help="the dataset folder (default: the bundled data/derby-2021-22)",
    )
    parser.add_argument(
        "--quarter",
        "-q",
        help="a quarter the report will be run for, e.g. 2021/22 Q2; "
        "reported as a problem if the data does not hold it",
    )
    parser.set_defaults(handler=_validate)


def _validate(args: argparse.Namespace) -> int:
    from analysis.dataset.read import read_raw
    from analysis.dataset.validate import format_problems, validate_raw

    raw = read_raw(args.dataset)
    problems = validate_raw(raw, args.quarter)
    if problems:
        print(format_problems(problems, args.dataset))
        return 1
    print(_clean_summary(raw))
    return 0


def _clean_summary(raw: Any) -> str:
    """One line: the dataset is clean, with its tables and row counts."""
    from analysis.schema import TABLES

    counts = ", ".join(
        f"{t.name} {len(raw.frames[t.name])}" for t in TABLES if t.name in raw.frames
    )
    return f"{raw.path} is clean: {len(raw.frames)} tables ({counts} rows)."
