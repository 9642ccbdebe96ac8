"""Tests for analysis.config.frameworks: presets, every band boundary, validation, properties."""

from __future__ import annotations

import copy
import math
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config.files import CONFIG_DIR
from analysis.config.frameworks import Framework, Threshold, load_framework
from analysis.engine.ratings import relative_difference
from analysis.errors import ConfigError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "frameworks"
INF = math.inf
EPS = 1e-9

# (d, band) at and either side of every Derby City threshold.
DERBY_BOUNDARIES = [
    (INF, "blue"),
    (0.5, "blue"),
    (0.10, "blue"),
    (0.10 - EPS, "green"),
    (0.0, "green"),
    (-0.02, "green"),
    (-0.02 - EPS, "amber"),
    (-0.10, "amber"),
    (-0.10 - EPS, "red"),
    (-5.0, "red"),
    (-INF, "red"),
]

# (d, target, unit, band) at and either side of every Derbyshire threshold, with the
# rule for percentage targets above 95%.
DERBYSHIRE_BOUNDARIES = [
    (INF, None, None, "strong"),
    (0.05 + EPS, None, None, "strong"),
    (0.05, None, None, "good"),
    (0.0, None, None, "good"),
    (-0.02, None, None, "good"),
    (-0.02 - EPS, None, None, "review"),
    (-0.10, None, None, "review"),
    (-0.10 - EPS, None, None, "action"),
    (-INF, None, None, "action"),
    # target 96%: above 95%, so Strong starts above +2%
    (0.03, 96.0, "percent", "strong"),
    (0.02 + EPS, 96.0, "percent", "strong"),
    (0.02, 96.0, "percent", "good"),
    (0.0501, 96.0, "percent", "strong"),
    (-0.02, 96.0, "percent", "good"),
    (-0.02 - EPS, 96.0, "percent", "review"),
    # target 95%: not above 95%, so the usual +5%
    (0.03, 95.0, "percent", "good"),
    (0.05, 95.0, "percent", "good"),
    (0.0501, 95.0, "percent", "strong"),
    (0.03, 95.0 + EPS, "percent", "strong"),
    # the rule is for percentages only, and needs a target
    (0.03, 96.0, "number", "good"),
    (0.03, 96.0, None, "good"),
    (0.03, None, "percent", "good"),
    (0.03, math.nan, "percent", "good"),
]

# (d, band) for the three-band fixture framework.
THREE_BAND_BOUNDARIES = [
    (INF, "ahead"),
    (0.0, "ahead"),
    (-EPS, "close"),
    (-0.05, "close"),
    (-0.05 - EPS, "behind"),
    (-INF, "behind"),
]


@pytest.fixture(scope="module")
def derby() -> Framework:
    return load_framework("derby-city-2021-22")


@pytest.fixture(scope="module")
def derbyshire() -> Framework:
    return load_framework("derbyshire-2021-25")


@pytest.fixture(scope="module")
def three_band() -> Framework:
    return load_framework(FIXTURES / "three-band.yml")


@pytest.mark.parametrize(("d", "band"), DERBY_BOUNDARIES)
def test_derby_city_boundaries(derby, d, band):
    assert derby.rate(d) == band


@pytest.mark.parametrize(("d", "target", "unit", "band"), DERBYSHIRE_BOUNDARIES)
def test_derbyshire_boundaries(derbyshire, d, target, unit, band):
    assert derbyshire.rate(d, target=target, unit=unit) == band


@pytest.mark.parametrize(("d", "band"), THREE_BAND_BOUNDARIES)
def test_three_band_boundaries(three_band, d, band):
    assert three_band.rate(d) == band


def test_rate_refuses_nan(derby):
    with pytest.raises(ValueError, match="NaN"):
        derby.rate(math.nan)
    with pytest.raises(ValueError, match="NaN"):
        derby.rate(Decimal("NaN"))


# (d, band): Decimals compared exactly, however many digits.
DERBY_EXACT = [
    (Decimal("-0.02"), "green"),
    (Decimal("-0.0200"), "green"),
    (Decimal("-0.02000000000000000000000000000000000000000001"), "amber"),
    (Decimal("0.09999999999999999999999999999999999999999999"), "green"),
    (Decimal("0.1"), "blue"),
    (Decimal("Infinity"), "blue"),
    (Decimal("-Infinity"), "red"),
]


@pytest.mark.parametrize(("d", "band"), DERBY_EXACT)
def test_rate_compares_decimals_exactly(derby, d, band):
    assert derby.rate(d) == band


