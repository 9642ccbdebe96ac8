"""A dataset's own words for value states, and values with a note after the number."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from synthetic import TABLES, write_synthetic
from test_tables import parse, replace_cells, rows_by_first

from analysis.dataset.read import load_dataset, validate_dataset
from analysis.dataset.validate import Problem, format_problems
from analysis.dataset.values import dataset_value_states, parse_value, value_note
from analysis.engine.summary import rated_measures
from analysis.quarters import parse_quarter
from analysis.report.tables import exceptions_table, theme_table, value_state_table
from analysis.schema import VALUE_STATES

Q2 = parse_quarter("2021-22-Q2")
OWN_WORDS = "value_states:\n  No survey in 2020-21: not_measured\n  awaiting data: due_later\n"


def add_setting(folder: Path, text: str) -> Path:
    """Append settings to the folder's dataset.yml."""
    path = folder / "dataset.yml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return folder


def set_cells(folder: Path, cells: dict[tuple[int, str], str]) -> Path:
    """Set cells of measure_values.csv, by the row Excel shows (header = 1) and column."""
    path = folder / "measure_values.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp1252")
    for (row, column), value in cells.items():
        frame.loc[row - 2, column] = value
    frame.to_csv(path, index=False, encoding="utf-8")
    return folder


def config_problems(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.file == "dataset.yml"]


# --------------------------------------------------------------------------- own words


def test_own_words_are_accepted_and_mean_their_state(dataset_copy):
    folder = set_cells(
        add_setting(dataset_copy("clean"), OWN_WORDS),
        {(7, "actual"): "no SURVEY  in 2020-21", (8, "forecast"): " Awaiting data "},
    )
    assert validate_dataset(folder) == []
    values = load_dataset(folder)["measure_values"].set_index(["measure_id", "quarter"])
    assert values.at[("M3", Q2.slug), "actual_state"] == "not_measured"
    assert math.isnan(values.at[("M3", Q2.slug), "actual"])
    assert values.at[("M4", "2021-22-Q1"), "forecast_state"] == "due_later"


def test_own_words_work_in_a_workbook_too(dataset_copy, excel_dataset):
    folder = set_cells(
        add_setting(dataset_copy("clean"), OWN_WORDS), {(7, "actual"): "awaiting data"}
    )
    workbook = excel_dataset(folder)
    assert validate_dataset(workbook) == []
    assert load_dataset(workbook)["measure_values"]["actual_state"].iloc[5] == "due_later"


def test_own_words_belong_to_their_dataset_only(dataset_copy):
    folder = set_cells(dataset_copy("clean"), {(7, "actual"): "No survey in 2020-21"})
    (problem,) = validate_dataset(folder)
    assert (problem.file, problem.row, problem.column) == ("measure_values.csv", 7, "actual")
    assert problem.rule.startswith("must be a number")


def test_a_misspelt_cell_is_offered_the_datasets_own_word(dataset_copy):
    folder = set_cells(
        add_setting(dataset_copy("clean"), OWN_WORDS), {(7, "actual"): "awaitng data"}
    )
    (problem,) = validate_dataset(folder)
    assert "(did you mean 'awaiting data'?)" in problem.rule


def test_own_words_are_listed_in_the_methodology_table(dataset_copy):
    words = OWN_WORDS + "  <b>Pending</b> *soon*: due_later\n"
    data = load_dataset(add_setting(dataset_copy("clean"), words))
    table = value_state_table(data)
    rows = rows_by_first(parse(table))
    assert rows["Not measured this year"][-1] == "No survey in 2020-21"
    assert rows["Data due later"][-1] == "awaiting data; <b>Pending</b> *soon*"
    assert "&lt;b&gt;Pending&lt;/b&gt; *soon*" in table.as_raw_html()
    assert "Written in this dataset" not in value_state_table().as_raw_html()


# --------------------------------------------------------------------------- bad settings

BAD_SETTINGS = [
    # (value_states, the word at fault, parts of the rule)
    ("  awaiting data: later\n", "awaiting data", ["'later' is not a value state", *VALUE_STATES]),
    ("  TBC: baseline\n", "TBC", ["already means the state no_target", "baseline"]),
    ("  due: not_available\n", "due", ["already means the state due_later", "not_available"]),
    ("  '68%': no_target\n", "68%", ["reads as a number"]),
    ("  survey: [not_measured]\n", "survey", ["is not a value state", "not_measured"]),
]


@pytest.mark.parametrize(("entry", "word", "rule"), BAD_SETTINGS)
def test_a_bad_word_is_a_problem_of_dataset_yml(dataset_copy, entry, word, rule):
    folder = add_setting(dataset_copy("clean"), "value_states:\n" + entry)
    (problem,) = config_problems(validate_dataset(folder))
    assert (problem.column, problem.value) == ("value_states", word)
    for part in rule:
        assert part in problem.rule, problem.rule
    assert str(problem).startswith(f'dataset.yml, column "value_states", value "{word}"')


@pytest.mark.parametrize("setting", ["not_measured", "[a, b]", "'No survey: not_measured'"])
def test_value_states_must_be_a_mapping(dataset_copy, setting):
    folder = add_setting(dataset_copy("clean"), f"value_states: {setting}\n")
    (problem,) = config_problems(validate_dataset(folder))
    assert problem.column == "value_states"
    assert "must be a mapping" in problem.rule and "not_measured, in_arrears" in problem.rule


