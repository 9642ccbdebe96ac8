"""Validation: every problem found at once, located as the analyst sees it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_cli import PLANTED, PLANTED_COUNT, QUARTER_NOT_HELD

from analysis.config.scales import load_scales
from analysis.dataset.read import validate_dataset
from analysis.dataset.validate import Problem, format_problems, table_schema
from analysis.errors import DataError, QuarterError
from analysis.schema import TABLES
from conftest import DATASETS


def edit(folder: Path, table: str, row: int, column: str, value: str) -> Path:
    """Set one cell of a CSV table, by the row number Excel shows (header = 1)."""
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp1252")
    frame.loc[row - 2, column] = value
    frame.to_csv(path, index=False, encoding="utf-8")
    return folder


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, format_problems(problems)
    return problems[0]


# --------------------------------------------------------------------------- the fixtures


def test_clean_fixture_has_no_problems():
    assert validate_dataset(DATASETS / "clean", quarter="2021/22 Q1") == []


def test_clean_excel_fixture_has_no_problems(excel_dataset):
    assert validate_dataset(excel_dataset("clean")) == []


@pytest.mark.parametrize("excel", [False, True], ids=["csv", "excel"])
def test_broken_fixture_reports_exactly_the_planted_problems(excel_dataset, excel):
    folder = excel_dataset("broken") if excel else DATASETS / "broken"
    problems = validate_dataset(folder, quarter=QUARTER_NOT_HELD)
    assert len(problems) == PLANTED_COUNT, format_problems(problems)
    found = {(p.sheet or p.file, p.row, p.column, p.value): p.rule for p in problems}
    for file, row, column, value, rule in PLANTED:
        name = file.removesuffix(".csv") if excel and file.endswith(".csv") else file
        assert rule in found[(name, row, column, value)]
    if excel:
        assert {p.file for p in problems} == {"dataset.yml", "dataset.xlsx", ""}


# --------------------------------------------------------------------------- row numbers


def test_first_data_row_is_row_2(dataset_copy):
    folder = edit(dataset_copy("clean"), "measures", 2, "polarity", "up")
    problem = only(validate_dataset(folder))
    assert (problem.file, problem.sheet, problem.row) == ("measures.csv", None, 2)


def test_blank_lines_keep_their_row_numbers(dataset_copy):
    folder = dataset_copy("clean")
    path = folder / "themes.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "", ",,,", lines[1], lines[2].replace("2,", "x,")]))
    problem = only(validate_dataset(folder))
    assert (problem.row, problem.column, problem.value) == (5, "position", "x")


def test_excel_rows_are_numbered_as_excel_shows_them(excel_dataset, dataset_copy):
    folder = excel_dataset(edit(dataset_copy("clean"), "risks", 3, "risk_type", "threet"))
    problem = only(validate_dataset(folder))
    assert (problem.file, problem.sheet, problem.row) == ("dataset.xlsx", "risks", 3)
    assert problem.rule.endswith("(did you mean 'threat'?)")


# --------------------------------------------------------------------------- single cells

CELL_PROBLEMS = [
    # (table, row, column, value written, part of the rule)
    ("themes", 2, "position", "", "a value is required"),
    ("themes", 2, "position", "1.0", "whole number"),
    ("themes", 2, "name", "  ", "a value is required"),
    ("measures", 3, "unit", "percentage", "(did you mean 'percent'?)"),
    ("measures", 3, "frequency", "monthly", "one of quarterly, annual, quarterly_in_arrears"),
    ("measures", 2, "outcome_id", "place-grow", "does not match any outcome_id in outcomes.csv"),
    ("measure_values", 2, "actual", "12 apples", "must be a number"),
    ("measure_values", 2, "quarterly_target", "basline", "(did you mean 'baseline'?)"),
    ("measure_values", 2, "quarter", "2021/23 Q1", "must be a quarter"),
    ("measure_values", 2, "quarter", "2021-22 Q5", "must be a quarter"),
    ("actions", 2, "expected_completion", "2022-02-30", "a date written YYYY-MM-DD"),
    ("actions", 2, "expected_completion", "2022-3-31", "a date written YYYY-MM-DD"),
    ("action_updates", 2, "status", "Some slipage", "(did you mean 'Some slippage'?)"),
    ("action_updates", 2, "action_id", "A7", "does not match any action_id in actions.csv"),
    ("project_updates", 2, "dca", "Amber/Grean", "(did you mean 'Amber/Green'?)"),
    ("risk_updates", 2, "impact", "0", "from 1 to 4"),
    ("risk_updates", 2, "likelihood", "5", "from 1 to 4"),
    ("risk_updates", 2, "movement", "escalate", "(did you mean 'escalated'?)"),
    ("amendments", 2, "item_kind", "measures", "(did you mean 'measure'?)"),
    ("amendments", 2, "change", "remove", "one of delete, split, add, amend"),
    ("action_updates", 2, "quarter", "2098-99 Q1", "starts on 1 April 2098, after today"),
    ("actions", 2, "title", "Plan \u202eevil", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("measures", 3, "title", "Nul\x00here", "U+0000"),
]


@pytest.mark.parametrize(("table", "row", "column", "value", "rule"), CELL_PROBLEMS)
def test_a_bad_cell_is_one_located_problem(dataset_copy, table, row, column, value, rule):
    problem = only(validate_dataset(edit(dataset_copy("clean"), table, row, column, value)))
    assert (problem.file, problem.row, problem.column) == (f"{table}.csv", row, column)
    assert (problem.value, rule in problem.rule) == (value, True)


def test_only_an_added_item_may_be_unknown(dataset_copy):
    folder = edit(dataset_copy("clean"), "amendments", 3, "change", "split")
    problem = only(validate_dataset(folder))
    assert (problem.row, problem.column, problem.value) == (3, "item_id", "A3")
    assert problem.rule.startswith("does not match any action_id in actions.csv")


ACCEPTED_CELLS = [
    # legitimate values, including every non-numeric state, at the edges of each rule
    ("risk_updates", 2, "impact", "1"),
    ("risk_updates", 2, "likelihood", "4"),
    ("risk_updates", 2, "impact", " 4 "),
    ("measure_values", 2, "actual", "Due in Q2"),
    ("measure_values", 2, "actual", "on hold"),
    ("measure_values", 2, "quarterly_target", "Not set"),
    ("measure_values", 2, "quarterly_target", "-2.5"),
    ("measure_values", 2, "forecast", "Reported a quarter in arrears"),
    ("measure_values", 2, "annual_target", "£0"),
    ("measure_values", 2, "quarter", "2021-2022 Q1"),
    ("measures", 2, "polarity", "HIGHER"),
    ("action_updates", 2, "status", "complete"),
    ("project_updates", 2, "rag", "closed"),
    ("actions", 2, "expected_completion", "2024-02-29"),
    ("risk_updates", 2, "movement", ""),
    ("amendments", 3, "item_id", "Z99"),  # a new item may be added
]


@pytest.mark.parametrize(("table", "row", "column", "value"), ACCEPTED_CELLS)
def test_legitimate_values_are_not_problems(dataset_copy, table, row, column, value):
    assert validate_dataset(edit(dataset_copy("clean"), table, row, column, value)) == []


def test_duplicate_keys_match_across_quarter_spellings(dataset_copy):
    folder = edit(dataset_copy("clean"), "action_updates", 3, "quarter", "2021/22 Q1")
    problems = validate_dataset(folder)
    assert [(p.row, p.value) for p in problems] == [(2, "A1, 2021-22-Q1"), (3, "A1, 2021-22-Q1")]
    assert problems[0].rule.startswith("duplicate action_id and quarter: also on row 3")


# --------------------------------------------------------------------------- files


def test_missing_required_table(dataset_copy):
    folder = dataset_copy("clean")
    (folder / "projects.csv").unlink()
    problems = validate_dataset(folder)
    assert problems[0] == Problem(file="projects.csv", rule=problems[0].rule)
    assert problems[0].rule.startswith("the file is missing: add projects.csv")
    # the updates still name projects, which now cannot be checked: no cascade of errors
    assert len(problems) == 1


def test_missing_optional_table_is_fine(dataset_copy):
    folder = dataset_copy("clean")
    (folder / "amendments.csv").unlink()
    assert validate_dataset(folder) == []


def test_missing_sheet_of_a_workbook(excel_dataset, dataset_copy):
    folder = dataset_copy("clean")
    (folder / "risks.csv").unlink()
    problems = validate_dataset(excel_dataset(folder))
    assert [(p.file, p.sheet) for p in problems] == [("dataset.xlsx", "risks")]
    assert "add a sheet called risks" in problems[0].rule


@pytest.mark.parametrize(
    ("table", "text", "rule"),
    [
        ("themes", "", "is empty: it needs a header row"),
        ("themes", "\n\n", "is empty: it needs a header row"),
        ("themes", "theme_id,name,position,description\n", "has a header but no rows"),
    ],
)
def test_empty_files(dataset_copy, table, text, rule):
    folder = dataset_copy("clean")
    (folder / f"{table}.csv").write_text(text)
    problems = [p for p in validate_dataset(folder) if p.file == f"{table}.csv"]
    assert len(problems) == 1 and rule in problems[0].rule


def test_an_optional_table_may_have_no_rows(dataset_copy):
    folder = dataset_copy("clean")
    (folder / "amendments.csv").write_text(
        "amendment_id,quarter,item_id,item_kind,change,description,provenance\n"
    )
    assert validate_dataset(folder) == []


def test_csv_and_excel_together_is_a_problem(dataset_copy, excel_dataset):
    folder = dataset_copy("clean")
    workbook = excel_dataset("clean") / "dataset.xlsx"
    (folder / "dataset.xlsx").write_bytes(workbook.read_bytes())
    problem = only(validate_dataset(folder))
    assert problem.file == "dataset.xlsx"
    assert "both dataset.xlsx and CSV files" in problem.rule


def test_unreadable_encoding_is_a_problem(dataset_copy):
    folder = dataset_copy("clean")
    (folder / "themes.csv").write_bytes(b"theme_id,name,position\nplace,Our \x81 place,1\n")
    problems = validate_dataset(folder)
    assert any(
        p.file == "themes.csv" and "neither UTF-8 nor Windows-1252" in p.rule for p in problems
    )
    assert not any("the file is missing" in p.rule for p in problems)


def test_a_row_with_too_many_cells_is_located(dataset_copy):
    folder = dataset_copy("clean")
    path = folder / "themes.csv"
    path.write_text(path.read_text() + "extra,Extra,3,,surplus\n")
    problem = only([p for p in validate_dataset(folder) if p.file == "themes.csv"])
    assert problem.row == 4 and "more cells than the header" in problem.rule


def test_not_a_folder_raises():
    with pytest.raises(DataError, match="There is no dataset folder"):
        validate_dataset(DATASETS / "no-such-dataset")


# --------------------------------------------------------------------------- dataset.yml

CONFIG_PROBLEMS = [
    # (dataset.yml text, column, value, part of the rule)
    (None, None, None, "the file is missing"),
    ("organisation: [unclosed", None, None, "not valid YAML"),
    ("- a list", None, None, "expected a mapping"),
    (
        "organisation: X\nplan: Y\nframework: derby-city-2021-22\n",
        "scales",
        "",
        "no scales are named, but the dataset holds actions (actions.csv), projects",
    ),
    (
        "organisation: X\nplan: Y\nframework: derby-city-2021-22\nscales: derby-city\nyear: 1\n",
        None,
        None,
        "unknown setting(s) year",
    ),
    (
        "organisation: X\nplan: Y\nframework: derby-city\nscales: derby-city\n",
        "framework",
        "derby-city",
        "No framework called 'derby-city'",
    ),
    (
        "organisation: X\nplan: Y\nframework: derby-city-2021-22\nscales: leeds\n",
        "scales",
        "leeds",
        "No scale called 'leeds'",
    ),
    (
        "organisation: ''\nplan: Y\nframework: derby-city-2021-22\nscales: derby-city\n",
        "organisation",
        "",
        "must not be empty",
    ),
]


@pytest.mark.parametrize(("text", "column", "value", "rule"), CONFIG_PROBLEMS)
def test_dataset_yml_problems(dataset_copy, text, column, value, rule):
    folder = dataset_copy("clean")
    if text is None:
        (folder / "dataset.yml").unlink()
    else:
        (folder / "dataset.yml").write_text(text)
    problems = validate_dataset(folder)
    config = [p for p in problems if p.file == "dataset.yml"]
    assert len(config) == 1, format_problems(problems)
    assert (config[0].column, config[0].value) == (column, value)
    assert rule in config[0].rule


def test_scales_given_by_path_relative_to_the_dataset(dataset_copy):
    folder = dataset_copy("clean")
    scales = load_scales("derby-city").source
    (folder / "my-scales.yml").write_text(scales.read_text(encoding="utf-8"), encoding="utf-8")
    text = (
        (folder / "dataset.yml").read_text().replace("scales: derby-city", "scales: my-scales.yml")
    )
    (folder / "dataset.yml").write_text(text)
    assert validate_dataset(folder) == []


def test_without_scales_the_other_checks_still_run(dataset_copy):
    folder = dataset_copy("clean")
    text = (folder / "dataset.yml").read_text().replace("scales: derby-city", "scales: nope")
    (folder / "dataset.yml").write_text(text)
    edit(folder, "measures", 2, "polarity", "up")
    assert [p.column for p in validate_dataset(folder)] == ["scales", "polarity"]


# --------------------------------------------------------------------------- quarters


@pytest.mark.parametrize("quarter", ["2021/22 Q1", "Q2 2021/22", "2021-22-Q2"])
def test_a_quarter_the_data_holds(quarter):
    assert validate_dataset(DATASETS / "clean", quarter=quarter) == []


def test_a_quarter_the_data_does_not_hold_lists_the_quarters_it_does():
    problem = only(validate_dataset(DATASETS / "clean", quarter="2020/21 Q4"))
    assert (problem.file, problem.column, problem.value) == ("", "quarter", "2020-21-Q4")
    assert problem.rule.endswith("it holds 2021-22-Q1, 2021-22-Q2")


def test_a_quarter_that_is_not_a_quarter_raises():
    with pytest.raises(QuarterError):
        validate_dataset(DATASETS / "clean", quarter="September")


# --------------------------------------------------------------------------- schemas


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_pandera_schemas_are_built_from_the_dataset_schema(table):
    schema = table_schema(table, load_scales("derby-city"))
    assert list(schema.columns) == list(table.column_names)
    required = {c.name for c in table.columns if c.required}
    assert {n for n, c in schema.columns.items() if "required" in [k.name for k in c.checks]} == (
        required
    )


def test_scale_columns_are_only_checked_with_scales():
    from analysis.schema import table

    names = [c.name for c in table_schema(table("action_updates")).columns["status"].checks]
    assert names == ["hidden", "required"]


# --------------------------------------------------------------------------- the report


def test_format_problems_groups_by_file_with_a_count():
    problems = [
        Problem(file="risks.csv", row=3, column="risk_type", value="x", rule="bad type"),
        Problem(file="dataset.xlsx", sheet="themes", row=2, column="name", value="", rule="empty"),
        Problem(file="risks.csv", row=2, column="title", value="", rule="empty"),
    ]
    text = format_problems(problems, "data/x")
    assert text.splitlines() == [
        "3 problems found in data/x:",
        "",
        "dataset.xlsx, sheet themes",
        '  row 2, column "name", value "": empty',
        "",
        "risks.csv",
        '  row 2, column "title", value "": empty',
        '  row 3, column "risk_type", value "x": bad type',
    ]


def test_format_problems_singular_and_empty():
    assert format_problems([]) == "No problems found."
    assert format_problems([Problem(file="a.csv", rule="r")]).startswith("1 problem found:")


def test_thousands_of_duplicates_give_a_short_report(dataset_copy):
    folder = dataset_copy("clean")
    path = folder / "themes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], *[lines[1]] * 3000]) + "\n", encoding="utf-8")
    problems = validate_dataset(folder)
    duplicates = [p for p in problems if p.file == "themes.csv" and "duplicate" in p.rule]
    assert len(duplicates) == 3000
    assert max(len(p.rule) for p in duplicates) < 200
    report = format_problems(problems)
    assert len(report) < 20_000
    assert "... and 2,995 more in column" in report


def test_an_icon_meaning_two_things_in_one_report_is_a_problem(dataset_copy):
    folder = dataset_copy("clean")
    config = (folder / "dataset.yml").read_text(encoding="utf-8")
    # Derbyshire's bands beside Derby City's action scale: Strong and Completed share ✔,
    # and the kind Action is named like the band Action
    (folder / "dataset.yml").write_text(
        config.replace("derby-city-2021-22", "derbyshire-2021-25"), encoding="utf-8"
    )
    rules = [p.rule for p in validate_dataset(folder) if p.column == "presentation"]
    assert any(r.startswith("the icon ✔ stands for both Strong") for r in rules), rules
    assert any(r.startswith("the kind Action has the name of Action") for r in rules), rules
