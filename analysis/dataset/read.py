"""Reading a dataset folder into typed tables.

A dataset is a folder holding ``dataset.yml`` and the tables of :mod:`analysis.schema`,
either as CSV files (``measures.csv``) or as one Excel workbook (``dataset.xlsx``) with a
sheet per table. Reading happens in two steps:

1. :func:`read_raw` reads every cell as the text the analyst wrote (numbers and dates in
   Excel cells are written out as text), noting any file it cannot read.
2. :func:`load_dataset` validates that text (:mod:`analysis.dataset.validate`) and, when nothing
   is wrong, converts it into the typed frames of a :class:`Dataset`.

CSV files may be saved as UTF-8 (with or without a byte-order mark) or Windows-1252, the
encoding Excel uses for "CSV (Comma delimited)" on English Windows; both load.

Examples
--------
>>> raw = read_raw(BUNDLED_DATASET)
>>> raw.config["organisation"]
'Derby City Council'
>>> raw.frames["outcomes"].columns.tolist()
['outcome_id', 'theme_id', 'name', 'position', 'description']
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import io
import math
import re
import shutil
import warnings
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.config.files import read_yaml
from analysis.dataset.validate import Problem, format_problems, validate_raw
from analysis.dataset.values import as_at_text, dataset_value_states, parse_value, value_note
from analysis.errors import ConfigError, DataError
from analysis.quarters import Quarter, parse_quarter, parse_year
from analysis.schema import KINDS, TABLES, VOCABULARIES, Table

if TYPE_CHECKING:
    from analysis.config.frameworks import Framework
    from analysis.config.presentation import Presentation
    from analysis.config.scales import Scales

__all__ = [
    "Dataset",
    "RawDataset",
    "read_raw",
    "load_dataset",
    "validate_dataset",
    "INPUTS_FOLDER",
    "snapshot_dataset",
    "load_run_inputs",
    "run_snapshot",
    "remember_dataset",
    "folder_hash",
    "CONFIG_FILE",
    "EXCEL_FILE",
    "BUNDLED_DATASET",
]

CONFIG_FILE = "dataset.yml"
EXCEL_FILE = "dataset.xlsx"
BUNDLED_DATASET = Path(__file__).resolve().parents[2] / "data" / "derby-2021-22"
#: The folder of a published report holding the snapshot of the dataset it was made from.
INPUTS_FOLDER = "inputs"


def snapshot_dataset(folder: Path, target: Path) -> Path:
    """Copy a dataset folder's files into ``target``: the inputs of one run, read once.

    A run copies the dataset when it starts and makes everything from the copy (the
    notebooks, the extracts, the manifest's hashes), so that a file saved while the
    report is being made cannot put two versions of the data into one report. The copy is
    published with the report (``inputs/``). Hidden files and Excel's lock files
    (``~$...``) are left out.

    Examples
    --------
    >>> import tempfile
    >>> source = Path(tempfile.mkdtemp())
    >>> _ = (source / "dataset.yml").write_text("plan: x"); _ = (source / "~$lock").write_text("")
    >>> [p.name for p in snapshot_dataset(source, Path(tempfile.mkdtemp()) / "in").iterdir()]
    ['dataset.yml']
    """
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith((".", "~$")):
            shutil.copy2(path, target / path.name)
    return target


def load_run_inputs(dataset: str | Path, output_dir: str | Path = "") -> Dataset:
    """The dataset a chapter notebook reports on: the run's snapshot, when there is one.

    A notebook executed by the run finds the snapshot of its run beside it
    (``<output_dir>/../inputs/<dataset>/``) and reads that; a notebook opened by hand,
    with no snapshot beside it, reads ``dataset``.
    """
    snapshot = run_snapshot(output_dir)
    return load_dataset(snapshot if snapshot is not None else dataset)


def run_snapshot(output_dir: str | Path) -> Path | None:
    """The snapshot of the run whose notebooks are executed into ``output_dir``
    (``<output_dir>/../inputs/<dataset>/``), or None when there is not exactly one."""
    if not str(output_dir).strip():
        return None
    snapshots = sorted((Path(output_dir).parent / INPUTS_FOLDER).glob(f"*/{CONFIG_FILE}"))
    return snapshots[0].parent if len(snapshots) == 1 else None


# Datasets loaded ahead by a process whose forks will load them (the warm kernel server,
# analysis.pipeline.kernels): folder -> (its content hash, the dataset).
_REMEMBERED: dict[Path, tuple[str, Dataset]] = {}


def remember_dataset(folder: str | Path) -> None:
    """Load a dataset now, so that :func:`load_dataset` in this process or its forks
    returns a copy of it instead of reading and validating it again.

    The copy is returned only while every file of the folder has the content it had when
    it was remembered (compared by hash), so a changed file is always read anew, and
    only for the folder named as it was here (the dataset records the path it was loaded
    from).
    """
    path = Path(folder)
    _REMEMBERED[path] = (folder_hash(path), load_dataset(path))


def folder_hash(folder: Path, skipped: Collection[str] = ()) -> str:
    """A SHA-256 of a folder's files: their paths (relative to it) and bytes.

    A file is left out when a part of its path, or its suffix, is in ``skipped``
    (``__pycache__``, ``.pyc``: what Python writes beside code).
    """
    digest = hashlib.sha256()
    files = (p for p in folder.rglob("*") if p.is_file())
    for file in sorted(
        p
        for p in files
        if p.suffix not in skipped and not set(skipped) & set(p.relative_to(folder).parts)
    ):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def _remembered(path: str | Path) -> Dataset | None:
    if not _REMEMBERED:
        return None
    folder = Path(path)
    entry = _REMEMBERED.get(folder)
    if entry is None or not folder.is_dir() or folder_hash(folder) != entry[0]:
        return None
    return copy.deepcopy(entry[1])


_ENCODINGS = ("utf-8-sig", "cp1252")
_SCALE_OF_VOCAB = {"action_status": "actions", "project_rating": "projects"}


@dataclass(frozen=True)
class RawDataset:
    """A dataset folder as read, before validation.

    Attributes
    ----------
    path
        The dataset folder.
    config
        ``dataset.yml`` as read; empty when it is missing or unreadable.
    frames
        One frame of text per table found, every cell a ``str`` (``""`` when empty),
        indexed by the row number the analyst sees (the header is row 1). Rows that are
        entirely empty are dropped.
    sources
        For each table in ``frames``, the file it came from (relative to the folder) and
        the sheet (``None`` for a CSV file).
    files
        Every input file read, ``dataset.yml`` first.
    problems
        Problems met while reading: unreadable or conflicting files, bad YAML, ...
    """

    path: Path
    config: Mapping[str, Any]
    frames: Mapping[str, pd.DataFrame]
    sources: Mapping[str, tuple[str, str | None]]
    files: tuple[Path, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Dataset:
    """A validated dataset, its tables converted to typed frames.

    Frames have exactly the columns of :mod:`analysis.schema`, rows in file order, plus:
    ``quarter`` columns hold canonical slugs (``"2021-22-Q2"``); each ``value`` column
    ``X`` is a float with a ``X_state`` column beside it (see
    :func:`analysis.dataset.values.parse_value`); action statuses and project ratings hold the
    keys of the dataset's scales; fixed vocabularies hold their canonical lower-case
    labels; ``int`` columns are ``Int64``; ``date`` columns are ``datetime64`` (``NaT``
    when empty); text is ``str`` with ``""`` for empty. Optional tables that are absent
    are empty frames with the schema's columns. A ``value`` column any of whose cells
    holds a note after its number (``£1,490,000 (Q3 data)``) has an ``X_note`` column
    too, after ``X_state``: the note as text, ``""`` for a cell without one.

    ``value_states`` holds the dataset's own words for value states, as written in
    ``value_states`` of ``dataset.yml``, each with its state.

    ``kinds`` are the kinds of item the dataset holds, in the order of
    :data:`analysis.schema.KINDS`: measures always, and actions, projects and risks when
    their item table has a row. ``presentation`` holds the report's words, icons and
    headline figures (``presentation`` in ``dataset.yml``; the standard preset if absent).
    """

    path: Path
    name: str
    organisation: str
    plan: str
    framework: Framework
    scales: Scales
    files: tuple[Path, ...]
    tables: Mapping[str, pd.DataFrame]
    quarters: tuple[Quarter, ...]
    presentation: Presentation
    kinds: tuple[str, ...]
    value_states: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, table_name: str) -> pd.DataFrame:
        try:
            return self.tables[table_name]
        except KeyError:
            names = ", ".join(t.name for t in TABLES)
            raise KeyError(f"No table called {table_name!r}; the tables are {names}.") from None

    def holds(self, kind: str) -> bool:
        """Whether the dataset holds items of a kind."""
        return kind in self.kinds


# --------------------------------------------------------------------------- reading


def read_raw(path: str | Path) -> RawDataset:
    """Read a dataset folder as text, collecting every problem met on the way.

    Parameters
    ----------
    path
        The dataset folder.

    Returns
    -------
    RawDataset
        The configuration, a frame of text per table found, and reading problems.

    Raises
    ------
    DataError
        Only when ``path`` is not a folder; every other problem is collected.

    Examples
    --------
    >>> raw = read_raw(BUNDLED_DATASET)
    >>> raw.sources["themes"]
    ('themes.csv', None)
    >>> raw.frames["themes"].index[0]  # the first data row is row 2
    2
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(
            f"There is no dataset folder at {folder}. Give the folder that holds "
            f"{CONFIG_FILE} and the tables (e.g. data/derby-2021-22)."
        )
    problems: list[Problem] = []
    config, config_files = _read_config(folder, problems)
    frames: dict[str, pd.DataFrame] = {}
    sources: dict[str, tuple[str, str | None]] = {}
    files = list(config_files)
    csvs = [
        p
        for p in sorted(folder.glob("*.csv"))
        if not p.name.startswith((".", "~$")) and _is_table_file(p, folder, problems)
    ]
    excel = folder / EXCEL_FILE
    if excel.is_file() and csvs:
        problems.append(
            Problem(
                file=EXCEL_FILE,
                rule=f"the folder holds both {EXCEL_FILE} and CSV files "
                f"({', '.join(p.name for p in csvs)}); keep one or the other. The CSV "
                "files were checked.",
            )
        )
    if csvs:
        for name, frame in _read_csvs(csvs, problems):
            frames[name] = frame
            sources[name] = (f"{name}.csv", None)
        files.extend(csvs)
    elif excel.is_file():
        for name, frame in _read_excel(excel, problems):
            frames[name] = frame
            sources[name] = (EXCEL_FILE, name)
        files.append(excel)
    return RawDataset(folder, config, frames, sources, tuple(files), tuple(problems))


def _is_table_file(path: Path, folder: Path, problems: list[Problem]) -> bool:
    """Whether ``path`` is a file of the dataset folder; a problem says why not."""
    if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
        problems.append(
            Problem(
                file=path.name,
                rule="is a link to a file outside the dataset folder; copy the file into "
                "the folder instead, so that the report is made from what the folder holds",
            )
        )
        return False
    if not path.is_file():
        problems.append(
            Problem(file=path.name, rule="is a folder, not a file: a table is a CSV file")
        )
        return False
    return True


def _read_config(folder: Path, problems: list[Problem]) -> tuple[dict[str, Any], list[Path]]:
    path = folder / CONFIG_FILE
    if not path.is_file():
        problems.append(
            Problem(
                file=CONFIG_FILE,
                rule=f"the file is missing: every dataset needs {CONFIG_FILE} naming its "
                "organisation, plan, framework and scales",
            )
        )
        return {}, []
    try:
        return read_yaml(path), [path]
    except ConfigError as exc:
        message = str(exc).removeprefix(f"{path}: ")
        problems.append(Problem(file=CONFIG_FILE, rule=message))
        return {}, [path]


def _read_csvs(paths: list[Path], problems: list[Problem]) -> Iterator[tuple[str, pd.DataFrame]]:
    known = [t.name for t in TABLES]
    for path in paths:
        if path.stem not in known:
            problems.append(
                Problem(file=path.name, rule=_unknown_table_rule(path.stem, known, ".csv"))
            )
            continue
        frame = _read_csv(path, problems)
        if frame is not None:
            yield path.stem, frame


def _read_csv(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    data = path.read_bytes()
    head = data[:400]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") > len(head) // 4:
        problems.append(
            Problem(
                file=path.name,
                rule="the file is saved as UTF-16 or UTF-32 ('Unicode text'), not as CSV "
                "text; save it from Excel as 'CSV UTF-8 (Comma delimited)'",
            )
        )
        return None
    text = None
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        problems.append(
            Problem(
                file=path.name,
                rule="the file is neither UTF-8 nor Windows-1252 text; save it from Excel "
                "as 'CSV UTF-8 (Comma delimited)'",
            )
        )
        return None
    if not text.strip():
        return pd.DataFrame()
    if not _header_is_readable(path.name, text, problems) or not _rows_fit(
        path.name, text, problems
    ):
        return None
    try:
        with warnings.catch_warnings():
            # cells beyond the header are empty (_rows_fit): dropping them loses nothing
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,  # a delimiter at the end of every row is not an index
            )
    except (pd.errors.ParserError, ValueError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        # pandas counts an unclosed quotation mark's row from 0 at the first data row
        quote = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if quote:
            problems.append(
                Problem(
                    file=path.name,
                    row=int(quote.group(1)) + 1,
                    rule="a quotation mark opened in this row is never closed; close it, or "
                    "remove it",
                )
            )
            return None
        problems.append(
            Problem(
                file=path.name,
                row=int(line.group(1)) if line else None,
                rule=f"the file cannot be read as CSV ({str(exc).strip()}); check for a row "
                "with more cells than the header, or an unclosed quotation mark",
            )
        )
        return None
    frame.index = frame.index + 2
    return _tidy(frame)


_OTHER_DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def _header_is_readable(name: str, text: str, problems: list[Problem]) -> bool:
    """Whether the header row is comma-separated names, each once; a problem says why not."""
    import csv

    first = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), [])
    if len(first) == 1:
        for delimiter, words in _OTHER_DELIMITERS.items():
            if delimiter in first[0]:
                problems.append(
                    Problem(
                        file=name,
                        row=1,
                        rule=f"the cells are separated by {words}, not commas; save the "
                        "file from Excel as 'CSV UTF-8 (Comma delimited)'",
                    )
                )
                return False
    names = [c.strip() for c in first]
    twice = sorted({n for n in names if n and names.count(n) > 1})
    for column in twice:
        places = [str(i + 1) for i, n in enumerate(names) if n == column]
        problems.append(
            Problem(
                file=name,
                row=1,
                column=column,
                rule=f"the column appears {len(places)} times (columns {', '.join(places)}); "
                "keep one",
            )
        )
    return not twice


