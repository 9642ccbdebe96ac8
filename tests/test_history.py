"""A measure's years: earlier results, targets and benchmarks beside this year's position."""

from __future__ import annotations

import math

import pytest
from synthetic import write_synthetic

from analysis.dataset.read import load_dataset, validate_dataset
from analysis.engine.history import YEAR_COLUMNS, measure_years, measures_with_history
from analysis.quarters import parse_quarter
from analysis.report.charts import history_chart
from analysis.report.tables import history_table

Q2 = parse_quarter("2021-22 Q2")
HISTORY = """measure_id,year,actual,target,national,comparator,provenance
M1,2020/21,96%,95%,90%,92%,published
M1,2019-20,94%,95%,89.5%,,published
M1,2021/22,1%,1%,1%,1%,published
M2,2020-2021,12,10,,,published
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = write_synthetic(tmp_path_factory.mktemp("history") / "d", measure_history=HISTORY)
    return load_dataset(folder)


def test_earlier_years_come_first_and_this_year_last(data):
    years = measure_years(data, Q2, "M1")
    assert tuple(years.columns) == YEAR_COLUMNS
    # a history row for this year itself is left out: this year comes from its values
    assert list(years["year"]) == ["2019/20", "2020/21", "2021/22"]
    assert list(years["current"]) == [False, False, True]
    before, now = years.iloc[1], years.iloc[2]
    assert (before["actual"], before["target"], before["national"]) == (96.0, 95.0, 90.0)
    assert (
        math.isnan(years.iloc[0]["comparator"]) and years.iloc[0]["comparator_state"] == "missing"
    )
    assert (now["actual"], now["actual_state"]) == (110.0, "value")
    assert measures_with_history(data, Q2) == ["M1", "M2"]


def test_the_panel_table_and_chart_say_every_value(data):
    table = history_table(data, Q2, "M1").as_raw_html()
    for text in ("2019/20", "96%", "95%", "90%", "89.5%", "110% at Q2 2021/22", "Benchmarks"):
        assert text in table
    chart = history_chart(data, Q2, "M1")
    assert chart.label == "fig-history-m1"
    assert "Result: 2019/20 94%, 2020/21 96%" in chart.alt
    assert "National benchmark: 2019/20 89.5%, 2020/21 90%" in chart.alt
    assert "Comparator benchmark: 2019/20 no data, 2020/21 92%" in chart.alt
    svg = chart.to_svg()
    assert "2021/22 (forecast)" in svg and "96%" in svg


def test_a_measure_without_benchmarks_draws_only_what_it_has(data):
    chart = history_chart(data, Q2, "M2")
    assert "Benchmark:" not in chart.alt and "National benchmark" not in chart.alt
    assert "Target: 2020/21 10" in chart.alt


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("M1,2019,94%,95%,,,published", "must be a financial year written as one of 2021/22"),
        ("M1,2019/21,94%,95%,,,published", "must be a financial year"),
        ("M1,2999/00,94%,95%,,,published", "a row of history is for a year that has begun"),
        ("M9,2019/20,94%,95%,,,published", "M9"),
    ],
)
def test_bad_history_rows_are_explained(tmp_path, row, words):
    text = "measure_id,year,actual,target,national,comparator,provenance\n" + row + "\n"
    problems = validate_dataset(write_synthetic(tmp_path / "d", measure_history=text))
    assert problems and any(words in p.rule or words in str(p) for p in problems), problems
