"""The data dictionary in ``data/README.md``, generated from :mod:`analysis.schema`.

The README's prose (how a dataset is laid out, encodings, where the data came from) is
written by hand; the part between the markers :data:`BEGIN` and :data:`END` (every
table, column, type, allowed value, example row and value state) is generated here, so
the documentation and the checks can never diverge. ``python -m analysis dictionary``
rewrites it; ``python -m analysis dictionary --check`` reports whether it is up to date.

Examples
--------
>>> text = data_dictionary_markdown()
>>> "### measures" in text and "| `polarity` | label | yes |" in text
True
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from analysis.dataset.validate import INT_RANGES
from analysis.dataset.values import STATE_LABELS, STATE_MISSING, STATE_VALUE
from analysis.errors import WorkbookError
from analysis.quarters import ACCEPTED_FORMS, YEAR_FORMS
from analysis.schema import TABLES, VALUE_STATES, VOCABULARIES, Column, Table

__all__ = [
    "BEGIN",
    "END",
    "README",
    "data_dictionary_markdown",
    "update_readme",
    "register",
]

README = Path(__file__).resolve().parents[2] / "data" / "README.md"
BEGIN = "<!-- BEGIN GENERATED DATA DICTIONARY: python -m analysis dictionary -->"
END = "<!-- END GENERATED DATA DICTIONARY -->"

_KIND_WORDS = {
    "id": "identifier",
    "text": "text",
    "int": "whole number",
    "quarter": "quarter",
    "date": "date",
    "as_at": "month or date",
    "year": "financial year",
    "value": "value",
    "vocab": "label",
}
_SCALE_VOCABS = {
    "action_status": "a status of the `actions` scale named in `dataset.yml`",
    "project_rating": "a status of the `projects` scale named in `dataset.yml`",
}
# Example cells for columns the schema gives no example for.
_PLACEHOLDERS = {
    "id": "X1",
    "text": "",
    "int": "1",
    "quarter": "2021-22-Q2",
    "date": "2022-03-31",
    "as_at": "",
    "year": "2023/24",
    "value": "",
    "vocab": "",
}


def data_dictionary_markdown() -> str:
    """The generated part of the data dictionary, as Markdown.

    Returns
    -------
    str
        Sections for every table (columns, types, whether required, allowed values,
        meaning, an example row), the fixed vocabularies and the value states.

    Examples
    --------
    >>> print(data_dictionary_markdown().splitlines()[0])
    ## Tables
    """
    parts = ["## Tables", ""]
    parts.append(
        "Every table is one CSV file named after it (`themes.csv`) or one sheet of "
        "`dataset.xlsx` named after it (`themes`). Required tables must be present; "
        "an optional table that is absent is read as having no rows. Column order does "
        "not matter; column names do. Measures are always held; actions, projects and "
        "risks are optional: a dataset without their tables (or with a header only) has "
        "none, and its report leaves out every chapter, section, row and figure about "
        "them. An update table may not name items whose table is missing."
    )
    parts.append("")
    for table in TABLES:
        parts += _table_section(table)
    parts += _vocabularies_section()
    parts += _states_section()
    return "\n".join(parts).rstrip() + "\n"


def update_readme(text: str) -> str:
    """``text`` with the generated part between :data:`BEGIN` and :data:`END` rewritten.

    Raises
    ------
    WorkbookError
        If the markers are missing or out of order.

    Examples
    --------
    >>> page = f"# Data\\n\\n{BEGIN}\\nold\\n{END}\\n\\n## Bundled dataset\\n"
    >>> new = update_readme(page)
    >>> new.startswith("# Data") and new.endswith("## Bundled dataset\\n")
    True
    >>> update_readme(new) == new
    True
    """
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise WorkbookError(
            f"The data dictionary needs the lines {BEGIN!r} and {END!r}, in that order, "
            "around its generated part; put them back and run the command again."
        )
    return f"{text[:start]}{BEGIN}\n\n{data_dictionary_markdown()}\n{END}{text[end + len(END) :]}"


def _table_section(table: Table) -> list[str]:
    need = "required" if table.required else "optional"
    lines = [
        f"### {table.name}",
        "",
        f"{table.description} File `{table.name}.csv` or sheet `{table.name}` ({need}). "
        f"Each row is unique by {_names(table.key)}.",
        "",
        "| Column | Type | Required | Allowed values | Meaning | Example |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for col in table.columns:
        lines.append(
            "| "
            + " | ".join(
                [
                    f"`{col.name}`",
                    _KIND_WORDS[col.kind],
                    "yes" if col.required else "no",
                    _escape(_allowed(table, col)),
                    _escape(col.description),
                    _escape(col.example),
                ]
            )
            + " |"
        )
    lines += ["", "Example row:", "", "```csv"]
    lines.append(",".join(table.column_names))
    lines.append(",".join(_csv_cell(_example(col)) for col in table.columns))
    lines += ["```", ""]
    return lines


def _allowed(table: Table, col: Column) -> str:
    if col.kind == "vocab" and col.vocab in _SCALE_VOCABS:
        return _SCALE_VOCABS[col.vocab]
    if col.kind == "vocab" and col.vocab is not None:
        labels = ", ".join(f"`{label}`" for label in VOCABULARIES[col.vocab])
        empty = "; empty for none" if not col.required else ""
        return f"one of {labels}{empty}"
    if col.kind == "int":
        limits = INT_RANGES.get((table.name, col.name))
        return f"{limits[0]} to {limits[1]}" if limits else "a whole number"
    if col.kind == "date":
        return "`YYYY-MM-DD`"
    if col.kind == "year":
        return ", ".join(f"`{form}`" for form in YEAR_FORMS)
    if col.kind == "as_at":
        return "a month (`Jun-2021`, `June 2021`, `2021-06`) or a date (`2021-06-30`)"
    if col.kind == "quarter":
        return ", ".join(f"`{form}`" for form in ACCEPTED_FORMS)
    if col.kind == "value":
        return "a number (`68`, `68%`, `£1,200`) or a state (see Value cells)"
    if col.references:
        return f"an existing `{col.references}`"
    return ""


def _example(col: Column) -> str:
    """A column's example; else the example of the column it refers to; else a placeholder."""
    if col.example:
        return col.example
    if col.references:
        table_name, column_name = col.references.split(".")
        target = next(t for t in TABLES if t.name == table_name).column(column_name)
        if target.example:
            return target.example
    if col.kind == "text" and col.required:
        return col.name.replace("_", " ").capitalize()
    return _PLACEHOLDERS[col.kind]


