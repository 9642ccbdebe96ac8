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

__all__ = ["TREND_COLUMNS", "quarters_so_far", "status_trend", "trend_counts"]

#: The columns that describe an item in :func:`status_trend`; one column per quarter follows.
TREND_COLUMNS = ("id", "kind", "theme", "outcome", "title")


def quarters_so_far(quarter: Quarter) -> list[Quarter]:
    """The quarters of ``quarter``'s financial year up to and including it.

    Examples
    --------
    >>> [q.slug for q in quarters_so_far(Quarter(2021, 3))]
    ['2021-22-Q1', '2021-22-Q2', '2021-22-Q3']
    """
    return [Quarter(quarter.start_year, number) for number in range(1, quarter.number + 1)]


def status_trend(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """One row per item with an update in the year so far: its status in each quarter.

    The quarter columns are named by their slugs (``2021-22-Q1`` ...), in order; a
    quarter in which the item had no update is empty. Items keep the order of the
    dataset's item list (:func:`list_items`).

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
    quarters = quarters_so_far(quarter)
    frames = []
    for q in quarters:
        statuses = item_statuses(dataset, q)
        frames.append(statuses.loc[:, [*TREND_COLUMNS, "status"]].assign(quarter=q.slug))
    found = pd.concat(frames, ignore_index=True)
    columns = [q.slug for q in quarters]
    if found.empty:
        return pd.DataFrame(columns=[*TREND_COLUMNS, *columns])
    # the latest quarter's words for an item (a title corrected since is shown as it is now)
    items = found.drop_duplicates(["kind", "id"], keep="last").set_index(["kind", "id"])
    listed = list_items(dataset).set_index(["kind", "id"]).index
    wide = found.pivot(index=["kind", "id"], columns="quarter", values="status")
    wide = wide.reindex(index=listed[listed.isin(wide.index)], columns=columns).fillna("")
    out = items.loc[wide.index, ["theme", "outcome", "title"]].join(wide).reset_index()
    return out.loc[:, [*TREND_COLUMNS, *columns]]


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
    trend = status_trend(dataset, quarter)
    quarters = [q.slug for q in quarters_so_far(quarter)]
    long = trend.melt(
        id_vars=list(TREND_COLUMNS), value_vars=quarters, var_name="quarter", value_name="status"
    )
    long = long[long["status"] != ""]
    columns = ["theme", "kind", "quarter", "status", "count"]
    if long.empty:
        return pd.DataFrame(columns=columns)
    order = {
        name: {value: i for i, value in enumerate(pd.unique(trend[name]))}
        for name in ("theme", "kind")
    }
    statuses = {value: i for i, value in enumerate(pd.unique(long["status"]))}
    counts = long.groupby(["theme", "kind", "quarter", "status"], sort=False).size()
    out = counts.rename("count").reset_index()
    out["_sort"] = list(
        zip(
            out["theme"].map(order["theme"]),
            out["kind"].map(order["kind"]),
            out["quarter"].map(quarters.index),
            out["status"].map(statuses),
            strict=True,
        )
    )
    return out.sort_values("_sort").loc[:, columns].reset_index(drop=True)
