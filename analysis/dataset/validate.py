"""Checking a dataset: every problem at once, in words an analyst understands.

:func:`validate_dataset` reads a dataset folder and returns a list of :class:`Problem`,
each naming the file, sheet, row (as Excel or a text editor shows it: the header is
row 1, the first data row is row 2), column and value at fault, and the rule broken. It
never raises for bad data: an empty list means the dataset is clean.

The checks, in order:

- ``dataset.yml``: present, valid YAML, exactly the settings organisation, plan,
  framework and scales, with a framework and scales that load.
- Files: every required table present (one CSV file per table or one sheet per table
  in ``dataset.xlsx``, not both), no unknown files or sheets, no empty files.
- Columns: none missing, none unexpected.
- Cells, per column (pandera schemas built from :mod:`analysis.schema`): required values
  present; whole numbers, dates, quarters and value cells readable; labels from their
  vocabulary or scale, with the closest valid label suggested; impact and likelihood
  from 1 to 4.
- Across rows and tables: no duplicate keys (every row of a duplicate is named), no
  reference to an unknown theme, outcome or item, amendments naming existing items
  (unless they add one), and a requested quarter that the data holds.

Examples
--------
>>> from analysis.dataset.read import BUNDLED_DATASET, validate_dataset
>>> problems = validate_dataset(BUNDLED_DATASET, quarter="2019-20 Q1")
>>> print(problems[-1].rule)  # doctest: +ELLIPSIS
the dataset holds no updates for 2019-20-Q1; it holds ...
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pandera.pandas as pa

from analysis.config.files import check_keys
from analysis.dataset.values import (
    as_at_text,
    dataset_value_states,
    normal_spelling,
    parse_value,
)
from analysis.errors import ConfigError, QuarterError
from analysis.quarters import ACCEPTED_FORMS, YEAR_FORMS, Quarter, parse_quarter, parse_year
from analysis.schema import KINDS, OPTIONAL_KINDS, TABLES, VALUE_STATES, VOCABULARIES, Column, Table

if TYPE_CHECKING:
    from analysis.config.scales import Scale, Scales
    from analysis.dataset.read import RawDataset

__all__ = [
    "Problem",
    "validate_raw",
    "table_schema",
    "format_problems",
    "CONFIG_KEYS",
    "OPTIONAL_CONFIG_KEYS",
    "INT_RANGES",
]

CONFIG_KEYS = ("organisation", "plan", "framework")
# Settings a dataset may leave out: scales are needed only by a dataset holding actions,
# projects or risks; presentation defaults to the standard words, icons and colours.
OPTIONAL_CONFIG_KEYS = ("scales", "presentation", "value_states")

# Whole-number columns with a range: (table, column) -> (lowest, highest).
# Impact and likelihood are scored 1 to 4 (the risk matrices are 4 x 4).
INT_RANGES: dict[tuple[str, str], tuple[int, int]] = {
    ("risk_updates", "impact"): (1, 4),
    ("risk_updates", "likelihood"): (1, 4),
}

_CONFIG_FILE = "dataset.yml"
_EXCEL_FILE = "dataset.xlsx"
_SCALE_OF_VOCAB = {
    "action_status": ("actions", "action"),
    "project_rating": ("projects", "project"),
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHOLE = re.compile(r"^[-+]?\d+$")
_STATE_WORDS = ("no target", "baseline", "due in q3", "n/a", "not measured", "in arrears")


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with a dataset.

    Attributes
    ----------
    file
        The file at fault, relative to the dataset folder (``"measures.csv"``,
        ``"dataset.xlsx"``, ``"dataset.yml"``); ``""`` for the dataset as a whole.
    sheet
        The sheet of ``dataset.xlsx``, or None.
    row
        The row as Excel or a text editor shows it (the header is row 1), or None.
    column
        The column (or setting of ``dataset.yml``), or None.
    value
        The value at fault, as written, or None.
    rule
        What is wrong and what to do, in plain words.

    Examples
    --------
    >>> print(Problem(file="measures.csv", row=3, column="polarity", value="up",
    ...               rule="must be one of higher, lower, neither"))
    measures.csv, row 3, column "polarity", value "up": must be one of higher, lower, neither
    """

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    rule: str

    @property
    def where(self) -> str:
        """The file (and sheet) at fault, as the report heads it."""
        if not self.file:
            return "the dataset as a whole"
        return f"{self.file}, sheet {self.sheet}" if self.sheet else self.file

    def detail(self) -> str:
        """Row, column, value and rule, without the file."""
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f'column "{self.column}"')
        if self.value is not None:
            parts.append(f'value "{self.value}"')
        return f"{', '.join(parts)}: {self.rule}" if parts else self.rule

    def __str__(self) -> str:
        where = self.where if self.file else ""
        return f"{where}, {self.detail()}" if where else self.detail()


