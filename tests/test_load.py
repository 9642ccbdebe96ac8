"""Loading: text as written, converted to the typed frames every calculation relies on."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.dataset.read import Dataset, _cell_text, load_dataset, read_raw
from analysis.errors import DataError
from analysis.quarters import Quarter
from analysis.schema import TABLES
from conftest import DATASETS


@pytest.fixture(scope="module")
def clean() -> Dataset:
    return load_dataset(DATASETS / "clean")


# --------------------------------------------------------------------------- read_raw


def test_read_raw_indexes_rows_as_excel_shows_them():
    raw = read_raw(DATASETS / "broken")
    assert raw.frames["measures"].index.tolist() == [2, 3, 4, 6]  # row 5 is blank
    assert raw.sources["measures"] == ("measures.csv", None)


def test_read_raw_reads_windows_1252_with_pound_signs():
    raw = read_raw(DATASETS / "clean")
    cells = raw.frames["measure_values"]
    assert cells.loc[4, "actual"] == "£1,250"
    assert cells.loc[4, "commentary"] == "Spend of £250 over budget"


def test_read_raw_keeps_every_cell_as_text():
    raw = read_raw(DATASETS / "clean")
    for frame in raw.frames.values():
        assert all(isinstance(v, str) for v in frame.to_numpy().ravel())
    assert raw.frames["themes"].loc[3, "description"] == ""


def test_read_raw_lists_every_file_read():
    raw = read_raw(DATASETS / "clean")
    assert [p.name for p in raw.files][0] == "dataset.yml"
    assert {p.stem for p in raw.files[1:]} == {t.name for t in TABLES}


def test_read_raw_of_a_workbook(excel_dataset):
    raw = read_raw(excel_dataset("clean"))
    assert raw.sources["risks"] == ("dataset.xlsx", "risks")
    assert raw.frames["actions"].loc[2, "expected_completion"] == "2022-03-31"
    assert raw.frames["risk_updates"].loc[2, "impact"] == "3"
    assert [p.name for p in raw.files] == ["dataset.yml", "dataset.xlsx"]


def test_a_utf8_file_with_a_byte_order_mark(dataset_copy):
    folder = dataset_copy("clean")
    path = folder / "themes.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-8-sig"))
    assert read_raw(folder).frames["themes"].columns[0] == "theme_id"


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (float("nan"), ""),
        (4, "4"),
        (4.0, "4"),
        (0.68, "0.68"),
        (pd.Timestamp("2022-03-31"), "2022-03-31"),
        (pd.Timestamp("2022-03-31 12:30"), "2022-03-31T12:30:00"),
        ("Due in Q3", "Due in Q3"),
    ],
)
def test_excel_cells_as_text(cell, text):
    assert _cell_text(cell) == text


# --------------------------------------------------------------------------- load_dataset


def test_dataset_settings(clean):
    assert (clean.name, clean.organisation, clean.plan) == (
        "clean",
        "Example Borough Council",
        "Example Plan 2021/22",
    )
    assert clean.scales.name == "Derby City Council"
    assert clean.framework is not None
    assert clean.quarters == (Quarter(2021, 1), Quarter(2021, 2))
    assert len(clean.files) == 13
    history = clean["measure_history"]
    assert list(history["year"]) == ["2019/20", "2020/21", "2020/21"]
    assert list(history["national_state"]) == ["value", "value", "missing"]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_frames_have_the_schema_columns_plus_states(clean, table):
    expected = []
    for col in table.columns:
        expected.append(col.name)
        if col.kind == "value":
            expected.append(f"{col.name}_state")
    assert clean[table.name].columns.tolist() == expected
    assert clean[table.name].index.equals(pd.RangeIndex(len(clean[table.name])))


def test_column_types(clean):
    actions = clean["actions"]
    assert str(actions["position"].dtype) == "Int64"
    assert actions["expected_completion"].iloc[0] == pd.Timestamp("2022-03-31")
    assert pd.isna(actions["expected_completion"].iloc[1])
    assert str(clean["risk_updates"]["impact"].dtype) == "Int64"
    assert clean["themes"]["description"].tolist() == ["A place to live and work", ""]


def test_quarters_become_slugs(clean):
    assert clean["action_updates"]["quarter"].tolist() == [
        "2021-22-Q1",
        "2021-22-Q2",
        "2021-22-Q1",
        "2021-22-Q2",
    ]


def test_statuses_become_scale_keys(clean):
    assert clean["action_updates"]["status"].tolist() == [
        "on_track",
        "some_slippage",
        "not_assessed",
        "completed",
    ]
    assert clean["project_updates"]["rag"].tolist() == ["amber_green", "green"]
    assert clean["project_updates"]["dca"].tolist() == ["green", "amber_red"]


def test_labels_become_canonical(clean):
    assert clean["measures"]["polarity"].tolist() == ["higher", "lower", "neither", "lower"]
    assert clean["risk_updates"]["movement"].tolist() == ["new", "escalated", "", "unchanged"]


def test_every_value_state_is_loaded(clean):
    values = clean["measure_values"]
    states = set()
    for col in ("actual", "quarterly_target", "annual_target", "forecast", "baseline"):
        states |= set(values[f"{col}_state"])
    assert states == {
        "value",
        "missing",
        "no_target",
        "baseline",
        "due_later",
        "not_available",
        "not_measured",
        "in_arrears",
    }


def test_values_are_numbers_or_nan(clean):
    values = clean["measure_values"].set_index(["measure_id", "quarter"])
    assert values.loc[("M2", "2021-22-Q1"), "actual"] == 1250.0
    assert values.loc[("M1", "2021-22-Q2"), "actual"] == 70.5
    m4 = values.loc[("M4", "2021-22-Q1")]
    assert math.isnan(m4["actual"]) and m4["actual_state"] == "in_arrears"
    assert values["actual"].dtype == float


def test_excel_and_csv_load_the_same_tables(clean, excel_dataset):
    from_excel = load_dataset(excel_dataset("clean"))
    for table in TABLES:
        pd.testing.assert_frame_equal(from_excel[table.name], clean[table.name])


def test_an_absent_optional_table_is_an_empty_frame(dataset_copy):
    folder = dataset_copy("clean")
    (folder / "amendments.csv").unlink()
    amendments = load_dataset(folder)["amendments"]
    assert amendments.empty
    assert amendments.columns.tolist() == [c.name for c in TABLES[-1].columns]


def test_a_dataset_with_problems_raises_with_every_problem():
    with pytest.raises(DataError) as caught:
        load_dataset(DATASETS / "broken")
    assert len(caught.value.problems) == 24
    assert str(caught.value).startswith("24 problems found in ")


def test_an_unknown_table_name_is_a_readable_key_error(clean):
    with pytest.raises(KeyError, match="No table called 'measure'"):
        clean["measure"]


def test_a_table_that_is_a_folder_is_a_problem_not_a_crash(dataset_copy):
    from analysis.dataset.read import read_raw

    folder = dataset_copy("clean")
    (folder / "risks.csv").unlink()
    (folder / "risks.csv").mkdir()
    problems = read_raw(folder).problems
    assert any(p.file == "risks.csv" and "is a folder" in p.rule for p in problems)


def test_a_table_linked_from_outside_the_folder_is_not_read(dataset_copy, tmp_path):
    from analysis.dataset.read import read_raw

    folder = dataset_copy("clean")
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((folder / "risks.csv").read_bytes())
    (folder / "risks.csv").unlink()
    (folder / "risks.csv").symlink_to(outside)
    problems = read_raw(folder).problems
    assert any(p.file == "risks.csv" and "outside the dataset folder" in p.rule for p in problems)


def _edit_workbook(folder, sheet, cell, value, number_format=None):
    import openpyxl

    path = folder / "dataset.xlsx"
    workbook = openpyxl.load_workbook(path)
    workbook[sheet][cell] = value
    if number_format:
        workbook[sheet][cell].number_format = number_format
    workbook.save(path)


def test_a_percentage_cell_reads_as_excel_shows_it(excel_dataset):
    folder = excel_dataset("clean")
    raw = read_raw(folder)
    column = list(raw.frames["measure_values"].columns).index("actual") + 1
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[column - 1]
    _edit_workbook(folder, "measure_values", f"{letter}2", 0.87, "0%")
    assert read_raw(folder).frames["measure_values"].loc[2, "actual"] == "87%"


def test_a_formula_saved_without_its_value_is_a_located_problem(excel_dataset):
    folder = excel_dataset("clean")
    _edit_workbook(folder, "risk_updates", "C2", "=1+2")  # openpyxl saves no value
    problems = [p for p in read_raw(folder).problems if p.sheet == "risk_updates"]
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "C", "=1+2")
    assert "formula saved without its value" in problem.rule
