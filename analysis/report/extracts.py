"""The report's data extracts: the tables published as CSV beside the report.

``statuses.csv`` holds one row per item with its status this quarter and last;
``headlines.csv`` the headline figures with their arithmetic; ``trend.csv`` each item's
status in every quarter of the financial year so far. The data chapter of the
report displays the same tables, so the CSV files and the report cannot disagree.

The files are written to be safe to open in a spreadsheet (OWASP's guidance on CSV
injection): every text cell is quoted, and a text cell that a spreadsheet would take for
a formula (one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
written with a leading apostrophe, which spreadsheets show as text. Numbers are written
as numbers. :data:`SPREADSHEET_NOTE` says so to the reader of the data chapter.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.config.presentation import join_words
from analysis.engine.summary import STATUS_COLUMNS
from analysis.engine.trend import HISTORY_COLUMNS
from analysis.schema import KINDS

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset
    from analysis.quarters import Quarter

__all__ = [
    "FOLDER",
    "STATUS_COLUMNS",
    "HEADLINE_COLUMNS",
    "COLUMN_MEANINGS",
    "status_extract",
    "headline_extract",
    "extracts",
    "full_text_extract",
    "LONG_TEXT_COLUMNS",
    "extract_columns",
    "SPREADSHEET_NOTE",
    "spreadsheet_safe",
    "write_extract",
]

#: The folder of the published report that holds the extracts.
FOLDER = "data"

HEADLINE_COLUMNS = ("figure", "numerator", "denominator", "value", "previous_value")

#: What each column of each extract means: the one place these words are written. A
#: meaning given kind by kind (a mapping) names only the kinds of item a dataset holds:
#: its words follow the prefix, joined with "or".
COLUMN_MEANINGS: dict[str, dict[str, str | tuple[str, dict[str, str]]]] = {
    "statuses.csv": {
        "id": "the item's id in the plan",
        "kind": ("", {k: k for k in KINDS}),
        "theme": "the theme the item sits under",
        "outcome": "the outcome the item sits under",
        "title": "the item's title",
        "status": (
            "its status this quarter: ",
            {
                "measure": "a measure's quarterly rating (or why it is not rated, in brackets)",
                "action": "an action's status",
                "project": "a project's RAG and DCA",
                "risk": "a risk's score band",
            },
        ),
        "status_key": (
            "the status's key in the configuration, which gives its colour and rank: ",
            {
                "measure": "a measure's band in the rating framework (empty when not rated)",
                "action": "an action's status on its scale",
                "project": "a project's RAG on its scale",
                "risk": "a risk's score band",
            },
        ),
        "previous_status": "the same, last quarter (empty when there was no update)",
        "value": (
            "",
            {
                "measure": "a measure's actual this quarter",
                "risk": "a risk's score (impact × likelihood)",
            },
        ),
        "target": "a measure's quarterly target",
        "relative_difference": "the signed difference from target a measure was rated on "
        "(positive is better)",
        "direction_of_travel": (
            "",
            {
                "measure": "a measure's change since last quarter",
                "risk": "a risk's movement on the register",
            },
        ),
        "provenance": "where the update comes from: published, derived or assumed",
    },
    "full-text.csv": {
        "id": "the item's id in the plan",
        "kind": ("", {k: k for k in KINDS}),
        "quarter": "the quarter of the update",
        "column": "the column of the update the text is from",
        "characters": "how many characters the text has",
        "shown": "how many of them the report shows before it is cut",
        "text": "the text, in full, as written in the data",
    },
    "trend.csv": {
        "id": "the item's id in the plan",
        "kind": ("", {k: k for k in KINDS}),
        "theme": "the theme the item sits under",
        "outcome": "the outcome the item sits under",
        "title": "the item's title",
        "quarter": "a quarter of the financial year so far, in which the item had an update",
        "status": "the item's status in that quarter, as that quarter's statuses.csv gives it",
        "status_key": "the key of that status, as statuses.csv gives it",
    },
    "headlines.csv": {
        "figure": "the headline figure's key, stable from quarter to quarter",
        "numerator": "how many items count towards the figure",
        "denominator": "how many items were rated (empty for a count)",
        "value": "the figure: a percentage (numerator of denominator), or a count",
        "previous_value": "the same figure last quarter, where the data holds it",
    },
}


#: How the files keep text from being run as a formula, as the data chapter says it.
SPREADSHEET_NOTE = (
    "Every text cell is quoted, and a text cell that begins with =, +, -, @, a tab or a "
    "carriage return is written with an apostrophe before it, so that a spreadsheet shows "
    "it as text instead of running it as a formula; numbers are written as numbers."
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells a spreadsheet cannot take for formulas.

    A text cell starting with a formula character gets a leading apostrophe; a text cell
    that is a plain number (``-2.5``) is left as it is, since a spreadsheet reads it as a
    number, not a formula. Numeric columns are unchanged.

    Examples
    --------
    >>> frame = pd.DataFrame({"title": ["=SUM(A1)", "-2.5", "@cmd", "Plan"],
    ...                       "value": [1.0, -2.0, None, 3.0]})
    >>> spreadsheet_safe(frame)["title"].tolist()
    ["'=SUM(A1)", '-2.5', "'@cmd", 'Plan']
    >>> spreadsheet_safe(frame)["value"].tolist()[:2]
    [1.0, -2.0]
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]):
            continue
        out[column] = out[column].map(_safe_cell)
    return out


def _safe_cell(value: object) -> object:
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    return value if _PLAIN_NUMBER.fullmatch(value) else f"'{value}"


def write_extract(frame: pd.DataFrame, path: Path) -> Path:
    """Write an extract as UTF-8 CSV, safe to open in a spreadsheet (see the module)."""
    spreadsheet_safe(frame).to_csv(
        path, index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC
    )
    return path


def status_extract(statuses: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``statuses.csv``, in order, from an item-status table.

    Examples
    --------
    >>> frame = pd.DataFrame([{c: "" for c in STATUS_COLUMNS} | {"extra": 1}])
    >>> list(status_extract(frame)) == list(STATUS_COLUMNS)
    True
    """
    return statuses.loc[:, list(STATUS_COLUMNS)].reset_index(drop=True)


