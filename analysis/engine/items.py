"""The kinds of item (actions, projects, measures, risks) seen as one list.

Every kind has a table of items and a table of quarterly updates
(:data:`analysis.schema.KINDS`). :func:`list_items` gives the items a dataset holds one
common shape: ``id``, ``kind``, ``theme_id``, ``theme``, ``outcome_id``, ``outcome``,
``position``, ``title``, in report order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.engine.memo import per_dataset
from analysis.quarters import Quarter
from analysis.schema import KINDS

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset

__all__ = ["list_items", "updates_for", "amendments_for", "theme_names"]
_ITEM_COLUMNS = ["id", "kind", "theme_id", "theme", "outcome_id", "outcome", "position", "title"]


@per_dataset
def list_items(dataset: Dataset) -> pd.DataFrame:
    """Every item of every kind with its theme and outcome, in report order.

    Report order is theme, then outcome, then the item's position within its outcome.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> list_items(data)[["id", "kind", "theme"]].head(3)
       id     kind    theme
    0  A1   action  Theme A
    1  A2   action  Theme A
    2  P1  project  Theme A
    """
    frames = []
    for kind, (table, _, id_col) in KINDS.items():
        items = dataset[table]
        frames.append(
            pd.DataFrame(
                {
                    "id": items[id_col].astype(str),
                    "kind": kind,
                    "outcome_id": items["outcome_id"],
                    "position": items["position"],
                    "title": items["title"],
                }
            )
        )
    items = pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)
    outcomes = dataset["outcomes"].rename(
        columns={"name": "outcome", "position": "outcome_position"}
    )[["outcome_id", "theme_id", "outcome", "outcome_position"]]
    themes = dataset["themes"].rename(columns={"name": "theme", "position": "theme_position"})[
        ["theme_id", "theme", "theme_position"]
    ]
    merged = items.merge(outcomes, on="outcome_id", how="left").merge(
        themes, on="theme_id", how="left"
    )
    merged = merged.sort_values(
        ["theme_position", "outcome_position", "position"], kind="stable"
    ).reset_index(drop=True)
    return merged[_ITEM_COLUMNS]


def updates_for(dataset: Dataset, kind: str, quarter: Quarter) -> pd.DataFrame:
    """The updates of one kind of item for a quarter, with the item id in ``id``.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> from analysis.quarters import parse_quarter
    >>> updates_for(data, "action", parse_quarter("2021-22 Q2"))["status"].tolist()
    ['on_track', 'major_slippage', 'completed', 'not_assessed', 'on_track']
    """
    _, table, id_col = KINDS[kind]
    updates = dataset[table]
    return updates[updates["quarter"] == quarter.slug].rename(columns={id_col: "id"})


def amendments_for(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """The plan amendments put to Cabinet for approval in a quarter, in the data's order,
    each with the title of the item it changes (``title``; empty for an item the plan
    does not hold, such as one the amendment adds).

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> found = amendments_for(synthetic_dataset(), parse_quarter("2021-22 Q2"))
    >>> found[["amendment_id", "item_id", "change", "title"]].to_dict("records")
    [{'amendment_id': 'AM1', 'item_id': 'M3', 'change': 'delete', 'title': 'Measure three'}]
    """
    amendments = dataset["amendments"]
    held = amendments[amendments["quarter"] == quarter.slug].reset_index(drop=True)
    items = list_items(dataset).set_index(["kind", "id"])["title"]
    titles = [
        str(items.get((kind, item), ""))
        for kind, item in zip(held["item_kind"], held["item_id"], strict=True)
    ]
    return held.assign(title=pd.Series(titles, index=held.index, dtype=object))


def theme_names(dataset: Dataset) -> list[str]:
    """The plan's theme names in report order.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> theme_names(data)
    ['Theme A', 'Theme B']
    """
    return list(dataset["themes"].sort_values("position", kind="stable")["name"])
