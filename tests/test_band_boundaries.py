"""Band boundaries are exact: a value exactly on a threshold is rated as the framework says.

The relative difference ``d`` is computed in decimal arithmetic from the values as written
in the export, and compared exactly with the thresholds as written in the YAML file. In
float arithmetic 94.05 against a target of 99 is not exactly 5% below it, nor 0.98
against 1.0 exactly 2% below, nor 1.05 against 1.0 exactly 5% above; here they are.

The expected bands below are worked out by hand from the presets' YAML:

- derby-city-2021-22: Blue d >= +10%, Green d >= -2%, Amber d >= -10%, Red below;
- derbyshire-2021-25: Strong d > +5% (d > +2% for percentage targets above 95%),
  Good d >= -2%, Review d >= -10%, Action below;
- the three-band test fixture: Ahead d >= 0, Close d >= -5%, Behind below.
"""

from __future__ import annotations

import math
from decimal import Context, Decimal, Inexact
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis.config.files import CONFIG_DIR, presets
from analysis.config.frameworks import Framework, load_framework
from analysis.engine.ratings import rate_measures, relative_difference

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "frameworks"
DERBY = "derby-city-2021-22"
DERBYSHIRE = "derbyshire-2021-25"
THREE_BAND = "three-band"
PRESETS = presets("frameworks")
FRAMEWORKS: dict[str, Framework] = {
    **{name: load_framework(name) for name in PRESETS},
    THREE_BAND: load_framework(FIXTURES / "three-band.yml"),
}

# Exact arithmetic for building actuals: far more digits than any value here needs, and
# an error rather than a silently rounded actual.
_EXACT = Context(prec=200, traps=[Inexact])


def test_the_presets_are_the_ones_worked_out_here():
    assert PRESETS == [DERBY, DERBYSHIRE]


# (actual, target, polarity, unit, exact d, band in each framework)
EXAMPLES = [
    # 5% worse than target, exactly: only the three-band fixture has an edge there
    (94.05, 99.0, "higher", "number", "-0.05",
     {DERBY: "amber", DERBYSHIRE: "review", THREE_BAND: "close"}),
    (103.95, 99.0, "lower", "number", "-0.05",
     {DERBY: "amber", DERBYSHIRE: "review", THREE_BAND: "close"}),
    # 5% better, exactly: Derbyshire's Strong starts above +5%, so this is Good ...
    (94.05, 99.0, "lower", "number", "0.05",
     {DERBY: "green", DERBYSHIRE: "good", THREE_BAND: "ahead"}),
    # ... unless the target is a percentage above 95%, where Strong starts above +2%
    (94.05, 99.0, "lower", "percent", "0.05",
     {DERBY: "green", DERBYSHIRE: "strong", THREE_BAND: "ahead"}),
    # 2% worse, exactly: Green and Good include -2%
    (0.98, 1.0, "higher", "number", "-0.02",
     {DERBY: "green", DERBYSHIRE: "good", THREE_BAND: "close"}),
    (1.02, 1.0, "lower", "number", "-0.02",
     {DERBY: "green", DERBYSHIRE: "good", THREE_BAND: "close"}),
    # 5% better, exactly: not above +5%, and a 1% target is not above 95%
    (1.05, 1.0, "higher", "number", "0.05",
     {DERBY: "green", DERBYSHIRE: "good", THREE_BAND: "ahead"}),
    (1.05, 1.0, "higher", "percent", "0.05",
     {DERBY: "green", DERBYSHIRE: "good", THREE_BAND: "ahead"}),
    (0.95, 1.0, "lower", "number", "0.05",
     {DERBY: "green", DERBYSHIRE: "good", THREE_BAND: "ahead"}),
]  # fmt: skip

_EXAMPLE_CASES = [
    pytest.param(actual, target, polarity, unit, d, name, bands[name],
                 id=f"{actual}-vs-{target}-{polarity}-{unit}-{name}")
    for actual, target, polarity, unit, d, bands in EXAMPLES
    for name in FRAMEWORKS
]  # fmt: skip


def _row(actual: Any, target: Any, polarity: str, unit: str) -> dict[str, Any]:
    """One measure value, as loaded: rated this quarter and at year end alike."""
    return {
        "measure_id": "M1",
        "quarter": "2021-22-Q2",
        "unit": unit,
        "polarity": polarity,
        "actual": actual,
        "actual_state": "value",
        "quarterly_target": target,
        "quarterly_target_state": "value",
        "annual_target": target,
        "annual_target_state": "value",
        "forecast": actual,
        "forecast_state": "value",
    }


