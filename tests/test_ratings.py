"""Tests for analysis.engine.ratings: relative difference, measure ratings, met counts, travel."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from analysis.config.frameworks import Framework, load_framework
from analysis.engine.ratings import (
    count_met,
    direction_of_travel,
    rate_measures,
    relative_difference,
)
from analysis.errors import DataError
from analysis.quarters import parse_quarter

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "frameworks"
NAN = math.nan
INF = math.inf

DERBY = load_framework("derby-city-2021-22")
DERBYSHIRE = load_framework("derbyshire-2021-25")
THREE_BAND = load_framework(FIXTURES / "three-band.yml")

# (actual, target, polarity, d)
RELATIVE_DIFFERENCES = [
    (110.0, 100.0, "higher", 0.10),
    (90.0, 100.0, "higher", -0.10),
    (110.0, 100.0, "lower", -0.10),
    (90.0, 100.0, "lower", 0.10),
    (100.0, 100.0, "higher", 0.0),
    (100.0, 100.0, "lower", 0.0),
    # negative targets: relative to |target|, still signed by polarity
    (-90.0, -100.0, "higher", 0.10),
    (-90.0, -100.0, "lower", -0.10),
    # on a threshold exactly, from the values as written (floats would miss by an ulp)
    (94.05, 99.0, "higher", -0.05),
    (103.95, 99.0, "lower", -0.05),
    (0.98, 1.0, "higher", -0.02),
    (1.05, 1.0, "higher", 0.05),
    # zero targets
    (0.0, 0.0, "higher", 0.0),
    (0.0, 0.0, "lower", 0.0),
    (5.0, 0.0, "higher", INF),
    (-5.0, 0.0, "higher", -INF),
    (5.0, 0.0, "lower", -INF),
    (-5.0, 0.0, "lower", INF),
    # not rated
    (110.0, 100.0, "neither", NAN),
    (NAN, 100.0, "higher", NAN),
    (110.0, NAN, "lower", NAN),
    (None, 100.0, "higher", NAN),
    (None, 0.0, "higher", NAN),
    (NAN, 0.0, "lower", NAN),
]


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize(("actual", "target", "polarity", "d"), RELATIVE_DIFFERENCES)
def test_relative_difference_scalar(actual, target, polarity, d):
    result = relative_difference(actual, target, polarity)
    assert isinstance(result, float)
    assert _same(result, d)


def test_relative_difference_vectorised_matches_scalar():
    index = pd.Index([f"r{i}" for i in range(len(RELATIVE_DIFFERENCES))])
    actual, target, polarity, expected = (list(c) for c in zip(*RELATIVE_DIFFERENCES, strict=True))
    result = relative_difference(
        pd.Series(actual, index=index, dtype=float),
        pd.Series(target, index=index, dtype=float),
        pd.Series(polarity, index=index),
    )
    assert list(result.index) == list(index)
    assert all(_same(r, e) for r, e in zip(result, expected, strict=True))


def test_relative_difference_takes_decimals_and_integers():
    assert relative_difference(Decimal("94.05"), Decimal("99"), "higher") == -0.05
    assert relative_difference(Decimal("94.05"), 99, "lower") == 0.05
    decimals = pd.Series([Decimal("0.98"), None, Decimal("1.05")], dtype=object)
    result = relative_difference(decimals, 1, "higher")
    assert result.dtype == float
    assert _same(result[1], NAN)
    assert (result[0], result[2]) == (-0.02, 0.05)


def test_relative_difference_broadcasts_a_scalar_polarity():
    result = relative_difference(pd.Series([50.0, 40.0]), 40.0, "lower")
    assert result.tolist() == [-0.25, 0.0]


@pytest.mark.parametrize("polarity", ["up", "", None, "Higher"])
def test_unknown_polarity_is_a_data_error(polarity):
    with pytest.raises(DataError, match="higher, lower, neither"):
        relative_difference(1.0, 2.0, polarity)


# Values as exports hold them: at most six decimal places, so that d cannot underflow.
_exported = st.floats(min_value=-1e9, max_value=1e9).map(lambda x: round(x, 6))


@given(
    actual=_exported,
    target=_exported,
    polarity=st.sampled_from(["higher", "lower"]),
)
def test_positive_d_always_means_better(actual, target, polarity):
    d = relative_difference(actual, target, polarity)
    better = actual > target if polarity == "higher" else actual < target
    assert (d > 0) == better
    assert (d == 0) == (actual == target)


# ---------------------------------------------------------------------------------------
# rate_measures


def _values(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Measure values as loaded and joined to their measures; unspecified cells filled."""
    base = {
        "measure_id": "M",
        "quarter": "2021-22-Q2",
        "unit": "number",
        "polarity": "higher",
        "actual": NAN,
        "actual_state": "value",
        "quarterly_target": NAN,
        "quarterly_target_state": "value",
        "annual_target": NAN,
        "annual_target_state": "value",
        "forecast": NAN,
        "forecast_state": "value",
    }
    return pd.DataFrame([{**base, "measure_id": f"M{i}", **row} for i, row in enumerate(rows)])


