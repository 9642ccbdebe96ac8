"""Trend over time: each item's status in every quarter of the year so far."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.dataset.read import BUNDLED_DATASET, load_dataset
from analysis.engine.summary import item_statuses
from analysis.engine.trend import (
    COUNT_COLUMNS,
    HISTORY_COLUMNS,
    TREND_COLUMNS,
    kind_statuses,
    quarters_so_far,
    status_history,
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
    assert empty.empty and tuple(empty.columns) == COUNT_COLUMNS


def test_counts_give_every_rated_status_best_first_and_projects_by_rag(bundled):
    quarter = parse_quarter("2021-22 Q2")
    counts = trend_counts(bundled, quarter)
    history = status_history(bundled, quarter)
    for (theme, kind, q), group in counts.groupby(["theme", "kind", "quarter"], sort=False):
        order = [s.key for s in kind_statuses(bundled, kind)]
        assert list(group["status_key"]) == [k for k in order if k in set(group["status_key"])]
        held = history[(history.theme == theme) & (history.kind == kind) & (history.quarter == q)]
        assert group.set_index("status_key")["count"].to_dict() == {
            key: int((held["status_key"] == key).sum()) for key in group["status_key"]
        }
        if kind == "action":
            # a rated status is listed at zero; one that is not rated only where held
            rated = [s.key for s in bundled.scales.actions.statuses if s.rated]
            assert set(rated) <= set(group["status_key"])
    projects = history[history["kind"] == "project"]
    assert set(projects["status_key"]) <= set(bundled.scales.projects.keys)
    assert (
        projects["status"].str.split(";").str[0]
        == [bundled.scales.projects.label(k) for k in projects["status_key"]]
    ).all()


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


# ------------------------------------------------------------------ in the report


def test_each_trend_chart_says_every_count_it_draws(dataset):
    from analysis.report.charts import trend_chart

    quarter = parse_quarter("2021-22 Q2")
    counts = trend_counts(dataset, quarter)
    for kind in dataset.kinds:
        chart = trend_chart(dataset, quarter, kind)
        mine = counts[(counts["kind"] == kind) & (counts["count"] > 0)]
        for theme, group in mine.groupby("theme", sort=False):
            said = chart.alt.split(f"{theme}: ")[1].split(".")[0]
            for q in quarters_so_far(quarter):
                held = group[group["quarter"] == q.slug]
                words = ", ".join(
                    f"{c} {lab.lower()}" for lab, c in zip(held.label, held["count"], strict=True)
                )
                assert f"{q.short_label}, {words}" in said, (kind, theme, q.slug)
        svg = chart.to_svg()
        drawn = {
            s.colour.upper() for s in kind_statuses(dataset, kind) if s.key in set(mine.status_key)
        }
        assert drawn <= {c.upper() for c in re.findall(r"#[0-9A-Fa-f]{6}", svg)}


def test_the_trend_tables_show_each_quarters_chip_or_no_update(dataset):
    from analysis.report.tables import trend_counts_table, trend_table

    quarter = parse_quarter("2021-22 Q2")
    items = trend_table(dataset, quarter, "b").as_raw_html()
    # A4 is first updated in Q2: its Q1 cell says so in words
    row = items.split("(A4)")[1].split("</tr>")[0]
    assert "No update" in row and "Not assessed" in row
    # a measure not rated says why, in words
    assert "(not rated: baseline)" in items.split("(M4)")[1].split("</tr>")[0]
    assert 'class="status-chip"' in items and "Q1 2021/22" in items
    assert "(A1)" not in items, "only the theme's own items"
    counts = trend_counts_table(dataset, quarter).as_raw_html()
    theme_a = trend_counts_table(dataset, quarter, "a").as_raw_html()
    for kind in dataset.kinds:
        assert dataset.presentation.kind(kind).heading in counts
    assert counts.count(">Total<") == len(dataset.kinds)
    assert counts != theme_a and 'id="trend-counts-a"' in theme_a


def test_a_not_rated_measure_is_counted_in_the_configured_colour(dataset):
    statuses = kind_statuses(dataset, "measure")
    assert statuses[-1].key == "" and statuses[-1].label == "Not rated"
    charts = dataset.presentation.settings["charts"]
    assert (statuses[-1].colour, statuses[-1].text_colour) == (
        charts["not_rated_colour"],
        charts["not_rated_text_colour"],
    )
