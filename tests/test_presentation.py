"""Presentation presets: merged from a preset, its parents and a dataset's changes, checked."""

from __future__ import annotations

import pytest
import yaml

from analysis.config.files import CONFIG_DIR, presets
from analysis.config.presentation import load_presentation
from analysis.errors import ConfigError

STANDARD = CONFIG_DIR / "presentation" / "standard.yml"


@pytest.mark.parametrize("preset", presets("presentation"))
def test_every_preset_loads(preset):
    presentation = load_presentation(preset)
    assert set(presentation.kinds) == {"action", "project", "measure", "risk"}
    assert presentation.headlines


def test_a_preset_extends_another_changing_only_what_it_names():
    derby, standard = load_presentation("derby-city"), load_presentation()
    assert derby.kind("action").heading == "Milestones / priority actions"
    assert derby.kind("action").icon == standard.kind("action").icon
    assert derby.section("headlines").heading == standard.section("headlines").heading
    assert "extending" in derby.where


def test_a_dataset_changes_some_settings_of_a_preset():
    changed = load_presentation(
        {"preset": "derby-city", "kinds": {"measure": {"plural": "key measures"}}}
    )
    assert changed.kind("measure").plural == "key measures"
    assert changed.kind("measure").heading == "Priority measures"  # kept from the preset
    assert "dataset.yml" in changed.where


def test_placeholders_name_the_kinds_a_section_is_about():
    standard = load_presentation()
    section = standard.section("status_mix", held=("action", "measure", "risk"))
    assert section.intro.startswith("How the actions and measures of each theme")
    assert standard.section("monitoring", held=("measure",)).intro.startswith(
        "The plan is monitored through measures under"
    )


def write(tmp_path, **changes):
    data = yaml.safe_load(STANDARD.read_text(encoding="utf-8"))
    for key, value in changes.items():
        data[key] = value
    path = tmp_path / "mine.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def kinds_with(**entry):
    data = yaml.safe_load(STANDARD.read_text(encoding="utf-8"))["kinds"]
    data["action"] = {**data["action"], **entry}
    return data


BAD = [
    ({"colours": {}}, "unknown setting(s) colours"),
    ({"kinds": kinds_with(plural="")}, "kinds: action: plural must not be empty"),
    ({"sections": {"x": {"heading": "About {gadgets}"}}}, "unknown placeholder(s) {gadgets}"),
    ({"sections": {"x": {"heading": "X", "kinds": ["gadget"]}}}, "unknown kind(s) gadget"),
    ({"sections": {"x": {"heading": "Braces {"}}}, "write a brace as"),
    ({"headlines": [{"key": "a", "kind": "gadget"}]}, "kind 'gadget' is not one of"),
    ({"headlines": [{"key": "a", "kind": "measure"}]}, "which must be quarterly or year_end"),
    ({"headlines": [{"key": "a", "kind": "action", "counts": "met"}]}, "counts must be 'on_track'"),
    (
        {"headlines": [{"key": "a", "kind": "risk"}, {"key": "a", "kind": "risk"}]},
        "key(s) a used more than once",
    ),
]


@pytest.mark.parametrize(("changes", "words"), BAD)
def test_bad_presentations_are_rejected_with_what_to_fix(tmp_path, changes, words):
    with pytest.raises(ConfigError) as error:
        load_presentation(write(tmp_path, **changes))
    assert words in str(error.value)


def test_a_preset_extending_itself_is_an_error(tmp_path):
    (tmp_path / "a.yml").write_text("extends: b.yml\n", encoding="utf-8")
    (tmp_path / "b.yml").write_text("extends: a.yml\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="extends itself"):
        load_presentation("a.yml", base=tmp_path)


def test_a_setting_that_is_not_a_preset_or_mapping_is_an_error():
    with pytest.raises(ConfigError, match="expected the name of a preset"):
        load_presentation(["standard"])
