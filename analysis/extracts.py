"""The report's data extracts: the tables published as CSV beside the report.

``statuses.csv`` holds one row per item with its status this quarter and last;
``headlines.csv`` the headline figures with their arithmetic. The data chapter of the
report displays the same tables, so the CSV files and the report cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.summary import STATUS_COLUMNS

if TYPE_CHECKING:
    from analysis.load import Dataset
    from analysis.quarters import Quarter

__all__ = [
    "FOLDER",
    "STATUS_COLUMNS",
    "HEADLINE_COLUMNS",
    "COLUMN_MEANINGS",
    "status_extract",
    "headline_extract",
    "extracts",
    "extract_columns",
]

#: The folder of the published report that holds the extracts.
FOLDER = "data"

HEADLINE_COLUMNS = ("figure", "numerator", "denominator", "value", "previous_value")

#: What each column of each extract means: the one place these words are written.
COLUMN_MEANINGS: dict[str, dict[str, str]] = {
    "statuses.csv": {
        "id": "the item's id in the plan, e.g. PL-M01",
        "kind": "measure, action, project or risk",
        "theme": "the theme the item sits under",
        "outcome": "the outcome the item sits under",
        "title": "the item's title",
        "status": "its status this quarter: a measure's quarterly rating (or why it is not "
        "rated, in brackets), an action's status, a project's RAG and DCA, or a risk's "
        "score band",
        "previous_status": "the same, last quarter (empty when there was no update)",
        "value": "a measure's actual this quarter, or a risk's score (impact × likelihood)",
        "target": "a measure's quarterly target",
        "relative_difference": "the signed difference from target a measure was rated on "
        "(positive is better)",
        "direction_of_travel": "a measure's change since last quarter, or a risk's "
        "movement on the register",
        "provenance": "where the update comes from: published, derived or assumed",
    },
    "headlines.csv": {
        "figure": "the headline figure's name",
        "numerator": "how many items count towards the figure",
        "denominator": "how many items were rated (empty for a count)",
        "value": "the figure: a percentage (numerator of denominator), or a count",
        "previous_value": "the same figure last quarter, where the data holds it",
    },
}


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


def extracts(dataset: Dataset, quarter: str | Quarter) -> dict[str, pd.DataFrame]:
    """Both extracts for a quarter, keyed by file name.

    Returns
    -------
    dict
        ``{"statuses.csv": ..., "headlines.csv": ...}``.
    """
    from analysis.summary import headline_figures, item_statuses

    return {
        "statuses.csv": status_extract(item_statuses(dataset, quarter)),
        "headlines.csv": headline_extract(headline_figures(dataset, quarter)),
    }


def extract_columns(name: str) -> pd.DataFrame:
    """The columns of one extract, in file order, with what each means.

    Raises
    ------
    KeyError
        For a file that is not an extract; the message names the extracts.

    Examples
    --------
    >>> extract_columns("headlines.csv").iloc[0].tolist()
    ['figure', "the headline figure's name"]
    """
    columns = {"statuses.csv": STATUS_COLUMNS, "headlines.csv": HEADLINE_COLUMNS}
    if name not in columns:
        raise KeyError(f"{name!r} is not an extract; the extracts are {', '.join(columns)}.")
    meanings = COLUMN_MEANINGS[name]
    return pd.DataFrame(
        {"column": list(columns[name]), "meaning": [meanings[c] for c in columns[name]]}
    )
