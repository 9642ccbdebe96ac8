"""The bundled Derby City Council dataset reproduces the published Q2 2021/22 report.

Only the published values are typed here; every figure is computed from the data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.dataset.read import load_dataset, validate_dataset
from analysis.engine.summary import (
    action_status_counts,
    headline_figures,
    monitoring_counts,
    rated_measures,
)
from analysis.quarters import parse_quarter

BUNDLED = Path(__file__).resolve().parents[1] / "data" / "derby-2021-22"

Q2 = parse_quarter("2021-22-Q2")
THEMES = ["Our place", "Our people", "Our organisation"]


@pytest.fixture(scope="module")
def derby():
    return load_dataset(BUNDLED)


@pytest.fixture(scope="module")
def figures(derby):
    return headline_figures(derby, Q2).set_index("figure")


def test_bundled_dataset_is_clean():
    assert validate_dataset(BUNDLED) == []


# Published in the report's key highlights and the Cabinet paper.
PUBLISHED_PERCENTAGES = [
    ("actions_on_track_or_completed", 91, 87),
    ("measures_met_quarterly_target", 78, None),
    ("measures_forecast_to_meet_annual_target", 94, None),
    ("projects_green_or_amber_green", 75, None),
]


@pytest.mark.parametrize(("figure", "published", "published_q1"), PUBLISHED_PERCENTAGES)
def test_headline_percentages_match_the_published_report(figures, figure, published, published_q1):
    row = figures.loc[figure]
    assert row["value"] == published, (
        f"{figure}: {row['numerator']}/{row['denominator']} gives {row['value']}%"
    )
    if published_q1 is not None:
        assert row["previous_value"] == published_q1


def test_strategic_risk_register(figures):
    assert figures.loc["strategic_risks", "value"] == 18
    assert figures.loc["risks_escalated", "value"] == 1
    assert figures.loc["risks_de_escalated", "value"] == 1


# Assessment of progress (Quarter 2), by theme: place, people, organisation.
PUBLISHED_PROGRESS = [
    ("completed", [0, 0, 5]),
    ("on_track", [14, 16, 14]),
    ("some_slippage", [1, 1, 1]),
    ("major_slippage", [0, 2, 0]),
]


@pytest.mark.parametrize(("status", "by_theme"), PUBLISHED_PROGRESS)
def test_assessment_of_progress_by_theme(derby, status, by_theme):
    counts = action_status_counts(derby, Q2).set_index("status")
    assert counts.loc[status, THEMES].tolist() == by_theme


# Monitoring arrangements: items monitored by theme.
PUBLISHED_MONITORING = [
    ("action", [15, 19, 21]),
    ("project", [17, 5, 2]),
    ("measure", [15, 30, 7]),
    ("risk", [4, 5, 9]),
]


@pytest.mark.parametrize(("kind", "by_theme"), PUBLISHED_MONITORING)
def test_monitoring_arrangements_by_theme(derby, kind, by_theme):
    counts = monitoring_counts(derby, Q2).set_index(["kind", "theme"])["count"]
    assert [counts[(kind, theme)] for theme in THEMES] == by_theme


def test_one_organisation_project_is_in_closure(derby):
    counts = monitoring_counts(derby, Q2).set_index(["kind", "theme"])["in_closure"]
    assert [counts[("project", theme)] for theme in THEMES] == [0, 0, 1]


def test_engine_gives_every_published_quarterly_status(derby):
    rated = rated_measures(derby, Q2)
    shown = rated[rated["reported_status"] != ""]
    assert len(shown) > 0
    labels = {band.key: band.label for band in derby.framework.bands}
    mismatches = [
        f"{r.measure_id}: report {r.reported_status}, engine {labels.get(r.quarterly_status)}"
        for r in shown.itertuples()
        if labels.get(r.quarterly_status, "").lower() != r.reported_status.strip().lower()
    ]
    assert mismatches == []