# --------------------------------------------------------------------------- entry points


def validate_raw(raw: RawDataset, quarter: str | None = None) -> list[Problem]:
    """Find every problem in a dataset already read by :func:`analysis.dataset.read.read_raw`.

    See :func:`validate_dataset`.
    """
    requested = parse_quarter(quarter) if quarter is not None else None
    problems = list(raw.problems)
    config_read = not any(p.file == _CONFIG_FILE for p in raw.problems)
    scales = None
    if config_read:
        config_problems, loaded = _check_config(raw.config, raw.path)
        problems += config_problems
        scales = loaded.get("scales")
    problems += _check_files(raw)
    if config_read:
        problems += _check_kind_scales(raw, scales)
        problems += _check_icons(raw, loaded)
    value_states = _value_states(raw.config)
    for table in TABLES:
        frame = raw.frames.get(table.name)
        if frame is None:
            continue
        file, sheet = raw.sources[table.name]
        problems += _check_table(table, frame, file, sheet, scales, value_states)
    problems += _check_keys(raw)
    problems += _check_references(raw)
    problems += _check_amendments(raw)
    if requested is not None:
        problems += _check_quarter(raw, requested.slug)
    return sorted(problems, key=_order)


def format_problems(
    problems: Sequence[Problem], dataset: str | Path | None = None, per_rule: int = 5
) -> str:
    """A readable report of problems: a count, then one line each, grouped by file.

    Of the problems of one file, column and rule, the first ``per_rule`` are shown and
    the rest counted (``... and 995 more like these``), so that a file with thousands
    of bad rows gives a report one can read; every problem stays in the list given.

    Examples
    --------
    >>> print(format_problems([
    ...     Problem(file="measures.csv", row=4, column="unit", value="pc",
    ...             rule="must be one of percent, number"),
    ...     Problem(file="dataset.yml", column="framework", value="derbyy", rule="unknown"),
    ... ], "data/x"))
    2 problems found in data/x:
    <BLANKLINE>
    dataset.yml
      column "framework", value "derbyy": unknown
    <BLANKLINE>
    measures.csv
      row 4, column "unit", value "pc": must be one of percent, number
    """
    if not problems:
        return "No problems found."
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found"
    lines = [f"{count} in {dataset}:" if dataset else f"{count}:"]
    current = None
    seen: dict[tuple[str, str, str], int] = {}
    for problem in sorted(problems, key=_order):
        if problem.where != current:
            _count_hidden(lines, seen, per_rule)
            current, seen = problem.where, {}
            lines += ["", current]
        kind = (str(problem.column), re.split(r"[:;(]", problem.rule, maxsplit=1)[0], "")
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= per_rule:
            lines.append(f"  {problem.detail()}")
    _count_hidden(lines, seen, per_rule)
    return "\n".join(lines)


def _count_hidden(lines: list[str], seen: dict[tuple[str, str, str], int], shown: int) -> None:
    for (column, rule, _), count in seen.items():
        if count > shown:
            where = f'column "{column}"' if column not in ("", "None") else "the file"
            lines.append(f"  ... and {count - shown:,} more in {where} like these ({rule.strip()})")


