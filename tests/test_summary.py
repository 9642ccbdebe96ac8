"""Headline figures, counts and status changes on the hand-worked synthetic dataset."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from synthetic import TABLES, write_synthetic

from analysis.dataset.read import load_dataset
from analysis.engine.summary import (
    action_status_counts,
    headline_figures,
    item_statuses,
    monitoring_counts,
    percent,
    rated_measures,
    status_changes,
)
from analysis.quarters import parse_quarter

Q2 = parse_quarter("2021-22-Q2")


PERCENT_CASES = [
    (49, 54, 91.0),
    (47, 54, 87.0),
    (1, 2, 50.0),
    (1, 8, 13.0),  # 12.5 rounds half up
    (1, 3, 33.0),
    (2, 3, 67.0),
    (0, 5, 0.0),
    (5, 5, 100.0),
]


@pytest.mark.parametrize(("numerator", "denominator", "expected"), PERCENT_CASES)
def test_percent_rounds_half_up(numerator, denominator, expected):
    assert percent(numerator, denominator) == expected


def test_percent_of_nothing_is_not_a_number():
    assert math.isnan(percent(0, 0))


def _figure(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame.set_index("figure").loc[name]


# figure, numerator, denominator, value, previous value, left out
HEADLINE_CASES = [
    # Q2: A1, A3, A5 of four rated (A4 not assessed); Q1: A2, A3 of four.
    ("actions_on_track_or_completed", 3, 4, 75.0, 50.0, 1),
    # M1 Blue (+10%), M2 Amber (-5%, lower is better); M3 neither, M4 baseline,
    # M5 due later are left out. Q1: M1 Green, M2 Green.
    ("measures_met_quarterly_target", 1, 2, 50.0, 100.0, 3),
    # M1 Green (forecast = target), M2 Red (-20%), M5 Blue (+20%).
    ("measures_forecast_to_meet_annual_target", 2, 3, 67.0, 100.0, 2),
    # P1 green, P2 amber/red; P3 completed is not rated. Q1: P1 amber/green.
    ("projects_green_or_amber_green", 1, 2, 50.0, 100.0, 1),
]


@pytest.mark.parametrize(("figure", "num", "den", "value", "previous", "left"), HEADLINE_CASES)
def test_headline_percentages(dataset, figure, num, den, value, previous, left):
    row = _figure(headline_figures(dataset, Q2), figure)
    assert (row["numerator"], row["denominator"]) == (num, den)
    assert row["value"] == value
    assert row["previous_value"] == previous
    assert row["left_out"] == left


def test_headline_risk_counts(dataset):
    figures = headline_figures(dataset, Q2)
    assert _figure(figures, "strategic_risks")["value"] == 3  # R4 de-escalated
    assert _figure(figures, "risks_escalated")["value"] == 1
    assert _figure(figures, "risks_de_escalated")["value"] == 1
    assert _figure(figures, "strategic_risks")["unit"] == "count"


def test_headline_previous_value_missing_when_data_lacks_previous_quarter(dataset):
    figures = headline_figures(dataset, parse_quarter("2021-22-Q1"))
    assert math.isnan(_figure(figures, "actions_on_track_or_completed")["previous_value"])


def test_action_status_counts_by_theme(dataset):
    counts = action_status_counts(dataset, Q2).set_index("status")
    assert list(counts.columns) == ["label", "Theme A", "Theme B", "Total"]
    assert counts.loc["on_track", ["Theme A", "Theme B", "Total"]].tolist() == [1, 1, 2]
    assert counts.loc["completed", "Total"] == 1
    assert counts.loc["major_slippage", ["Theme A", "Theme B"]].tolist() == [1, 0]
    assert counts.loc["some_slippage", "Total"] == 0  # rated statuses stay, even at 0
    assert counts.loc["not_assessed", "Total"] == 1
    assert list(counts.index)[:4] == ["completed", "on_track", "some_slippage", "major_slippage"]


def test_monitoring_counts(dataset):
    counts = monitoring_counts(dataset, Q2).set_index(["kind", "theme"])
    assert counts.loc[("action", "Theme A"), "count"] == 2
    assert counts.loc[("action", "Theme B"), "count"] == 3
    assert counts.loc[("action", "Theme B"), "not_rated"] == 1
    assert counts.loc[("project", "Theme B"), ["count", "not_rated"]].tolist() == [2, 1]
    assert counts.loc[("project", "Theme A"), ["count", "in_closure"]].tolist() == [1, 1]
    assert counts.loc[("measure", "Theme B"), "count"] == 3
    assert counts.loc[("risk", "Theme A"), "count"] == 2
    assert counts.loc[("risk", "Theme B"), "count"] == 1  # R4 left the register


def test_status_changes_for_actions(dataset):
    changes = status_changes(dataset, Q2, "action").set_index("id")
    assert changes.loc["A1", "change"] == "improved"
    assert changes.loc["A1", ["previous_label", "current_label"]].tolist() == [
        "Some slippage",
        "On track",
    ]
    assert changes.loc["A2", "change"] == "declined"
    assert changes.loc["A3", "change"] == "unchanged"
    assert changes.loc["A4", "change"] == "new"
    assert changes.loc["A5", "change"] == "improved"


def test_status_changes_for_projects_and_measures(dataset):
    rag = status_changes(dataset, Q2, "project").set_index("id")
    assert rag.loc["P1", "change"] == "improved"
    assert rag.loc["P2", "change"] == "new"
    dca = status_changes(dataset, Q2, "project", field="dca").set_index("id")
    assert dca.loc["P1", "change"] == "unchanged"
    measures = status_changes(dataset, Q2, "measure").set_index("id")
    assert measures.loc["M1", "change"] == "improved"  # Green to Blue
    assert measures.loc["M2", "change"] == "declined"  # Green to Amber
    assert measures.loc["M3", "change"] == "new"


def test_status_changes_marks_removed_items(dataset):
    back = status_changes(dataset, parse_quarter("2021-22-Q3"), "action")
    assert set(back["change"]) == {"removed"}


def test_rated_measures_keeps_every_value_of_the_quarter(dataset):
    rated = rated_measures(dataset, Q2)
    assert sorted(rated["measure_id"]) == ["M1", "M2", "M3", "M4", "M5"]
    assert rated.set_index("measure_id").loc["M3", "quarterly_status"] is None or pd.isna(
        rated.set_index("measure_id").loc["M3", "quarterly_status"]
    )


def test_item_statuses_extract(dataset):
    statuses = item_statuses(dataset, Q2)
    assert list(statuses.columns) == [
        "id",
        "kind",
        "theme",
        "outcome",
        "title",
        "status",
        "status_key",
        "previous_status",
        "value",
        "target",
        "relative_difference",
        "direction_of_travel",
        "provenance",
    ]
    by_id = statuses.set_index("id")
    assert by_id.loc["M1", "status"] == "Blue"
    assert by_id.loc["M1", "previous_status"] == "Green"
    assert by_id.loc["M1", "relative_difference"] == pytest.approx(0.10)
    assert by_id.loc["M1", "direction_of_travel"] == "improving"
    assert by_id.loc["M2", "direction_of_travel"] == "deteriorating"  # lower is better
    assert by_id.loc["M4", "target"] == "baseline year"
    assert "not rated" in by_id.loc["M4", "status"]
    assert by_id.loc["P2", "status"] == "Amber/Red; DCA Amber/Green"
    # the key behind each status: band, scale status, RAG, score band; empty when not rated
    assert by_id.loc[["M1", "M4", "A1", "P2"], "status_key"].tolist() == [
        "blue",
        "",
        "on_track",
        "amber_red",
    ]
    assert by_id.loc["R1", "status_key"] == by_id.loc["R1", "status"]
    assert by_id.loc["A1", ["status", "previous_status"]].tolist() == ["On track", "Some slippage"]
    assert by_id.loc["R1", ["value", "direction_of_travel"]].tolist() == [12, "increased"]
    assert by_id.loc["M5", "provenance"] == "assumed"
    # Report order: theme A items (positions 1..7), then theme B.
    assert list(by_id.index[:3]) == ["A1", "A2", "P1"]


def test_functions_do_not_change_the_dataset(dataset):
    before = {name: frame.copy() for name, frame in dataset.tables.items()}
    headline_figures(dataset, Q2)
    item_statuses(dataset, Q2)
    status_changes(dataset, Q2, "measure")
    for name, frame in dataset.tables.items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_previous_value_only_where_last_quarter_holds_updates_of_that_kind(tmp_path):
    values = TABLES["measure_values"] + "M1,2020-21-Q4,90%,100%,100%,100%,,,,,,,published\n"
    data = load_dataset(write_synthetic(tmp_path / "d", measure_values=values))
    figures = headline_figures(data, parse_quarter("2021-22-Q1")).set_index("figure")
    assert figures.loc["measures_met_quarterly_target", "previous_value"] == 0.0  # M1 Amber
    assert math.isnan(figures.loc["strategic_risks", "previous_value"])
    assert math.isnan(figures.loc["actions_on_track_or_completed", "previous_value"])
