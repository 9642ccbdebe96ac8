"""Rating frameworks for performance measures, read from YAML configuration.

A framework turns a measure's relative difference from target, ``d`` (see
:func:`analysis.engine.ratings.relative_difference`; positive always means better), into a
band such as Blue, Green, Amber or Red. Everything about the bands is configuration:
a council writes its own file and names it in ``dataset.yml``; no code changes.

The file lists the bands **best first**. Each band but the worst has a lower
threshold, ``above``, and says whether ``d`` equal to it is inside the band
(``inclusive: true`` means ``d >= above``, ``false`` means ``d > above``). A value of
``d`` falls in the first band whose threshold it reaches; the worst band, which has no
threshold, takes everything else, down to minus infinity. Thresholds must therefore
fall strictly from band to band, so that every ``d`` (including plus and minus
infinity) lies in exactly one band and every band can be reached.

A band may carry an ``override``: a different threshold used when the measure's unit
is ``unit`` and its target is above ``target_above`` (Derbyshire's "Strong" band starts
at +2% instead of +5% for percentage targets above 95%).

``met`` lists the bands that count as "met or exceeded target"; they must be the best
bands of the framework. ``needs_action`` (optional) lists the bands that call for
action: a measure rated in one of them, this quarter or in its year-end forecast, is an
exception and is listed among the items requiring action. They must be the worst bands;
without the setting, the two worst bands call for action.

Comparisons are exact, on the numbers as written: a threshold is the decimal written in
the YAML file and a ``d`` given as a float is the decimal it is written as (its shortest
round-trip text, :func:`as_written`), so ``d = -0.02`` is exactly on the −2% threshold.
:func:`analysis.engine.ratings.rate_measures` computes ``d`` in decimal arithmetic from
the values as written and rates that exact ``d``.

Examples
--------
>>> derby = load_framework("derby-city-2021-22")
>>> [band.label for band in derby.bands]
['Blue', 'Green', 'Amber', 'Red']
>>> derby.rate(0.10), derby.rate(0.0999), derby.rate(-0.02), derby.rate(-0.0201)
('blue', 'green', 'green', 'amber')
>>> derby.rate(Decimal("-0.02")), derby.rate(Decimal("-0.020000000000000000001"))
('green', 'amber')
>>> derby.describe()[1]
('Green', '−2% ≤ d < +10%')
>>> shire = load_framework("derbyshire-2021-25")
>>> shire.rate(0.03), shire.rate(0.03, target=96.0, unit="percent")
('good', 'strong')
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from analysis.config.files import check_colour, check_contrast, check_keys, read_yaml, resolve
from analysis.errors import ConfigError
from analysis.schema import VOCABULARIES

__all__ = ["Threshold", "Override", "Band", "Framework", "load_framework", "as_written"]

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_MINUS = "\u2212"


def as_written(x: float | Decimal) -> Decimal:
    """A number as the decimal it is written as: exact, for comparing with thresholds.

    A Decimal is returned as it is, an integer exactly, and a float as its shortest
    round-trip text (``repr``), which is the value as written in the export or YAML
    file: ``0.1`` is one tenth, not the binary fraction nearest it. NaN and plus or
    minus infinity stay what they are.

    Examples
    --------
    >>> as_written(0.1), as_written(95), as_written(Decimal("1.50")), as_written(-math.inf)
    (Decimal('0.1'), Decimal('95'), Decimal('1.50'), Decimal('-Infinity'))
    """
    if isinstance(x, Decimal):
        return x
    if isinstance(x, numbers.Integral):
        return Decimal(int(x))
    return Decimal(repr(float(x)))


@dataclass(frozen=True)
class Threshold:
    """The lower edge of a band: ``d >= value`` when inclusive, else ``d > value``.

    ``value`` is kept as given (the number read from the YAML file); ``exact`` is it as
    a Decimal (:func:`as_written`), which every comparison uses, and which equality
    compares: ``Threshold(0.1, True) == Threshold(Decimal("0.10"), True)``.
    """

    value: float | Decimal = field(compare=False)
    inclusive: bool
    exact: Decimal = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "exact", as_written(self.value))

    def holds(self, d: float | Decimal) -> bool:
        """Whether ``d`` reaches this threshold, compared exactly (see :func:`as_written`).

        NaN reaches no threshold.

        Examples
        --------
        >>> Threshold(0.1, True).holds(0.1), Threshold(0.1, False).holds(0.1)
        (True, False)
        >>> Threshold(-0.02, True).holds(Decimal("-0.02")), Threshold(-0.02, True).holds(-0.0201)
        (True, False)
        """
        exact = as_written(d)
        if exact.is_nan():
            return False
        return exact > self.exact or (self.inclusive and exact == self.exact)

    def lower_words(self) -> str:
        """The threshold as the lower end of a range, e.g. ``−2% ≤ d``."""
        return f"{_percent(self.value)} {'≤' if self.inclusive else '<'} d"

    def upper_words(self) -> str:
        """The threshold as the upper end of the next band down, e.g. ``d < +10%``."""
        return f"d {'<' if self.inclusive else '≤'} {_percent(self.value)}"


@dataclass(frozen=True)
class Override:
    """A band's threshold for measures in ``unit`` whose target is above ``target_above``."""

    unit: str
    target_above: float | Decimal
    threshold: Threshold

    def applies(self, target: float | Decimal | None, unit: str | None) -> bool:
        """Whether this override applies to a measure with this target and unit.

        The target is compared with ``target_above`` exactly, as written (see
        :func:`as_written`).

        Examples
        --------
        >>> o = Override("percent", 95.0, Threshold(0.02, False))
        >>> o.applies(96.0, "percent"), o.applies(95.0, "percent"), o.applies(96.0, "number")
        (True, False, False)
        >>> o.applies(Decimal("95.000000000000000001"), "percent")
        True
        """
        if unit != self.unit or target is None:
            return False
        exact = as_written(target)
        if exact.is_nan():
            return False
        return exact > as_written(self.target_above)

    def condition_words(self) -> str:
        """When the override applies, in words."""
        if self.unit == "percent":
            return f"where the target is a percentage above {self.target_above:g}%"
        return f"where the unit is {self.unit} and the target is above {self.target_above:g}"


