"""Planning and checking notebook execution (execution itself: tests/test_run.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from jupyter_client.kernelspec import KernelSpec

import analysis.pipeline.execute as execute
from analysis.errors import RunError
from analysis.pipeline.execute import check_kernel, plan_chapters, slugify

THEMES = pd.DataFrame(
    {
        "theme_id": ["org", "place", "people"],
        "name": ["Our organisation", "Our place", "Our people"],
        "position": [3, 1, 2],
    }
)


def test_one_chapter_per_theme_in_plan_order_from_one_template():
    chapters = plan_chapters(THEMES, "2021-22-Q2", "data/d")
    themed = [c for c in chapters if "theme" in c.parameters]
    assert [c.name for c in themed] == ["02-our-place", "03-our-people", "04-our-organisation"]
    assert {c.template.name for c in themed} == {"theme.ipynb"}
    assert [c.parameters["theme"] for c in themed] == ["place", "people", "org"]
    assert all(c.template.is_file() for c in chapters)
    assert all(c.parameters["quarter"] == "2021-22-Q2" for c in chapters)


def test_the_largest_chapters_start_first_and_come_back_in_report_order(tmp_path, monkeypatch):
    chapters = plan_chapters(THEMES, "2021-22-Q2", "d", sizes={"place": 3, "people": 9, "org": 1})
    assert [(c.name, c.size) for c in chapters[:4]] == [
        ("01-summary", 13),
        ("02-our-place", 3),
        ("03-our-people", 9),
        ("04-our-organisation", 1),
    ]
    started = []

    def pretend(chapter, folder, cwd, manager):
        started.append(chapter.name)
        return folder / chapter.filename

    monkeypatch.setattr(execute, "execute_chapter", pretend)
    done = execute.execute_chapters(chapters, tmp_path, 1, lambda _: None, warm=False)
    assert started[:4] == ["01-summary", "03-our-people", "02-our-place", "04-our-organisation"]
    assert [p.stem for p in done] == [c.name for c in chapters]


def test_numbering_widens_for_many_themes():
    many = pd.DataFrame(
        {
            "theme_id": [str(i) for i in range(100)],
            "name": [f"T{i}" for i in range(100)],
            "position": range(100),
        }
    )
    names = [c.name for c in plan_chapters(many, "2021-22-Q2", "d")]
    assert names[0] == "001-summary" and names == sorted(names)


@pytest.mark.parametrize(
    "text, slug", [("Our place", "our-place"), ("  ", "theme"), ("Health & Care", "health-care")]
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def _spec(argv):
    return KernelSpec(argv=argv, display_name="x", language="python")


@pytest.mark.parametrize("argv0", ["python", "python3", sys.executable])
def test_kernels_that_run_this_interpreter_are_accepted(argv0, monkeypatch):
    monkeypatch.setattr(
        "jupyter_client.kernelspec.KernelSpecManager.get_kernel_spec",
        lambda self, name: _spec([argv0, "-m", "ipykernel_launcher"]),
    )
    assert check_kernel() == sys.executable


def test_a_kernel_for_another_python_is_refused_with_the_fix(monkeypatch):
    monkeypatch.setattr(
        "jupyter_client.kernelspec.KernelSpecManager.get_kernel_spec",
        lambda self, name: _spec(["/opt/other/bin/python", "-m", "x"]),
    )
    with pytest.raises(RunError, match="ipykernel install --sys-prefix"):
        check_kernel()


def test_the_installed_kernel_runs_this_interpreter():
    assert execute._same_interpreter(check_kernel(execute.KERNEL_NAME), sys.executable)


SIBLING = Path(sys.executable).with_name(
    "python3" if Path(sys.executable).name == "python" else "python"
)


@pytest.mark.skipif(not SIBLING.exists(), reason="no python/python3 pair in this bin folder")
def test_the_sibling_python_of_the_same_environment_is_accepted(monkeypatch):
    monkeypatch.setattr(
        "jupyter_client.kernelspec.KernelSpecManager.get_kernel_spec",
        lambda self, name: _spec([str(SIBLING), "-m", "ipykernel_launcher"]),
    )
    assert check_kernel() == str(SIBLING)
