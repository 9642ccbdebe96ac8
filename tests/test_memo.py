"""The engine's answers, remembered for each dataset: the same as worked out afresh, a
copy for every caller, and never carried over to another dataset."""

from __future__ import annotations

import gc
import weakref

import pandas as pd
from synthetic import write_synthetic

from analysis.dataset.read import load_dataset
from analysis.engine.memo import per_dataset
from analysis.engine.risks import risk_register
from analysis.engine.summary import headline_figures, item_statuses, rated_measures
from analysis.quarters import parse_quarter

Q2 = parse_quarter("2021-22-Q2")


def test_a_remembered_answer_is_the_answer_and_each_caller_has_its_own(tmp_path):
    data = load_dataset(write_synthetic(tmp_path / "d"))
    for function in (risk_register, item_statuses, headline_figures):
        first = function(data, Q2)
        first.iloc[0, 0] = "changed by a caller"
        again = function(data, Q2)
        assert again.iloc[0, 0] != "changed by a caller"
        assert again.equals(function.__wrapped__(data, Q2)), function.__name__
    # the same call spelled with keywords, or with its default, is the same call
    assert rated_measures(data).equals(rated_measures(data, quarter=None))


def test_another_dataset_is_worked_out_afresh(tmp_path):
    first = load_dataset(write_synthetic(tmp_path / "a"))
    folder = write_synthetic(tmp_path / "b")
    values = folder / "measure_values.csv"
    values.write_text(
        values.read_text(encoding="utf-8").replace("M3,2021-22-Q2,40,", "M3,2021-22-Q2,4,"), "utf-8"
    )
    second = load_dataset(folder)
    assert not rated_measures(first, Q2).equals(rated_measures(second, Q2))
    assert rated_measures(second, Q2).equals(rated_measures.__wrapped__(second, Q2))


def test_the_answers_go_with_their_dataset():
    calls = []

    @per_dataset
    def frame(dataset, quarter):
        calls.append(quarter)
        return pd.DataFrame({"quarter": [quarter]})

    class Data:
        pass

    data = Data()
    frame(data, "Q1"), frame(data, "Q1"), frame(data, ["not", "a", "key"])
    assert calls == ["Q1", ["not", "a", "key"]]
    gone = weakref.ref(data)
    del data
    gc.collect()
    assert gone() is None
    # a new dataset (which may well be given the old one's address) starts afresh
    for _ in range(3):
        frame(Data(), "Q1")
    assert calls == ["Q1", ["not", "a", "key"], "Q1", "Q1", "Q1"]