@dataclass(frozen=True)
class Band:
    """One band of a framework.

    ``threshold`` is None for the worst band, which takes every ``d`` below the band
    above it.
    """

    key: str
    label: str
    colour: str
    text_colour: str
    icon: str
    description: str
    threshold: Threshold | None
    override: Override | None = None

    def threshold_for(
        self, target: float | Decimal | None = None, unit: str | None = None
    ) -> Threshold | None:
        """The threshold that applies to a measure with this target and unit."""
        if self.override is not None and self.override.applies(target, unit):
            return self.override.threshold
        return self.threshold


@dataclass(frozen=True)
class Framework:
    """A rating framework: bands best first, and which of them count as met.

    Build one with :func:`load_framework`.
    """

    name: str
    source: Path
    description: str
    basis: str
    bands: tuple[Band, ...]
    met: tuple[str, ...]
    needs_action: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """Every band key, best first."""
        return tuple(b.key for b in self.bands)

    def band(self, key: str) -> Band:
        """The band with this key.

        Examples
        --------
        >>> load_framework("derby-city-2021-22").band("amber").label
        'Amber'
        """
        for b in self.bands:
            if b.key == key:
                return b
        raise KeyError(f"{self.name} has no band {key!r}; its bands are {', '.join(self.keys)}.")

    def rank(self, key: str) -> int:
        """Position of a band, 0 for the best.

        Examples
        --------
        >>> load_framework("derby-city-2021-22").rank("red")
        3
        """
        return self.keys.index(self.band(key).key)

    def worst(self, n: int) -> tuple[str, ...]:
        """The keys of the ``n`` worst bands, best first (the report's exceptions).

        Examples
        --------
        >>> load_framework("derby-city-2021-22").worst(2)
        ('amber', 'red')
        """
        if not 0 <= n <= len(self.bands):
            raise ValueError(f"{self.name} has {len(self.bands)} bands; cannot take the {n} worst.")
        return self.keys[len(self.keys) - n :]

    def rate(
        self,
        d: float | Decimal,
        target: float | Decimal | None = None,
        unit: str | None = None,
    ) -> str:
        """The band key for a relative difference ``d``, compared exactly with the thresholds.

        Parameters
        ----------
        d
            The relative difference from target, signed so that positive is better;
            plus or minus infinity are allowed (zero targets). A Decimal is compared as
            it is, a float as the decimal it is written as (:func:`as_written`): a ``d``
            exactly on a threshold is on it.
        target, unit
            The target and unit of the measure, used only by bands with an override.

        Raises
        ------
        ValueError
            If ``d`` is NaN: a measure with no difference is not rated.

        Examples
        --------
        >>> f = load_framework("derbyshire-2021-25")
        >>> f.rate(0.05), f.rate(0.0501), f.rate(float("-inf"))
        ('good', 'strong', 'action')
        >>> f.rate(0.021, target=96, unit="percent"), f.rate(0.021, target=95, unit="percent")
        ('strong', 'good')
        >>> f.rate(Decimal("0.05")), f.rate(Decimal("0.05000000000000000000000001"))
        ('good', 'strong')
        """
        exact = as_written(d)
        if exact.is_nan():
            raise ValueError("A missing difference (NaN) cannot be rated.")
        for band in self.bands:
            threshold = band.threshold_for(target, unit)
            if threshold is None or threshold.holds(exact):
                return band.key
        raise AssertionError("unreachable: the worst band has no threshold")  # pragma: no cover

    def describe(self) -> list[tuple[str, str]]:
        """Each band's label and its rule in words, generated from the thresholds.

        Where an override changes a band's range, the changed range follows in
        brackets with the condition.

        Examples
        --------
        >>> for label, rule in load_framework("derbyshire-2021-25").describe():
        ...     print(f"{label}: {rule}")
        Strong: d > +5% (d > +2% where the target is a percentage above 95%)
        Good: −2% ≤ d ≤ +5% (−2% ≤ d ≤ +2% where the target is a percentage above 95%)
        Review: −10% ≤ d < −2%
        Action: d < −10%
        """
        base = _ranges(_cuts(self.bands, None, None))
        scenarios = [
            (_ranges(_cuts(self.bands, target, unit)), words)
            for unit, target, words in _scenarios(self.bands)
        ]
        rows = []
        for i, band in enumerate(self.bands):
            rule = base[i]
            extras = [f"{ranges[i]} {words}" for ranges, words in scenarios if ranges[i] != base[i]]
            if extras:
                rule += f" ({'; '.join(extras)})"
            rows.append((band.label, rule))
        return rows