def _quarterly(framework: Framework, actual, target, polarity="higher", unit="number"):
    rated = rate_measures(
        _values(
            [{"actual": actual, "quarterly_target": target, "polarity": polarity, "unit": unit}]
        ),  # fmt: skip
        framework,
    )
    return rated.loc[0, "quarterly_status"]


# (framework, polarity, actual, target, unit, band): every boundary, both polarities.
BOUNDARIES = [
    (DERBY, "higher", 110.0, 100.0, "number", "blue"),
    (DERBY, "higher", 109.99, 100.0, "number", "green"),
    (DERBY, "higher", 98.0, 100.0, "number", "green"),
    (DERBY, "higher", 97.99, 100.0, "number", "amber"),
    (DERBY, "higher", 90.0, 100.0, "number", "amber"),
    (DERBY, "higher", 89.99, 100.0, "number", "red"),
    (DERBY, "lower", 90.0, 100.0, "number", "blue"),
    (DERBY, "lower", 90.01, 100.0, "number", "green"),
    (DERBY, "lower", 102.0, 100.0, "number", "green"),
    (DERBY, "lower", 102.01, 100.0, "number", "amber"),
    (DERBY, "lower", 110.0, 100.0, "number", "amber"),
    (DERBY, "lower", 110.01, 100.0, "number", "red"),
    (DERBY, "higher", 0.0, 0.0, "gbp", "green"),
    (DERBY, "higher", 1.0, 0.0, "gbp", "blue"),
    (DERBY, "higher", -1.0, 0.0, "gbp", "red"),
    (DERBY, "lower", 1.0, 0.0, "gbp", "red"),
    (DERBY, "lower", -1.0, 0.0, "gbp", "blue"),
    (DERBYSHIRE, "higher", 105.0, 100.0, "number", "good"),
    (DERBYSHIRE, "higher", 105.01, 100.0, "number", "strong"),
    (DERBYSHIRE, "higher", 98.0, 100.0, "number", "good"),
    (DERBYSHIRE, "higher", 97.99, 100.0, "number", "review"),
    (DERBYSHIRE, "higher", 90.0, 100.0, "number", "review"),
    (DERBYSHIRE, "higher", 89.99, 100.0, "number", "action"),
    (DERBYSHIRE, "lower", 95.0, 100.0, "number", "good"),
    (DERBYSHIRE, "lower", 94.99, 100.0, "number", "strong"),
    (DERBYSHIRE, "lower", 102.0, 100.0, "number", "good"),
    (DERBYSHIRE, "lower", 102.01, 100.0, "number", "review"),
    (DERBYSHIRE, "lower", 110.0, 100.0, "number", "review"),
    (DERBYSHIRE, "lower", 110.01, 100.0, "number", "action"),
    # percentage targets above 95%: Strong from above +2%
    (DERBYSHIRE, "higher", 102.0, 100.0, "percent", "good"),
    (DERBYSHIRE, "higher", 102.01, 100.0, "percent", "strong"),
    (DERBYSHIRE, "higher", 98.88, 96.0, "percent", "strong"),  # d = +3%
    (DERBYSHIRE, "higher", 97.85, 95.0, "percent", "good"),  # d = +3%, target not above 95%
    (DERBYSHIRE, "higher", 99.7595, 95.0, "percent", "strong"),  # d = +5.01%
    (DERBYSHIRE, "higher", 98.88, 96.0, "number", "good"),  # not a percentage
    (DERBYSHIRE, "lower", 97.99, 100.0, "percent", "strong"),
    (DERBYSHIRE, "lower", 98.0, 100.0, "percent", "good"),
    (DERBYSHIRE, "higher", 0.0, 0.0, "percent", "good"),
    # exactly on a threshold, which float arithmetic misses by an ulp
    (DERBY, "higher", 0.98, 1.0, "number", "green"),
    (DERBYSHIRE, "higher", 0.98, 1.0, "number", "good"),
    (DERBYSHIRE, "higher", 1.05, 1.0, "number", "good"),
    (DERBYSHIRE, "lower", 94.05, 99.0, "number", "good"),
    (DERBYSHIRE, "lower", 94.05, 99.0, "percent", "strong"),
    (THREE_BAND, "higher", 100.0, 100.0, "number", "ahead"),
    (THREE_BAND, "higher", 99.99, 100.0, "number", "close"),
    (THREE_BAND, "higher", 95.0, 100.0, "number", "close"),
    (THREE_BAND, "higher", 94.99, 100.0, "number", "behind"),
    (THREE_BAND, "higher", 94.05, 99.0, "number", "close"),
    (THREE_BAND, "lower", 105.0, 100.0, "number", "close"),
    (THREE_BAND, "lower", 105.01, 100.0, "number", "behind"),
    (THREE_BAND, "lower", 0.0, 0.0, "number", "ahead"),
    (THREE_BAND, "lower", 0.5, 0.0, "number", "behind"),
]


