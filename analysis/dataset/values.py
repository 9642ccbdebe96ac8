"""Reading a measure's value cells: a number, or an explicit non-numeric state.

Exports hold numbers written the way people write them (``68%``, ``£1,200``,
``12.5``) and words for legitimate non-numeric states (``Baseline``, ``Due in Q3``,
``N/A``). Each cell becomes a pair: a number (or NaN) and a state from
:data:`analysis.schema.VALUE_STATES`, ``value`` for a number or ``missing`` for an
empty cell.

A dataset may add its own words for the states (``value_states`` in ``dataset.yml``,
read by :func:`dataset_value_states`), and a number may carry a note in brackets after
it (``£1,490,000 (Q3 data)``): the number is the value, and :func:`value_note` gives the
note.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Mapping

from analysis.schema import VALUE_STATES

__all__ = [
    "parse_value",
    "value_note",
    "dataset_value_states",
    "normal_spelling",
    "STATE_VALUE",
    "STATE_MISSING",
    "STATE_LABELS",
]

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
# A number followed by a note in brackets: "£1,490,000 (Q3 data)", "68% (provisional)".
_WITH_NOTE = re.compile(r"^(?P<number>[^()]+?)\s*\((?P<note>.*)\)$", re.DOTALL)


def normal_spelling(text: str) -> str:
    """A state's spelling as it is matched: lower case, whitespace collapsed.

    Examples
    --------
    >>> normal_spelling("  No survey\\tin  2020-21 ")
    'no survey in 2020-21'
    """
    return " ".join(str(text).lower().split())


def parse_value(cell: object, states: Mapping[str, str] | None = None) -> tuple[float, str]:
    """Read one value cell.

    Parameters
    ----------
    cell
        The cell as read from CSV or Excel: a number, a string, or empty.
    states
        The dataset's own words for states, by :func:`normal_spelling` (as
        :func:`dataset_value_states` returns them); none by default.

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
    >>> parse_value("£1,490,000 (Q3 data)")
    (1490000.0, 'value')
    >>> parse_value("No survey in  2020-21", {"no survey in 2020-21": "not_measured"})
    (nan, 'not_measured')
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
    spelling = re.sub(r"\s+", " ", text.lower())
    state = _SPELLINGS.get(spelling)
    if state:
        return math.nan, state
    number = text.replace("£", "").replace("%", "").replace(" ", "")
    if number and _NUMBER.match(number) and any(ch.isdigit() for ch in number):
        return float(number.replace(",", "")), STATE_VALUE
    # the rarer cases, after the common ones: a dataset's own word, a number with a note
    if states:
        state = states.get(spelling)
        if state:
            return math.nan, state
    with_note = _split_note(text)
    if with_note is not None:
        return with_note[0], STATE_VALUE
    examples = ", ".join(
        ["no target", "baseline", "due in q3", "n/a", "not measured", "in arrears"]
    )
    raise ValueError(f"{text!r} is neither a number nor a known state ({examples}, ...)")


def value_note(cell: object) -> str:
    """The note in brackets after a value cell's number, or ``""`` when it has none.

    The note is kept as written, its whitespace collapsed; it is text, never markup.

    Examples
    --------
    >>> value_note("£1,490,000 (Q3 data)"), value_note("68%  ( provisional )")
    ('Q3 data', 'provisional')
    >>> value_note("68%"), value_note("Due in Q3"), value_note(None)
    ('', '', '')
    """
    if not isinstance(cell, str) or not cell.rstrip().endswith(")"):
        return ""
    with_note = _split_note(cell.strip())
    return with_note[1] if with_note is not None else ""


