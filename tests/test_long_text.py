"""A pasted document in a commentary cell: the report shows a bounded part of it, says
so, and keeps the whole text in an extract."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from analysis.config.presentation import load_presentation
from analysis.dataset.read import load_dataset
from analysis.errors import ConfigError
from analysis.quarters import parse_quarter
from analysis.report.extracts import extract_columns, extracts, full_text_extract
from analysis.report.narrative import long_text_limit
from analysis.report.tables import exceptions_table, theme_table

DATASET = Path(__file__).resolve().parent / "fixtures" / "pipeline" / "dataset"
Q2 = parse_quarter("2021-22-Q2")
MEGABYTE = 1 << 20


@pytest.fixture(scope="module")
def long_dataset(tmp_path_factory):
    """The pipeline fixture with a 1 MB commentary on action A1 in Q2."""
    folder = shutil.copytree(DATASET, tmp_path_factory.mktemp("long") / "dataset")
    path = folder / "action_updates.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    words = ("The programme continues <b>as planned</b> with partners. " * 20000)[:MEGABYTE]
    for row in rows:
        if row[:2] == ["A1", "2021-22-Q2"]:
            row[3] = words
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return load_dataset(folder)


def test_a_cell_shows_a_bounded_part_and_says_where_the_rest_is(long_dataset):
    limit = long_text_limit(long_dataset.presentation)
    markup = theme_table(long_dataset, Q2, "a").as_raw_html()
    assert "as planned" in markup
    assert markup.count("The programme continues") <= limit // 50
    assert "of 1,048,576 characters are shown" in markup
    assert "data/full-text.csv" in markup
    assert len(markup) < 200_000


def test_the_full_text_is_in_its_own_extract(long_dataset):
    found = extracts(long_dataset, Q2)
    assert list(found) == ["statuses.csv", "headlines.csv", "trend.csv", "full-text.csv"]
    row = found["full-text.csv"].iloc[0]
    assert (row["id"], row["kind"], row["quarter"], row["column"]) == (
        "A1",
        "action",
        "2021-22-Q2",
        "commentary",
    )
    assert row["characters"] == MEGABYTE == len(row["text"])
    assert 0 < row["shown"] <= long_text_limit(long_dataset.presentation)
    assert (
        list(found["full-text.csv"].columns) == extract_columns("full-text.csv")["column"].tolist()
    )


def test_without_long_text_there_is_no_full_text_extract():
    data = load_dataset(DATASET)
    assert full_text_extract(data, Q2).empty
    assert "full-text.csv" not in extracts(data, Q2)
    assert "Cut here" not in exceptions_table(data, Q2).as_raw_html()


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ({"limit": 10, "note": "[cut]"}, "at least 100"),
        ({"limit": "many", "note": "[cut]"}, "number of characters"),
        ({"limit": 500, "note": "[cut at {where}]"}, "only {shown} and {total}"),
        ({"limit": 500, "note": "[cut]", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_long_text_setting_is_named(setting, words):
    presentation = load_presentation({"preset": "standard", "tables": {"long_text": setting}})
    with pytest.raises(ConfigError, match="long_text") as error:
        long_text_limit(presentation)
    assert words in str(error.value)