def load_framework(name_or_path: str | Path, base: Path | None = None) -> Framework:
    """Load a rating framework from a preset name or a YAML file.

    Parameters
    ----------
    name_or_path
        A preset under ``analysis/config/frameworks`` (e.g. ``"derby-city-2021-22"``)
        or the path of a YAML file.
    base
        The folder a relative path is read from (the dataset folder).

    Raises
    ------
    ConfigError
        For a missing file, unknown or missing settings, bad values, or bands that
        overlap, leave gaps or can never be reached; the message names the file and
        band and says what to fix.

    Examples
    --------
    >>> load_framework("derby-city-2021-22").met
    ('blue', 'green')
    """
    path = resolve(name_or_path, "frameworks", base)
    data = read_yaml(path)
    where = str(path)
    check_keys(
        data,
        where,
        required=("name", "description", "basis", "bands", "met"),
        optional=("needs_action",),
    )
    bands = _bands(data["bands"], where)
    _check_bands(bands, where)
    keys = [b.key for b in bands]
    return Framework(
        name=_text(data["name"], f"{where}: name"),
        source=path,
        description=_text(data["description"], f"{where}: description"),
        basis=_text(data["basis"], f"{where}: basis"),
        bands=bands,
        met=_met(data["met"], bands, where),
        needs_action=_needs_action(data.get("needs_action", keys[-2:]), keys, where),
    )


_BAND_KEYS = ("key", "label", "colour", "text_colour", "icon", "description")