@pytest.mark.parametrize("setting", ["value_states:\n", "value_states:\n  TBC: no_target\n"])
def test_an_empty_setting_and_a_redundant_word_are_fine(dataset_copy, setting):
    assert validate_dataset(add_setting(dataset_copy("clean"), setting)) == []


def test_a_good_word_still_works_beside_a_bad_one(dataset_copy):
    setting = "value_states:\n  awaiting data: due_later\n  no survey: unmeasured\n"
    folder = set_cells(
        add_setting(dataset_copy("clean"), setting), {(7, "actual"): "awaiting data"}
    )
    problems = validate_dataset(folder)
    assert [p.value for p in problems] == ["no survey"], format_problems(problems)


def test_value_states_is_an_allowed_setting(dataset_copy):
    folder = add_setting(dataset_copy("clean"), "value_stats:\n  x: due_later\n")
    (problem,) = config_problems(validate_dataset(folder))
    assert "unknown setting(s) value_stats" in problem.rule and "value_states" in problem.rule


def test_parse_value_without_own_words_is_unchanged():
    words, problems = dataset_value_states({"No survey in 2020-21": "not_measured"})
    assert problems == []
    assert parse_value("No survey in 2020-21", words)[1] == "not_measured"
    with pytest.raises(ValueError, match="neither a number nor a known state"):
        parse_value("No survey in 2020-21")
    assert parse_value("68%", words) == (68.0, "value")
    assert parse_value("tbc", words)[1] == "no_target"


# --------------------------------------------------------------------------- notes

NOTED = [
    ("£1,490,000 (Q3 data)", 1490000.0, "Q3 data"),
    ("68% (provisional)", 68.0, "provisional"),
    ("68%(provisional)", 68.0, "provisional"),
    ("12.5 ( see  note 3 )", 12.5, "see note 3"),
    ("4 (of 5 (estimated))", 4.0, "of 5 (estimated)"),
]


@pytest.mark.parametrize(("cell", "number", "note"), NOTED)
def test_a_number_with_a_note_is_read_as_the_number(cell, number, note):
    assert parse_value(cell) == (number, "value")
    assert value_note(cell) == note


@pytest.mark.parametrize("cell", ["(provisional)", "68% ()", "68% (provisional) more", "lots (x)"])
def test_a_note_needs_a_number_before_it(cell):
    with pytest.raises(ValueError):
        parse_value(cell)
    assert value_note(cell) == ""


def test_a_state_word_is_not_a_note():
    assert value_note("Due in Q3") == "" and value_note("") == "" and value_note(68.0) == ""


def noted_dataset(tmp_path: Path, m1: str = "110% (provisional)", m2: str = "105 (Q3 data)"):
    values = replace_cells(
        TABLES["measure_values"],
        {
            ("M1", Q2.slug): {"actual": m1},
            ("M2", Q2.slug): {"actual": m2, "forecast": "120 (estimate)"},
        },
    )
    return load_dataset(write_synthetic(tmp_path / "d", measure_values=values))


def test_a_value_with_a_note_is_rated_on_its_number(tmp_path, dataset):
    data = noted_dataset(tmp_path)
    assert validate_dataset(data.path) == []
    rated = rated_measures(data, Q2).set_index("measure_id")
    plain = rated_measures(dataset, Q2).set_index("measure_id")
    for column in ("actual", "quarterly_status", "quarterly_d", "year_end_status"):
        assert rated[column].equals(plain[column]), column
    values = data["measure_values"].set_index(["measure_id", "quarter"])
    assert values.at[("M1", Q2.slug), "actual_note"] == "provisional"
    assert values.at[("M1", "2021-22-Q1"), "actual_note"] == ""
    assert values.at[("M2", Q2.slug), "forecast_note"] == "estimate"
    assert "quarterly_target_note" not in values.columns  # no note in that column


def test_a_value_is_shown_with_its_note(tmp_path):
    data = noted_dataset(tmp_path)
    rows = rows_by_first(parse(theme_table(data, Q2, "a")))
    assert rows["Measure one (M1)"][1].startswith("★ Blue Actual: 110% (provisional) Quarterly")
    assert "Actual: 105 (Q3 data) Quarterly target: 100" in rows["Measure two (M2)"][1]
    exceptions = rows_by_first(parse(exceptions_table(data, Q2)))
    assert exceptions["Measure two (M2)"][2:6] == ["100", "105 (Q3 data)", "100", "120 (estimate)"]


@pytest.mark.parametrize(
    "note",
    ["<script>alert(1)</script>", "*markdown* **bold** `code`", '<img src=x onerror="alert(1)">'],
)
def test_a_note_is_text_never_markup(tmp_path, note):
    data = noted_dataset(tmp_path, m2=f"105 ({note})")
    for table in (theme_table(data, Q2, "a"), exceptions_table(data, Q2)):
        parsed = parse(table)
        assert not any(tag in ("script", "img", "em", "strong", "code") for tag, _ in parsed.tags)
        assert any(f"105 ({note})" in cell for row in parsed.body for cell in row)
        body = table.as_raw_html().split("<tbody", 1)[1]
        assert "<script" not in body and "<img" not in body
