"""UK financial-year quarters.

The financial year runs from April to March: 2021/22 Q1 is April to June 2021 and
2021/22 Q4 is January to March 2022. A :class:`Quarter` is parsed from any of the
spellings analysts use and has one canonical slug for paths.

Examples
--------
>>> q = parse_quarter("Q2 2021/22")
>>> q.slug, q.label, q.period_end_words
('2021-22-Q2', 'Quarter 2 2021/22', 'end of September 2021')
>>> q.previous.slug, q.same_quarter_last_year.slug
('2021-22-Q1', '2020-21-Q2')
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from analysis.errors import QuarterError

__all__ = ["Quarter", "parse_quarter", "parse_year", "ACCEPTED_FORMS", "YEAR_FORMS"]

ACCEPTED_FORMS = ("2021/22 Q2", "Q2 2021/22", "2021-22 Q2", "2021-22-Q2")
#: How a financial year may be written.
YEAR_FORMS = ("2021/22", "2021-22", "2021/2022")

_YEAR = r"(?P<y1>\d{4})\s*[/-]\s*(?P<y2>\d{2}|\d{4})"
_Q = r"Q(?:uarter)?\s*(?P<q>\d)"
_PATTERNS = (
    re.compile(rf"^{_YEAR}[\s-]*{_Q}$", re.IGNORECASE),
    re.compile(rf"^{_Q}[\s-]*{_YEAR}$", re.IGNORECASE),
)


@dataclass(frozen=True, order=True)
class Quarter:
    """One quarter of a UK financial year.

    Parameters
    ----------
    start_year
        The calendar year in which the financial year starts (2021 for 2021/22).
    number
        The quarter, 1 (April to June) to 4 (January to March).

    Examples
    --------
    >>> Quarter(2021, 4).period_end
    datetime.date(2022, 3, 31)
    >>> sorted([Quarter(2022, 1), Quarter(2021, 4)])[0].slug
    '2021-22-Q4'
    """

    start_year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise QuarterError(f"A quarter is numbered 1 to 4, not {self.number}.")
        if not 1900 <= self.start_year <= 2999:
            raise QuarterError(f"{self.start_year} is not a plausible financial year.")

    @property
    def year_label(self) -> str:
        """The financial year as written in reports, e.g. ``2021/22``."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def slug(self) -> str:
        """The canonical form used in paths and data, e.g. ``2021-22-Q2``."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}-Q{self.number}"

    @property
    def label(self) -> str:
        """The form used in headings, e.g. ``Quarter 2 2021/22``."""
        return f"Quarter {self.number} {self.year_label}"

    @property
    def short_label(self) -> str:
        """The short form used in tables, e.g. ``Q2 2021/22``."""
        return f"Q{self.number} {self.year_label}"

    @property
    def period_start(self) -> date:
        """The first day of the quarter."""
        month = 4 + 3 * (self.number - 1)
        year = self.start_year + (month > 12)
        return date(year, (month - 1) % 12 + 1, 1)

    @property
    def period_end(self) -> date:
        """The last day of the quarter."""
        start = self.period_start
        month = start.month + 2
        return date(start.year, month, calendar.monthrange(start.year, month)[1])

    @property
    def period_end_words(self) -> str:
        """The end of the quarter as reports say it, e.g. ``end of September 2021``."""
        end = self.period_end
        return f"end of {calendar.month_name[end.month]} {end.year}"

    @property
    def previous(self) -> Quarter:
        """The quarter before this one (Q4 of the previous year before a Q1)."""
        if self.number == 1:
            return Quarter(self.start_year - 1, 4)
        return Quarter(self.start_year, self.number - 1)

    @property
    def next(self) -> Quarter:
        """The quarter after this one."""
        if self.number == 4:
            return Quarter(self.start_year + 1, 1)
        return Quarter(self.start_year, self.number + 1)

    @property
    def same_quarter_last_year(self) -> Quarter:
        """The same quarter of the previous financial year."""
        return Quarter(self.start_year - 1, self.number)

    def __str__(self) -> str:
        return self.slug


def parse_quarter(text: str | Quarter) -> Quarter:
    """Read a quarter from any accepted spelling.

    Parameters
    ----------
    text
        A label such as ``"2021/22 Q2"``, ``"Q2 2021/22"``, ``"2021-22 Q2"`` or
        ``"2021-22-Q2"`` (case and spacing do not matter). A :class:`Quarter` is
        returned unchanged.

    Raises
    ------
    QuarterError
        If the text is not a quarter, with the accepted forms in the message.

    Examples
    --------
    >>> parse_quarter("2021-22 q3").label
    'Quarter 3 2021/22'
    >>> parse_quarter("2021/2022 Q1").slug
    '2021-22-Q1'
    >>> parse_quarter("Sept 2021")
    Traceback (most recent call last):
    ...
    analysis.errors.QuarterError: 'Sept 2021' is not a quarter. Write it as one of:
    2021/22 Q2, Q2 2021/22, 2021-22 Q2, 2021-22-Q2.
    """
    if isinstance(text, Quarter):
        return text
    cleaned = str(text).strip()
    for pattern in _PATTERNS:
        match = pattern.match(cleaned)
        if match:
            return _from_parts(cleaned, match["y1"], match["y2"], match["q"])
    raise QuarterError(
        f"{text!r} is not a quarter. Write it as one of: {', '.join(ACCEPTED_FORMS)}."
    )


def parse_year(text: str) -> int:
    """The start year of a financial year written ``2021/22``, ``2021-22`` or ``2021/2022``.

    Raises
    ------
    QuarterError
        If the text is not a financial year, with the accepted forms in the message.

    Examples
    --------
    >>> parse_year("2023/24"), parse_year(" 2023-2024 ")
    (2023, 2023)
    >>> Quarter(parse_year("2019/20"), 4).year_label
    '2019/20'
    """
    cleaned = str(text).strip()
    match = re.fullmatch(_YEAR, cleaned)
    if not match:
        raise QuarterError(
            f"{text!r} is not a financial year. Write it as one of: {', '.join(YEAR_FORMS)}."
        )
    return _from_parts(cleaned, match["y1"], match["y2"], "1").start_year


def _from_parts(text: str, first: str, second: str, number: str) -> Quarter:
    start = int(first)
    end = int(second)
    expected = start + 1
    if end != expected and end != expected % 100:
        raise QuarterError(
            f"{text!r} names the years {first} and {second}, but a financial year runs "
            f"over two consecutive years (e.g. {start}/{expected % 100:02d})."
        )
    if number not in "1234":
        raise QuarterError(f"{text!r}: a quarter is numbered 1 to 4, not {number}.")
    return Quarter(start, int(number))