def _bands(data: Any, where: str) -> tuple[Band, ...]:
    if not isinstance(data, list) or len(data) < 2:
        raise ConfigError(f"{where}: bands must be a list of at least two bands, best first.")
    bands: list[Band] = []
    for i, item in enumerate(data, start=1):
        name = item.get("key") if isinstance(item, dict) else None
        at = f"{where}: band {i}" + (f" ({name!r})" if isinstance(name, str) else "")
        check_keys(item, at, required=_BAND_KEYS, optional=("above", "inclusive", "override"))
        key = item["key"]
        if not isinstance(key, str) or not _KEY.match(key):
            raise ConfigError(
                f"{at}: key {key!r} must be lower-case letters, digits and underscores, "
                "starting with a letter (e.g. amber_green)."
            )
        colour = check_colour(item["colour"], at)
        text_colour = check_colour(item["text_colour"], at)
        check_contrast(colour, text_colour, at)
        threshold = _threshold(item, at) if "above" in item or "inclusive" in item else None
        bands.append(
            Band(
                key=key,
                label=_text(item["label"], f"{at}: label"),
                colour=colour,
                text_colour=text_colour,
                icon=_text(item["icon"], f"{at}: icon"),
                description=_text(item["description"], f"{at}: description"),
                threshold=threshold,
                override=_override(item["override"], at) if "override" in item else None,
            )
        )
    for attr in ("key", "label"):
        seen: dict[str, int] = {}
        for i, band in enumerate(bands, start=1):
            norm = getattr(band, attr).strip().lower()
            if norm in seen:
                raise ConfigError(
                    f"{where}: bands {seen[norm]} and {i} share the {attr} "
                    f"{getattr(band, attr)!r}; every band needs its own {attr}."
                )
            seen[norm] = i
    return tuple(bands)


def _threshold(item: dict[str, Any], at: str) -> Threshold:
    if "above" not in item or "inclusive" not in item:
        raise ConfigError(
            f"{at}: a threshold needs both 'above' (the lower edge of d, e.g. -0.02 for "
            "-2%) and 'inclusive' (true if d equal to it is in the band)."
        )
    # Threshold.exact is Decimal(str(value)): the number as written in the file (YAML
    # reads it as a float, whose shortest text is what was written, to 15 digits).
    return Threshold(_number(item["above"], f"{at}: above"), _flag(item["inclusive"], at))


def _override(data: Any, at: str) -> Override:
    where = f"{at}: override"
    check_keys(data, where, required=("unit", "target_above", "above", "inclusive"))
    units = VOCABULARIES["unit"]
    if data["unit"] not in units:
        raise ConfigError(f"{where}: unit {data['unit']!r} is not one of {', '.join(units)}.")
    return Override(
        unit=data["unit"],
        target_above=_number(data["target_above"], f"{where}: target_above"),
        threshold=_threshold(data, where),
    )


def _check_bands(bands: tuple[Band, ...], where: str) -> None:
    """Every d in exactly one band, and every band reachable, in every case."""
    *upper, worst = bands
    if worst.threshold is not None or worst.override is not None:
        gap = ""
        if worst.threshold is not None:
            gap = f" (as written, a d below {_percent(worst.threshold.value)} falls in no band)"
        raise ConfigError(
            f"{where}: band {worst.key!r} is the worst band, so it must take every d below "
            f"the band above it: remove its 'above', 'inclusive' and 'override' "
            f"settings{gap}."
        )
    for i, band in enumerate(upper):
        if band.threshold is None:
            later = ", ".join(repr(b.key) for b in bands[i + 1 :])
            raise ConfigError(
                f"{where}: band {band.key!r} has no 'above' threshold, so it takes every d "
                f"and band(s) {later} could never be reached. Give it 'above' and "
                "'inclusive', or remove the later bands."
            )
    for unit, target, words in [(None, None, ""), *_scenarios(bands)]:
        cuts = _cuts(bands, target, unit)
        for i in range(1, len(upper)):
            high, low = cuts[i - 1], cuts[i]
            assert high is not None and low is not None
            if low.exact >= high.exact:
                case = f" {words}" if words else ""
                raise ConfigError(
                    f"{where}: band {bands[i].key!r} starts at {_percent(low.value)}, which is "
                    f"not below where band {bands[i - 1].key!r} starts "
                    f"({_percent(high.value)}){case}. Bands are listed best first and their "
                    "'above' thresholds must fall strictly, otherwise bands overlap or one "
                    "can never be reached."
                )


