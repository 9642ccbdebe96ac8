"""Tests for analysis.quarters: spellings, bad labels and quarter arithmetic."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.errors import QuarterError
from analysis.quarters import ACCEPTED_FORMS, Quarter, parse_quarter

Q2 = Quarter(2021, 2)

# Every spelling of 2021/22 Q2 the workbook accepts.
SPELLINGS = [
    "2021/22 Q2",
    "Q2 2021/22",
    "2021-22 Q2",
    "2021-22-Q2",
    "2021/2022 Q2",
    "Q2 2021-2022",
    "q2 2021/22",
    "2021-22 q2",
    "  2021/22   Q2  ",
    "2021 / 22 Q2",
    "Quarter 2 2021/22",
    "2021/22 Quarter 2",
    "2021-22Q2",
    "Q2-2021-22",
]


@pytest.mark.parametrize("text", SPELLINGS)
def test_every_accepted_spelling(text):
    assert parse_quarter(text) == Q2


@pytest.mark.parametrize("text", ACCEPTED_FORMS)
def test_the_documented_forms_are_accepted(text):
    assert parse_quarter(text).slug == "2021-22-Q2"


# (label, words the error must contain)
BAD_LABELS = [
    ("Sept 2021", "is not a quarter"),
    ("2021 Q2", "is not a quarter"),
    ("Q2", "is not a quarter"),
    ("", "is not a quarter"),
    ("2021/22", "is not a quarter"),
    ("2021/22 Q12", "is not a quarter"),
    ("21/22 Q2", "is not a quarter"),
    ("2021/23 Q2", "over two consecutive years (e.g. 2021/22)"),
    ("2021/2021 Q2", "over two consecutive years"),
    ("2021/22 Q5", "numbered 1 to 4, not 5"),
    ("Q0 2021/22", "numbered 1 to 4, not 0"),
]


@pytest.mark.parametrize(("text", "words"), BAD_LABELS)
def test_bad_labels_say_what_is_wrong(text, words):
    with pytest.raises(QuarterError) as caught:
        parse_quarter(text)
    message = str(caught.value)
    assert repr(text) in message
    assert words in message
    if "is not a quarter" in words:
        for form in ACCEPTED_FORMS:
            assert form in message


@pytest.mark.parametrize(("year", "number"), [(2021, 0), (2021, 5), (1899, 1), (3000, 1)])
def test_impossible_quarters(year, number):
    with pytest.raises(QuarterError):
        Quarter(year, number)


def test_a_quarter_is_returned_unchanged():
    assert parse_quarter(Q2) is Q2


# (quarter, period start, period end, words)
PERIODS = [
    (Quarter(2021, 1), date(2021, 4, 1), date(2021, 6, 30), "end of June 2021"),
    (Quarter(2021, 2), date(2021, 7, 1), date(2021, 9, 30), "end of September 2021"),
    (Quarter(2021, 3), date(2021, 10, 1), date(2021, 12, 31), "end of December 2021"),
    (Quarter(2021, 4), date(2022, 1, 1), date(2022, 3, 31), "end of March 2022"),
    (Quarter(1999, 4), date(2000, 1, 1), date(2000, 3, 31), "end of March 2000"),
]


@pytest.mark.parametrize(("quarter", "start", "end", "words"), PERIODS)
def test_periods(quarter, start, end, words):
    assert quarter.period_start == start
    assert quarter.period_end == end
    assert quarter.period_end_words == words


# (quarter, previous, next, same quarter last year)
ARITHMETIC = [
    ("2021-22-Q1", "2020-21-Q4", "2021-22-Q2", "2020-21-Q1"),
    ("2021-22-Q2", "2021-22-Q1", "2021-22-Q3", "2020-21-Q2"),
    ("2021-22-Q3", "2021-22-Q2", "2021-22-Q4", "2020-21-Q3"),
    ("2021-22-Q4", "2021-22-Q3", "2022-23-Q1", "2020-21-Q4"),
    ("2000-01-Q1", "1999-00-Q4", "2000-01-Q2", "1999-00-Q1"),
]


@pytest.mark.parametrize(("slug", "previous", "following", "last_year"), ARITHMETIC)
def test_quarter_arithmetic_across_year_ends(slug, previous, following, last_year):
    q = parse_quarter(slug)
    assert q.previous.slug == previous
    assert q.next.slug == following
    assert q.same_quarter_last_year.slug == last_year


def test_labels():
    assert Q2.slug == str(Q2) == "2021-22-Q2"
    assert Q2.label == "Quarter 2 2021/22"
    assert Q2.short_label == "Q2 2021/22"
    assert Q2.year_label == "2021/22"
    assert Quarter(1999, 1).year_label == "1999/00"


def test_ordering():
    quarters = [Quarter(2022, 1), Quarter(2021, 4), Quarter(2021, 1), Quarter(2020, 3)]
    assert [q.slug for q in sorted(quarters)] == [
        "2020-21-Q3",
        "2021-22-Q1",
        "2021-22-Q4",
        "2022-23-Q1",
    ]
    assert Quarter(2021, 4) < Quarter(2022, 1)
    assert Quarter(2021, 2) == parse_quarter("Q2 2021/22")
    assert len({Quarter(2021, 2), parse_quarter("2021/22 Q2")}) == 1


quarters = st.builds(
    Quarter,
    st.integers(min_value=1901, max_value=2998),
    st.integers(min_value=1, max_value=4),
)


@given(quarters)
def test_every_label_reads_back(q):
    for text in (q.slug, q.label, q.short_label, f"{q.year_label} Q{q.number}"):
        assert parse_quarter(text) == q


@given(quarters)
def test_next_and_previous_are_inverses(q):
    assert q.next.previous == q
    assert q.previous.next == q
    assert q.previous < q < q.next
    assert q.same_quarter_last_year.number == q.number
    step = q
    for _ in range(4):
        step = step.previous
    assert step == q.same_quarter_last_year


@given(quarters)
def test_quarters_tile_the_year(q):
    assert q.next.period_start == date.fromordinal(q.period_end.toordinal() + 1)