def table_schema(
    table: Table, scales: Scales | None = None, value_states: Mapping[str, str] | None = None
) -> pa.DataFrameSchema:
    """The pandera schema that checks one table's cells, built from :mod:`analysis.schema`.

    Every cell is checked as text, as the analyst wrote it. Columns absent from the
    frame are not checked here (missing columns are reported separately).

    Parameters
    ----------
    table
        The table of :data:`analysis.schema.TABLES`.
    scales
        The dataset's scales, for action statuses and project ratings; without them
        those columns are not checked against a scale.
    value_states
        The dataset's own words for value states (``value_states`` of ``dataset.yml``,
        as :func:`analysis.dataset.values.dataset_value_states` reads them), accepted in
        value cells besides the standard ones.

    Examples
    --------
    >>> from analysis.schema import table
    >>> schema = table_schema(table("themes"))
    >>> sorted(schema.columns)
    ['description', 'name', 'position', 'theme_id']
    >>> [c.name for c in schema.columns["position"].checks]
    ['hidden', 'required', 'int']
    """
    columns = {
        col.name: pa.Column(
            checks=_checks(table, col, scales, value_states),
            nullable=True,
            required=False,
            name=col.name,
        )
        for col in table.columns
    }
    return pa.DataFrameSchema(columns, name=table.name, strict=False)


# --------------------------------------------------------------------------- dataset.yml


def _check_config(config: Any, folder: Path) -> tuple[list[Problem], dict[str, Any]]:
    from analysis.config.frameworks import load_framework
    from analysis.config.presentation import load_presentation
    from analysis.config.scales import load_scales

    problems = []
    try:
        check_keys(config, _CONFIG_FILE, required=CONFIG_KEYS, optional=OPTIONAL_CONFIG_KEYS)
    except ConfigError as exc:
        problems.append(
            Problem(file=_CONFIG_FILE, rule=str(exc).removeprefix(f"{_CONFIG_FILE}: ").rstrip("."))
        )
    for key in ("organisation", "plan"):
        if key in config and not str(config[key] or "").strip():
            problems.append(
                Problem(file=_CONFIG_FILE, column=key, value="", rule="must not be empty")
            )
        elif key in config and re.search(_HIDDEN, str(config[key])):
            problems.append(
                Problem(
                    file=_CONFIG_FILE,
                    column=key,
                    value=str(config[key]),
                    rule=_hidden_rule(str(config[key])),
                )
            )
    loaded: dict[str, Any] = {}
    loaders: dict[str, Callable[..., Any]] = {
        "framework": load_framework,
        "scales": load_scales,
        "presentation": load_presentation,
    }
    for key, loader in loaders.items():
        if key not in config:
            continue
        try:
            setting = config[key] if key == "presentation" else str(config[key])
            loaded[key] = loader(setting, base=folder)
        except ConfigError as exc:
            problems.append(
                Problem(file=_CONFIG_FILE, column=key, value=_shown(config[key]), rule=str(exc))
            )
            continue
    if isinstance(config, Mapping) and "value_states" in config:
        _, errors = dataset_value_states(config["value_states"])
        problems += [
            Problem(file=_CONFIG_FILE, column="value_states", value=word, rule=rule)
            for word, rule in errors
        ]
    return problems, loaded


def _value_states(config: Any) -> dict[str, str]:
    """The dataset's own words for value states, those of them that are valid."""
    if not isinstance(config, Mapping):
        return {}
    return dataset_value_states(config.get("value_states"))[0]


def _shown(setting: Any) -> str:
    """A setting as a problem shows it: text as written, a mapping as its keys."""
    if isinstance(setting, dict):
        return "{" + ", ".join(str(k) for k in setting) + "}"
    return str(setting)