def test_a_float_is_compared_as_the_decimal_it_is_written_as():
    # 0.1 is the binary fraction 0.1000000000000000055..., but compares as one tenth
    assert Threshold(0.1, False).holds(0.1) is False
    assert Threshold(0.1, True).holds(Decimal("0.1")) is True
    assert Threshold(0.1, True).holds(math.nextafter(0.1, 0.0)) is False
    assert Threshold(0.1, True).holds(math.nan) is False
    assert Threshold(0.1, True).exact == Decimal("0.1")
    assert Threshold(0.1, True) == Threshold(Decimal("0.10"), True)
    assert Threshold(0.1, True) != Threshold(0.1, False)


def test_an_override_compares_its_target_exactly(derbyshire):
    override = derbyshire.bands[0].override
    assert override is not None
    assert override.applies(95, "percent") is False
    assert override.applies(Decimal("95.0"), "percent") is False
    assert override.applies(Decimal("95.000000000000000000001"), "percent") is True
    assert override.applies(Decimal("NaN"), "percent") is False


def test_presets_are_listed_and_loadable():
    names = sorted(p.stem for p in (CONFIG_DIR / "frameworks").glob("*.yml"))
    assert names == ["derby-city-2021-22", "derbyshire-2021-25"]
    for name in names:
        assert load_framework(name).source == CONFIG_DIR / "frameworks" / f"{name}.yml"


def test_derby_city_bands_and_met(derby):
    assert derby.name == "Derby City Council 2021/22"
    assert derby.keys == ("blue", "green", "amber", "red")
    assert [b.label for b in derby.bands] == ["Blue", "Green", "Amber", "Red"]
    assert derby.met == ("blue", "green")
    assert derby.bands[0].threshold == Threshold(0.10, True)
    assert derby.bands[-1].threshold is None
    assert derby.basis == "relative difference from target, signed by polarity"
    assert derby.description


def test_derbyshire_bands_and_met(derbyshire):
    assert derbyshire.keys == ("strong", "good", "review", "action")
    assert derbyshire.met == ("strong", "good")
    override = derbyshire.band("strong").override
    assert override is not None
    assert (override.unit, override.target_above) == ("percent", 95.0)
    assert override.threshold == Threshold(0.02, False)


def test_the_bands_that_call_for_action(derby, derbyshire, tmp_path):
    assert derby.needs_action == ("amber", "red")
    assert derbyshire.needs_action == ("review", "action")
    # without the setting, the two worst bands call for action
    assert load_framework(_write(tmp_path, _doc())).needs_action == ("middle", "bottom")
    doc = _doc() | {"needs_action": ["bottom"]}
    assert load_framework(_write(tmp_path, doc, "one.yml")).needs_action == ("bottom",)


def test_band_rank_and_worst(derby):
    assert derby.band("amber").colour == "#F47738"
    assert [derby.rank(k) for k in derby.keys] == [0, 1, 2, 3]
    assert derby.worst(2) == ("amber", "red")
    assert derby.worst(1) == ("red",)
    assert derby.worst(0) == ()
    assert derby.worst(4) == derby.keys


@pytest.mark.parametrize("n", [-1, 5])
def test_worst_out_of_range(derby, n):
    with pytest.raises(ValueError, match="4 bands"):
        derby.worst(n)


def test_unknown_band_names_the_bands(derby):
    with pytest.raises(KeyError, match="blue, green, amber, red"):
        derby.band("purple")
    with pytest.raises(KeyError):
        derby.rank("purple")


DESCRIPTIONS = [
    (
        "derby-city-2021-22",
        [
            ("Blue", "d ≥ +10%"),
            ("Green", "−2% ≤ d < +10%"),
            ("Amber", "−10% ≤ d < −2%"),
            ("Red", "d < −10%"),
        ],
    ),
    (
        "derbyshire-2021-25",
        [
            ("Strong", "d > +5% (d > +2% where the target is a percentage above 95%)"),
            ("Good", "−2% ≤ d ≤ +5% (−2% ≤ d ≤ +2% where the target is a percentage above 95%)"),
            ("Review", "−10% ≤ d < −2%"),
            ("Action", "d < −10%"),
        ],
    ),
    (
        FIXTURES / "three-band.yml",
        [("Ahead", "d ≥ 0%"), ("Close", "−5% ≤ d < 0%"), ("Behind", "d < −5%")],
    ),
]


