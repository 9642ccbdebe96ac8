"""Tests for analysis.config.scales: the presets, matching, ranks and bad configuration."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from analysis.config.files import CONFIG_DIR
from analysis.config.scales import Scales, load_scales
from analysis.errors import ConfigError

PRESET = CONFIG_DIR / "scales" / "derby-city.yml"


@pytest.fixture(scope="module")
def derby() -> Scales:
    return load_scales("derby-city")


def test_preset_loads_by_name_and_by_path(derby):
    assert derby.name == "Derby City Council"
    assert derby.source == PRESET
    assert load_scales(PRESET).actions == derby.actions
    assert load_scales("derby-city.yml", base=PRESET.parent).projects == derby.projects


def test_action_scale_is_best_first(derby):
    assert derby.actions.keys == (
        "completed",
        "on_track",
        "some_slippage",
        "major_slippage",
        "not_assessed",
    )
    assert derby.actions.rated_keys == derby.actions.keys[:4]
    assert [derby.actions.rank(k) for k in derby.actions.keys] == [0, 1, 2, 3, 4]
    assert [s.key for s in derby.actions.statuses if s.on_track] == ["completed", "on_track"]


def test_project_scale(derby):
    projects = derby.projects
    assert projects.keys == ("green", "amber_green", "amber_red", "red", "pre_start", "completed")
    assert projects.rated_keys == ("green", "amber_green", "amber_red", "red")
    assert projects.good == ("green", "amber_green")
    assert projects.rank("amber_red") > projects.rank("amber_green")
    assert projects.label("amber_green") == "Amber/Green"
    with pytest.raises(KeyError):
        projects.status("purple")


# (scale, spelling in an export, status key)
SPELLINGS = [
    ("actions", "Completed", "completed"),
    ("actions", "complete", "completed"),
    ("actions", "ON TRACK", "on_track"),
    ("actions", "  on   track ", "on_track"),
    ("actions", "on_track", "on_track"),
    ("actions", "Some slippage", "some_slippage"),
    ("actions", "Minor slippage", "some_slippage"),
    ("actions", "slippage", "some_slippage"),
    ("actions", "Major slippage", "major_slippage"),
    ("actions", "N/A", "not_assessed"),
    ("actions", "not assessed this quarter", "not_assessed"),
    ("projects", "Amber / Green", "amber_green"),
    ("projects", "amber-red", "amber_red"),
    ("projects", "Amber Red", "amber_red"),
    ("projects", "Pre Start", "pre_start"),
    ("projects", "Closed", "completed"),
    ("projects", "Green", "green"),
    ("actions", "Green", None),
    ("actions", "", None),
    ("projects", "Amber", None),
    ("projects", None, None),
]


@pytest.mark.parametrize(("scale", "spelling", "key"), SPELLINGS)
def test_matching_labels_and_aliases(derby, scale, spelling, key):
    assert getattr(derby, scale).match(spelling) == key


@pytest.mark.parametrize(
    ("spelling", "suggestion"),
    [("On trak", "On track"), ("Major slipage", "Major slippage"), ("xyzzy", None)],
)
def test_suggestions_for_misspellings(derby, spelling, suggestion):
    assert derby.actions.suggest(spelling) == suggestion


@pytest.mark.parametrize(
    ("score", "band"),
    [(1, "Low"), (4, "Low"), (5, "Medium"), (8, "Medium"), (9, "High"), (16, "High")],
)
def test_risk_score_bands(derby, score, band):
    assert derby.risks.score_band(score).name == band


@pytest.mark.parametrize("score", [0, 17])
def test_risk_score_out_of_range(derby, score):
    with pytest.raises(ValueError, match=str(score)):
        derby.risks.score_band(score)


def test_risk_words(derby):
    assert derby.risks.words("threat", "impact") == ("Low", "Medium", "High", "Very high")
    assert derby.risks.words("opportunity", "likelihood")[0] == "Rare"


# ---------------------------------------------------------------------------------------
# Bad configuration


def _preset() -> dict[str, Any]:
    return yaml.safe_load(PRESET.read_text(encoding="utf-8"))


def _write(folder: Path, doc: Any) -> Path:
    path = folder / "scales.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _band(i: int, **changes: Any):
    def change(doc: dict[str, Any]) -> None:
        doc["risks"]["score_bands"][i].update(changes)

    return change


def _status(scale: str, i: int, **changes: Any):
    def change(doc: dict[str, Any]) -> None:
        doc[scale]["statuses"][i].update(changes)

    return change


# (change to the preset, words the error must contain)
INVALID = [
    (lambda d: [d.pop(k) for k in ("actions", "projects", "risks")], "at least one of actions"),
    (lambda d: d.update(colours="x"), "unknown setting(s) colours"),
    (lambda d: d["actions"].pop("title"), "actions: missing setting(s) title"),
    (lambda d: d["actions"].update(good=["done"]), "good lists unknown status(es) done"),
    (_status("actions", 1, colour="green"), "actions, status 2: colour 'green'"),
    (_status("actions", 1, text_colour="#FFF"), "colour '#FFF' must be written as #RRGGBB"),
    (_status("actions", 2, text_colour="#FFFFFF"), "actions, status 3: text colour #FFFFFF"),
    (_status("actions", 0, rated="yes"), "rated: expected true or false"),
    (_status("projects", 0, completed="yes"), "completed: expected true or false"),
    (_status("actions", 2, needs_action="no"), "needs_action: expected true or false"),
    (lambda d: d["actions"]["statuses"][1].pop("icon"), "missing setting(s) icon"),
    (_status("actions", 3, aliases=["minor slippage"]), "'minor slippage' names both"),
    (_status("actions", 3, key="on_track"), "key 'on_track' is used by statuses 2 and 4"),
    (_status("projects", 1, label="Green"), "'Green' names both"),
    (lambda d: d["actions"].update(statuses=[]), "at least one status"),
    (lambda d: d["actions"].update(statuses="On track"), "statuses must be a list"),
    (lambda d: d["projects"].update(good=["green", "gold"]), "good lists unknown status(es) gold"),
    (
        lambda d: d["risks"]["threat"].update(impact=["Low", "High"]),
        "threat impact needs four words",
    ),
    (lambda d: d["risks"]["opportunity"].pop("likelihood"), "missing setting(s) likelihood"),
    (_band(1, min=6), "cover every score from 1 to 16 exactly once"),
    (_band(1, max=9), "cover every score from 1 to 16 exactly once"),
    (_band(2, max=15), "cover every score from 1 to 16 exactly once"),
    (_band(0, min="one"), "score band 1: min must be a whole number"),
    (_band(1, colour="#FFDD00", text_colour="#FFFFFF"), "score band 2: text colour #FFFFFF"),
]


@pytest.mark.parametrize(("change", "words"), INVALID, ids=[words for _, words in INVALID])
def test_bad_scales_are_rejected(tmp_path, change, words):
    doc = copy.deepcopy(_preset())
    change(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(ConfigError) as caught:
        load_scales(path)
    assert str(path) in str(caught.value)
    assert words in str(caught.value)


def test_the_unchanged_preset_loads_from_a_copy(tmp_path):
    assert load_scales(_write(tmp_path, _preset())).actions == load_scales("derby-city").actions


def test_missing_scales_list_the_presets():
    with pytest.raises(ConfigError, match=r"No scale called 'nowhere'.*derby-city"):
        load_scales("nowhere")


def test_the_statuses_that_call_for_action(derby, tmp_path):
    assert derby.actions.needs_action == ("some_slippage", "major_slippage")
    assert derby.projects.needs_action == ("amber_red", "red")
    # with no status flagged, the two worst rated statuses call for action
    doc = copy.deepcopy(_preset())
    for status in doc["projects"]["statuses"]:
        status.pop("needs_action", None)
    assert load_scales(_write(tmp_path, doc)).projects.needs_action == ("amber_red", "red")
    doc["projects"]["statuses"][3]["needs_action"] = True
    assert load_scales(_write(tmp_path, doc)).projects.needs_action == ("red",)
