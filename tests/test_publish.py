"""Atomic publishing and keeping failed notebooks."""

from __future__ import annotations

import os
from datetime import datetime

import pytest

from analysis.errors import RunError
from analysis.publish import build_folder, keep_failed, publish


def test_publish_into_an_empty_place(tmp_path):
    report = tmp_path / "new"
    report.mkdir()
    (report / "a.txt").write_text("new", encoding="utf-8")
    target = publish(report, tmp_path / "2021-22-Q2")
    assert (target / "a.txt").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021-22-Q2"]


def test_a_failed_swap_puts_the_previous_report_back(tmp_path, monkeypatch):
    old = tmp_path / "2021-22-Q2"
    old.mkdir()
    (old / "a.txt").write_text("old", encoding="utf-8")
    new = tmp_path / "new"
    new.mkdir()
    real_replace = os.replace

    def failing(src, dst):
        if str(src) == str(new):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(RunError, match="previous report is unchanged"):
        publish(new, old)
    assert (old / "a.txt").read_text(encoding="utf-8") == "old"


def test_build_folders_are_hidden_and_distinct(tmp_path):
    first, second = build_folder(tmp_path, "2021-22-Q2"), build_folder(tmp_path, "2021-22-Q2")
    assert first != second and first.name.startswith(".2021-22-Q2.building-")


def test_keep_failed_moves_the_notebook_out_of_the_build(tmp_path):
    notebook = tmp_path / "build" / "01-summary.ipynb"
    notebook.parent.mkdir()
    notebook.write_text("{}", encoding="utf-8")
    kept = keep_failed(notebook, tmp_path / "out", "2021-22-Q2", datetime(2022, 1, 2, 3, 4, 5))
    assert kept.is_file() and not notebook.exists()
    assert kept.parent.parent == tmp_path / "out" / ".failed"
    assert kept.parent.name.startswith("2021-22-Q2-20220102T030405")
