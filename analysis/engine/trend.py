"""Trend over time: every item's status in each quarter of the financial year so far.

A county's report shows, beside this quarter's position, how each deliverable and
measure stood in every earlier quarter of the year, and how many of a theme's items were
in each status quarter by quarter. Both come from :func:`item_statuses`, quarter by
quarter, so a status in the trend is the status the report of that quarter showed: one
rule for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from analysis.engine.items import list_items
from analysis.engine.memo import per_dataset
from analysis.engine.summary import item_statuses
from analysis.quarters import Quarter

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset

__all__ = [
    "TREND_COLUMNS",
    "HISTORY_COLUMNS",
    "COUNT_COLUMNS",
    "NOT_RATED",
    "StatusStyle",
    "kind_statuses",
    "quarters_so_far",
    "status_history",
    "status_trend",
    "trend_counts",
]

#: The columns that describe an item in :func:`status_trend`; one column per quarter follows.
TREND_COLUMNS = ("id", "kind", "theme", "outcome", "title")
#: The columns of :func:`status_history` (and of ``trend.csv``).
HISTORY_COLUMNS = (*TREND_COLUMNS, "quarter", "status", "status_key")
#: The columns of :func:`trend_counts`.
COUNT_COLUMNS = ("theme", "kind", "quarter", "status_key", "label", "count")
#: The label of a measure's status when it is not rated (its key is empty).
NOT_RATED = "Not rated"


@dataclass(frozen=True)
class StatusStyle:
    """A status as the report shows it: its key, words, colours and icon."""

    key: str
    label: str
    colour: str
    text_colour: str
    icon: str = ""


def kind_statuses(dataset: Dataset, kind: str) -> list[StatusStyle]:
    """Every status an item of ``kind`` can have, best first, as ``status_key`` names it
    (see :func:`analysis.engine.summary.item_statuses`): the framework's bands for a
    measure, then "not rated" (key ``""``, in the presentation's ``charts:
    not_rated_colour``); the scale's statuses for an action; the
    scale's statuses (as RAG) for a project; the score bands for a risk, as configured.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> [s.label for s in kind_statuses(synthetic_dataset(), "measure")]
    ['Blue', 'Green', 'Amber', 'Red', 'Not rated']
    """
    if kind == "measure":
        found = [
            StatusStyle(b.key, b.label, b.colour, b.text_colour, b.icon)
            for b in dataset.framework.bands
        ]
        charts = dataset.presentation.settings["charts"]
        colours = (str(charts["not_rated_colour"]), str(charts["not_rated_text_colour"]))
        return [*found, StatusStyle("", NOT_RATED, *colours)]
    if kind == "risk":
        return [
            StatusStyle(b.name, b.name, b.colour, b.text_colour)
            for b in dataset.scales.risks.score_bands
        ]
    return [
        StatusStyle(s.key, s.label, s.colour, s.text_colour, s.icon)
        for s in dataset.scales.of(kind).statuses
    ]


def quarters_so_far(quarter: Quarter) -> list[Quarter]:
    """The quarters of ``quarter``'s financial year up to and including it.

    Examples
    --------
    >>> [q.slug for q in quarters_so_far(Quarter(2021, 3))]
    ['2021-22-Q1', '2021-22-Q2', '2021-22-Q3']
    """
    return [Quarter(quarter.start_year, number) for number in range(1, quarter.number + 1)]


@per_dataset
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
        item_statuses(dataset, q)
        .loc[:, [*TREND_COLUMNS, "status", "status_key"]]
        .assign(quarter=q.slug)
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

    One row per theme, kind, quarter and status of the kind (:func:`kind_statuses`),
    zeros included, with the status's ``label`` and the ``count``: themes in the order
    of the item list, kinds in the dataset's order, then quarters, then statuses best
    first. A project is
    counted by its RAG. An item not updated in a quarter is not counted in it; a status
    that is not rated appears only where some item holds it.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> counts = trend_counts(synthetic_dataset(), parse_quarter("2021-22 Q2"))
    >>> counts[["theme", "kind", "quarter", "label", "count"]].head(4)
         theme    kind     quarter           label  count
    0  Theme A  action  2021-22-Q1       Completed      0
    1  Theme A  action  2021-22-Q1        On track      1
    2  Theme A  action  2021-22-Q1   Some slippage      1
    3  Theme A  action  2021-22-Q1  Major slippage      0
    """
    history = status_history(dataset, quarter)
    quarters = [q.slug for q in quarters_so_far(quarter)]
    held = history.groupby(["theme", "kind", "quarter", "status_key"], sort=False).size()
    rows = []
    for theme in pd.unique(history["theme"]):
        mine = history[history["theme"] == theme]
        for kind in (k for k in dataset.kinds if k in set(mine["kind"])):
            keys = set(mine.loc[mine["kind"] == kind, "status_key"])
            for q in quarters:
                for status in kind_statuses(dataset, kind):
                    count = int(held.get((theme, kind, q, status.key), 0))
                    if count or status.key in keys or _always_shown(dataset, kind, status):
                        rows.append((theme, kind, q, status.key, status.label, count))
    return pd.DataFrame(rows, columns=list(COUNT_COLUMNS))


def _always_shown(dataset: Dataset, kind: str, status: StatusStyle) -> bool:
    """A rated status is counted (zero too); one that is not rated only where it is held."""
    if kind == "measure":
        return status.key != ""
    if kind == "risk":
        return True
    return dataset.scales.of(kind).status(status.key).rated
