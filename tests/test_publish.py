"""Atomic publishing and keeping failed notebooks."""

from __future__ import annotations

import os
import sys
from datetime import datetime

import pytest

import analysis.pipeline.publish as publish_module
from analysis.errors import RunError
from analysis.pipeline.publish import build_folder, keep_failed, publish, quarter_lock, repair


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
    monkeypatch.setattr(publish_module, "_exchange", lambda a, b: False)
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


def _report(folder, text):
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(text, encoding="utf-8")
    return folder


def _published(out):
    return (out / "2021-22-Q2" / "a.txt").read_text(encoding="utf-8")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_on_linux_the_two_reports_swap_in_one_step(tmp_path, monkeypatch):
    old = _report(tmp_path / "2021-22-Q2", "old")
    new = _report(tmp_path / ".2021-22-Q2.building-1-x", "new")
    monkeypatch.setattr(os, "replace", lambda *a: pytest.fail("no rename in two steps"))
    publish(new, old)
    assert _published(tmp_path) == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021-22-Q2"]


class Killed(BaseException):
    """A stand-in for the process being killed at one step of publishing."""


@pytest.mark.parametrize("step", [1, 2, 3])
def test_a_kill_at_any_step_of_a_two_step_publish_is_mended_by_the_next_run(
    tmp_path, monkeypatch, step
):
    out = tmp_path / "out"
    out.mkdir()
    _report(out / "2021-22-Q2", "old")
    new = _report(build_folder(out, "2021-22-Q2"), "new")
    monkeypatch.setattr(publish_module, "_exchange", lambda a, b: False)
    real_replace, real_rmtree = os.replace, publish_module.shutil.rmtree
    calls = []

    def replace(src, dst):
        calls.append("replace")
        if len(calls) == step:
            raise Killed
        return real_replace(src, dst)

    def rmtree(path, **kwargs):
        calls.append("rmtree")
        if len(calls) == step:
            raise Killed
        return real_rmtree(path, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(publish_module.shutil, "rmtree", rmtree)
    with pytest.raises(Killed):
        publish(new, out / "2021-22-Q2")
    monkeypatch.setattr(os, "replace", real_replace)
    monkeypatch.setattr(publish_module.shutil, "rmtree", real_rmtree)
    # the killed run is gone: its build folder belongs to no live process
    monkeypatch.setattr(publish_module, "_alive", lambda pid: False)
    repair(out, "2021-22-Q2")
    assert _published(out) in ("old", "new")
    assert _published(out) == ("old" if step <= 2 else "new")
    assert sorted(p.name for p in out.iterdir()) == ["2021-22-Q2"]


def test_repair_keeps_the_build_folders_of_live_runs(tmp_path):
    live = build_folder(tmp_path, "2021-22-Q2")
    assert repair(tmp_path, "2021-22-Q2") == []
    assert live.is_dir()


def test_a_second_run_of_the_same_quarter_is_told_one_is_running(tmp_path):
    busy = pytest.raises(RunError, match="Another run of 2021-22-Q2 is publishing")
    with quarter_lock(tmp_path, "2021-22-Q2"):
        with busy, quarter_lock(tmp_path, "2021-22-Q2"):
            pass
        with quarter_lock(tmp_path, "2021-22-Q1"):
            pass
    with quarter_lock(tmp_path, "2021-22-Q2"):
        pass