def _cuts(
    bands: tuple[Band, ...], target: float | None, unit: str | None
) -> list[Threshold | None]:
    return [b.threshold_for(target, unit) for b in bands]


def _scenarios(bands: tuple[Band, ...]) -> Iterator[tuple[str, float, str]]:
    """One (unit, target, condition words) for each distinct set of overrides that apply."""
    by_unit: dict[str, list[Override]] = {}
    for band in bands:
        if band.override is not None:
            by_unit.setdefault(band.override.unit, []).append(band.override)
    for unit, overrides in by_unit.items():
        limits = sorted({o.target_above for o in overrides})
        for i, limit in enumerate(limits):
            target = (limit + limits[i + 1]) / 2 if i + 1 < len(limits) else limit + 1
            words = next(o for o in overrides if o.target_above == limit).condition_words()
            yield unit, target, words


def _ranges(cuts: list[Threshold | None]) -> list[str]:
    words = []
    for i, cut in enumerate(cuts):
        above = cuts[i - 1] if i else None
        if cut is None and above is None:
            words.append("any d")
        elif cut is None:
            assert above is not None
            words.append(above.upper_words())
        elif above is None:
            words.append(f"d {'≥' if cut.inclusive else '>'} {_percent(cut.value)}")
        else:
            words.append(f"{cut.lower_words()} {above.upper_words()[2:]}")
    return words


def _met(data: Any, bands: tuple[Band, ...], where: str) -> tuple[str, ...]:
    keys = [b.key for b in bands]
    if not isinstance(data, list) or not data:
        raise ConfigError(
            f"{where}: met must list the band keys that count as met or exceeded target, "
            f"e.g. [{keys[0]}]."
        )
    unknown = [str(k) for k in data if k not in keys]
    if unknown:
        raise ConfigError(
            f"{where}: met names unknown band(s) {', '.join(unknown)}; the bands are "
            f"{', '.join(keys)}."
        )
    if len(set(data)) != len(data):
        raise ConfigError(f"{where}: met lists a band more than once.")
    if sorted(keys.index(k) for k in data) != list(range(len(data))):
        raise ConfigError(
            f"{where}: met must be the best band(s), listed without gaps "
            f"(e.g. [{', '.join(keys[: len(data)])}]); got [{', '.join(data)}]."
        )
    return tuple(k for k in keys if k in data)


def _needs_action(data: Any, keys: list[str], where: str) -> tuple[str, ...]:
    """The worst band(s), without gaps, that call for action."""
    at = f"{where}: needs_action"
    if not isinstance(data, list) or not data:
        raise ConfigError(
            f"{at} must list the band keys that call for action, worst last, e.g. [{keys[-1]}]."
        )
    unknown = [str(k) for k in data if k not in keys]
    if unknown:
        raise ConfigError(
            f"{at} names unknown band(s) {', '.join(unknown)}; the bands are {', '.join(keys)}."
        )
    if len(set(data)) != len(data):
        raise ConfigError(f"{at} lists a band more than once.")
    if sorted(keys.index(k) for k in data) != list(range(len(keys) - len(data), len(keys))):
        raise ConfigError(
            f"{at} must be the worst band(s), listed without gaps "
            f"(e.g. [{', '.join(keys[len(keys) - len(data) :])}]); got [{', '.join(data)}]."
        )
    return tuple(k for k in keys if k in data)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint = ""
        if isinstance(value, str) and value.strip().endswith("%"):
            hint = " Write percentages as fractions: 0.10 for 10%."
        raise ConfigError(f"{where}: expected a number, got {value!r}.{hint}")
    if not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, got {value!r}.")
    return float(value)


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: inclusive must be true or false, got {value!r}.")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected some text, got {value!r}.")
    return value.strip()


def _percent(fraction: float) -> str:
    """A fraction as a signed percentage with a true minus sign: ``−2%``, ``+10%``, ``0%``."""
    value = round(fraction * 100, 6)
    digits = f"{abs(value):.6f}".rstrip("0").rstrip(".")
    sign = "+" if value > 0 else _MINUS if value < 0 else ""
    return f"{sign}{digits}%"