def dataset_value_states(setting: object) -> tuple[dict[str, str], list[tuple[str | None, str]]]:
    """A dataset's own words for value states (``value_states`` of ``dataset.yml``), checked.

    Parameters
    ----------
    setting
        The setting as read from YAML: a mapping from the dataset's word to a state of
        :data:`analysis.schema.VALUE_STATES`; None or absent for none.

    Returns
    -------
    tuple of (dict, list)
        The valid words by :func:`normal_spelling`, each with its state; and the problems
        found, each a pair of the word at fault (None for the setting as a whole) and
        what is wrong. Words in error are left out of the mapping.

    Examples
    --------
    >>> dataset_value_states({"No survey in 2020-21": "not_measured"})
    ({'no survey in 2020-21': 'not_measured'}, [])
    >>> words, problems = dataset_value_states({"awaiting data": "later", "TBC": "baseline"})
    >>> words, [word for word, _ in problems]
    ({}, ['awaiting data', 'TBC'])
    >>> print(problems[1][1])  # doctest: +NORMALIZE_WHITESPACE
    'TBC' already means the state no_target, so it cannot mean baseline; use another word
    for baseline, or leave 'TBC' out (it is accepted as no_target already)
    """
    allowed = ", ".join(VALUE_STATES)
    if setting is None:
        return {}, []
    if not isinstance(setting, Mapping):
        return {}, [
            (
                None,
                "value_states must be a mapping from the dataset's own words to a state, one "
                f"a line (e.g. 'No survey in 2020-21: not_measured'); the states are {allowed}",
            )
        ]
    words: dict[str, str] = {}
    problems: list[tuple[str | None, str]] = []
    for word, state in setting.items():
        text = "" if word is None else str(word)
        key = normal_spelling(text)
        if not key:
            problems.append(
                (text, f"a word for a state must not be empty; the states are {allowed}")
            )
            continue
        if not isinstance(state, str) or state not in VALUE_STATES:
            problems.append(
                (
                    text,
                    f"{state!r} is not a value state; the word {text!r} must name one of {allowed}",
                )
            )
            continue
        try:
            _, meaning = parse_value(text)
        except ValueError:
            meaning = None
        if meaning == STATE_VALUE:
            problems.append(
                (text, f"{text!r} reads as a number, so it cannot be a word for {state}")
            )
        elif meaning is not None and meaning != state:
            problems.append(
                (
                    text,
                    f"{text!r} already means the state {meaning}, so it cannot mean {state}; "
                    f"use another word for {state}, or leave {text!r} out (it is accepted "
                    f"as {meaning} already)",
                )
            )
        elif words.get(key, state) != state:
            problems.append(
                (text, f"{text!r} is given twice, for {words[key]} and for {state}; keep one")
            )
        elif meaning is None:
            words[key] = state
    return words, problems


_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_ISO_AS_AT = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_WORD_AS_AT = re.compile(r"^(?:(\d{1,2})[\s-]+)?([a-z]+)\.?[\s-]+(\d{4})$")


def as_at_text(cell: object) -> str | None:
    """The month or day a value is as at, written for the report; ``""`` for an empty
    cell and None for one that is not a month or a date.

    A month is written ``Jun-2021``, ``June 2021`` or ``2021-06``; a day ``2021-06-30``
    or ``30 June 2021``. Month names may be cut to three letters.

    Examples
    --------
    >>> as_at_text("May-2021"), as_at_text("2021-05"), as_at_text("2021-05-31")
    ('May 2021', 'May 2021', '31 May 2021')
    >>> as_at_text(" sept 2021 "), as_at_text(""), as_at_text("2021-13"), as_at_text("soon")
    ('September 2021', '', None, None)
    """
    text = " ".join(str(cell or "").lower().split())
    if not text:
        return ""
    day: int | None
    iso = _ISO_AS_AT.match(text)
    if iso:
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3]) if iso[3] else None
    else:
        words = _WORD_AS_AT.match(text)
        if not words:
            return None
        names = [m for m in _MONTHS if len(words[2]) >= 3 and m.startswith(words[2])]
        if len(names) != 1:
            return None
        year, month = int(words[3]), _MONTHS.index(names[0]) + 1
        day = int(words[1]) if words[1] else None
    if not 1 <= month <= 12 or not 1900 <= year <= 2999:
        return None
    name = _MONTHS[month - 1].capitalize()
    if day is None:
        return f"{name} {year}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{day} {name} {year}"


def _number(text: str) -> float | None:
    """A number as people write it (``68%``, ``£1,200``), or None."""
    number = text.replace("£", "").replace("%", "").replace(" ", "")
    if number and _NUMBER.match(number) and any(ch.isdigit() for ch in number):
        return float(number.replace(",", ""))
    return None


def _split_note(text: str) -> tuple[float, str] | None:
    """A number and the note in brackets after it, or None."""
    found = _WITH_NOTE.match(text)
    if found is None:
        return None
    note = " ".join(found.group("note").split())
    number = _number(found.group("number"))
    return (number, note) if number is not None and note else None
