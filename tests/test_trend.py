"""Trend over time: each item's status in every quarter of the year so far."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.dataset.read import BUNDLED_DATASET, load_dataset
from analysis.engine.summary import item_statuses
from analysis.engine.trend import (
    HISTORY_COLUMNS,
    TREND_COLUMNS,
    quarters_so_far,
    status_trend,
    trend_counts,
)
from analysis.quarters import parse_quarter

COUNTY = Path(__file__).resolve().parent / "fixtures" / "county"


@pytest.fixture(scope="module")
def bundled():
    return load_dataset(BUNDLED_DATASET)


@pytest.mark.parametrize("number, expected", [(1, 1), (2, 2), (4, 4)])
def test_the_year_so_far_starts_in_april(number, expected):
    quarters = quarters_so_far(parse_quarter(f"2021-22 Q{number}"))
    assert [q.number for q in quarters] == list(range(1, expected + 1))
    assert {q.start_year for q in quarters} == {2021}


@pytest.mark.parametrize("source", ["bundled", "county"])
def test_each_quarter_of_the_trend_is_that_quarters_report(source, bundled):
    data = bundled if source == "bundled" else load_dataset(COUNTY)
    quarter = parse_quarter("2021-22 Q2" if source == "bundled" else "2025-26 Q2")
    trend = status_trend(data, quarter).set_index(["kind", "id"])
    assert list(trend.columns) == [*TREND_COLUMNS[2:], *(q.slug for q in quarters_so_far(quarter))]
    for q in quarters_so_far(quarter):
        statuses = item_statuses(data, q).set_index(["kind", "id"])["status"]
        column = trend[q.slug]
        assert column[column != ""].sort_index().equals(statuses.sort_index()), q.slug
        # an item with no update in the quarter is shown empty, not dropped or guessed
        assert set(column[column == ""].index).isdisjoint(statuses.index)


def test_the_trend_keeps_the_items_order_and_counts_every_update(dataset):
    quarter = parse_quarter("2021-22 Q2")
    trend = status_trend(dataset, quarter)
    order = list(item_statuses(dataset, quarter)["id"])
    assert [i for i in trend["id"] if i in order] == order
    counts = trend_counts(dataset, quarter)
    for q in quarters_so_far(quarter):
        assert counts.loc[counts["quarter"] == q.slug, "count"].sum() == len(
            item_statuses(dataset, q)
        )
    # an item first updated in Q2 is in the trend with Q1 empty
    late = trend.set_index("id").loc["A4"]
    assert (late["2021-22-Q1"], late["2021-22-Q2"]) == ("", "Not assessed")


def test_a_first_quarter_has_one_column_and_a_quarter_with_no_updates_counts_nothing(dataset):
    trend = status_trend(dataset, parse_quarter("2021-22 Q1"))
    assert list(trend.columns) == [*TREND_COLUMNS, "2021-22-Q1"]
    assert (trend["2021-22-Q1"] != "").all()
    empty = trend_counts(dataset, parse_quarter("2030-31 Q1"))
    assert empty.empty and list(empty.columns) == ["theme", "kind", "quarter", "status", "count"]


def test_trend_csv_holds_every_quarters_statuses_and_nothing_else(bundled):
    from analysis.report.extracts import extract_columns, extracts

    quarter = parse_quarter("2021-22 Q2")
    found = extracts(bundled, quarter)
    trend = found["trend.csv"]
    assert tuple(trend.columns) == HISTORY_COLUMNS
    assert list(extract_columns("trend.csv")["column"]) == list(HISTORY_COLUMNS)
    for q in quarters_so_far(quarter):
        rows = trend[trend["quarter"] == q.slug].set_index(["kind", "id"])["status"]
        expected = item_statuses(bundled, q).set_index(["kind", "id"])["status"]
        assert rows.sort_index().equals(expected.sort_index()), q.slug
    this_quarter = trend[trend["quarter"] == quarter.slug]
    assert list(this_quarter["id"]) == list(found["statuses.csv"]["id"])