@pytest.mark.parametrize(("name", "expected"), DESCRIPTIONS)
def test_describe_words_come_from_thresholds(name, expected):
    assert load_framework(name).describe() == expected


def test_describe_follows_a_changed_threshold(tmp_path):
    doc = _doc()
    doc["bands"][0]["above"] = 0.125
    doc["bands"][0]["inclusive"] = False
    rules = load_framework(_write(tmp_path, doc)).describe()
    assert rules[0] == ("Top", "d > +12.5%")
    assert rules[1] == ("Middle", "−3% ≤ d ≤ +12.5%")


def test_describe_other_units(tmp_path):
    doc = _doc()
    doc["bands"][0]["override"] = {
        "unit": "days",
        "target_above": 30,
        "above": 0.05,
        "inclusive": True,
    }
    rules = dict(load_framework(_write(tmp_path, doc)).describe())
    assert rules["Top"] == "d ≥ +10% (d ≥ +5% where the unit is days and the target is above 30)"


def test_load_by_relative_path_and_base():
    framework = load_framework("three-band.yml", base=FIXTURES)
    assert framework.keys == ("ahead", "close", "behind")
    assert framework.met == ("ahead",)
    assert framework.source == FIXTURES / "three-band.yml"


# ---------------------------------------------------------------------------------------
# Validation


def _doc() -> dict[str, Any]:
    """A small valid framework: Top (d >= +10%), Middle (d >= -3%), Bottom."""
    return {
        "name": "Test",
        "description": "A test framework.",
        "basis": "relative difference from target, signed by polarity",
        "met": ["top", "middle"],
        "bands": [
            {
                "key": "top",
                "label": "Top",
                "colour": "#1D70B8",
                "text_colour": "#FFFFFF",
                "icon": "▲",
                "description": "Well ahead.",
                "above": 0.10,
                "inclusive": True,
            },
            {
                "key": "middle",
                "label": "Middle",
                "colour": "#FFDD00",
                "text_colour": "#0B0C0C",
                "icon": "●",
                "description": "Near.",
                "above": -0.03,
                "inclusive": True,
            },
            {
                "key": "bottom",
                "label": "Bottom",
                "colour": "#D4351C",
                "text_colour": "#FFFFFF",
                "icon": "▼",
                "description": "Behind.",
            },
        ],
    }