def _vocabularies_section() -> list[str]:
    lines = [
        "## Labels",
        "",
        "Labels are matched ignoring case and extra spaces. Action statuses and project "
        "ratings come from the scales named in `dataset.yml` (labels and their aliases).",
        "",
        "| Vocabulary | Labels |",
        "| --- | --- |",
    ]
    for name, labels in VOCABULARIES.items():
        lines.append(f"| {name} | {', '.join(f'`{label}`' for label in labels)} |")
    lines.append("")
    return lines


def _states_section() -> list[str]:
    lines = [
        "## Value cells",
        "",
        "A value cell holds a number, written as people write it (`68`, `68.5%`, `£1,200`), "
        "or one of these words for a legitimate non-numeric state (matched ignoring case). "
        "None of these is an error; each is reported as what it is.",
        "",
        "| State | Meaning | Accepted spellings |",
        "| --- | --- | --- |",
        f"| `{STATE_VALUE}` | {STATE_LABELS[STATE_VALUE]} | a number |",
        f"| `{STATE_MISSING}` | {STATE_LABELS[STATE_MISSING]} | an empty cell |",
    ]
    for state, spellings in VALUE_STATES.items():
        words = ", ".join(f"`{s}`" for s in spellings)
        lines.append(f"| `{state}` | {STATE_LABELS.get(state, state)} | {words} |")
    lines += [
        "",
        "A dataset may add words of its own for these states, with the setting "
        "`value_states` of `dataset.yml`: each of its words names one of the states "
        f"{', '.join(f'`{s}`' for s in VALUE_STATES)}, and is accepted (matched ignoring "
        "case and extra spaces) in that dataset's value cells only. A word naming a state "
        "that does not exist, a word that already means a different state above and a "
        "word that reads as a number are reported as problems of `dataset.yml`.",
        "",
        "A number may have a note in brackets after it (`£1,490,000 (Q3 data)`, "
        "`68% (provisional)`). The measure is rated on the number; the note is kept (in "
        "a column `actual_note`, `forecast_note`, ... of the loaded table) and the report "
        "shows it after the value, as text.",
        "",
    ]
    return lines


def _names(columns: tuple[str, ...]) -> str:
    return " and ".join(f"`{c}`" for c in columns)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _csv_cell(text: str) -> str:
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


# --------------------------------------------------------------------------- command


def register(subparsers: Any) -> None:
    """Add the ``dictionary`` command to the command line."""
    parser = subparsers.add_parser(
        "dictionary",
        help="rewrite the generated data dictionary in data/README.md",
        description="Rewrite the tables, columns and value states in data/README.md "
        "from the dataset schema.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if data/README.md is out of date",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    if not README.is_file():
        raise WorkbookError(f"There is no data dictionary at {README} to update.")
    current = README.read_text(encoding="utf-8")
    updated = update_readme(current)
    if args.check:
        if updated != current:
            print(f"{README} is out of date: run python -m analysis dictionary")
            return 1
        print(f"{README} is up to date.")
        return 0
    if updated != current:
        README.write_text(updated, encoding="utf-8")
        print(f"Updated {README}.")
    else:
        print(f"{README} was already up to date.")
    return 0