@pytest.mark.parametrize(("framework", "polarity", "actual", "target", "unit", "band"), BOUNDARIES)
def test_quarterly_status_at_every_boundary(framework, polarity, actual, target, unit, band):
    assert _quarterly(framework, actual, target, polarity, unit) == band


# (changes to a row that would otherwise be rated, the quarterly basis)
NOT_RATED = [
    ({"polarity": "neither"}, "polarity_neither"),
    ({"polarity": "neither", "quarterly_target_state": "baseline"}, "polarity_neither"),
    ({"quarterly_target_state": "baseline"}, "baseline"),
    ({"quarterly_target_state": "baseline", "actual_state": "due_later"}, "baseline"),
    ({"quarterly_target_state": "no_target"}, "no_target"),
    ({"quarterly_target_state": "missing"}, "no_target"),
    ({"quarterly_target_state": "not_available"}, "no_target"),
    ({"quarterly_target_state": "no_target", "actual_state": "missing"}, "no_target"),
    ({"actual_state": "missing"}, "no_data"),
    ({"actual_state": "due_later"}, "no_data"),
    ({"actual_state": "not_available"}, "no_data"),
    ({"actual_state": "not_measured"}, "no_data"),
    ({"actual_state": "in_arrears"}, "no_data"),
    ({"actual_state": "baseline"}, "no_data"),
]


@pytest.mark.parametrize(("change", "basis"), NOT_RATED)
def test_not_rated_quarterly(change, basis):
    row = {"actual": 120.0, "quarterly_target": 100.0, **change}
    for column in ("actual", "quarterly_target"):
        if row.get(f"{column}_state", "value") != "value":
            row[column] = NAN
    rated = rate_measures(_values([row]), DERBY)
    assert rated.loc[0, "quarterly_basis"] == basis
    assert rated.loc[0, "quarterly_status"] is None
    assert math.isnan(rated.loc[0, "quarterly_d"])


# (changes, the year-end basis)
YEAR_END = [
    ({"forecast": 100.0, "annual_target": 100.0}, "rated"),
    ({"forecast_state": "missing"}, "no_forecast"),
    ({"forecast_state": "due_later"}, "no_forecast"),
    ({"forecast_state": "not_available"}, "no_forecast"),
    ({"annual_target": 100.0, "annual_target_state": "no_target"}, "no_target"),
    ({"annual_target_state": "baseline"}, "baseline"),
    ({"polarity": "neither", "forecast": 1.0, "annual_target": 1.0}, "polarity_neither"),
]