def _check_kind_scales(raw: RawDataset, scales: Scales | None) -> list[Problem]:
    """Every kind the dataset holds has a scale to rate it (measures have the framework)."""
    if "scales" in raw.config and scales is None:
        return []  # the scales did not load: already a problem
    from analysis.config.files import presets

    unrated = []
    for kind in OPTIONAL_KINDS:
        items, updates, _ = KINDS[kind]
        held = [n for n in (items, updates) if _rows(raw, n)]
        if held and (scales is None or getattr(scales, f"{kind}s") is None):
            unrated.append(f"{kind}s ({held[0]}.csv)")
    if not unrated:
        return []
    where = (
        f"the scales {scales.source.name if scales.source else ''} do not rate them all"
        if scales is not None
        else "no scales are named"
    )
    return [
        Problem(
            file=_CONFIG_FILE,
            column="scales",
            value=str(raw.config.get("scales", "")),
            rule=f"{where}, but the dataset holds {', '.join(unrated)}: name scales with a "
            f"section for each (a preset: {', '.join(presets('scales'))}; or a YAML file), "
            "or leave those tables out",
        )
    ]


def _check_icons(raw: RawDataset, loaded: Mapping[str, Any]) -> list[Problem]:
    """Within the report, an icon stands for one name (see ``icon_problems``)."""
    from analysis.config.presentation import icon_problems, load_presentation
    from analysis.config.scales import NO_SCALES

    if "framework" not in loaded or ("scales" in raw.config and "scales" not in loaded):
        return []  # what did not load is already a problem
    if "presentation" in raw.config and "presentation" not in loaded:
        return []
    kinds = [k for k, (items, _, _) in KINDS.items() if k == "measure" or _rows(raw, items)]
    found = icon_problems(
        loaded["framework"],
        loaded.get("scales", NO_SCALES),
        loaded.get("presentation") or load_presentation(),
        kinds,
    )
    return [
        Problem(
            file=_CONFIG_FILE,
            column="presentation",
            value=_shown(raw.config.get("presentation", "")),
            rule=f"{problem}: change an icon or a name in the framework, the scales or the "
            "presentation, so that each means one thing in the report",
        )
        for problem in found
    ]


def _rows(raw: RawDataset, name: str) -> bool:
    frame = raw.frames.get(name)
    return frame is not None and not frame.empty


# --------------------------------------------------------------------------- files


def _check_files(raw: RawDataset) -> list[Problem]:
    """Required tables that are absent; files and sheets that are empty."""
    excel = any(sheet is not None for _, sheet in raw.sources.values())
    problems = []
    # An optional item table may be left out, but not while its updates name items.
    for items, updates, _ in KINDS.values():
        table = next(t for t in TABLES if t.name == items)
        if items not in raw.frames and _rows(raw, updates) and not _unreadable(raw, items):
            problems.append(_missing_table(table, excel))
    for table in TABLES:
        frame = raw.frames.get(table.name)
        if frame is None:
            if table.required and not _unreadable(raw, table.name):
                problems.append(_missing_table(table, excel))
            continue
        file, sheet = raw.sources[table.name]
        if len(frame.columns) == 0:
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    rule="is empty: it needs a header row with the columns "
                    f"{', '.join(table.column_names)}",
                )
            )
        elif frame.empty and table.required:
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    rule=f"has a header but no rows: the {table.name} table needs at least one row",
                )
            )
    return problems


def _unreadable(raw: RawDataset, name: str) -> bool:
    """Whether the table's file, or the workbook that would hold it, could not be read
    (already a problem: saying the table is missing as well would mislead)."""
    return any(
        p.file == f"{name}.csv" or (p.file == _EXCEL_FILE and p.sheet is None) for p in raw.problems
    )


def _missing_table(table: Table, excel: bool) -> Problem:
    what = table.description.rstrip(".")
    if excel:
        return Problem(
            file=_EXCEL_FILE,
            sheet=table.name,
            rule=f"the sheet is missing: add a sheet called {table.name} ({what})",
        )
    return Problem(
        file=f"{table.name}.csv",
        rule=f"the file is missing: add {table.name}.csv ({what}), or give "
        f"every table as a sheet of {_EXCEL_FILE}",
    )


# --------------------------------------------------------------------------- one table


