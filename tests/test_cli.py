"""The command line, run as analysts run it: ``python -m analysis validate``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import COMMANDS, build_parser, main
from analysis.dataset.read import BUNDLED_DATASET
from conftest import DATASETS

ROOT = Path(__file__).resolve().parents[1]
QUARTER_NOT_HELD = "2021-22-Q3"

# Every problem planted in tests/fixtures/datasets/broken (run with --quarter 2021-22-Q3):
# (file, row, column, value, part of the rule). Rows are as Excel shows them: header = 1.
PLANTED: list[tuple[str, int | None, str | None, str | None, str]] = [
    ("dataset.yml", None, None, None, "unknown setting(s) colour"),
    ("themes.csv", 3, "position", "2.5", "must be a whole number"),
    ("outcomes.csv", 3, "theme_id", "peeple", "does not match any theme_id in "),
    ("outcomes.csv", 3, "theme_id", "peeple", "(did you mean 'people'?)"),
    ("measures.csv", 2, "measure_id", "M1", "duplicate measure_id: also on row 6"),
    ("measures.csv", 6, "measure_id", "M1", "duplicate measure_id: also on row 2"),
    (
        "measures.csv",
        2,
        "polarity",
        "hgher",
        "one of higher, lower, neither (did you mean 'higher'?)",
    ),
    ("measures.csv", 3, "unit", "pounds", "must be one of percent, number, gbp"),
    ("measure_values.csv", 3, "actual", "lots", "must be a number (e.g. 68, 68%, £1,200) or a"),
    ("measure_values.csv", 5, "quarter", "Sept 2021", "must be a quarter written as one of"),
    ("measure_values.csv", 6, "measure_id", "M9", "does not match any measure_id in "),
    ("measure_values.csv", 7, "provenance", "guessed", "must be one of published, derived"),
    ("actions.csv", 2, "expected_completion", "31/03/2022", "a date written YYYY-MM-DD"),
    ("actions.csv", 3, "title", "", "a value is required"),
    ("action_updates.csv", 3, "status", "On trak", "(did you mean 'On track'?)"),
    ("projects.csv", 1, "directorate", None, "the column is missing"),
    ("projects.csv", 1, "owner", None, "unexpected column"),
    ("project_updates.csv", 2, "rag", "", "a value is required"),
    ("risks.csv", 2, "risk_type", "threats", "one of threat, opportunity (did you mean 'threat'?)"),
    ("risk_updates.csv", 3, "impact", "5", "must be a whole number from 1 to 4"),
    ("risk_updates.csv", 4, "likelihood", "two", "must be a whole number"),
    ("risk_updates.csv", 5, "risk_id, quarter", "R2, 2021-22-Q2", "duplicate risk_id and quarter"),
    ("risk_updates.csv", 6, "risk_id, quarter", "R2, 2021-22-Q2", "also on row 5"),
    ("amendments.csv", 2, "item_id", "M7", "only an amendment whose change is 'add'"),
    ("measure.csv", None, None, None, "is not a table of the dataset (did you mean measures"),
    ("", None, "quarter", QUARTER_NOT_HELD, "it holds 2021-22-Q1, 2021-22-Q2"),
]
# Distinct problems: two entries above check two parts of the same rule.
PLANTED_COUNT = len({entry[:4] for entry in PLANTED})


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m analysis ARGS`` from a folder other than the repository."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        cwd=ROOT / "tests",
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
        check=False,
    )


def report_lines(stdout: str) -> dict[str, list[str]]:
    """The report's lines under each heading (file, sheet, or the dataset as a whole)."""
    groups: dict[str, list[str]] = {}
    heading = None
    for line in stdout.splitlines()[1:]:
        if line and not line.startswith(" "):
            heading = line
            groups.setdefault(heading, [])
        elif line.strip():
            assert heading is not None, line
            groups[heading].append(line.strip())
    return groups


def heading_for(file: str, excel: bool) -> str:
    if not file:
        return "the dataset as a whole"
    if excel and file.endswith(".csv"):
        return f"dataset.xlsx, sheet {file.removesuffix('.csv')}"
    return file


def expected_prefix(row: int | None, column: str | None, value: str | None) -> str:
    parts = []
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f'column "{column}"')
    if value is not None:
        parts.append(f'value "{value}"')
    return ", ".join(parts) + ":" if parts else ""


@pytest.fixture(scope="module")
def broken_csv() -> subprocess.CompletedProcess[str]:
    return run("validate", str(DATASETS / "broken"), "--quarter", QUARTER_NOT_HELD)


@pytest.fixture
def broken_excel(excel_dataset) -> subprocess.CompletedProcess[str]:
    return run("validate", str(excel_dataset("broken")), "--quarter", QUARTER_NOT_HELD)


@pytest.mark.parametrize("planted", PLANTED, ids=lambda p: f"{p[0]}:{p[1]}:{p[2]}")
def test_every_planted_problem_is_reported_from_csv(broken_csv, planted):
    file, row, column, value, rule = planted
    lines = report_lines(broken_csv.stdout).get(heading_for(file, excel=False), [])
    prefix = expected_prefix(row, column, value)
    assert any(line.startswith(prefix) and rule in line for line in lines), (prefix, lines)


def test_broken_csv_exits_1_and_counts_every_problem(broken_csv):
    assert broken_csv.returncode == 1
    assert broken_csv.stdout.startswith(f"{PLANTED_COUNT} problems found in ")
    assert "Traceback" not in broken_csv.stdout + broken_csv.stderr


def test_every_planted_problem_is_reported_from_excel(broken_excel):
    assert broken_excel.returncode == 1
    groups = report_lines(broken_excel.stdout)
    for file, row, column, value, rule in PLANTED:
        lines = groups.get(heading_for(file, excel=True), [])
        prefix = expected_prefix(row, column, value)
        assert any(line.startswith(prefix) and rule in line for line in lines), (prefix, lines)
    # the quarter check is made, but the CSV-only fixture file becomes an unknown sheet
    assert broken_excel.stdout.startswith(f"{PLANTED_COUNT} problems found in ")


@pytest.mark.parametrize("excel", [False, True], ids=["csv", "excel"])
def test_clean_dataset_exits_0_with_a_one_line_summary(excel_dataset, excel):
    folder = excel_dataset("clean") if excel else DATASETS / "clean"
    result = run("validate", str(folder), "--quarter", "Q2 2021/22")
    assert result.returncode == 0, result.stdout
    assert len(result.stdout.strip().splitlines()) == 1
    assert "is clean: 12 tables" in result.stdout
    assert "measures 4, measure_values 8" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "no-such-folder"], "There is no dataset folder at no-such-folder"),
        (["validate", str(DATASETS / "clean"), "--quarter", "Sept 2021"], "is not a quarter"),
    ],
)
def test_workbook_errors_exit_2_with_the_message_alone(capsys, args, message):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_validate_defaults_to_the_bundled_dataset():
    args = build_parser().parse_args(["validate"])
    assert args.dataset == BUNDLED_DATASET
    assert args.quarter is None


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "validate" in capsys.readouterr().out


def test_every_listed_command_registers_a_handler():
    parser = build_parser()
    for name in ("validate", "dictionary"):
        assert callable(parser.parse_args([name]).handler)
    assert len(COMMANDS) >= 2


def test_main_in_process_reports_problems(capsys):
    assert main(["validate", str(DATASETS / "broken")]) == 1
    out = capsys.readouterr().out
    assert 'row 2, column "polarity", value "hgher"' in out
