"""Reading a measure's value cells: a number, or an explicit non-numeric state.

Exports hold numbers written the way people write them (``68%``, ``£1,200``,
``12.5``) and words for legitimate non-numeric states (``Baseline``, ``Due in Q3``,
``N/A``). Each cell becomes a pair: a number (or NaN) and a state from
:data:`analysis.schema.VALUE_STATES`, ``value`` for a number or ``missing`` for an
empty cell.
"""

from __future__ import annotations

import math
import re

from analysis.schema import VALUE_STATES

__all__ = ["parse_value", "STATE_VALUE", "STATE_MISSING", "STATE_LABELS"]

STATE_VALUE = "value"
STATE_MISSING = "missing"

# Words used in reports and in the methodology annex for each state.
STATE_LABELS: dict[str, str] = {
    STATE_VALUE: "value",
    STATE_MISSING: "no data",
    "no_target": "no target set",
    "baseline": "baseline year",
    "due_later": "data due later",
    "not_available": "not available (on hold)",
    "not_measured": "not measured this year",
    "in_arrears": "reported a quarter in arrears",
}

_SPELLINGS = {
    spelling: state for state, spellings in VALUE_STATES.items() for spelling in spellings
}
_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


def parse_value(cell: object) -> tuple[float, str]:
    """Read one value cell.

    Parameters
    ----------
    cell
        The cell as read from CSV or Excel: a number, a string, or empty.

    Returns
    -------
    tuple of (float, str)
        The number (NaN unless the state is ``value``) and the state.

    Raises
    ------
    ValueError
        If the cell is neither a number nor a known state; the message lists the
        accepted words.

    Examples
    --------
    >>> parse_value("68.0%")
    (68.0, 'value')
    >>> parse_value("£1,250")
    (1250.0, 'value')
    >>> parse_value(" Due in Q3 ")
    (nan, 'due_later')
    >>> parse_value("")
    (nan, 'missing')
    >>> parse_value("lots")
    Traceback (most recent call last):
    ...
    ValueError: 'lots' is neither a number nor a known state (no target, baseline,
    due in q3, n/a, not measured, in arrears, ...)
    """
    if cell is None:
        return math.nan, STATE_MISSING
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if math.isnan(cell):
            return math.nan, STATE_MISSING
        return float(cell), STATE_VALUE
    text = str(cell).strip()
    if not text:
        return math.nan, STATE_MISSING
    state = _SPELLINGS.get(re.sub(r"\s+", " ", text.lower()))
    if state:
        return math.nan, state
    number = text.replace("£", "").replace("%", "").replace(" ", "")
    if number and _NUMBER.match(number) and any(ch.isdigit() for ch in number):
        return float(number.replace(",", "")), STATE_VALUE
    examples = ", ".join(
        ["no target", "baseline", "due in q3", "n/a", "not measured", "in arrears"]
    )
    raise ValueError(f"{text!r} is neither a number nor a known state ({examples}, ...)")
