"""Strategic risks: scores, the register, matrices and movements.

A risk's score is impact × likelihood, each from 1 to 4. Threats and opportunities are
scored on their own scales (their words come from the dataset's scales configuration)
and shown in separate 4×4 matrices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.engine.items import list_items, updates_for
from analysis.engine.memo import per_dataset
from analysis.quarters import Quarter

if TYPE_CHECKING:
    from analysis.config.scales import RiskScale
    from analysis.dataset.read import Dataset

__all__ = ["OFF_REGISTER", "risk_score", "risk_register", "risk_matrix", "movement_counts"]

# Register movements after which a risk is no longer on the strategic register.
OFF_REGISTER = ("de-escalated", "closed")

_REGISTER_COLUMNS = [
    "risk_id",
    "title",
    "theme",
    "outcome",
    "risk_type",
    "impact",
    "likelihood",
    "score",
    "band",
    "previous_score",
    "previous_band",
    "movement",
    "on_register",
    "commentary",
    "provenance",
]


def risk_score(impact: int, likelihood: int) -> int:
    """A risk's score: impact × likelihood, each from 1 to 4.

    Examples
    --------
    >>> risk_score(4, 3)
    12
    >>> risk_score(5, 1)
    Traceback (most recent call last):
    ...
    ValueError: Impact and likelihood run from 1 to 4; got impact 5, likelihood 1.
    """
    if not (1 <= impact <= 4 and 1 <= likelihood <= 4):
        raise ValueError(
            f"Impact and likelihood run from 1 to 4; got impact {impact}, likelihood {likelihood}."
        )
    return int(impact) * int(likelihood)


@per_dataset
def risk_register(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """Every risk with an update this quarter, its score and how it moved.

    ``movement`` is the register change recorded in the data (``new``,
    ``escalated``, ``de-escalated``, ``closed``, ``redefined``) or, where none is
    recorded, derived from the scores: ``new`` (no update last quarter),
    ``increased``, ``reduced`` or ``unchanged``. ``on_register`` is False for risks
    de-escalated or closed this quarter.

    Returns
    -------
    pandas.DataFrame
        One row per risk in report order, with the columns ``risk_id``, ``title``,
        ``theme``, ``outcome``, ``risk_type``, ``impact``, ``likelihood``, ``score``,
        ``band``, ``previous_score``, ``previous_band``, ``movement``,
        ``on_register``, ``commentary``, ``provenance``.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> register = risk_register(data, parse_quarter("2021-22 Q2"))
    >>> register[["risk_id", "score", "previous_score", "movement", "on_register"]]
      risk_id  score  previous_score      movement  on_register
    0      R1     12               9     increased         True
    1      R2      4            <NA>     escalated         True
    2      R3      4               4     unchanged         True
    3      R4      6               6  de-escalated        False
    """
    scale = dataset.scales.risks
    now = updates_for(dataset, "risk", quarter)
    before = updates_for(dataset, "risk", quarter.previous).set_index("id")
    items = list_items(dataset)
    items = items[items["kind"] == "risk"]
    types = dataset["risks"].set_index("risk_id")["risk_type"]
    rows = []
    for item in items.itertuples(index=False):
        update = now[now["id"] == item.id]
        if update.empty:
            continue
        u = update.iloc[0]
        score = risk_score(int(u["impact"]), int(u["likelihood"]))
        previous = None
        if item.id in before.index:
            p = before.loc[item.id]
            previous = risk_score(int(p["impact"]), int(p["likelihood"]))
        movement = _movement(str(u["movement"] or ""), score, previous)
        rows.append(
            {
                "risk_id": item.id,
                "title": item.title,
                "theme": item.theme,
                "outcome": item.outcome,
                "risk_type": types[item.id],
                "impact": int(u["impact"]),
                "likelihood": int(u["likelihood"]),
                "score": score,
                "band": scale.score_band(score).name,
                "previous_score": previous,
                "previous_band": scale.score_band(previous).name if previous else "",
                "movement": movement,
                "on_register": movement not in OFF_REGISTER,
                "commentary": u["commentary"],
                "provenance": u["provenance"],
            }
        )
    frame = pd.DataFrame(rows, columns=_REGISTER_COLUMNS)
    frame["previous_score"] = frame["previous_score"].astype("Int64")
    return frame


def _movement(recorded: str, score: int, previous: int | None) -> str:
    if recorded and recorded != "unchanged":
        return recorded
    if previous is None:
        return "new"
    if score > previous:
        return "increased"
    if score < previous:
        return "reduced"
    return "unchanged"


def risk_matrix(register: pd.DataFrame, risk_type: str, scale: RiskScale) -> pd.DataFrame:
    """The 4×4 matrix of a risk type: one row per cell, with its count of risks.

    Only risks on the register are counted.

    Returns
    -------
    pandas.DataFrame
        Sixteen rows, highest impact first and then by likelihood: ``impact``,
        ``impact_label``, ``likelihood``, ``likelihood_label``, ``score``, ``band``,
        ``colour``, ``text_colour``, ``count``, ``risk_ids`` (comma-separated).

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> register = risk_register(data, parse_quarter("2021-22 Q2"))
    >>> matrix = risk_matrix(register, "threat", data.scales.risks)
    >>> matrix[matrix["count"] > 0][["impact_label", "likelihood_label", "score", "band", "count"]]
      impact_label likelihood_label  score  band  count
    2    Very high         Probable     12  High      1
    9       Medium         Possible      4   Low      1
    """
    on = register[register["on_register"] & (register["risk_type"] == risk_type)]
    impact_words = scale.words(risk_type, "impact")
    likelihood_words = scale.words(risk_type, "likelihood")
    rows = []
    for impact in (4, 3, 2, 1):
        for likelihood in (1, 2, 3, 4):
            cell = on[(on["impact"] == impact) & (on["likelihood"] == likelihood)]
            score = impact * likelihood
            band = scale.score_band(score)
            rows.append(
                {
                    "impact": impact,
                    "impact_label": impact_words[impact - 1],
                    "likelihood": likelihood,
                    "likelihood_label": likelihood_words[likelihood - 1],
                    "score": score,
                    "band": band.name,
                    "colour": band.colour,
                    "text_colour": band.text_colour,
                    "count": len(cell),
                    "risk_ids": ", ".join(cell["risk_id"]),
                }
            )
    return pd.DataFrame(rows)


def movement_counts(register: pd.DataFrame) -> pd.DataFrame:
    """How many risks moved each way this quarter.

    Returns
    -------
    pandas.DataFrame
        ``movement`` and ``count``, most frequent first, then by name.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> movement_counts(risk_register(data, parse_quarter("2021-22 Q2")))
           movement  count
    0  de-escalated      1
    1     escalated      1
    2     increased      1
    3     unchanged      1
    """
    counts = register["movement"].value_counts().rename_axis("movement").reset_index()
    return counts.sort_values(["count", "movement"], ascending=[False, True]).reset_index(drop=True)