def _rows_fit(name: str, text: str, problems: list[Problem]) -> bool:
    """Whether every row's cells fit under the header (empty cells beyond it are fine)."""
    import csv

    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error:
        return True  # pandas reports what the csv module cannot read
    width = len(rows[0]) if rows else 0
    long = [
        number
        for number, row in enumerate(rows[1:], start=2)
        if len(row) > width and any(cell.strip() for cell in row[width:])
    ]
    for number in long[:5]:
        problems.append(
            Problem(
                file=name,
                row=number,
                rule=f"the row has more cells than the header's {width}; add a column "
                "heading for the extra cells, or remove them",
            )
        )
    if len(long) > 5:
        problems.append(
            Problem(
                file=name, rule=f"and {len(long) - 5:,} more rows with more cells than the header"
            )
        )
    return not long


def _read_excel(path: Path, problems: list[Problem]) -> Iterator[tuple[str, pd.DataFrame]]:
    """Each sheet of the workbook as text, as Excel shows its cells to the analyst.

    A cell formatted as a percentage is read as one (``87%``, not ``0.87``); a formula is
    read by the value Excel last saved with it, and one saved without a value (a
    workbook written by another program and never opened in Excel) is a problem, named
    by sheet and cell, since its value is unknown.
    """
    import openpyxl

    try:
        values = openpyxl.load_workbook(path, data_only=True, read_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error for a damaged file
        problems.append(
            Problem(
                file=EXCEL_FILE,
                rule=f"the workbook cannot be opened ({exc}); save it "
                "again from Excel as an .xlsx workbook",
            )
        )
        return
    known = [t.name for t in TABLES]
    try:
        for name in values.sheetnames:
            if name not in known:
                problems.append(
                    Problem(
                        file=EXCEL_FILE,
                        sheet=str(name),
                        rule=_unknown_table_rule(str(name), known, ""),
                    )
                )
                continue
            rows = _sheet_text(values[name], formulas[name], name, problems)
            if not rows:
                yield name, pd.DataFrame()
                continue
            width = max(len(row) for row in rows)
            rows = [row + [""] * (width - len(row)) for row in rows]
            header = [c.strip() or f"Unnamed: {i}" for i, c in enumerate(rows[0])]
            frame = pd.DataFrame(rows[1:], columns=header, dtype=object)
            frame.index = pd.RangeIndex(2, 2 + len(rows) - 1)
            yield name, _tidy(frame)
    finally:
        values.close()
        formulas.close()


def _sheet_text(sheet: Any, formulas: Any, name: str, problems: list[Problem]) -> list[list[str]]:
    from openpyxl.utils import get_column_letter

    rows = []
    for cells, sources in zip(sheet.iter_rows(), formulas.iter_rows(), strict=False):
        row = []
        for cell, source in zip(cells, sources, strict=False):
            value = cell.value
            if value is None and isinstance(source.value, str) and source.value.startswith("="):
                problems.append(
                    Problem(
                        file=EXCEL_FILE,
                        sheet=name,
                        row=source.row,
                        column=get_column_letter(source.column),
                        value=source.value,
                        rule="is a formula saved without its value (the workbook was not "
                        "saved by Excel after it was calculated); open the workbook in "
                        "Excel and save it, or type the value",
                    )
                )
            row.append(_cell_text(value, getattr(cell, "number_format", "")))
        rows.append(row)
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    return rows


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells, stripped header names, entirely empty rows and unnamed columns dropped.

    Examples
    --------
    >>> raw = pd.DataFrame({" a ": ["x", "", None], "Unnamed: 1": ["", "", ""]})
    >>> tidy = _tidy(raw)
    >>> list(tidy.columns), tidy["a"].tolist()
    (['a'], ['x'])
    """
    columns = [str(c).strip() for c in frame.columns]
    cells = frame.set_axis(range(frame.shape[1]), axis=1).fillna("").astype(str)
    blank = cells.apply(lambda column: column.str.strip() == "") if len(cells) else cells
    keep_columns = [
        i
        for i, name in enumerate(columns)
        if not name.startswith("Unnamed: ") or not bool(blank[i].all())
    ]
    keep_rows = ~blank.all(axis=1) if len(cells) else pd.Series([], dtype=bool)
    tidy = cells.loc[keep_rows, keep_columns]
    tidy.columns = [columns[c] for c in keep_columns]
    return tidy.astype(object)


def _cell_text(cell: object, number_format: str = "") -> str:
    """An Excel cell written as the text an analyst would type (and Excel shows).

    Examples
    --------
    >>> [_cell_text(c) for c in (None, 3.0, 0.5, dt.datetime(2022, 3, 31), "On track")]
    ['', '3', '0.5', '2022-03-31', 'On track']
    >>> _cell_text(0.87, "0%"), _cell_text(0.875, "0.0%"), _cell_text(1, "0%")
    ('87%', '87.5%', '100%')
    """
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if "%" in number_format and isinstance(cell, int | float) and not isinstance(cell, bool):
        percent = round(float(cell) * 100, 10)
        return f"{_cell_text(percent)}%"
    if cell is pd.NaT:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def _unknown_table_rule(name: str, known: list[str], suffix: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}{suffix}?)" if close else ""
    return f"is not a table of the dataset{hint}; the tables are {', '.join(known)}"


# --------------------------------------------------------------------------- loading


def load_dataset(path: str | Path) -> Dataset:
    """Read, validate and convert a dataset folder.

    Parameters
    ----------
    path
        The dataset folder (``dataset.yml`` plus CSV files or ``dataset.xlsx``).

    Returns
    -------
    Dataset
        The configuration and a typed frame per table.

    Raises
    ------
    DataError
        If anything is wrong; ``problems`` holds every problem found and the message
        lists them (see :func:`analysis.dataset.validate.format_problems`).

    Examples
    --------
    An empty folder is missing everything; every problem is listed:

    >>> import tempfile
    >>> try:
    ...     load_dataset(tempfile.mkdtemp())
    ... except DataError as error:
    ...     print(len(error.problems), error.problems[0].file, error.problems[1].file)
    5 dataset.yml themes.csv
    """
    from analysis.config.frameworks import load_framework
    from analysis.config.presentation import load_presentation
    from analysis.config.scales import NO_SCALES, load_scales

    remembered = _remembered(path)
    if remembered is not None:
        return remembered
    raw = read_raw(path)
    problems = validate_raw(raw)
    if problems:
        raise DataError(format_problems(problems, raw.path), problems)
    framework = load_framework(raw.config["framework"], base=raw.path)
    scales = (
        load_scales(raw.config["scales"], base=raw.path) if "scales" in raw.config else NO_SCALES
    )
    presentation = load_presentation(raw.config.get("presentation"), base=raw.path)
    own_words = raw.config.get("value_states") or {}
    spellings, _ = dataset_value_states(own_words)
    tables = {t.name: _convert(t, raw.frames.get(t.name), scales, spellings) for t in TABLES}
    return Dataset(
        path=raw.path,
        name=raw.path.resolve().name,
        organisation=str(raw.config["organisation"]),
        plan=str(raw.config["plan"]),
        framework=framework,
        scales=scales,
        files=raw.files,
        tables=tables,
        quarters=_quarters(tables),
        presentation=presentation,
        kinds=tuple(k for k, (items, _, _) in KINDS.items() if not tables[items].empty),
        value_states={str(word): str(state) for word, state in own_words.items()},
    )


def _convert(
    table: Table,
    raw: pd.DataFrame | None,
    scales: Scales,
    value_states: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A validated text frame as the typed frame of the contract."""
    if raw is None:
        raw = pd.DataFrame({name: pd.Series(dtype=object) for name in table.column_names})
    out: dict[str, pd.Series] = {}
    for col in table.columns:
        if col.name not in raw.columns:  # a column the file may leave out (may_be_absent)
            cells = pd.Series([""] * len(raw), dtype=object)
        else:
            cells = raw[col.name].reset_index(drop=True).astype(str)
        if col.kind == "value":
            # each distinct cell read once: an export repeats its values down the rows
            parsed = {c: parse_value(c, value_states) for c in cells.unique()}
            out[col.name] = pd.Series([parsed[c][0] for c in cells], dtype=float)
            out[f"{col.name}_state"] = pd.Series([parsed[c][1] for c in cells], dtype=object)
            notes = {c: value_note(c) for c in parsed}
            if any(notes.values()):
                out[f"{col.name}_note"] = cells.map(notes).astype(object)
        else:
            out[col.name] = _convert_column(col.kind, col.vocab, cells, scales)
    return pd.DataFrame(out)


def _convert_column(kind: str, vocab: str | None, cells: pd.Series, scales: Scales) -> pd.Series:
    stripped = cells.str.strip()
    if kind == "int":
        return pd.Series(
            [int(c) if c else pd.NA for c in stripped], dtype="Int64", index=cells.index
        )
    if kind == "date":
        return pd.to_datetime(stripped.replace("", None), format="%Y-%m-%d")
    if kind == "year":
        return stripped.map(lambda c: Quarter(parse_year(c), 1).year_label if c else "").astype(
            object
        )
    if kind == "as_at":
        return stripped.map(lambda c: as_at_text(c) or "").astype(object)
    if kind == "quarter":
        return stripped.map(lambda c: parse_quarter(c).slug).astype(object)
    if kind == "vocab" and vocab in _SCALE_OF_VOCAB:
        scale = getattr(scales, _SCALE_OF_VOCAB[vocab])
        return stripped.map(lambda c: scale.match(c) or "").astype(object)
    if kind == "vocab" and vocab is not None:
        labels = {label.lower(): label for label in VOCABULARIES[vocab]}
        return stripped.map(lambda c: labels.get(" ".join(c.lower().split()), "")).astype(object)
    if kind == "id":
        return stripped.astype(object)
    return cells.astype(object)


def _quarters(tables: Mapping[str, pd.DataFrame]) -> tuple[Quarter, ...]:
    slugs = {
        slug for t in TABLES if "quarter" in t.column_names for slug in tables[t.name]["quarter"]
    }
    return tuple(sorted(parse_quarter(s) for s in slugs))


def validate_dataset(path: str | Path, quarter: str | None = None) -> list[Problem]:
    """Find every problem in a dataset folder.

    Parameters
    ----------
    path
        The dataset folder.
    quarter
        A quarter the report will be run for, in any accepted spelling; a problem is
        reported if no update table holds it.

    Returns
    -------
    list of Problem
        Every problem found, by file and row; empty when the dataset is clean.

    Raises
    ------
    DataError
        If ``path`` is not a folder.
    QuarterError
        If ``quarter`` is not a quarter at all.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from tests.synthetic import TABLES, write_synthetic
    >>> measures = TABLES["measures"].replace("higher,quarterly", "hihger,quarterly", 1)
    >>> folder = write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d", measures=measures)
    >>> print(format_problems(validate_dataset(folder)))
    1 problem found:
    <BLANKLINE>
    measures.csv
      row 2, column "polarity", value "hihger": must be one of higher, lower, neither
      (did you mean 'higher'?)
    >>> validate_dataset(folder, quarter="2022-23 Q1")[-1].rule
    'the dataset holds no updates for 2022-23-Q1; it holds 2021-22-Q1, 2021-22-Q2'
    """
    return validate_raw(read_raw(path), quarter)