def headline_extract(figures: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``headlines.csv``, from a headline-figures table.

    Counts are whole numbers; a denominator that does not apply (a count) or a previous
    value the data does not hold stays empty.

    Examples
    --------
    >>> figures = pd.DataFrame({"figure": ["a", "b"], "label": ["x", "y"],
    ...     "numerator": [49, 18], "denominator": [54.0, None], "value": [91.0, 18.0],
    ...     "previous_value": [87.0, None]})
    >>> headline_extract(figures).to_csv(index=False).splitlines()
    ['figure,numerator,denominator,value,previous_value', 'a,49,54,91,87', 'b,18,,18,']
    """
    out = figures.loc[:, list(HEADLINE_COLUMNS)].reset_index(drop=True)
    for column in HEADLINE_COLUMNS[1:]:
        out[column] = pd.to_numeric(out[column]).round().astype("Int64")
    return out


def extracts(dataset: Dataset, quarter: Quarter) -> dict[str, pd.DataFrame]:
    """The extracts for a quarter, keyed by file name.

    Returns
    -------
    dict
        ``{"statuses.csv": ..., "headlines.csv": ..., "trend.csv": ...}``, and
        ``"full-text.csv"`` when some text from the data was cut in the report.
    """
    from analysis.engine.summary import headline_figures, item_statuses
    from analysis.engine.trend import status_history

    found = {
        "statuses.csv": status_extract(item_statuses(dataset, quarter)),
        "headlines.csv": headline_extract(headline_figures(dataset, quarter)),
        "trend.csv": status_history(dataset, quarter),
    }
    cut = full_text_extract(dataset, quarter)
    if not cut.empty:
        found["full-text.csv"] = cut
    return found


#: The columns of updates whose text the report shows in table cells, cut when long.
LONG_TEXT_COLUMNS = ("commentary", "improvement_actions", "intervention")
FULL_TEXT_COLUMNS = ("id", "kind", "quarter", "column", "characters", "shown", "text")


def full_text_extract(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """Every text of the quarter's updates longer than a table cell shows (``tables:
    long_text: limit`` of the presentation), in full: the report cuts it and says so.

    Examples
    --------
    >>> from analysis.dataset import load_dataset
    >>> from analysis.dataset.read import BUNDLED_DATASET
    >>> full_text_extract(load_dataset(BUNDLED_DATASET), parse_quarter("2021-22-Q2")).empty
    True
    """
    from analysis.report.narrative import cut_text, long_text_limit

    limit = long_text_limit(dataset.presentation)
    rows = []
    for kind, (_, updates, id_column) in KINDS.items():
        frame = dataset[updates]
        frame = frame[frame["quarter"] == quarter.slug]
        for column in (c for c in LONG_TEXT_COLUMNS if c in frame.columns):
            for item, text in zip(frame[id_column], frame[column], strict=True):
                if isinstance(text, str) and len(text) > limit:
                    shown = len(cut_text(text, limit))
                    rows.append((item, kind, quarter.slug, column, len(text), shown, text))
    return pd.DataFrame(rows, columns=list(FULL_TEXT_COLUMNS))


def extract_columns(name: str, kinds: Sequence[str] = tuple(KINDS)) -> pd.DataFrame:
    """The columns of one extract, in file order, with what each means for a dataset
    holding ``kinds`` of item.

    Raises
    ------
    KeyError
        For a file that is not an extract; the message names the extracts.

    Examples
    --------
    >>> extract_columns("headlines.csv").iloc[0].tolist()
    ['figure', "the headline figure's key, stable from quarter to quarter"]
    >>> print(extract_columns("statuses.csv", ["action", "measure"]).iloc[5]["meaning"])
    its status this quarter: an action's status or a measure's quarterly rating (or why it
    is not rated, in brackets)
    """
    columns = {
        "statuses.csv": STATUS_COLUMNS,
        "headlines.csv": HEADLINE_COLUMNS,
        "trend.csv": HISTORY_COLUMNS,
        "full-text.csv": FULL_TEXT_COLUMNS,
    }
    if name not in columns:
        raise KeyError(f"{name!r} is not an extract; the extracts are {', '.join(columns)}.")
    meanings = [_meaning(COLUMN_MEANINGS[name][c], kinds) for c in columns[name]]
    return pd.DataFrame({"column": list(columns[name]), "meaning": meanings})


def _meaning(meaning: str | tuple[str, dict[str, str]], kinds: Sequence[str]) -> str:
    if isinstance(meaning, str):
        return meaning
    prefix, by_kind = meaning
    words = [by_kind[k] for k in kinds if k in by_kind]
    return prefix + join_words(words, "or") if words else "empty"
