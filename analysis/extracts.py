"""The report's data extracts: the tables published as CSV beside the report.

``statuses.csv`` holds one row per item with its status this quarter and last;
``headlines.csv`` the headline figures with their arithmetic. The data chapter of the
report displays the same tables, so the CSV files and the report cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from analysis.load import Dataset
    from analysis.quarters import Quarter

__all__ = ["STATUS_COLUMNS", "HEADLINE_COLUMNS", "status_extract", "headline_extract", "extracts"]

STATUS_COLUMNS = (
    "id",
    "kind",
    "theme",
    "outcome",
    "title",
    "status",
    "previous_status",
    "value",
    "target",
    "relative_difference",
    "direction_of_travel",
    "provenance",
)
HEADLINE_COLUMNS = ("figure", "numerator", "denominator", "value", "previous_value")


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
