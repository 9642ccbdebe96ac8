"""Rating measures against their targets, and their direction of travel.

A measure is rated by its relative difference from target, signed by polarity so that
a positive difference is always better (:func:`relative_difference`), and the rating
framework turns that difference into a band (:class:`analysis.config.frameworks.Framework`).
The difference is computed in decimal arithmetic from the values as written in the export
and compared exactly with the thresholds, so that a value exactly on a threshold (94.05
against a target of 99 is exactly 5% below it) is rated as the framework says.
The quarterly status compares the actual with the quarterly target; the year-end status
compares the forecast with the annual target (:func:`rate_measures`).

A measure is not rated, and is left out of every percentage, when its polarity is
"neither", it has no usable target (none set, or a "Baseline" year) or it has no data.
Each rating says why in its ``basis`` column; :func:`count_met` counts the headline
figures and the measures left out, with their reasons.

Direction of travel (:func:`direction_of_travel`) compares a measure's actual with the
previous quarter's and with the same quarter last year's, judged by polarity.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import ROUND_05UP, Context, Decimal
from typing import overload

import numpy as np
import pandas as pd

from analysis.config.frameworks import Framework, as_written
from analysis.dataset.values import STATE_VALUE
from analysis.errors import DataError
from analysis.quarters import Quarter, parse_quarter

__all__ = [
    "BASES",
    "TRAVEL",
    "MetCount",
    "relative_difference",
    "rate_measures",
    "count_met",
    "direction_of_travel",
]

POLARITIES = ("higher", "lower", "neither")

# Why a measure was or was not rated; the words are for the report.
BASES: dict[str, str] = {
    "rated": "rated",
    "polarity_neither": "neither higher nor lower is better",
    "baseline": "the target is a baseline",
    "no_target": "no target",
    "no_data": "no data this quarter",
    "no_forecast": "no year-end forecast",
}

# Direction of travel, and its words for the report.
TRAVEL: dict[str, str] = {
    "improving": "improving",
    "deteriorating": "deteriorating",
    "no_change": "no change",
    "not_comparable": "not comparable",
}

_RATINGS = (
    # (prefix, value column, target column, basis when the value is not a number)
    ("quarterly", "actual", "quarterly_target", "no_data"),
    ("year_end", "forecast", "annual_target", "no_forecast"),
)
_RATE_COLUMNS = ("measure_id", "quarter", "unit", "polarity") + tuple(
    f"{col}{suffix}"
    for _, value, target, _ in _RATINGS
    for col in (value, target)
    for suffix in ("", "_state")
)


@overload
def relative_difference(
    actual: float | Decimal | None, target: float | Decimal | None, polarity: str
) -> float: ...


@overload
def relative_difference(
    actual: pd.Series | float | Decimal | None,
    target: pd.Series | float | Decimal | None,
    polarity: pd.Series | str,
) -> pd.Series | float: ...


def relative_difference(actual, target, polarity):
    """The difference of an actual from its target, relative to the target, signed by polarity.

    ``d = (actual - target) / |target|`` where higher is better and
    ``d = (target - actual) / |target|`` where lower is better, so that a positive ``d``
    is always better than target. A zero target gives ``d = 0`` when the actual equals it,
    otherwise plus or minus infinity (better or worse).

    ``d`` is computed in decimal arithmetic from the values as written (a float is read
    as its shortest round-trip text, see :func:`analysis.config.frameworks.as_written`)
    and returned as the float nearest it, for display: ``94.05`` against ``99`` gives
    exactly ``-0.05``, where float arithmetic gives ``-0.05000000000000003``.
    :func:`rate_measures` rates the exact decimal ``d``, not this float.

    Parameters
    ----------
    actual, target
        Numbers (floats, integers or Decimals), or Series of them (NaN or None where
        there is none).
    polarity
        ``"higher"``, ``"lower"`` or ``"neither"``, or a Series of them.

    Returns
    -------
    float or pandas.Series
        ``d``; NaN where a value is missing or the polarity is "neither". A Series (on
        the index of the first Series argument) if any argument is a Series.

    Raises
    ------
    DataError
        For a polarity other than higher, lower or neither.

    Examples
    --------
    >>> relative_difference(110, 100, "higher"), relative_difference(110, 100, "lower")
    (0.1, -0.1)
    >>> relative_difference(-90, -100, "higher")
    0.1
    >>> relative_difference(94.05, 99, "higher"), relative_difference(1.05, 1.0, "higher")
    (-0.05, 0.05)
    >>> relative_difference(0, 0, "lower"), relative_difference(3, 0, "lower")
    (0.0, -inf)
    >>> relative_difference(5, 4, "neither"), relative_difference(None, 4, "higher")
    (nan, nan)
    >>> relative_difference(pd.Series([50.0, 40.0]), pd.Series([40.0, 50.0]), "lower").tolist()
    [-0.25, 0.2]
    """
    exact, like = _exact_differences(actual, target, polarity)
    d = np.array([math.nan if x is None else float(x) for x in exact.ravel()], dtype=float)
    if like is None:
        return float(d[0])
    return pd.Series(d, index=like.index, dtype=float)


_NAN = Decimal("NaN")
_INFINITY = Decimal("Infinity")
_DIGITS = 50
# d's quotient is rounded to 50 digits "to odd" (ROUND_05UP: an inexact result never
# ends in 0 or 5), so that it equals a number of fewer digits, such as a threshold, only
# when the exact quotient does, and otherwise lies on the same side of it as that does.
_DIVIDE = Context(prec=_DIGITS, rounding=ROUND_05UP, traps=[])
# Arithmetic on infinities, where an undefined result (infinity minus infinity) is NaN.
_LOOSE = Context(prec=_DIGITS, traps=[])
_as_decimal = np.frompyfunc(lambda x: _NAN if x is None or x is pd.NA else as_written(x), 1, 1)


def _exact_differences(
    actual: object, target: object, polarity: object
) -> tuple[np.ndarray, pd.Series | None]:
    """Each exact ``d`` (a Decimal, None where there is none), and the Series to index by."""
    like = next((x for x in (actual, target, polarity) if isinstance(x, pd.Series)), None)
    a, t, p = np.broadcast_arrays(
        _decimals(actual), _decimals(target), np.asarray(polarity, dtype=object)
    )
    unknown = sorted({str(x) for x in p.ravel() if x not in POLARITIES})
    if unknown:
        raise DataError(
            f"Polarity {', '.join(unknown)} is not one of {', '.join(POLARITIES)}: say whether "
            "a higher or a lower value is better, or neither."
        )
    d = np.empty(a.size, dtype=object)
    cells = zip(a.ravel(), t.ravel(), p.ravel(), strict=True)
    d[:] = [_exact_difference(x, y, str(z)) for x, y, z in cells]
    return d, like


def _decimals(values: object) -> np.ndarray:
    """Values as the decimals they are written as (NaN where there is none), as objects."""
    items = values.tolist() if isinstance(values, pd.Series) else values
    return np.asarray(_as_decimal(np.asarray(items, dtype=object)), dtype=object)


def _exact_difference(actual: Decimal, target: Decimal, polarity: str) -> Decimal | None:
    """``d`` for one actual and target, exactly; None where there is none.

    Examples
    --------
    >>> _exact_difference(Decimal("94.05"), Decimal("99"), "higher")
    Decimal('-0.05')
    >>> _exact_difference(Decimal("1"), Decimal("3"), "lower")
    Decimal('0.66666666666666666666666666666666666666666666666666')
    >>> _exact_difference(Decimal("-5"), Decimal("0"), "lower"), _exact_difference(
    ...     Decimal("1"), Decimal("NaN"), "higher")
    (Decimal('Infinity'), None)
    """
    if polarity not in ("higher", "lower") or actual.is_nan() or target.is_nan():
        return None
    if actual.is_finite() and target.is_finite():
        better = _subtract_exactly(actual, target)
    else:
        better = _LOOSE.subtract(actual, target)
    if polarity == "lower":
        better = better.copy_negate()
    if target.is_zero():
        d = Decimal(0) if better.is_zero() else _INFINITY.copy_sign(better)
    else:
        d = _DIVIDE.divide(better, target.copy_abs())
    return None if d.is_nan() else d


def _subtract_exactly(a: Decimal, b: Decimal) -> Decimal:
    """``a - b`` with every digit kept: the precision spans both numbers' digits."""
    top = max(a.adjusted(), b.adjusted()) + 2
    bottom = min(int(a.as_tuple().exponent), int(b.as_tuple().exponent))
    return Context(prec=max(top - bottom, _DIGITS), traps=[]).subtract(a, b)