def _rate_all(framework: Framework, actuals: list[Any], target: Any, polarity: str, unit: str):
    """The quarterly band and d of each actual against one target, through the whole rating."""
    rows = [_row(actual, target, polarity, unit) for actual in actuals]
    rated = rate_measures(pd.DataFrame(rows), framework)
    assert rated["quarterly_status"].tolist() == rated["year_end_status"].tolist()
    return list(zip(rated["quarterly_status"], rated["quarterly_d"], strict=True))


def _rate(framework: Framework, actual: Any, target: Any, polarity: str, unit: str):
    """The quarterly band and d of one measure value, through the whole rating."""
    return _rate_all(framework, [actual], target, polarity, unit)[0]


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "unit", "d", "name", "band"), _EXAMPLE_CASES
)
def test_a_value_exactly_on_a_threshold_is_rated_as_written(
    actual, target, polarity, unit, d, name, band
):
    framework = FRAMEWORKS[name]
    status, shown = _rate(framework, actual, target, polarity, unit)
    assert status == band
    assert shown == float(d)
    # the public pieces agree: the float d is the decimal it is written as
    assert relative_difference(actual, target, polarity) == float(d)
    assert framework.rate(relative_difference(actual, target, polarity), target, unit) == band
    assert framework.rate(Decimal(d), target, unit) == band


# (actual, target, polarity, d): zero targets, as before: 0 when equal, else infinite.
ZERO_TARGETS = [
    (0.0, 0.0, "higher", 0.0),
    (0.0, 0.0, "lower", 0.0),
    (-0.0, 0.0, "higher", 0.0),
    (0.5, 0.0, "higher", math.inf),
    (0.5, 0.0, "lower", -math.inf),
    (-0.5, 0.0, "higher", -math.inf),
    (-0.5, 0.0, "lower", math.inf),
]
# The band for d = 0 in each framework.
ON_TARGET = {DERBY: "green", DERBYSHIRE: "good", THREE_BAND: "ahead"}


@pytest.mark.parametrize("name", list(FRAMEWORKS))
@pytest.mark.parametrize(("actual", "target", "polarity", "d"), ZERO_TARGETS)
def test_zero_targets_rate_as_before(name, actual, target, polarity, d):
    framework = FRAMEWORKS[name]
    status, shown = _rate(framework, actual, target, polarity, "number")
    assert shown == d
    expected = {math.inf: framework.keys[0], -math.inf: framework.keys[-1]}.get(d)
    assert status == (expected or ON_TARGET[name])


@pytest.mark.parametrize("name", PRESETS)
def test_thresholds_are_the_decimals_written_in_the_yaml(name):
    written = yaml.safe_load((CONFIG_DIR / "frameworks" / f"{name}.yml").read_text("utf-8"))
    framework = FRAMEWORKS[name]
    for band, item in zip(framework.bands, written["bands"], strict=True):
        if band.threshold is None:
            assert "above" not in item
            continue
        assert band.threshold.exact == Decimal(str(item["above"]))
        if band.override is not None:
            assert band.override.threshold.exact == Decimal(str(item["override"]["above"]))


# ---------------------------------------------------------------------------------------
# Properties, at every threshold of every shipped preset


# (preset, band index, whether its override applies): every threshold of every preset.
THRESHOLDS = [
    pytest.param(name, i, overridden, id=f"{name}-{band.key}{'-override' if overridden else ''}")
    for name in PRESETS
    for i, band in enumerate(FRAMEWORKS[name].bands[:-1])
    for overridden in ([False, True] if band.override is not None else [False])
]


def _band_by_fractions(framework: Framework, d: Fraction, target: Any, unit: str) -> str:
    """The band for an exact rational ``d``: an oracle that does no decimal division."""
    for band in framework.bands:
        cut = band.threshold_for(target, unit)
        if cut is None:
            return band.key
        edge = Fraction(str(cut.value))
        if d > edge or (cut.inclusive and d == edge):
            return band.key
    raise AssertionError("the worst band has no threshold")


def _fraction_d(actual: Decimal, target: Decimal, polarity: str) -> Fraction:
    better = Fraction(actual) - Fraction(target)
    return (better if polarity == "higher" else -better) / abs(Fraction(target))


def _as_loaded(value: Decimal) -> float:
    """The value as the loader reads it, where that float is the same decimal."""
    number = float(str(value))
    assume(Decimal(repr(number)) == value)
    return number


