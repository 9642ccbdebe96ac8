"""The Cabinet covering report: recommendations and figures from the data, the analyst's
paragraphs kept as text, and the same figures as the Cabinet paper of the bundled quarter."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hostile import PAYLOADS
from synthetic import write_synthetic

from analysis.dataset.read import BUNDLED_DATASET, load_dataset
from analysis.engine.summary import rated_measures
from analysis.errors import DataError
from analysis.quarters import parse_quarter
from analysis.report.covering import (
    ANALYST_FILE,
    analyst_paragraphs,
    covering_report,
    measures_for_review,
    recommendations,
    targets_set,
)

Q2 = parse_quarter("2021-22 Q2")
COUNTY = Path(__file__).resolve().parent / "fixtures" / "county"


@pytest.fixture(scope="module")
def bundled():
    return load_dataset(BUNDLED_DATASET)


def test_the_bundled_paper_states_the_figures_of_the_cabinet_paper(bundled):
    """Reference: the covering report to Cabinet of 10 November 2021, paragraphs 2 and 4."""
    text = covering_report(bundled, Q2)
    for figure in (
        "91% of priority actions",  # on track or completed ...
        "quarter one position of 87%",  # ... an improvement on quarter one
        "78% of measures with a quarterly target",
        "94% of measures with an annual target are forecast",
        "75% of priority projects",
        "There are 18 strategic risks on the register",
        "SR 27 Diminished outcomes",  # escalated
        "SR 25 COVID\\-19 exit plans",  # de-escalated
        "Two amendments to the plan are proposed for approval",
        # the amendments, in a table (as the paper sets them out, paragraph 4.4)
        "<td",
        "Measure: Number of people helped into work through the Employment Portal (PL-M07)",
        "(PE-A14)",
    ):
        assert figure in text, figure
    said = recommendations(bundled, Q2)
    assert said[0] == "To approve the two amendments to the plan set out below."
    assert said[1].startswith("To approve the targets set this quarter for 24 measures")
    # no measure for a Performance Surgery, as the paper says (recommendation 2.5)
    assert said[-1].startswith("To note that no measure is proposed for review")


def test_targets_set_this_quarter_are_those_first_numeric_this_year(bundled):
    found = targets_set(bundled, Q2)
    rated = rated_measures(bundled)
    for measure_id in found["measure_id"]:
        rows = rated[
            (rated["measure_id"] == measure_id) & rated["quarter"].str.startswith("2021-22")
        ]
        numeric = rows[rows["annual_target_state"] == "value"]["quarter"]
        assert list(numeric)[:1] == ["2021-22-Q2"], measure_id
    # a measure with a numeric annual target in Q1 is not set again in Q2
    q1 = rated[(rated["quarter"] == "2021-22-Q1") & (rated["annual_target_state"] == "value")]
    assert set(q1["measure_id"]).isdisjoint(found["measure_id"])


def test_a_measure_is_proposed_for_review_when_off_target_now_and_at_year_end():
    county = load_dataset(COUNTY)
    q = parse_quarter("2025-26 Q2")
    review = measures_for_review(county, q)
    bands = set(county.framework.needs_action)
    rated = rated_measures(county, q)
    expected = rated[rated["quarterly_status"].isin(bands) & rated["year_end_status"].isin(bands)]
    assert list(review["measure_id"]) == list(expected["measure_id"])
    text = covering_report(county, q)
    if len(review):
        assert "Key measures proposed for review" in text
        for measure_id in review["measure_id"]:
            assert measure_id.replace("-", "\\-") in text
    # the county holds no projects or risks: the paper says nothing of them
    assert not re.search(r"\b(projects?|risks?)\b", text, flags=re.IGNORECASE)


def _with_paper(tmp_path: Path, text: str):
    folder = write_synthetic(tmp_path / "d")
    (folder / ANALYST_FILE).write_text(text, encoding="utf-8")
    return load_dataset(folder)


def test_the_analysts_paragraphs_replace_the_purpose_and_add_the_context(tmp_path):
    data = _with_paper(
        tmp_path,
        "## Purpose\n\nThe plan was approved in **February**.\n\n## Context\n\n"
        "- one *point*\n- two\n",
    )
    paragraphs = analyst_paragraphs(data)
    assert paragraphs == {
        "purpose": "The plan was approved in **February**.",
        "context": "- one *point*\n- two",
    }
    text = covering_report(data, Q2)
    assert "## Context" in text and "bringing together" not in text


def test_the_analysts_text_stays_text(tmp_path):
    data = _with_paper(tmp_path, "## Purpose\n\n" + "\n\n".join(PAYLOADS) + "\n")
    text = analyst_paragraphs(data)["purpose"]
    # every character Markdown, Quarto or Typst could read as syntax is escaped
    unescaped = re.sub(r"\\.", "", text)
    for live in ("<", "{{", "`", "$", "](", ":::", "#", "@"):
        assert live not in unescaped, live
    for marker in ("PWN01", "PWN13", "PWN27", "PWN32"):
        assert marker in text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("## Summary\n\nText.\n", "the heading 'Summary' is not a section"),
        ("Text first.\n\n## Purpose\n", "line 1: text before the first heading"),
    ],
)
def test_a_paper_file_that_cannot_be_read_is_explained(tmp_path, text, words):
    data = _with_paper(tmp_path, text)
    with pytest.raises(DataError, match=words) as caught:
        analyst_paragraphs(data)
    assert ANALYST_FILE in str(caught.value)


def test_no_paper_file_gives_the_standard_purpose(tmp_path):
    folder = Path(shutil.copytree(BUNDLED_DATASET, tmp_path / "b"))
    assert not (folder / ANALYST_FILE).exists()
    assert analyst_paragraphs(load_dataset(folder)) == {}