@pytest.mark.parametrize(("change", "basis"), YEAR_END)
def test_year_end_basis(change, basis):
    rated = rate_measures(_values([change]), DERBY)
    assert rated.loc[0, "year_end_basis"] == basis
    assert (rated.loc[0, "year_end_status"] is None) == (basis != "rated")


def test_year_end_compares_forecast_with_annual_target():
    values = _values(
        [
            {"actual": 50.0, "quarterly_target": 100.0, "forecast": 111.0, "annual_target": 100.0},
            {"actual": 100.0, "quarterly_target": 100.0, "forecast": 85.0, "annual_target": 100.0},
            # the Strong rule follows the annual target at year end
            {
                "unit": "percent",
                "forecast": 99.0,
                "annual_target": 96.0,
                "actual": 90.0,
                "quarterly_target": 95.0,
            },  # fmt: skip
        ]
    )
    rated = rate_measures(values, DERBYSHIRE)
    assert rated["quarterly_status"].tolist() == ["action", "good", "review"]
    assert rated["year_end_status"].tolist() == ["strong", "action", "strong"]
    assert rated.loc[0, "year_end_d"] == pytest.approx(0.11)


def test_rate_measures_returns_a_new_frame_and_leaves_the_input_alone():
    values = _values(
        [
            {"actual": 120.0, "quarterly_target": 100.0},
            {"actual_state": "due_later", "quarterly_target": 5.0},
        ]
    )
    values.index = pd.Index([10, 20])
    before = values.copy()
    rated = rate_measures(values, DERBY)
    assert rated is not values
    assert_frame_equal(values, before)
    added = [
        "quarterly_d", "quarterly_status", "quarterly_basis",
        "year_end_d", "year_end_status", "year_end_basis",
    ]  # fmt: skip
    assert list(rated.columns) == [*values.columns, *added]
    assert list(rated.index) == [10, 20]
    assert rated["quarterly_status"].tolist() == ["blue", None]
    assert rated["quarterly_basis"].tolist() == ["rated", "no_data"]
    assert_frame_equal(rated[list(values.columns)], values)


def test_rate_measures_needs_its_columns():
    with pytest.raises(DataError, match="forecast_state"):
        rate_measures(_values([{}]).drop(columns=["forecast_state"]), DERBY)


def test_rate_measures_on_an_empty_frame():
    rated = rate_measures(_values([{}]).iloc[0:0], DERBY)
    assert len(rated) == 0
    assert "quarterly_status" in rated.columns


def test_a_framework_of_three_bands_rates_with_no_code_change():
    values = _values(
        [
            {"actual": 12.0, "quarterly_target": 10.0, "forecast": 9.6, "annual_target": 10.0},
            {"actual": 96.0, "quarterly_target": 100.0, "forecast": 94.0, "annual_target": 100.0},
            {
                "actual": 0.0,
                "quarterly_target": 0.0,
                "polarity": "lower",
                "forecast": 1.0,
                "annual_target": 0.0,
            },  # fmt: skip
        ]
    )
    rated = rate_measures(values, THREE_BAND)
    assert rated["quarterly_status"].tolist() == ["ahead", "close", "ahead"]
    assert rated["year_end_status"].tolist() == ["close", "behind", "behind"]
    count = count_met(rated, "quarterly", THREE_BAND)
    assert (count.numerator, count.denominator) == (2, 3)


# ---------------------------------------------------------------------------------------
# count_met