def _check_table(
    table: Table,
    frame: pd.DataFrame,
    file: str,
    sheet: str | None,
    scales: Scales | None,
    value_states: Mapping[str, str] | None = None,
) -> list[Problem]:
    if len(frame.columns) == 0:
        return []
    problems = _check_columns(table, frame, file, sheet)
    present = [c for c in table.column_names if c in frame.columns]
    if frame.empty or not present:
        return problems
    schema = table_schema(table, scales, value_states)
    try:
        schema.validate(frame[present], lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems += _translate(exc.failure_cases, table, file, sheet, scales, value_states)
    return problems


def _check_columns(
    table: Table, frame: pd.DataFrame, file: str, sheet: str | None
) -> list[Problem]:
    problems = []
    columns = [str(c) for c in frame.columns]
    for col in table.columns:
        if col.name not in columns and not col.may_be_absent:
            what = f" ({col.description})" if col.description else ""
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=1,
                    column=col.name,
                    rule=f"the column is missing: add a column headed {col.name}{what}",
                )
            )
    for name in columns:
        if name not in table.column_names:
            hint = _did_you_mean(name, table.column_names)
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=1,
                    column=name,
                    rule=f"unexpected column{hint}; the columns of {table.name} are "
                    f"{', '.join(table.column_names)}",
                )
            )
    return problems


def _checks(
    table: Table, col: Column, scales: Scales | None, value_states: Mapping[str, str] | None = None
) -> list[pa.Check]:
    checks = [pa.Check(lambda s: ~s.str.contains(_HIDDEN, regex=True), name="hidden")]
    if col.required:
        checks.append(pa.Check(lambda s: s.str.strip() != "", name="required"))
    if col.kind == "int":
        checks.append(pa.Check(_vectorised(_is_whole), name="int"))
        if (table.name, col.name) in INT_RANGES:
            low, high = INT_RANGES[(table.name, col.name)]
            checks.append(
                pa.Check(
                    _vectorised(lambda c: not _is_whole(c) or low <= int(c) <= high), name="range"
                )
            )
    elif col.kind == "date":
        checks.append(pa.Check(_vectorised(_is_date), name="date"))
    elif col.kind == "year":
        checks.append(pa.Check(_vectorised(_is_year), name="year"))
        checks.append(
            pa.Check(
                _vectorised(lambda c: not _is_year(c) or _year_started(c)), name="year_started"
            )
        )
    elif col.kind == "as_at":
        checks.append(pa.Check(_vectorised(lambda c: as_at_text(c) is not None), name="as_at"))
    elif col.kind == "quarter":
        checks.append(pa.Check(_vectorised(_is_quarter), name="quarter"))
        checks.append(
            pa.Check(_vectorised(lambda c: not _is_quarter(c) or _has_started(c)), name="started")
        )
    elif col.kind == "value":
        checks.append(pa.Check(_vectorised(lambda c: _is_value(c, value_states)), name="value"))
    elif col.kind == "vocab" and col.vocab in _SCALE_OF_VOCAB:
        scale = getattr(scales, _SCALE_OF_VOCAB[col.vocab][0]) if scales is not None else None
        if scale is not None:
            checks.append(pa.Check(_vectorised(lambda c: scale.match(c) is not None), name="scale"))
    elif col.kind == "vocab" and col.vocab is not None:
        labels = set(VOCABULARIES[col.vocab])
        checks.append(pa.Check(_vectorised(lambda c: _normal(c) in labels), name="vocab"))
    return checks


def _vectorised(test: Callable[[str], bool]) -> Callable[[pd.Series], pd.Series]:
    """A check passing empty cells (``required`` reports those) and testing the rest.

    Each distinct cell is tested once: an export repeats its statuses, quarters and units
    down thousands of rows, so a large file costs little more than its distinct values.
    """

    def one(cell: object) -> bool:
        text = str(cell).strip()
        return not text or test(text)

    def check(series: pd.Series) -> pd.Series:
        verdicts = {value: one(value) for value in series.unique()}
        return series.map(verdicts).astype(bool)

    return check


def _is_whole(cell: str) -> bool:
    """A whole number the engine can hold (any count, score or position is far smaller)."""
    return bool(_WHOLE.match(cell)) and abs(int(cell)) < _LARGEST_WHOLE


