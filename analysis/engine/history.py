"""A measure's years: its results and targets in earlier financial years beside the
national and comparator benchmarks, and this year's position so far.

Earlier years come from the optional ``measure_history`` table; this year from the
measure's values for the report's quarter (its actual, annual target, year-end forecast
and latest ``benchmark``). Only years before the report's year are taken from the
history, so a history row for this year or later is never mixed with this year's data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.engine.summary import rated_measures
from analysis.quarters import Quarter, parse_year

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset

__all__ = ["YEAR_COLUMNS", "measure_years", "measures_with_history"]

#: The columns of :func:`measure_years`; each value column has a ``_state`` beside it.
YEAR_COLUMNS = (
    "measure_id",
    "year",
    "current",
    "actual",
    "actual_state",
    "target",
    "target_state",
    "national",
    "national_state",
    "comparator",
    "comparator_state",
    "forecast",
    "forecast_state",
    "benchmark",
    "benchmark_state",
    "as_at",
)
_VALUES = ("actual", "target", "national", "comparator", "forecast", "benchmark")


def measures_with_history(dataset: Dataset, quarter: Quarter) -> list[str]:
    """The ids of the measures with a value this quarter and at least one earlier year
    in ``measure_history``, in the order of the measure values.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> measures_with_history(synthetic_dataset(), parse_quarter("2021-22 Q2"))
    []
    """
    earlier = _earlier(dataset, quarter)
    reported = rated_measures(dataset, quarter)["measure_id"]
    return [m for m in reported if m in set(earlier["measure_id"])]


def measure_years(dataset: Dataset, quarter: Quarter, measure_id: str) -> pd.DataFrame:
    """One row per financial year for a measure, oldest first: each earlier year of the
    history (``actual`` its result, ``target`` its target, ``national`` and
    ``comparator`` its benchmarks), then this year (``current`` true): ``actual`` this
    quarter's actual, ``target`` the annual target, ``forecast`` the year-end forecast,
    ``benchmark`` the latest benchmark, ``as_at`` the date of the actual.

    Values are numbers, NaN where not a number; each ``_state`` says why (see
    :mod:`analysis.dataset.values`). ``year`` is the label, e.g. ``2024/25``.
    """
    rows: list[dict[str, object]] = []
    earlier = _earlier(dataset, quarter)
    for r in earlier[earlier["measure_id"] == measure_id].to_dict("records"):
        row: dict[str, object] = {"measure_id": measure_id, "year": r["year"], "current": False}
        for name in _VALUES:
            value, state = (r[name], r[f"{name}_state"]) if name in r else (float("nan"), "missing")
            row[name], row[f"{name}_state"] = value, state
        row["as_at"] = ""
        rows.append(row)
    rows.sort(key=lambda row: parse_year(str(row["year"])))
    rated = rated_measures(dataset, quarter)
    now = rated[rated["measure_id"] == measure_id]
    if not now.empty:
        r = now.iloc[0]
        row = {"measure_id": measure_id, "year": quarter.year_label, "current": True}
        sources = {
            "actual": "actual",
            "target": "annual_target",
            "forecast": "forecast",
            "benchmark": "benchmark",
        }
        for name in _VALUES:
            source = sources.get(name)
            value, state = (
                (r[source], r[f"{source}_state"]) if source else (float("nan"), "missing")
            )
            row[name], row[f"{name}_state"] = value, state
        row["as_at"] = r["as_at"]
        rows.append(row)
    return pd.DataFrame(rows, columns=list(YEAR_COLUMNS))


def _earlier(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """The history rows of years before ``quarter``'s financial year."""
    history = dataset["measure_history"]
    if history.empty:
        return history
    years = history["year"].map(parse_year)
    return history[years < quarter.start_year]