def test_count_met_quarterly_and_year_end():
    values = _values(
        [
            {"actual": 120.0, "quarterly_target": 100.0, "forecast": 100, "annual_target": 100},
            {"actual": 99.0, "quarterly_target": 100.0, "forecast": 80, "annual_target": 100},
            {"actual": 80.0, "quarterly_target": 100.0, "annual_target_state": "baseline"},
            {
                "actual_state": "due_later",
                "quarterly_target": 100.0,
                "forecast": 101,
                "annual_target": 100,
            },  # fmt: skip
            {"polarity": "neither", "actual": 1.0, "quarterly_target": 1.0},
            {"actual": 1.0, "quarterly_target_state": "no_target", "forecast_state": "missing"},
        ]
    )
    rated = rate_measures(values, DERBY)
    quarterly = count_met(rated, "quarterly", DERBY)
    assert (quarterly.numerator, quarterly.denominator) == (2, 3)
    assert quarterly.percentage == pytest.approx(200 / 3)
    assert quarterly.left_out == 3
    assert quarterly.reasons == {"no_data": 1, "polarity_neither": 1, "no_target": 1}
    year_end = count_met(rated, "year_end", DERBY)
    assert (year_end.numerator, year_end.denominator) == (2, 3)
    assert year_end.reasons == {"baseline": 1, "polarity_neither": 1, "no_forecast": 1}


def test_count_met_with_nothing_rated():
    rated = rate_measures(_values([{"polarity": "neither"}]), DERBY)
    count = count_met(rated, "quarterly", DERBY)
    assert (count.numerator, count.denominator, count.left_out) == (0, 0, 1)
    assert math.isnan(count.percentage)


def test_count_met_rejects_an_unknown_rating():
    with pytest.raises(ValueError, match="'quarterly' or 'year_end'"):
        count_met(rate_measures(_values([{}]), DERBY), "annual", DERBY)


# ---------------------------------------------------------------------------------------
# direction_of_travel


def _history(rows: list[tuple[str, str, object, str]], frequency: str | None = "quarterly"):
    """(measure_id, quarter, actual or state, polarity) rows as loaded values."""
    records = []
    for measure, quarter, actual, polarity in rows:
        number = isinstance(actual, float)
        record = {
            "measure_id": measure,
            "quarter": quarter,
            "polarity": polarity,
            "actual": actual if number else NAN,
            "actual_state": "value" if number else actual,
        }
        if frequency is not None:
            record["frequency"] = frequency
        records.append(record)
    return pd.DataFrame(records)


# (this quarter's actual, the earlier actual (or state), polarity, judgement)
JUDGEMENTS = [
    (10.0, 8.0, "higher", "improving"),
    (10.0, 12.0, "higher", "deteriorating"),
    (10.0, 8.0, "lower", "deteriorating"),
    (10.0, 12.0, "lower", "improving"),
    (10.0, 10.0, "higher", "no_change"),
    (10.0, 10.0, "lower", "no_change"),
    (0.1 + 0.2, 0.3, "higher", "no_change"),
    (10.0, 8.0, "neither", "not_comparable"),
    (10.0, "missing", "higher", "not_comparable"),
    (10.0, "not_available", "lower", "not_comparable"),
    ("due_later", 8.0, "higher", "not_comparable"),
]


@pytest.mark.parametrize(("now", "before", "polarity", "judgement"), JUDGEMENTS)
def test_direction_of_travel_is_judged_by_polarity(now, before, polarity, judgement):
    values = _history(
        [
            ("M1", "2020-21-Q2", before, polarity),
            ("M1", "2021-22-Q1", before, polarity),
            ("M1", "2021-22-Q2", now, polarity),
        ]
    )
    travel = direction_of_travel(values, parse_quarter("2021-22-Q2"))
    assert travel.loc[0, "vs_previous_quarter"] == judgement
    assert travel.loc[0, "vs_last_year"] == judgement


def test_q1_is_compared_with_q4_of_the_year_before():
    values = _history(
        [
            ("M1", "2020-21-Q1", 3.0, "higher"),
            ("M1", "2020-21-Q4", 5.0, "higher"),
            ("M1", "2021-22-Q1", 4.0, "higher"),
        ]
    )
    row = direction_of_travel(values, parse_quarter("Q1 2021/22")).iloc[0]
    assert row["previous_quarter"] == "2020-21-Q4"
    assert row["previous_quarter_actual"] == 5.0
    assert row["vs_previous_quarter"] == "deteriorating"
    assert row["last_year_quarter"] == "2020-21-Q1"
    assert row["same_quarter_last_year_actual"] == 3.0
    assert row["vs_last_year"] == "improving"