def _write(folder: Path, doc: Any, name: str = "framework.yml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _set(path: str, value: Any):
    """A change to the document: set the value at a dotted path (``bands.1.above``)."""

    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _drop(path: str):
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        del target[last]

    return change


_OVERRIDE = {"unit": "percent", "target_above": 95, "above": 0.05, "inclusive": False}

# (change to the valid document, words the error must contain)
INVALID = [
    (_drop("met"), "missing setting(s) met"),
    (_drop("description"), "missing setting(s) description"),
    (_set("colour_scheme", "x"), "unknown setting(s) colour_scheme"),
    (_set("bands.1.colur", "#000000"), "band 2 ('middle'): unknown setting(s) colur"),
    (_drop("bands.0.label"), "band 1 ('top'): missing setting(s) label"),
    (_set("bands.1.label", ""), "label: expected some text"),
    (_set("bands.1.above", "ten"), "above: expected a number, got 'ten'"),
    (_set("bands.1.above", "10%"), "Write percentages as fractions"),
    (_set("bands.1.above", True), "above: expected a number, got True"),
    (_set("bands.1.above", None), "above: expected a number"),
    (_set("bands.1.above", math.inf), "expected a finite number"),
    (_set("bands.1.inclusive", "yes"), "inclusive must be true or false"),
    (_drop("bands.1.inclusive"), "needs both 'above'"),
    (_drop("bands.1.above"), "needs both 'above'"),
    # overlapping bands: thresholds must fall strictly
    (_set("bands.1.above", 0.2), "band 'middle' starts at +20%, which is not below"),
    (_set("bands.1.above", 0.10), "band 'middle' starts at +10%, which is not below"),
    # gaps: the worst band must take everything below
    (
        lambda d: d["bands"][2].update(above=-0.5, inclusive=False),
        "a d below −50% falls in no band",
    ),
    (_set("bands.2.inclusive", True), "needs both 'above'"),
    (_set("bands.2.override", _OVERRIDE), "'bottom' is the worst band"),
    # a band with no threshold before the worst leaves later bands unreachable
    (
        lambda d: [d["bands"][1].pop("above"), d["bands"][1].pop("inclusive")],
        "band 'middle' has no 'above' threshold",
    ),
    (
        lambda d: [d["bands"][0].pop("above"), d["bands"][0].pop("inclusive")],
        "'middle', 'bottom' could never be reached",
    ),
    (_set("met", ["top", "purple"]), "met names unknown band(s) purple"),
    (_set("met", ["middle"]), "met must be the best band(s)"),
    (_set("met", ["top", "bottom"]), "met must be the best band(s)"),
    (_set("met", ["top", "top"]), "met lists a band more than once"),
    (_set("met", []), "met must list the band keys"),
    (_set("met", "top"), "met must list the band keys"),
    (_set("needs_action", ["purple"]), "needs_action names unknown band(s) purple"),
    (_set("needs_action", ["middle"]), "needs_action must be the worst band(s)"),
    (_set("needs_action", ["top", "bottom"]), "needs_action must be the worst band(s)"),
    (_set("needs_action", ["bottom", "bottom"]), "needs_action lists a band more than once"),
    (_set("needs_action", []), "needs_action must list the band keys that call for action"),
    (_set("bands.1.key", "top"), "bands 1 and 2 share the key 'top'"),
    (_set("bands.1.label", "TOP"), "bands 1 and 2 share the label 'TOP'"),
    (_set("bands.1.key", "Middle band"), "must be lower-case letters"),
    (_set("bands.1.key", 7), "key 7 must be lower-case letters"),
    (_set("bands.1.colour", "yellow"), "colour 'yellow' must be written as #RRGGBB"),
    (_set("bands.1.text_colour", "#FFFFFF"), "contrast ratio of 1.34:1"),
    (_set("bands", []), "at least two bands"),
    (lambda d: d.update(bands=d["bands"][2:]), "at least two bands"),
    (_set("bands", {"top": {}}), "at least two bands"),
    (_set("bands.1", "middle"), "band 2: expected a mapping"),
    (_set("bands.0.override", {**_OVERRIDE, "unit": "percentage"}), "unit 'percentage'"),
    (_set("bands.0.override", {"unit": "percent"}), "missing setting(s) target_above"),
    (_set("bands.0.override", {**_OVERRIDE, "target_above": "95%"}), "target_above"),
    # an override that makes bands overlap where it applies
    (
        _set("bands.0.override", {**_OVERRIDE, "above": -0.05}),
        "where the target is a percentage above 95%",
    ),
    (
        _set("bands.1.override", {**_OVERRIDE, "above": 0.12}),
        "band 'middle' starts at +12%",
    ),
]


@pytest.mark.parametrize(("change", "words"), INVALID, ids=[words for _, words in INVALID])
def test_invalid_framework_is_rejected(tmp_path, change, words):
    doc = _doc()
    change(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(ConfigError) as caught:
        load_framework(path)
    message = str(caught.value)
    assert str(path) in message
    assert words in message


def test_the_valid_document_loads(tmp_path):
    framework = load_framework(_write(tmp_path, _doc()))
    assert framework.keys == ("top", "middle", "bottom")


def test_a_valid_override_within_its_neighbours_loads(tmp_path):
    doc = _doc()
    doc["bands"][1]["override"] = {**_OVERRIDE, "above": -0.01}
    framework = load_framework(_write(tmp_path, doc))
    assert framework.rate(-0.02) == "middle"
    assert framework.rate(-0.02, target=99, unit="percent") == "bottom"


def test_missing_framework_lists_presets():
    with pytest.raises(ConfigError, match="derby-city-2021-22, derbyshire-2021-25"):
        load_framework("no-such-framework")


def test_bad_yaml_is_reported(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_framework(path)


def test_top_level_must_be_a_mapping(tmp_path):
    with pytest.raises(ConfigError, match="mapping of settings"):
        load_framework(_write(tmp_path, ["a", "b"]))


# ---------------------------------------------------------------------------------------
# Properties of any valid framework


@st.composite
def band_sets(draw: st.DrawFn) -> dict[str, Any]:
    """A valid framework document: 2 to 6 bands, random thresholds, inclusivity and
    perhaps one override that stays within its neighbours."""
    n = draw(st.integers(min_value=2, max_value=6))
    cuts = draw(
        st.lists(
            st.floats(min_value=-3, max_value=3, allow_nan=False).map(lambda x: round(x, 4)),
            min_size=n - 1,
            max_size=n - 1,
            unique=True,
        )
    )
    cuts.sort(reverse=True)
    bands = []
    for i in range(n):
        band = {
            "key": f"band_{i}",
            "label": f"Band {i}",
            "colour": "#0B0C0C",
            "text_colour": "#FFFFFF",
            "icon": "●",
            "description": f"Band number {i}.",
        }
        if i < n - 1:
            band["above"] = cuts[i]
            band["inclusive"] = draw(st.booleans())
        bands.append(band)
    if draw(st.booleans()):
        i = draw(st.integers(min_value=0, max_value=n - 2))
        high = cuts[i - 1] if i > 0 else 4.0
        low = cuts[i + 1] if i + 1 < n - 1 else -4.0
        above = round(draw(st.floats(min_value=low, max_value=high)), 4)
        if low < above < high:
            bands[i]["override"] = {
                "unit": "percent",
                "target_above": draw(st.sampled_from([0, 50, 95])),
                "above": above,
                "inclusive": draw(st.booleans()),
            }
    met = [b["key"] for b in bands[: draw(st.integers(min_value=1, max_value=n))]]
    return {"name": "Generated", "description": "Generated.", "basis": "d", "met": met,
            "bands": bands}  # fmt: skip


def _load(doc: dict[str, Any]) -> Framework:
    with tempfile.TemporaryDirectory() as folder:
        return load_framework(_write(Path(folder), doc))


_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
_targets = st.one_of(st.just(0.0), st.just(96.0), _values)


@settings(max_examples=150, deadline=None)
@given(
    doc=band_sets(),
    first=_values,
    second=_values,
    target=_targets,
    polarity=st.sampled_from(["higher", "lower"]),
    unit=st.sampled_from(["percent", "number"]),
)
def test_a_better_actual_never_earns_a_worse_band(doc, first, second, target, polarity, unit):
    framework = _load(doc)
    better, worse = sorted([first, second], reverse=polarity == "higher")
    d_better = relative_difference(better, target, polarity)
    d_worse = relative_difference(worse, target, polarity)
    assert d_better >= d_worse
    band_better = framework.rate(d_better, target=target, unit=unit)
    band_worse = framework.rate(d_worse, target=target, unit=unit)
    assert framework.rank(band_better) <= framework.rank(band_worse)


@settings(max_examples=100, deadline=None)
@given(doc=band_sets())
def test_every_threshold_is_a_boundary_as_written(doc):
    framework = _load(doc)
    assert framework.rate(math.inf) == framework.keys[0]
    assert framework.rate(-math.inf) == framework.keys[-1]
    for i, band in enumerate(framework.bands[:-1]):
        assert band.threshold is not None
        edge = band.threshold.value
        assert framework.rate(edge) == (
            band.key if band.threshold.inclusive else framework.keys[i + 1]
        )
        assert framework.rate(math.nextafter(edge, math.inf)) == band.key
        assert framework.rate(math.nextafter(edge, -math.inf)) == framework.keys[i + 1]
    assert len(framework.describe()) == len(framework.bands)


@settings(max_examples=100, deadline=None)
@given(doc=band_sets(), data=st.data())
def test_overlapping_thresholds_are_rejected(doc, data):
    bands = doc["bands"]
    i = data.draw(st.integers(min_value=1, max_value=len(bands) - 2)) if len(bands) > 2 else None
    if i is None:
        return
    bad = copy.deepcopy(doc)
    bad["bands"][i]["above"] = bad["bands"][i - 1]["above"] + data.draw(
        st.sampled_from([0.0, 0.01, 1.0])
    )
    bad["bands"][i].pop("override", None)
    bad["bands"][i - 1].pop("override", None)
    with pytest.raises(ConfigError, match="not below where band"):
        _load(bad)


@settings(max_examples=100, deadline=None)
@given(doc=band_sets(), data=st.data())
def test_gaps_are_rejected(doc, data):
    bad = copy.deepcopy(doc)
    bands = bad["bands"]
    if data.draw(st.booleans()):
        # the worst band given a threshold: values below it fall in no band
        bands[-1]["above"] = data.draw(st.floats(min_value=-10, max_value=-5))
        bands[-1]["inclusive"] = data.draw(st.booleans())
        words = "falls in no band"
    else:
        # a better band left without one: it swallows every band below
        i = data.draw(st.integers(min_value=0, max_value=len(bands) - 2))
        for key in ("above", "inclusive", "override"):
            bands[i].pop(key, None)
        words = "could never be reached"
    with pytest.raises(ConfigError, match=words):
        _load(bad)
