"""Items requiring action: one rule, from the configuration, for the exceptions and the list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.config.files import CONFIG_DIR
from analysis.dataset.read import BUNDLED_DATASET, load_dataset
from analysis.engine.action import ACTION_COLUMNS, measures_requiring_action, requiring_action
from analysis.engine.items import updates_for
from analysis.engine.summary import rated_measures
from analysis.quarters import parse_quarter
from analysis.report.tables import exceptions_table, requiring_action_table

COUNTY = Path(__file__).resolve().parent / "fixtures" / "county"
CASES = [("bundled", "2021-22 Q2"), ("county", "2025-26 Q2")]


@pytest.fixture(scope="module")
def datasets():
    return {"bundled": load_dataset(BUNDLED_DATASET), "county": load_dataset(COUNTY)}


@pytest.mark.parametrize(("source", "quarter"), CASES)
def test_every_item_in_a_rating_that_calls_for_action_is_listed_and_no_other(
    datasets, source, quarter
):
    data, q = datasets[source], parse_quarter(quarter)
    found = requiring_action(data, q)
    assert tuple(found.columns) == ACTION_COLUMNS
    listed = set(zip(found["kind"], found["id"], strict=True))
    bands = set(data.framework.needs_action)
    rated = rated_measures(data, q)
    expected = {
        ("measure", r.measure_id)
        for r in rated.itertuples()
        if r.quarterly_status in bands or r.year_end_status in bands
    }
    for kind, fields in (("action", ["status"]), ("project", ["rag", "dca"])):
        if data.holds(kind):
            flagged = set(data.scales.of(kind).needs_action)
            updates = updates_for(data, kind, q)
            expected |= {
                (kind, r["id"])
                for r in updates.to_dict("records")
                if any(r[f] in flagged for f in fields)
            }
    assert listed == expected and expected, source


@pytest.mark.parametrize(("source", "quarter"), CASES)
def test_the_exceptions_chapter_and_the_list_share_the_rule(datasets, source, quarter):
    data, q = datasets[source], parse_quarter(quarter)
    measures = requiring_action(data, q).query("kind == 'measure'")
    assert list(measures["id"]) == list(measures_requiring_action(data, q)["measure_id"])
    exceptions = exceptions_table(data, q, group_by="theme").as_raw_html()
    listing = requiring_action_table(data, q).as_raw_html()
    for measure_id in measures["id"]:
        assert f"({measure_id})" in exceptions and f"({measure_id})" in listing
    assert f"{len(requiring_action(data, q))} in all." in listing


def test_the_county_lists_only_its_worst_band_deliverables_included(datasets):
    county, q = datasets["county"], parse_quarter("2025-26 Q2")
    assert county.framework.needs_action == ("action",)
    found = requiring_action(county, q)
    assert set(found["kind"]) == {"action", "measure"}
    actions = found[found["kind"] == "action"]
    assert set(actions["status_key"]) == {"action"}
    table = requiring_action_table(county, q).as_raw_html()
    # the county's own words, and the ratings that call for action named in the note
    assert "Deliverable" in table and "Key measure" in table
    assert "Key measures rated Action this quarter or at year end" in table


def test_a_changed_band_changes_both_lists(tmp_path):
    folder = Path(shutil.copytree(BUNDLED_DATASET, tmp_path / "derby"))
    text = (CONFIG_DIR / "frameworks" / "derby-city-2021-22.yml").read_text(encoding="utf-8")
    (folder / "framework.yml").write_text(
        text.replace("needs_action: [amber, red]", "needs_action: [red]"), encoding="utf-8"
    )
    dataset_yml = folder / "dataset.yml"
    dataset_yml.write_text(
        dataset_yml.read_text(encoding="utf-8").replace(
            "framework: derby-city-2021-22", "framework: framework.yml"
        ),
        encoding="utf-8",
    )
    narrowed, q = load_dataset(folder), parse_quarter("2021-22 Q2")
    bundled = load_dataset(BUNDLED_DATASET)
    assert narrowed.framework.needs_action == ("red",)
    fewer = measures_requiring_action(narrowed, q)
    assert set(fewer["measure_id"]) < set(measures_requiring_action(bundled, q)["measure_id"])
    assert ((fewer["quarterly_status"] == "red") | (fewer["year_end_status"] == "red")).all()
    assert "Measures rated Red this quarter" in exceptions_table(narrowed, q).as_raw_html()