def test_missing_earlier_quarters_are_not_comparable():
    values = _history([("M1", "2021-22-Q2", 4.0, "higher"), ("M2", "2021-22-Q3", 4.0, "higher")])
    travel = direction_of_travel(values, parse_quarter("2021-22-Q2"))
    assert travel["measure_id"].tolist() == ["M1"]
    row = travel.iloc[0]
    assert row["previous_quarter"] == "2021-22-Q1"
    assert math.isnan(row["previous_quarter_actual"])
    assert row["vs_previous_quarter"] == "not_comparable"
    assert row["vs_last_year"] == "not_comparable"


# (the previous year's rows of an annual measure, the quarter compared, its value)
ANNUAL = [
    ([("2020-21-Q4", 40.0)], "2020-21-Q4", 40.0),
    ([("2020-21-Q2", 40.0)], "2020-21-Q2", 40.0),
    ([("2020-21-Q1", 30.0), ("2020-21-Q3", 40.0)], "2020-21-Q3", 40.0),
    ([("2020-21-Q3", 40.0), ("2020-21-Q4", "due_later")], "2020-21-Q3", 40.0),
    ([("2019-20-Q4", 40.0)], None, NAN),
    ([], None, NAN),
]


@pytest.mark.parametrize(("earlier", "compared", "value"), ANNUAL)
def test_annual_measures_compare_with_the_previous_year(earlier, compared, value):
    rows = [("A1", q, v, "higher") for q, v in earlier] + [("A1", "2021-22-Q4", 50.0, "higher")]
    row = direction_of_travel(_history(rows, "annual"), parse_quarter("2021-22-Q4")).iloc[0]
    assert row["previous_quarter"] == compared
    assert row["last_year_quarter"] == compared
    assert _same(row["previous_quarter_actual"], value)
    assert _same(row["same_quarter_last_year_actual"], value)
    expected = "not_comparable" if compared is None else "improving"
    assert row["vs_previous_quarter"] == expected
    assert row["vs_last_year"] == expected


def test_without_frequency_every_measure_is_quarterly():
    rows = [("A1", "2020-21-Q3", 40.0, "higher"), ("A1", "2021-22-Q4", 50.0, "higher")]
    row = direction_of_travel(_history(rows, None), parse_quarter("2021-22-Q4")).iloc[0]
    assert row["vs_previous_quarter"] == "not_comparable"
    assert row["last_year_quarter"] == "2020-21-Q4"


def test_direction_of_travel_accepts_any_quarter_spelling_and_keeps_input():
    values = _history(
        [("M1", "2021/22 Q1", 4.0, "lower"), ("M1", "Q2 2021/22", 3.0, "lower")],
    )
    before = values.copy()
    travel = direction_of_travel(values, parse_quarter("2021-22 Q2"))
    assert travel.loc[0, "vs_previous_quarter"] == "improving"
    assert_frame_equal(values, before)
    assert list(travel.columns) == [
        "measure_id",
        "previous_quarter",
        "previous_quarter_actual",
        "vs_previous_quarter",
        "last_year_quarter",
        "same_quarter_last_year_actual",
        "vs_last_year",
    ]


def test_direction_of_travel_rejects_duplicate_rows():
    values = _history([("M1", "2021-22-Q2", 4.0, "lower"), ("M1", "2021/22 Q2", 3.0, "lower")])
    with pytest.raises(DataError, match="more than one row"):
        direction_of_travel(values, parse_quarter("2021-22-Q2"))


def test_direction_of_travel_needs_its_columns():
    values = _history([("M1", "2021-22-Q2", 4.0, "lower")]).drop(columns=["actual_state"])
    with pytest.raises(DataError, match="actual_state"):
        direction_of_travel(values, parse_quarter("2021-22-Q2"))


def test_direction_of_travel_with_no_rows_in_the_quarter():
    values = _history([("M1", "2021-22-Q1", 4.0, "lower")])
    travel = direction_of_travel(values, parse_quarter("2021-22-Q2"))
    assert len(travel) == 0
    assert "vs_last_year" in travel.columns