#: The largest whole number a cell may hold, exclusive.
_LARGEST_WHOLE = 10**9


def _is_year(cell: str) -> bool:
    try:
        parse_year(cell)
    except QuarterError:
        return False
    return True


def _year_started(cell: str) -> bool:
    return _has_started(Quarter(parse_year(cell), 1).slug)


def _is_date(cell: str) -> bool:
    return bool(_DATE.match(cell)) and not pd.isna(
        pd.to_datetime(cell, format="%Y-%m-%d", errors="coerce")
    )


def _is_quarter(cell: str) -> bool:
    try:
        parse_quarter(cell)
    except QuarterError:
        return False
    return True


#: Characters that do not show but change what a reader sees or what a program reads:
#: control characters (NUL ...; tab and line breaks are allowed) and the bidirectional
#: overrides and isolates that can make text read in another order than it is stored.
_HIDDEN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]"


def _hidden_name(value: str) -> str:
    import unicodedata

    found = re.search(_HIDDEN, value)
    if found is None:  # pragma: no cover - only called for a failing cell
        return "a hidden character"
    char = found.group(0)
    name = unicodedata.name(char, "a control character")
    return f"U+{ord(char):04X} ({name})"


def _hidden_rule(value: str) -> str:
    return (
        f"holds the invisible character {_hidden_name(value)}, which changes how the text "
        "shows or is read; delete it (it often comes with text pasted from elsewhere)"
    )


def _has_started(cell: str) -> bool:
    """Whether a quarter has begun by today: a report is on a quarter that has started."""
    return parse_quarter(cell).period_start <= date.today()


def _is_value(cell: str, value_states: Mapping[str, str] | None = None) -> bool:
    try:
        number, _ = parse_value(cell, value_states)
    except ValueError:
        return False
    return not _too_large(number)


def _is_huge(cell: str) -> bool:
    try:
        number, _ = parse_value(cell)
    except ValueError:
        return False
    return _too_large(number)


def _too_large(number: float) -> bool:
    return not math.isnan(number) and abs(number) >= _LARGEST_VALUE


#: A value this large is a typing error, not a council's figure (a trillion pounds is 1e12).
_LARGEST_VALUE = 1e15


def _normal(text: str) -> str:
    return " ".join(str(text).lower().split())


