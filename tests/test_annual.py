"""The annual results report: each item's result this year beside the year before."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.dataset.read import BUNDLED_DATASET, load_dataset
from analysis.quarters import parse_quarter
from analysis.report.annual import (
    ANNUAL_COLUMNS,
    NOT_LAST_YEAR,
    annual_grouping,
    annual_results,
    annual_results_markdown,
)

COUNTY = Path(__file__).resolve().parent / "fixtures" / "county"
Q4 = parse_quarter("2025-26 Q4")


@pytest.fixture(scope="module")
def county():
    return load_dataset(COUNTY)


def test_the_countys_year_end_beside_the_year_before(county):
    rows = annual_results(county, Q4)
    assert tuple(rows.columns) == ANNUAL_COLUMNS
    assert annual_grouping(county) == "directorate"
    assert list(rows["group"]) == sorted(rows["group"])
    history = county["measure_history"].set_index(["measure_id", "year"])
    by_id = rows.set_index("id")
    # a measure's last year is its history row for 2024/25, with that year's target
    assert ("NC-K01", "2024/25") in history.index
    assert "target" in by_id.at["NC-K01", "last_year"]
    # the plan began in 2025-26: no deliverable was in last year's plan
    actions = rows[rows["kind"] == "action"]
    assert len(actions) and (actions["last_year"] == NOT_LAST_YEAR).all()
    statuses = county["action_updates"].query("quarter == '2025-26-Q4'")
    labels = {r.action_id: county.scales.actions.label(r.status) for r in statuses.itertuples()}
    assert dict(zip(actions["id"], actions["this_year"], strict=True)) == labels


def test_a_measure_without_history_uses_the_same_quarter_a_year_before():
    bundled = load_dataset(BUNDLED_DATASET)
    rows = annual_results(bundled, parse_quarter("2021-22 Q2")).set_index("id")
    assert annual_grouping(bundled) == "theme"  # Derby records no directorates
    assert rows.at["PL-M10", "last_year"] == "17.7%"  # its 2020-21 Q2 value
    assert rows.at["PL-M01", "last_year"] == NOT_LAST_YEAR


def test_the_document_is_a_table_per_group_in_the_datasets_words(county):
    text = annual_results_markdown(county, Q4)
    rows = annual_results(county, Q4)
    for group in set(rows["group"]):
        assert f"### {group}" in text
    assert "| Item | Kind | Q4 2024/25 | Q4 2025/26 |" in text
    assert text.count("\n| ") == len(rows) + len(set(rows["group"]))
    assert "Deliverable" in text and "project" not in text.lower()
