"""The CSV extracts: safe to open in a spreadsheet, numbers kept as numbers."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from analysis.report.extracts import spreadsheet_safe, write_extract

# Cells a spreadsheet would run as formulas (OWASP's CSV injection examples), and cells
# that only look alarming.
FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "=1+1",
    "+SUM(A1:A9)",
    "-2+3",
    "@SUM(A1)",
    "\t=cmd",
    "\r=cmd",
    "=cmd|' /C calc'!A0",
]
HARMLESS = ["Plan", "-2.5", "1e5", "", "a=b", "Q2 −3%"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_is_written_as_text(text):
    assert spreadsheet_safe(pd.DataFrame({"title": [text]}))["title"].iloc[0] == f"'{text}"


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_unchanged(text):
    assert spreadsheet_safe(pd.DataFrame({"title": [text]}))["title"].iloc[0] == text


def test_the_file_keeps_rows_aligned_and_numbers_as_numbers(tmp_path):
    frame = pd.DataFrame(
        {
            "id": ["=A1", "PL-M01"],
            "title": ["one\rtwo", 'say "hi"'],
            "value": [-2.5, None],
            "count": pd.array([3, None], dtype="Int64"),
        }
    )
    path = write_extract(frame, tmp_path / "x.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["id", "title", "value", "count"],
        ["'=A1", "one\rtwo", "-2.5", "3"],
        ["PL-M01", 'say "hi"', "", ""],
    ]
    text = path.read_text(encoding="utf-8")
    assert '"\'=A1"' in text and ",-2.5," in text
    assert pd.read_csv(path)["value"].iloc[0] == -2.5


def test_the_frame_given_is_not_changed():
    frame = pd.DataFrame({"title": ["=1"]})
    spreadsheet_safe(frame)
    assert frame["title"].iloc[0] == "=1"
