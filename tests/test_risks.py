"""Risk scores, the register, matrices and movements."""

from __future__ import annotations

import pytest

from analysis.engine.risks import movement_counts, risk_matrix, risk_register, risk_score
from analysis.quarters import parse_quarter

Q2 = parse_quarter("2021-22-Q2")


SCORE_CASES = [(1, 1, 1), (4, 4, 16), (4, 3, 12), (2, 3, 6), (1, 4, 4)]


@pytest.mark.parametrize(("impact", "likelihood", "score"), SCORE_CASES)
def test_risk_score(impact, likelihood, score):
    assert risk_score(impact, likelihood) == score


@pytest.mark.parametrize(("impact", "likelihood"), [(0, 1), (1, 0), (5, 1), (1, 5)])
def test_risk_score_rejects_values_off_the_scale(impact, likelihood):
    with pytest.raises(ValueError, match="1 to 4"):
        risk_score(impact, likelihood)


def test_register_scores_and_movements(dataset):
    register = risk_register(dataset, Q2).set_index("risk_id")
    assert register.loc["R1", ["score", "previous_score", "movement"]].tolist() == [
        12,
        9,
        "increased",
    ]
    assert register.loc["R2", "movement"] == "escalated"
    assert register.loc["R3", "movement"] == "unchanged"
    assert register.loc["R4", "movement"] == "de-escalated"
    assert not register.loc["R4", "on_register"]
    assert register.loc["R1", "band"] == "High"
    assert register.loc["R2", "band"] == "Low"


def test_register_movement_new_without_previous_update(dataset):
    register = risk_register(dataset, parse_quarter("2021-22-Q1")).set_index("risk_id")
    assert set(register["movement"]) == {"new"}


def test_threat_matrix_counts_only_risks_on_the_register(dataset):
    register = risk_register(dataset, Q2)
    matrix = risk_matrix(register, "threat", dataset.scales.risks)
    assert len(matrix) == 16
    assert matrix["count"].sum() == 2  # R1 and R2; R4 de-escalated
    cell = matrix[(matrix["impact"] == 4) & (matrix["likelihood"] == 3)].iloc[0]
    assert (cell["count"], cell["score"], cell["risk_ids"]) == (1, 12, "R1")
    assert cell["impact_label"] == "Very high"
    assert cell["likelihood_label"] == "Probable"
    assert matrix.iloc[0][["impact", "likelihood"]].tolist() == [4, 1]


def test_opportunity_matrix_uses_opportunity_words(dataset):
    register = risk_register(dataset, Q2)
    matrix = risk_matrix(register, "opportunity", dataset.scales.risks)
    cell = matrix[(matrix["impact"] == 2) & (matrix["likelihood"] == 2)].iloc[0]
    assert (cell["count"], cell["impact_label"], cell["likelihood_label"]) == (
        1,
        "Minor",
        "Unlikely",
    )


def test_movement_counts(dataset):
    counts = movement_counts(risk_register(dataset, Q2)).set_index("movement")["count"]
    assert counts.to_dict() == {
        "de-escalated": 1,
        "escalated": 1,
        "increased": 1,
        "unchanged": 1,
    }
