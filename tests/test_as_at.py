"""The month or day a measure's value is as at: read, checked, and shown beside the value."""

from __future__ import annotations

import csv
import io

import pytest
from synthetic import TABLES, write_synthetic

from analysis.dataset.read import BUNDLED_DATASET, load_dataset, validate_dataset
from analysis.dataset.values import as_at_text
from analysis.quarters import parse_quarter
from analysis.report.tables import exceptions_table, key_measures_table, theme_table

Q2 = parse_quarter("2021-22 Q2")


def _with_as_at(cells: dict[tuple[str, str], str]) -> str:
    rows = list(csv.DictReader(io.StringIO(TABLES["measure_values"])))
    for row in rows:
        row["as_at"] = cells.get((row["measure_id"], row["quarter"]), "")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("Jun-2021", "June 2021"),
        ("june 2021", "June 2021"),
        ("2021-06", "June 2021"),
        ("2021-06-30", "30 June 2021"),
        ("30 Jun 2021", "30 June 2021"),
        ("Sept-2021", "September 2021"),
        ("", ""),
        ("2021-06-31", None),
        ("2021-00", None),
        ("Ju 2021", None),  # June or July: too short to say
        ("Q1", None),
        ("last month", None),
    ],
)
def test_a_month_or_a_day_is_read_and_anything_else_is_not(cell, text):
    assert as_at_text(cell) == text


def test_an_export_without_the_column_is_valid_and_reads_as_empty(tmp_path):
    folder = write_synthetic(tmp_path / "d")
    assert "as_at" not in (folder / "measure_values.csv").read_text(encoding="utf-8")
    assert validate_dataset(folder) == []
    assert (load_dataset(folder)["measure_values"]["as_at"] == "").all()


def test_a_bad_date_is_explained_with_its_row(tmp_path):
    folder = write_synthetic(
        tmp_path / "d", measure_values=_with_as_at({("M1", "2021-22-Q2"): "soon"})
    )
    problems = validate_dataset(folder)
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.column, problem.row) == ("measure_values.csv", "as_at", 3)
    assert "month the value is as at (May-2021" in problem.rule


def test_the_date_is_shown_wherever_the_value_is(tmp_path):
    data = load_dataset(
        write_synthetic(
            tmp_path / "d",
            measure_values=_with_as_at(
                {("M1", "2021-22-Q2"): "Aug-2021", ("M2", "2021-22-Q2"): "2021-07-31"}
            ),
        )
    )
    assert "Actual: 110% (as at August 2021)" in theme_table(data, Q2, "a").as_raw_html()
    assert "(as at 31 July 2021)" in exceptions_table(data, Q2, group_by="theme").as_raw_html()
    key = key_measures_table(data, Q2).as_raw_html()
    m1 = key.split("(M1)")[1].split("</tr>")[0]
    assert "August 2021" in m1 and "110%" in m1
    # a value with no date is as at the quarter's end
    assert "September 2021" in key.split("(M3)")[1].split("</tr>")[0]


def test_the_bundled_measures_reported_in_arrears_carry_their_date():
    data = load_dataset(BUNDLED_DATASET)
    values = data["measure_values"].set_index(["measure_id", "quarter"])["as_at"]
    for measure in ("PE-M15", "PE-M16", "PE-M17", "PE-M18"):
        assert values[(measure, "2021-22-Q2")] == "May 2021"
    key = key_measures_table(data, Q2).as_raw_html()
    assert "May 2021" in key.split("(PE-M15)")[1].split("</tr>")[0]