def rate_measures(values: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Rate every measure value this quarter and at year end.

    Parameters
    ----------
    values
        Measure values joined to their measures: at least ``measure_id``, ``quarter``,
        ``unit``, ``polarity``, and ``actual``, ``quarterly_target``, ``annual_target``,
        ``forecast`` each with its ``_state`` column (as :func:`analysis.dataset.read.load_dataset`
        gives them).
    framework
        The rating framework.

    Returns
    -------
    pandas.DataFrame
        A new frame: the input's columns and rows, plus for ``quarterly`` (actual against
        quarterly target) and ``year_end`` (forecast against annual target):

        - ``<which>_d``: the relative difference, as the float nearest the exact one
          (NaN when not rated);
        - ``<which>_status``: the band key, or None when not rated, from the exact
          relative difference (:func:`relative_difference`): a value exactly on a
          threshold is on it;
        - ``<which>_basis``: ``rated``, or why not, the first that applies of
          ``polarity_neither``, ``baseline`` (the target is a baseline),
          ``no_target`` (none set, empty, or another non-numeric state), and ``no_data``
          (quarterly: the actual is missing, due later, N/A, not measured or in arrears)
          or ``no_forecast`` (year end: no numeric forecast).

    Raises
    ------
    DataError
        If a column is missing or a polarity is unknown.

    Examples
    --------
    >>> from analysis.config.frameworks import load_framework
    >>> frame = pd.DataFrame({
    ...     "measure_id": ["M1", "M2", "M3"], "quarter": ["2021-22-Q2"] * 3,
    ...     "unit": ["percent", "number", "number"],
    ...     "polarity": ["higher", "lower", "neither"],
    ...     "actual": [68.0, 105.0, 3.0], "actual_state": ["value"] * 3,
    ...     "quarterly_target": [61.0, 100.0, 2.0], "quarterly_target_state": ["value"] * 3,
    ...     "annual_target": [61.0, math.nan, 2.0],
    ...     "annual_target_state": ["value", "no_target", "value"],
    ...     "forecast": [61.0, 120.0, 3.0], "forecast_state": ["value"] * 3,
    ... })
    >>> rated = rate_measures(frame, load_framework("derby-city-2021-22"))
    >>> rated[["quarterly_status", "quarterly_basis", "year_end_status", "year_end_basis"]]
      quarterly_status   quarterly_basis year_end_status    year_end_basis
    0             blue             rated           green             rated
    1            amber             rated            None         no_target
    2             None  polarity_neither            None  polarity_neither
    """
    missing = [c for c in _RATE_COLUMNS if c not in values.columns]
    if missing:
        raise DataError(f"Cannot rate measures: the values lack column(s) {', '.join(missing)}.")
    out = values.copy()
    for prefix, value, target, no_value in _RATINGS:
        d, status, basis = _rate(values, value, target, no_value, framework)
        out[f"{prefix}_d"] = d
        out[f"{prefix}_status"] = status
        out[f"{prefix}_basis"] = basis
    return out


def _rate(
    values: pd.DataFrame, value: str, target: str, no_value: str, framework: Framework
) -> tuple[pd.Series, pd.Series, pd.Series]:
    polarity = values["polarity"]
    target_state = values[f"{target}_state"]
    exact, _ = _exact_differences(values[value], values[target], polarity)
    d = pd.Series(
        [math.nan if x is None else float(x) for x in exact], index=values.index, dtype=float
    )
    reasons = np.select(
        [
            (polarity == "neither").to_numpy(dtype=bool),
            (target_state == "baseline").to_numpy(dtype=bool),
            (target_state != STATE_VALUE).to_numpy(dtype=bool),
            (values[f"{value}_state"] != STATE_VALUE).to_numpy(dtype=bool) | d.isna().to_numpy(),
        ],
        ["polarity_neither", "baseline", "no_target", no_value],
        default="rated",
    )
    basis = pd.Series(reasons, index=values.index, dtype=object)
    rated = basis == "rated"
    status = [
        framework.rate(x, t, u) if ok else None
        for x, t, u, ok in zip(exact, values[target], values["unit"], rated, strict=True)
    ]
    return (
        d.where(rated),
        pd.Series(status, index=values.index, dtype=object),
        basis,
    )


@dataclass(frozen=True)
class MetCount:
    """A headline count of rated measures that met (or are forecast to meet) target.

    ``percentage`` is unrounded (NaN when nothing was rated); ``left_out`` counts the
    measures not rated and ``reasons`` breaks it down by basis.
    """

    numerator: int
    denominator: int
    percentage: float
    left_out: int
    reasons: dict[str, int] = field(default_factory=dict)


def count_met(rated: pd.DataFrame, which: str, framework: Framework) -> MetCount:
    """How many rated measures met or exceeded their target, out of how many.

    Parameters
    ----------
    rated
        The output of :func:`rate_measures`, usually for one quarter.
    which
        ``"quarterly"`` (measures with a quarterly target that met or exceeded it) or
        ``"year_end"`` (measures with an annual target forecast to achieve it).
    framework
        The framework that rated them; its ``met`` bands count as met.

    Examples
    --------
    >>> from analysis.config.frameworks import load_framework
    >>> rated = pd.DataFrame({
    ...     "quarterly_status": ["blue", "green", "red", None, None],
    ...     "quarterly_basis": ["rated", "rated", "rated", "no_target", "no_data"],
    ... })
    >>> count = count_met(rated, "quarterly", load_framework("derby-city-2021-22"))
    >>> count.numerator, count.denominator, round(count.percentage, 1), count.left_out
    (2, 3, 66.7, 2)
    >>> count.reasons
    {'no_target': 1, 'no_data': 1}
    """
    if which not in ("quarterly", "year_end"):
        raise ValueError(f"which is 'quarterly' or 'year_end', not {which!r}.")
    status = rated[f"{which}_status"]
    basis = rated[f"{which}_basis"]
    is_rated = (basis == "rated").to_numpy(dtype=bool)
    numerator = int(status[is_rated].isin(framework.met).sum())
    denominator = int(is_rated.sum())
    reasons = Counter(str(b) for b in basis[~is_rated])
    return MetCount(
        numerator=numerator,
        denominator=denominator,
        percentage=100 * numerator / denominator if denominator else math.nan,
        left_out=int((~is_rated).sum()),
        reasons=dict(reasons),
    )


_TRAVEL_COLUMNS = [
    "measure_id",
    "previous_quarter",
    "previous_quarter_actual",
    "vs_previous_quarter",
    "last_year_quarter",
    "same_quarter_last_year_actual",
    "vs_last_year",
]


def direction_of_travel(values: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """Each measure's change against the previous quarter and the same quarter last year.

    A change is judged by polarity: ``improving``, ``deteriorating`` or ``no_change``
    (equal to within one part in a billion); ``not_comparable`` when either value is
    not a number (missing, due later, N/A, ...) or the polarity is "neither".

    Annual measures (``frequency`` ``annual``) hold one value a year, usually in Q4.
    For them both comparisons are with the previous financial year's value, whichever
    quarter of that year holds it (the latest, if several do). Other measures are
    compared with exactly the previous quarter and the same quarter last year.

    Parameters
    ----------
    values
        Measure values for every quarter available, joined to their measures: at least
        ``measure_id``, ``quarter``, ``polarity``, ``actual`` and ``actual_state``; and
        ``frequency`` for the annual rule (without it, every measure is quarterly).
    quarter
        The quarter reported on.

    Returns
    -------
    pandas.DataFrame
        One row per measure with a row in ``quarter``, in input order: ``measure_id``,
        ``previous_quarter`` (the slug compared with, None if none),
        ``previous_quarter_actual``, ``vs_previous_quarter``, ``last_year_quarter``,
        ``same_quarter_last_year_actual`` and ``vs_last_year``.

    Examples
    --------
    >>> values = pd.DataFrame({
    ...     "measure_id": ["M1", "M1", "M1", "A1", "A1"],
    ...     "quarter": ["2020-21-Q2", "2021-22-Q1", "2021-22-Q2", "2020-21-Q4", "2021-22-Q2"],
    ...     "polarity": ["lower"] * 3 + ["higher"] * 2,
    ...     "frequency": ["quarterly"] * 3 + ["annual"] * 2,
    ...     "actual": [12.0, 9.0, 10.0, 50.0, 55.0],
    ...     "actual_state": ["value"] * 5,
    ... })
    >>> travel = direction_of_travel(values, parse_quarter("2021-22 Q2"))
    >>> travel[["measure_id", "vs_previous_quarter", "vs_last_year", "last_year_quarter"]]
      measure_id vs_previous_quarter   vs_last_year last_year_quarter
    0         M1       deteriorating      improving        2020-21-Q2
    1         A1           improving      improving        2020-21-Q4
    """
    needed = ("measure_id", "quarter", "polarity", "actual", "actual_state")
    missing = [c for c in needed if c not in values.columns]
    if missing:
        raise DataError(
            f"Cannot judge direction of travel: the values lack column(s) {', '.join(missing)}."
        )
    slugs = {s: parse_quarter(s).slug for s in set(values["quarter"])}
    keys = [(m, slugs[s]) for m, s in zip(values["measure_id"], values["quarter"], strict=True)]
    if len(set(keys)) != len(keys):
        raise DataError("Measure values hold more than one row for a measure and quarter.")
    actuals: dict[tuple[Hashable, str], float] = {
        key: float(a)
        for key, a, state in zip(keys, values["actual"], values["actual_state"], strict=True)
        if state == STATE_VALUE
    }
    frequency = values["frequency"] if "frequency" in values.columns else None
    rows = []
    for i, (measure, slug) in enumerate(keys):
        if slug != quarter.slug:
            continue
        polarity = values["polarity"].iat[i]
        current = actuals.get((measure, slug), math.nan)
        if frequency is not None and frequency.iat[i] == "annual":
            earlier = _latest_in_year(actuals, measure, quarter.start_year - 1)
            previous = last_year = earlier
        else:
            previous, last_year = quarter.previous.slug, quarter.same_quarter_last_year.slug
        row: dict[str, object] = {"measure_id": measure}
        for compared, col_q, col_a, col_vs in (
            (previous, "previous_quarter", "previous_quarter_actual", "vs_previous_quarter"),
            (last_year, "last_year_quarter", "same_quarter_last_year_actual", "vs_last_year"),
        ):
            before = actuals.get((measure, compared), math.nan) if compared else math.nan
            row[col_q] = compared
            row[col_a] = before
            row[col_vs] = _judge(current, before, polarity)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=_TRAVEL_COLUMNS)
    for col in ("previous_quarter", "last_year_quarter"):
        frame[col] = frame[col].astype(object)
    return frame


def _latest_in_year(
    actuals: dict[tuple[Hashable, str], float], measure: Hashable, start_year: int
) -> str | None:
    """The latest quarter of a financial year holding a value for the measure."""
    for number in (4, 3, 2, 1):
        slug = Quarter(start_year, number).slug
        if (measure, slug) in actuals:
            return slug
    return None


def _judge(current: float, before: float, polarity: object) -> str:
    """Improving, deteriorating, no change or not comparable, by polarity.

    Examples
    --------
    >>> _judge(5.0, 4.0, "higher"), _judge(5.0, 4.0, "lower"), _judge(4.0, 4.0, "lower")
    ('improving', 'deteriorating', 'no_change')
    >>> _judge(5.0, math.nan, "higher"), _judge(5.0, 4.0, "neither")
    ('not_comparable', 'not_comparable')
    """
    if polarity not in ("higher", "lower") or math.isnan(current) or math.isnan(before):
        return "not_comparable"
    if math.isclose(current, before, rel_tol=1e-9, abs_tol=0.0):
        return "no_change"
    better = current > before if polarity == "higher" else current < before
    return "improving" if better else "deteriorating"