# Targets as written: a few digits and up to three places, either sign, never zero; with
# many above 95 so that Derbyshire's rule for high percentage targets is reached too.
_targets = st.builds(
    lambda n, places: Decimal(n).scaleb(-places),
    st.integers(min_value=-(10**7), max_value=10**7).filter(bool),
    st.integers(min_value=0, max_value=3),
)


@pytest.mark.parametrize(("name", "i", "overridden"), THRESHOLDS)
@settings(max_examples=100, deadline=None)
@given(
    target=_targets,
    polarity=st.sampled_from(["higher", "lower"]),
    unit=st.sampled_from(["percent", "number"]),
    extra=st.integers(min_value=0, max_value=3),
)
def test_every_threshold_is_exact_for_every_target(
    name, i, overridden, target, polarity, unit, extra
):
    framework = FRAMEWORKS[name]
    band = framework.bands[i]
    t = _as_loaded(target)
    assume(overridden == (band.override is not None and band.override.applies(t, unit)))
    cut = band.threshold_for(t, unit)
    assert cut is not None
    theta = Decimal(str(cut.value))
    # the actual whose exact d is the threshold: t + θ|t|, or t − θ|t| if lower is better
    step = _EXACT.multiply(theta, target.copy_abs())
    actual = _EXACT.add(target, step) if polarity == "higher" else _EXACT.subtract(target, step)
    assert _fraction_d(actual, target, polarity) == Fraction(theta)
    on = framework.keys[i] if cut.inclusive else framework.keys[i + 1]
    # and one unit in the last written place (or a finer one) better and worse
    place = Decimal(1).scaleb(min(int(actual.as_tuple().exponent), 0) - extra)
    ahead = _EXACT.add(actual, place) if polarity == "higher" else _EXACT.subtract(actual, place)
    behind = _EXACT.subtract(actual, place) if polarity == "higher" else _EXACT.add(actual, place)
    values = [actual, ahead, behind]
    rated = _rate_all(framework, [_as_loaded(v) for v in values], t, polarity, unit)

    (status, shown), (better, _), (worse, _) = rated
    assert status == on
    assert shown == float(theta)
    assert framework.rank(better) <= i
    assert framework.rank(worse) >= i + 1
    for value, (band, _) in zip(values, rated, strict=True):
        assert band == _band_by_fractions(framework, _fraction_d(value, target, polarity), t, unit)


# Values as written in an export: up to six places, either sign.
_written = st.builds(
    lambda n, places: Decimal(n).scaleb(-places),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.integers(min_value=0, max_value=6),
)


@pytest.mark.parametrize("name", list(FRAMEWORKS))
@settings(max_examples=200, deadline=None)
@given(
    actual=_written,
    target=_targets,
    polarity=st.sampled_from(["higher", "lower"]),
    unit=st.sampled_from(["percent", "number"]),
)
def test_any_value_is_rated_as_exact_arithmetic_rates_it(name, actual, target, polarity, unit):
    framework = FRAMEWORKS[name]
    t = _as_loaded(target)
    status, _ = _rate(framework, _as_loaded(actual), t, polarity, unit)
    assert status == _band_by_fractions(framework, _fraction_d(actual, target, polarity), t, unit)


# ---------------------------------------------------------------------------------------
# Beyond what floats can tell apart


def test_a_difference_beyond_fifty_digits_is_still_on_the_right_side():
    # d = 0.05 ± 1e-60/3, which 50 digits rounded to nearest would make exactly 0.05
    derbyshire = FRAMEWORKS[DERBYSHIRE]
    tiny = Decimal("1e-60")
    above = _EXACT.add(Decimal("3.15"), tiny)
    below = _EXACT.subtract(Decimal("3.15"), tiny)
    assert _rate(derbyshire, Decimal("3.15"), Decimal(3), "higher", "number")[0] == "good"
    assert _rate(derbyshire, above, Decimal(3), "higher", "number")[0] == "strong"
    assert _rate(derbyshire, below, Decimal(3), "higher", "number")[0] == "good"


def test_values_far_apart_in_size_are_subtracted_exactly(tmp_path):
    # d = -1 + 1e-60: just above a -100% threshold that excludes its edge, and the
    # subtraction needs 61 digits
    doc = yaml.safe_load((FIXTURES / "three-band.yml").read_text("utf-8"))
    doc["bands"][1]["above"] = -1.0
    doc["bands"][1]["inclusive"] = False
    path = tmp_path / "edge.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    framework = load_framework(path)
    assert _rate(framework, 1e-40, 1e20, "higher", "number")[0] == "close"
    assert _rate(framework, 0.0, 1e20, "higher", "number")[0] == "behind"