def _translate(
    cases: pd.DataFrame,
    table: Table,
    file: str,
    sheet: str | None,
    scales: Scales | None,
    value_states: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Pandera's failure cases as problems, one per failing cell."""
    problems = []
    for case in cases.itertuples(index=False):
        column = str(case.column)
        value = "" if pd.isna(case.failure_case) else str(case.failure_case)
        row = None if pd.isna(case.index) else int(case.index)
        rule = _rule(str(case.check), table, table.column(column), value, scales, value_states)
        problems.append(
            Problem(file=file, sheet=sheet, row=row, column=column, value=value, rule=rule)
        )
    return problems


def _rule(
    check: str,
    table: Table,
    col: Column,
    value: str,
    scales: Scales | None,
    value_states: Mapping[str, str] | None = None,
) -> str:
    """The plain-words rule a failing cell broke."""
    if check == "required":
        return "a value is required here"
    if check == "int":
        return f"must be a whole number below {_LARGEST_WHOLE:,}, e.g. 3"
    if check == "range":
        low, high = INT_RANGES[(table.name, col.name)]
        return f"must be a whole number from {low} to {high}"
    if check == "date":
        return "must be a date written YYYY-MM-DD, e.g. 2022-03-31"
    if check == "year_started":
        start = Quarter(parse_year(value), 1)
        return (
            f"{start.year_label} starts on 1 April {start.start_year}, after today: a row of "
            "history is for a year that has begun (check the year)"
        )
    if check == "year":
        return (
            f"must be a financial year written as one of {', '.join(YEAR_FORMS)} (April to "
            "March, over two consecutive years)"
        )
    if check == "as_at":
        return (
            "must be the month the value is as at (May-2021, May 2021 or 2021-05) or the "
            "day (2021-05-31), or be left empty for the quarter's end"
        )
    if check == "quarter":
        return (
            f"must be a quarter written as one of {', '.join(ACCEPTED_FORMS)} (a financial "
            "year runs over two consecutive years, e.g. 2021/22)"
        )
    if check == "hidden":
        return _hidden_rule(value)
    if check == "started":
        q = parse_quarter(value)
        return (
            f"{q.label} starts on {q.period_start.day} {q.period_start:%B %Y}, after today: an "
            "update is for a quarter that has begun (check the year)"
        )
    if check == "value" and _is_huge(value):
        return (
            f"is too large to be a figure of the report (over {_LARGEST_VALUE:,.0f}); "
            "check for a typing error"
        )
    if check == "value":
        spellings = [s for states in VALUE_STATES.values() for s in states]
        hint = _did_you_mean(normal_spelling(value), [*spellings, *(value_states or {})])
        return (
            "must be a number (e.g. 68, 68%, £1,200) or a known state "
            f"({', '.join(_STATE_WORDS)}, ...), and a number may have a note in brackets "
            f"after it (68% (provisional)){hint}"
        )
    if check == "scale" and scales is not None and col.vocab in _SCALE_OF_VOCAB:
        attribute, kind = _SCALE_OF_VOCAB[col.vocab]
        scale: Scale = getattr(scales, attribute)
        suggestion = scale.suggest(value)
        hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
        labels = ", ".join(s.label for s in scale.statuses)
        return f"must be one of the {kind} scale's labels {labels}{hint}"
    if check == "vocab" and col.vocab is not None:
        labels = VOCABULARIES[col.vocab]
        hint = _did_you_mean(_normal(value), labels)
        return f"must be one of {', '.join(labels)}{hint}"
    return f"fails the check {check}"


def _did_you_mean(text: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(text, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# --------------------------------------------------------------------------- across rows


def _key_cell(kind: str, cell: str) -> str:
    """A key cell as compared: stripped, and quarters in their canonical form."""
    text = str(cell).strip()
    if kind == "quarter" and _is_quarter(text):
        return parse_quarter(text).slug
    return text


def _check_keys(raw: RawDataset) -> list[Problem]:
    """Every row of a duplicate key, naming the other rows."""
    problems = []
    for table in TABLES:
        frame = raw.frames.get(table.name)
        if frame is None or frame.empty or not set(table.key) <= set(frame.columns):
            continue
        kinds = {k: table.column(k).kind for k in table.key}
        keys = pd.DataFrame(
            {  # each distinct cell compared once
                k: frame[k].map({c: _key_cell(kinds[k], c) for c in frame[k].unique()})
                for k in table.key
            },
            index=frame.index,
        )
        complete = keys.ne("").all(axis=1)
        duplicated = keys.duplicated(keep=False) & complete
        if not duplicated.any():
            continue
        file, sheet = raw.sources[table.name]
        groups: dict[tuple[str, ...], list[int]] = {}
        for row, values in zip(keys.index, keys.itertuples(index=False), strict=True):
            if duplicated[row]:
                groups.setdefault(tuple(values), []).append(int(row))
        per = " and ".join(table.key)
        for values, rows in groups.items():
            shown = ", ".join(values)
            for row in rows:
                # the first few other rows and how many more: linear in the rows
                first = [r for r in rows[:6] if r != row][:5]
                others = _some_rows(first, more=len(rows) - 1 - len(first))
                problems.append(
                    Problem(
                        file=file,
                        sheet=sheet,
                        row=row,
                        column=", ".join(table.key),
                        value=shown,
                        rule=f"duplicate {per}: also on row {others}; each must appear once",
                    )
                )
    return problems


def _some_rows(rows: list[int], more: int = 0) -> str:
    """Row numbers, and how many more there are: a message stays short however many.

    Examples
    --------
    >>> _some_rows([3]), _some_rows([3, 4, 5, 6, 7], more=2)
    ('3', '3, 4, 5, 6, 7 and 2 more')
    """
    text = ", ".join(str(r) for r in rows)
    return f"{text} and {more:,} more" if more else text


def _check_references(raw: RawDataset) -> list[Problem]:
    """Values that name a theme, outcome or item that does not exist."""
    problems = []
    for table in TABLES:
        frame = raw.frames.get(table.name)
        if frame is None or frame.empty:
            continue
        for col in table.columns:
            if not col.references or col.name not in frame.columns:
                continue
            target_table, target_column = col.references.split(".")
            known = _known(raw, target_table, target_column)
            if known is None:
                continue
            file, sheet = raw.sources[table.name]
            target_file = _where(raw, target_table)
            for row, cell in frame[col.name].items():
                value = str(cell).strip()
                if value and value not in known:
                    hint = _did_you_mean(value, sorted(known))
                    problems.append(
                        Problem(
                            file=file,
                            sheet=sheet,
                            row=int(row),
                            column=col.name,
                            value=value,
                            rule=f"does not match any {target_column} in {target_file}{hint}",
                        )
                    )
    return problems


def _check_amendments(raw: RawDataset) -> list[Problem]:
    """Amendments must name an existing item of their kind, unless they add one."""
    frame = raw.frames.get("amendments")
    needed = {"item_id", "item_kind", "change"}
    if frame is None or frame.empty or not needed <= set(frame.columns):
        return []
    file, sheet = raw.sources["amendments"]
    problems = []
    for row, item_id, kind, change in zip(
        frame.index, frame["item_id"], frame["item_kind"], frame["change"], strict=True
    ):
        kind, item = _normal(kind), str(item_id).strip()
        if not item or kind not in VOCABULARIES["item_kind"] or _normal(change) == "add":
            continue
        known = _known(raw, f"{kind}s", f"{kind}_id")
        if known is not None and item not in known:
            items = _where(raw, f"{kind}s")
            hint = _did_you_mean(item, sorted(known))
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=int(row),
                    column="item_id",
                    value=item,
                    rule=f"does not match any {kind}_id in {items}{hint}; only an amendment "
                    "whose change is 'add' may name a new item",
                )
            )
    return problems


def _known(raw: RawDataset, table: str, column: str) -> set[str] | None:
    frame = raw.frames.get(table)
    if frame is None or column not in frame.columns:
        return None
    return {str(v).strip() for v in frame[column]} - {""}


def _where(raw: RawDataset, table: str) -> str:
    file, sheet = raw.sources.get(table, (f"{table}.csv", None))
    return f"sheet {sheet} of {file}" if sheet else file


def _check_quarter(raw: RawDataset, slug: str) -> list[Problem]:
    held = set()
    for table in TABLES:
        frame = raw.frames.get(table.name)
        if frame is not None and "quarter" in frame.columns:
            held |= {parse_quarter(c).slug for c in frame["quarter"] if _is_quarter(str(c))}
    if slug in held:
        return []
    holds = f"it holds {', '.join(sorted(held))}" if held else "it holds no quarter at all"
    return [
        Problem(
            file="",
            column="quarter",
            value=slug,
            rule=f"the dataset holds no updates for {slug}; {holds}",
        )
    ]


# --------------------------------------------------------------------------- ordering

_TABLE_ORDER = {t.name: i for i, t in enumerate(TABLES)}


def _order(problem: Problem) -> tuple[int, str, int, int, str]:
    """Problems by table (dataset.yml first), row, then column in schema order."""
    name = problem.sheet or Path(problem.file).stem
    if problem.file == _CONFIG_FILE or (problem.file == _EXCEL_FILE and not problem.sheet):
        rank = -1
    elif not problem.file:
        rank = len(TABLES) + 1
    else:
        rank = _TABLE_ORDER.get(name, len(TABLES))
    columns = TABLES[rank].column_names if 0 <= rank < len(TABLES) else ()
    column = problem.column or ""
    position = columns.index(column) if column in columns else len(columns)
    return (rank, problem.file, problem.row or 0, position, column)
