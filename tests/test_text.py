"""Generated sentences and lists, on hand-built figures and the synthetic dataset."""

from __future__ import annotations

import csv
import io
import math
import re

import pandas as pd
import pytest
from synthetic import TABLES, write_synthetic

from analysis.dataset.read import load_dataset
from analysis.quarters import parse_quarter
from analysis.report.text import (
    amendments_text,
    change_phrase,
    completed_text,
    headline_sentences,
    headline_text,
    improvements_text,
    priorities_text,
    quarter_words,
    risk_changes_text,
)

Q1, Q2 = parse_quarter("2021-22-Q1"), parse_quarter("2021-22-Q2")
# What each figure of the synthetic dataset's (Derby City) presentation counts.
COUNTED = {
    "actions_on_track_or_completed": ("action", "completed|on_track"),
    "measures_met_quarterly_target": ("measure", "blue|green"),
    "measures_forecast_to_meet_annual_target": ("measure", "blue|green"),
    "projects_green_or_amber_green": ("project", "green|amber_green"),
    "strategic_risks": ("risk", ""),
    "risks_escalated": ("risk", "escalated"),
    "risks_de_escalated": ("risk", "de-escalated"),
}


def synthetic_with(tmp_path, **overrides):
    return load_dataset(write_synthetic(tmp_path / "d", **overrides))


