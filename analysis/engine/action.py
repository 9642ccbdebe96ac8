"""Items requiring action: the one rule shared by the exceptions chapter and the section
that lists every item needing action.

What calls for action is configuration, never code: the framework's ``needs_action``
bands for a measure (:class:`analysis.config.frameworks.Framework`) and the statuses
flagged ``needs_action`` on an action's or project's scale
(:class:`analysis.config.scales.Scale`). A measure needs action when its quarterly
rating or its year-end forecast rating is in one of those bands; an action when its
status is flagged; a project when its RAG or its DCA is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.engine.items import list_items, updates_for
from analysis.engine.summary import rated_measures

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset
    from analysis.quarters import Quarter

__all__ = ["ACTION_COLUMNS", "measures_requiring_action", "requiring_action"]

#: The columns of :func:`requiring_action`.
ACTION_COLUMNS = (
    "id",
    "kind",
    "theme",
    "outcome",
    "title",
    "status_key",
    "second_key",
    "commentary",
    "improvement_actions",
    "intervention",
)


def measures_requiring_action(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """The rows of :func:`analysis.engine.summary.rated_measures` for the quarter whose
    quarterly or year-end forecast rating is in a band that calls for action, in the
    order of the measure values.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> found = measures_requiring_action(synthetic_dataset(), parse_quarter("2021-22 Q2"))
    >>> found[["measure_id", "quarterly_status"]]
      measure_id quarterly_status
    1         M2            amber
    """
    bands = set(dataset.framework.needs_action)
    rated = rated_measures(dataset, quarter)
    wanted = rated["quarterly_status"].isin(bands) | rated["year_end_status"].isin(bands)
    return rated[wanted]


def requiring_action(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """Every item with an update this quarter whose rating calls for action.

    One row per item in the order of the item list (:func:`list_items`): its id, kind,
    theme, outcome and title; ``status_key``, the key that called for action or else
    the item's rating (a measure's quarterly band, an action's status, a project's
    RAG); ``second_key``, a measure's year-end forecast band or a project's DCA (empty
    for an action); the commentary, and for a measure its improvement actions and
    intervention.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> found = requiring_action(synthetic_dataset(), parse_quarter("2021-22 Q2"))
    >>> found[["id", "kind", "status_key", "second_key"]]
       id     kind      status_key   second_key
    0  A2   action  major_slippage
    1  M2  measure           amber          red
    2  P2  project       amber_red  amber_green
    """
    rows: list[dict[str, object]] = []
    if dataset.holds("measure"):
        for r in measures_requiring_action(dataset, quarter).to_dict("records"):
            rows.append(
                {
                    "id": r["measure_id"],
                    "kind": "measure",
                    "status_key": _key(r["quarterly_status"]),
                    "second_key": _key(r["year_end_status"]),
                    "commentary": r["commentary"],
                    "improvement_actions": r["improvement_actions"],
                    "intervention": r["intervention"],
                }
            )
    for kind, fields in (("action", ("status",)), ("project", ("rag", "dca"))):
        if not dataset.holds(kind):
            continue
        flagged = set(dataset.scales.of(kind).needs_action)
        for r in updates_for(dataset, kind, quarter).to_dict("records"):
            if not any(r[f] in flagged for f in fields):
                continue
            rows.append(
                {
                    "id": r["id"],
                    "kind": kind,
                    "status_key": r[fields[0]],
                    "second_key": r[fields[1]] if len(fields) > 1 else "",
                    "commentary": r["commentary"],
                    "improvement_actions": "",
                    "intervention": "",
                }
            )
    if not rows:
        return pd.DataFrame(columns=list(ACTION_COLUMNS))
    frame = pd.DataFrame(rows)
    items = list_items(dataset)
    order = {key: i for i, key in enumerate(zip(items["kind"], items["id"], strict=True))}
    info = items.set_index(["kind", "id"])
    keys = list(zip(frame["kind"], frame["id"], strict=True))
    frame[["theme", "outcome", "title"]] = info.loc[keys, ["theme", "outcome", "title"]].to_numpy()
    frame["_order"] = [order[key] for key in keys]
    frame = frame.sort_values("_order", kind="stable")
    return frame.loc[:, list(ACTION_COLUMNS)].fillna("").reset_index(drop=True)


def _key(value: object) -> str:
    return value if isinstance(value, str) else ""
