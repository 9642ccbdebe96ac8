"""Trend over time: every item's status in each quarter of the financial year so far.

A county's report shows, beside this quarter's position, how each deliverable and
measure stood in every earlier quarter of the year, and how many of a theme's items were
in each status quarter by quarter. Both come from :func:`item_statuses`, quarter by
quarter, so a status in the trend is the status the report of that quarter showed: one
rule for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.engine.items import list_items
from analysis.engine.summary import item_statuses
from analysis.quarters import Quarter

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset

__all__ = [
    "TREND_COLUMNS",
    "HISTORY_COLUMNS",
    "quarters_so_far",
    "status_history",
    "status_trend",
    "trend_counts",
]

#: The columns that describe an item in :func:`status_trend`; one column per quarter follows.
TREND_COLUMNS = ("id", "kind", "theme", "outcome", "title")
#: The columns of :func:`status_history` (and of ``trend.csv``).
HISTORY_COLUMNS = (*TREND_COLUMNS, "quarter", "status")


def quarters_so_far(quarter: Quarter) -> list[Quarter]:
    """The quarters of ``quarter``'s financial year up to and including it.

    Examples
    --------
    >>> [q.slug for q in quarters_so_far(Quarter(2021, 3))]
    ['2021-22-Q1', '2021-22-Q2', '2021-22-Q3']
    """
    return [Quarter(quarter.start_year, number) for number in range(1, quarter.number + 1)]


def status_history(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """One row per item and quarter of the year so far in which the item had an update,
    with its status then: items in the order of the item list (:func:`list_items`),
    each item's quarters in order. An item's theme, outcome and title are this
    quarter's (a title corrected since is shown as it is now).

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> history = status_history(synthetic_dataset(), parse_quarter("2021-22 Q2"))
    >>> history[["id", "quarter", "status"]].head(3)
       id     quarter         status
    0  A1  2021-22-Q1  Some slippage
    1  A1  2021-22-Q2       On track
    2  A2  2021-22-Q1       On track
    """
    frames = [
        item_statuses(dataset, q).loc[:, [*TREND_COLUMNS, "status"]].assign(quarter=q.slug)
        for q in quarters_so_far(quarter)
    ]
    found = pd.concat(frames, ignore_index=True)
    if found.empty:
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    latest = found.drop_duplicates(["kind", "id"], keep="last").set_index(["kind", "id"])
    keys = list(zip(found["kind"], found["id"], strict=True))
    found[["theme", "outcome", "title"]] = latest.loc[
        keys, ["theme", "outcome", "title"]
    ].to_numpy()
    listed = list_items(dataset)
    order = {key: i for i, key in enumerate(zip(listed["kind"], listed["id"], strict=True))}
    found["_order"] = [order[key] for key in keys]
    found = found.sort_values(["_order", "quarter"], kind="stable")
    return found.loc[:, list(HISTORY_COLUMNS)].reset_index(drop=True)


def status_trend(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """:func:`status_history` with a column per quarter: one row per item, its status in
    each quarter of the year so far (empty where it had no update).

    The quarter columns are named by their slugs (``2021-22-Q1`` ...), in order.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> trend = status_trend(synthetic_dataset(), parse_quarter("2021-22 Q2"))
    >>> trend[["id", "2021-22-Q1", "2021-22-Q2"]].head(3)
       id            2021-22-Q1        2021-22-Q2
    0  A1         Some slippage          On track
    1  A2              On track    Major slippage
    2  P1  Amber/Green; DCA Green  Green; DCA Green
    """
    history = status_history(dataset, quarter)
    columns = [q.slug for q in quarters_so_far(quarter)]
    items = history.drop_duplicates(["kind", "id"]).loc[:, list(TREND_COLUMNS)]
    wide = history.pivot(index=["kind", "id"], columns="quarter", values="status")
    wide = wide.reindex(columns=columns).fillna("").reset_index()
    return items.merge(wide, on=["kind", "id"], how="left").reset_index(drop=True)


def trend_counts(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """How many of each theme's items of each kind were in each status, per quarter.

    One row per theme, kind, quarter and status that occurs, with ``count``; themes and
    kinds in the order of the item list, quarters in order, statuses in the order they
    are first met. An item not updated in a quarter is not counted in it.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> counts = trend_counts(synthetic_dataset(), parse_quarter("2021-22 Q2"))
    >>> counts[["theme", "kind", "quarter", "status", "count"]].head(4)
         theme    kind     quarter          status  count
    0  Theme A  action  2021-22-Q1   Some slippage      1
    1  Theme A  action  2021-22-Q1        On track      1
    2  Theme A  action  2021-22-Q2        On track      1
    3  Theme A  action  2021-22-Q2  Major slippage      1
    """
    history = status_history(dataset, quarter)
    columns = ["theme", "kind", "quarter", "status", "count"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    first = {
        name: {value: i for i, value in enumerate(pd.unique(history[name]))}
        for name in ("theme", "kind", "status")
    }
    counts = history.groupby(["theme", "kind", "quarter", "status"], sort=False).size()
    out = counts.rename("count").reset_index()
    out["_sort"] = list(
        zip(
            out["theme"].map(first["theme"]),
            out["kind"].map(first["kind"]),
            out["quarter"],
            out["status"].map(first["status"]),
            strict=True,
        )
    )
    return out.sort_values("_sort").loc[:, columns].reset_index(drop=True)