def replace_cells(table: str, changes: dict[tuple[str, str], dict[str, str]]) -> str:
    rows = list(csv.DictReader(io.StringIO(table)))
    for row in rows:
        row.update(changes.get((row[next(iter(row))], row.get("quarter", "")), {}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


QUARTER_WORD_CASES = [
    ("2021-22 Q1", None, "quarter one"),
    ("2021-22 Q4", "2021-22 Q3", "quarter four"),
    ("2020-21 Q4", "2021-22 Q1", "quarter four 2020/21"),
]


@pytest.mark.parametrize(("quarter", "reference", "expected"), QUARTER_WORD_CASES)
def test_quarter_words(quarter, reference, expected):
    ref = parse_quarter(reference) if reference else None
    assert quarter_words(parse_quarter(quarter), ref) == expected


CHANGE_CASES = [
    (91.0, 87.0, "an improvement on the quarter one position of 87%"),
    (86.0, 87.0, "a decline from the quarter one position of 87%"),
    (87.0, 87.0, "the same as the quarter one position of 87%"),
    (87.0, math.nan, ""),
    (math.nan, 87.0, ""),
    (87.0, None, ""),
]


@pytest.mark.parametrize(("value", "previous", "expected"), CHANGE_CASES)
def test_change_phrase(value, previous, expected):
    assert change_phrase(value, previous, parse_quarter(Q1)) == expected


def figures(**rows) -> pd.DataFrame:
    """A headline-figures frame: figure name -> (numerator, denominator, value, previous,
    left out)."""
    return pd.DataFrame(
        [
            {
                "figure": name,
                "kind": COUNTED[name][0],
                "counted": COUNTED[name][1],
                "numerator": n,
                "denominator": d,
                "value": v,
                "previous_value": p,
                "left_out": left,
            }
            for name, (n, d, v, p, left) in rows.items()
        ]
    )


HEADLINE_CASES = [
    (
        "actions_on_track_or_completed",
        (49, 54, 91.0, 87.0, 0),
        "At the end of September 2021, 91% of priority actions (49 of 54) were assessed as "
        "'completed' or 'on track', an improvement on the quarter one position of 87%.",
    ),
    (
        "actions_on_track_or_completed",
        (47, 54, 87.0, 91.0, 2),
        "At the end of September 2021, 87% of priority actions (47 of 54; 2 priority actions "
        "were not rated) were assessed as 'completed' or 'on track', a decline from the quarter "
        "one "
        "position of 91%.",
    ),
    (
        "measures_met_quarterly_target",
        (18, 23, 78.0, math.nan, 6),
        "78% of measures with a quarterly target were rated 'Blue' or 'Green' (18 of 23; 6 "
        "measures were not rated).",
    ),
    (
        "measures_met_quarterly_target",
        (0, 0, math.nan, 50.0, 1),
        "No measure with a quarterly target could be rated (1 measure was not rated).",
    ),
    (
        "measures_forecast_to_meet_annual_target",
        (16, 17, 94.0, 94.0, 0),
        "94% of measures with an annual target are forecast to be rated 'Blue' or 'Green' "
        "(16 of 17), the same as the quarter one position of 94%.",
    ),
    (
        "projects_green_or_amber_green",
        (18, 24, 75.0, 70.0, 1),
        "75% of priority projects were rated 'Green' or 'Amber/Green' (18 of 24; 1 priority "
        "project was not rated), an improvement on the quarter one position of 70%.",
    ),
]


@pytest.mark.parametrize(("figure", "row", "expected"), HEADLINE_CASES)
def test_headline_sentence(dataset, figure, row, expected):
    assert headline_sentences(figures(**{figure: row}), Q2, dataset) == [expected]


RISK_CASES = [
    (18, 1, 1, "There are 18 strategic risks on the register, with one escalated and one "
     "de-escalated this quarter."),
    (1, 0, 2, "There is 1 strategic risk on the register, with no escalated and two "
     "de-escalated this quarter."),
]  # fmt: skip


@pytest.mark.parametrize(("total", "up", "down", "expected"), RISK_CASES)
def test_risk_headline_sentence(dataset, total, up, down, expected):
    frame = figures(
        strategic_risks=(total, math.nan, total, math.nan, 0),
        risks_escalated=(up, math.nan, up, math.nan, 0),
        risks_de_escalated=(down, math.nan, down, math.nan, 0),
    )
    assert headline_sentences(frame, Q2, dataset) == [expected]


def test_headline_text_on_the_synthetic_dataset(dataset):
    assert headline_text(dataset, Q2).split("\n\n") == [
        "At the end of September 2021, 75% of priority actions (3 of 4; 1 priority action "
        "was not rated) were assessed as 'completed' or 'on track', an improvement on the quarter "
        "one position of 50%.",
        "50% of measures with a quarterly target were rated 'Blue' or 'Green' (1 of 2; 3 "
        "measures were not rated), a decline from the quarter one position of 100%.",
        "67% of measures with an annual target are forecast to be rated 'Blue' or 'Green' "
        "(2 of 3; 2 measures were not rated), a decline from the quarter one position of 100%.",
        "50% of priority projects were rated 'Green' or 'Amber/Green' (1 of 2; 1 priority "
        "project was not rated), a decline from the quarter one position of 100%.",
        "There are 3 strategic risks on the register, with one escalated and one de-escalated "
        "this quarter.",
    ]


def test_first_quarter_has_no_comparison(dataset):
    first = headline_text(dataset, Q1).split("\n\n")[0]
    assert first.endswith("were assessed as 'completed' or 'on track'.")
    assert "position" not in first


# ---------------------------------------------------------------------------------------
# Lists


def test_completed_lists_actions_and_projects_newly_completed(tmp_path):
    updates = replace_cells(TABLES["action_updates"], {("A1", Q2.slug): {"status": "Completed"}})
    data = synthetic_with(tmp_path, action_updates=updates)
    assert completed_text(data, Q2) == (
        "One priority action was assessed as 'completed' during quarter two:\n\n- Action one (A1)"
    )
    assert completed_text(data, Q2, kinds=("action", "project")) == (
        "Two items were assessed as 'completed' during quarter two:\n\n"
        "- Action one (A1)\n- Project three (P3)"
    )
    # A1 is no longer an improvement to report separately
    assert "Action one" not in improvements_text(data, Q2)


def test_completed_when_nothing_was(tmp_path):
    updates = replace_cells(TABLES["project_updates"], {("P3", Q2.slug): {"rag": "Green"}})
    data = synthetic_with(tmp_path, project_updates=updates)
    assert completed_text(data, Q2, kinds=("action", "project")) == (
        "No item was completed during quarter two."
    )


def test_improvements_with_from_and_to(dataset):
    lines = improvements_text(dataset, Q2).split("\n")
    assert lines[0] == "Improvements since the end of June 2021:"
    assert lines[2:] == [
        "1. Action one (A1) has improved from 'some slippage' to 'on track'.",
        "2. The RAG of Project one (P1) has improved from 'amber/green' to 'green'.",
        "3. The quarterly status of Measure one (M1) has improved from 'green' to 'blue'.",
        "4. Action five (A5) has improved from 'major slippage' to 'on track'.",
    ]


def test_priorities_mark_and_explain_declines(tmp_path):
    updates = replace_cells(
        TABLES["action_updates"],
        {
            ("A5", Q2.slug): {"status": "Some slippage"},
            ("A3", Q2.slug): {"status": "Some slippage"},
        },
    )
    data = synthetic_with(tmp_path, action_updates=updates)
    assert priorities_text(data, Q2) == (
        "**Major slippage**\n\n"
        "- Action two (A2)\\* (quarter one: 'on track')\n\n"
        "**Some slippage**\n\n"
        "- Action three (A3)\\* (quarter one: 'completed')\n"
        "- Action five (A5)\n\n"
        "Two priority actions marked \\* have declined since quarter one."
    )


def test_priorities_are_the_statuses_the_scale_flags_as_calling_for_action():
    """The county flags only its worst deliverable rating, Action, as calling for
    action: its priorities are those, as its items requiring action are."""
    from pathlib import Path

    county = load_dataset(Path(__file__).resolve().parent / "fixtures" / "county")
    assert county.scales.actions.needs_action == ("action",)
    text = priorities_text(county, parse_quarter("2025-26 Q2"))
    assert text.startswith("**Action**\n\n") and "**Review**" not in text


def test_priorities_without_declines_have_no_mark(tmp_path):
    updates = replace_cells(TABLES["action_updates"], {("A2", Q2.slug): {"status": "On track"}})
    text = priorities_text(synthetic_with(tmp_path, action_updates=updates), Q2)
    assert "\\*" not in text
    assert text.count("- None this quarter.") == 2


def test_amendments(dataset):
    # the sentence opens the section; the amendments themselves are a table
    assert amendments_text(dataset, Q2) == "One amendment to the plan is proposed for approval."
    assert amendments_text(dataset, Q1) == "No amendment to the plan is proposed this quarter."


def test_risk_register_changes(dataset):
    assert risk_changes_text(dataset, Q2) == (
        "Escalated to the register:\n\n- R2 Risk two\n\n"
        "Score increased:\n\n- R1 Risk one (from 9 to 12)\n\n"
        "De-escalated from the register:\n\n- R4 Risk four"
    )


def test_risks_are_not_new_just_because_there_is_no_previous_quarter(dataset):
    assert risk_changes_text(dataset, Q1) == ("The register did not change this quarter.")


def test_redefined_and_closed_risks(tmp_path):
    updates = replace_cells(
        TABLES["risk_updates"],
        {("R1", Q2.slug): {"movement": "redefined"}, ("R3", Q2.slug): {"movement": "closed"}},
    )
    text = risk_changes_text(synthetic_with(tmp_path, risk_updates=updates), Q2)
    assert "Redefined:\n\n- R1 Risk one" in text
    assert text.endswith("Closed:\n\n- R3 Risk three")


HOSTILE_TITLES = ["<script>alert(1)</script>", "**bold** [link](javascript:x)", "<img onerror=x>"]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_text_from_the_data_is_escaped_for_markdown(tmp_path, title):
    actions = replace_cells(TABLES["actions"], {("A2", ""): {"title": title}})
    text = priorities_text(synthetic_with(tmp_path, actions=actions), Q2)
    # every "<" and "[" is escaped: no raw HTML, no link; the title's stars are text
    assert not re.search(r"(?<![\\])[<\[]", text)
    assert not re.search(r"(?<![\\])\*\*bold", text)
