"""The one-command pipeline, end to end on a small fixture dataset.

Executing notebooks is slow, so the two-quarter run is done once per module and shared.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import analysis.pipeline.run as run_module
from analysis.errors import RunError
from analysis.pipeline.execute import NOTEBOOKS_DIR
from analysis.pipeline.manifest import sha256_file
from analysis.pipeline.run import main, run_report

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATASET = FIXTURES / "pipeline" / "dataset"
BROKEN = FIXTURES / "notebooks" / "broken.ipynb"
QUARTERS = ("2021-22-Q1", "2021-22-Q2")
CHAPTERS = [
    "01-summary.ipynb",
    "02-theme-a.ipynb",
    "03-theme-b.ipynb",
    "04-exceptions.ipynb",
    "05-risks.ipynb",
    "06-methodology.ipynb",
    "07-data.ipynb",
]


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def previous_report(out: Path, slug: str) -> dict[str, str]:
    """A stand-in for an earlier good report in ``out/<slug>/``; returns its digest."""
    folder = out / slug
    (folder / "data").mkdir(parents=True)
    (folder / "manifest.json").write_text('{"previous": true}\n', encoding="utf-8")
    (folder / "data" / "headlines.csv").write_text("figure\nold\n", encoding="utf-8")
    return tree_digest(folder)


@pytest.fixture(scope="module")
def pipeline_runs(tmp_path_factory):
    """Both fixture quarters run at the same time into one output folder, without Quarto."""
    out = tmp_path_factory.mktemp("output")
    results, errors, lines = {}, [], []

    def one(quarter: str) -> None:
        try:
            results[quarter] = run_report(
                quarter=quarter, dataset=DATASET, jobs=2, out=out, progress=lines.append
            )
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_module, "find_quarto", lambda: None)
        threads = [threading.Thread(target=one, args=(q,)) for q in QUARTERS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors
    return out, results, lines


@pytest.fixture()
def bad_dataset(tmp_path) -> Path:
    folder = shutil.copytree(DATASET, tmp_path / "bad")
    updates = folder / "action_updates.csv"
    updates.write_text(
        updates.read_text(encoding="utf-8").replace(
            "A2,2021-22-Q2,Major slippage", "A2,2021-22-Q2,Sideways"
        ),
        encoding="utf-8",
    )
    return folder


# ------------------------------------------------------------------- failures leave no trace


def test_bad_data_exits_non_zero_with_the_report_and_keeps_the_previous_output(
    bad_dataset, tmp_path, capsys
):
    out = tmp_path / "out"
    before = previous_report(out, "2021-22-Q2")
    code = main(["--dataset", str(bad_dataset), "--quarter", "2021-22-Q2", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Sideways" in err and "action_updates" in err
    assert tree_digest(out / "2021-22-Q2") == before
    assert sorted(p.name for p in out.iterdir()) == ["2021-22-Q2"]


def test_a_notebook_that_raises_names_notebook_and_cell_and_publishes_nothing(tmp_path, capsys):
    templates = shutil.copytree(NOTEBOOKS_DIR, tmp_path / "templates")
    shutil.copy(BROKEN, templates / "summary.ipynb")
    out = tmp_path / "out"
    before = previous_report(out, "2021-22-Q2")
    with pytest.raises(Exception) as caught:
        run_report(
            "2021-22-Q2", DATASET, jobs=1, out=out, progress=lambda _: None, templates=templates
        )
    message = str(caught.value)
    # cell 4 of the executed notebook: heading, parameters, injected parameters, print, raise
    assert "01-summary.ipynb" in message and "cell 5" in message
    assert "ValueError: deliberate failure for the tests" in message
    assert tree_digest(out / "2021-22-Q2") == before
    kept = list((out / ".failed").glob("2021-22-Q2-*/01-summary.ipynb"))
    assert len(kept) == 1 and str(kept[0]) in message
    errors = [
        o
        for c in nbformat.read(kept[0], as_version=4).cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors and errors[0]["ename"] == "ValueError"
    assert sorted(p.name for p in out.iterdir()) == [".failed", "2021-22-Q2"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--quarter", "2020-21-Q4"], "holds no updates for 2020-21-Q4"),
        (["--quarter", "Sept 2021"], "is not a quarter"),
        (["--formats", "docx"], "Unknown report format"),
        (["--jobs", "0"], "at least 1"),
    ],
)
def test_bad_parameters_exit_non_zero_before_anything_runs(args, words, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["--dataset", str(DATASET), "--out", str(out), *args])
    assert code == 1
    assert words in capsys.readouterr().err
    assert not (out / "2021-22-Q2").exists()


def test_require_quarto_fails_when_quarto_is_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(run_module, "find_quarto", lambda: None)
    code = main(["--dataset", str(DATASET), "--out", str(tmp_path), "--require-quarto"])
    assert code == 1
    err = capsys.readouterr().err
    assert "Quarto is not installed" in err and "quarto.org" in err
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------- a good run


def test_two_quarters_run_at_once_both_publish(pipeline_runs):
    out, results, _ = pipeline_runs
    # beside the quarters, only the cache of their runs (hidden)
    assert sorted(p.name for p in out.iterdir()) == [".cache", *QUARTERS]
    for quarter in QUARTERS:
        folder = out / quarter
        assert results[quarter].folder == folder
        assert sorted(p.name for p in (folder / "notebooks").glob("*.ipynb")) == CHAPTERS
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["parameters"]["quarter"] == quarter


@pytest.mark.parametrize("quarter", QUARTERS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_executed_notebooks_record_their_parameters(pipeline_runs, quarter, chapter):
    out, _, _ = pipeline_runs
    notebook = nbformat.read(out / quarter / "notebooks" / chapter, as_version=4)
    recorded = notebook.metadata["papermill"]["parameters"]
    assert recorded["quarter"] == quarter
    assert Path(recorded["dataset"]).resolve() == DATASET.resolve()
    if chapter in ("02-theme-a.ipynb", "03-theme-b.ipynb"):
        assert recorded["theme"] == chapter.removesuffix(".ipynb")[-1]
    injected = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and f'quarter = "{quarter}"' in injected[0].source
    # the folder the notebook is published in, not the build folder it ran in
    published = str((out / quarter / "notebooks").resolve())
    assert recorded["output_dir"] == published
    assert f'output_dir = "{published}"' in injected[0].source
    assert ".building-" not in injected[0].source
    assert not [
        o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]


def test_theme_chapters_are_headed_with_their_theme(pipeline_runs):
    out, _, _ = pipeline_runs
    notebook = nbformat.read(out / "2021-22-Q2" / "notebooks" / "03-theme-b.ipynb", as_version=4)
    shown = [
        o["data"].get("text/markdown", "")
        for c in notebook.cells
        for o in c.get("outputs", [])
        if o.get("output_type") == "execute_result"
    ]
    assert "# Theme B" in shown


def test_headlines_extract_holds_the_figures(pipeline_runs):
    out, _, _ = pipeline_runs
    text = (out / "2021-22-Q2" / "data" / "headlines.csv").read_text(encoding="utf-8")
    header = '"figure","numerator","denominator","value","previous_value"'
    assert text.splitlines()[0] == header  # text quoted, for spreadsheets
    figures = pd.read_csv(out / "2021-22-Q2" / "data" / "headlines.csv").set_index("figure")
    # A1 and A5 on track, A3 completed, A2 major slippage, A4 not assessed: 3 of 4 rated;
    # last quarter A2 on track and A3 completed of A1, A2, A3, A5: 2 of 4.
    assert figures.loc["actions_on_track_or_completed"].tolist() == [3, 4, 75, 50]
    for name in (
        "measures_met_quarterly_target",
        "measures_forecast_to_meet_annual_target",
        "projects_green_or_amber_green",
        "strategic_risks",
    ):
        assert name in figures.index


def test_statuses_extract_has_one_row_per_item_updated(pipeline_runs):
    out, _, _ = pipeline_runs
    statuses = pd.read_csv(out / "2021-22-Q2" / "data" / "statuses.csv", keep_default_na=False)
    assert list(statuses.columns) == [
        "id",
        "kind",
        "theme",
        "outcome",
        "title",
        "status",
        "status_key",
        "previous_status",
        "value",
        "target",
        "relative_difference",
        "direction_of_travel",
        "provenance",
    ]
    assert len(statuses) == 17 and statuses["id"].is_unique
    assert statuses.set_index("id").at["A1", "previous_status"] == "Some slippage"


def test_manifest_records_inputs_versions_commit_and_timings(pipeline_runs):
    out, _, _ = pipeline_runs
    manifest = json.loads((out / "2021-22-Q2" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dataset"]["name"] == "dataset"
    files = {f["path"]: f["sha256"] for f in manifest["dataset"]["files"]}
    assert files["dataset.yml"] == sha256_file(DATASET / "dataset.yml")
    assert files["measure_values.csv"] == sha256_file(DATASET / "measure_values.csv")
    assert manifest["versions"]["quarto"] == "not installed"
    assert manifest["versions"]["packages"]["papermill"] != "not installed"
    assert manifest["git"]["commit"]
    assert {"validate", "execute", "extracts", "preview"} <= set(manifest["stages_seconds"])
    assert manifest["chapters"] == [f"notebooks/{c}" for c in CHAPTERS]


def test_without_quarto_a_warning_and_a_preview_per_chapter(pipeline_runs):
    out, results, lines = pipeline_runs
    assert any(line.startswith("WARNING: Quarto is not installed") for line in lines)
    assert not results["2021-22-Q2"].rendered
    previews = sorted(p.name for p in (out / "2021-22-Q2" / "preview").iterdir())
    assert previews == [c.replace(".ipynb", ".html") for c in CHAPTERS]
    html = (out / "2021-22-Q2" / "preview" / "01-summary.html").read_text(encoding="utf-8")
    assert "Key highlights" in html and "load_dataset" not in html
    assert not (out / "2021-22-Q2" / "book").exists()


def run_with_fake_quarto(script: str, tmp_path, capsys, monkeypatch):
    """Run Q2 with a stand-in ``quarto`` (a shell script) over a previous report.

    Returns the exit code, what was printed, the output folder and the previous
    report's digest.
    """
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(run_module, "find_quarto", lambda: str(fake))
    out = tmp_path / "out"
    before = previous_report(out, "2021-22-Q2")
    code = main(["--quarter", "2021-22-Q2", "--dataset", str(DATASET), "--out", str(out)])
    return code, capsys.readouterr(), out, before


def test_an_old_quarto_asked_for_a_pdf_fails_before_executing(tmp_path, capsys, monkeypatch):
    code, printed, out, before = run_with_fake_quarto("echo 1.8.25", tmp_path, capsys, monkeypatch)
    assert code == 1
    assert "Quarto 1.8.25 cannot make the PDF report: it needs Quarto 1.9.17" in printed.err
    assert "execute" not in printed.out
    assert tree_digest(out / "2021-22-Q2") == before
    assert sorted(p.name for p in out.iterdir()) == ["2021-22-Q2"]


def test_an_old_quarto_still_makes_the_html_when_only_html_is_asked_for(tmp_path, monkeypatch):
    from analysis.pipeline.render import check_quarto

    check_quarto("1.8.25", ["html"])
    with pytest.raises(RunError, match="makes: html"):
        check_quarto("1.8.25", ["html", "pdf"])


def test_a_render_that_makes_no_pdf_is_not_published(tmp_path, capsys, monkeypatch):
    # a Quarto that reports a supported version and succeeds, but writes nothing
    script = 'if [ "$1" = --version ]; then echo 1.10.18; else echo "[1/1] x.ipynb"; fi'
    code, printed, out, before = run_with_fake_quarto(script, tmp_path, capsys, monkeypatch)
    assert code == 1
    assert "Quarto finished but made no index.html and no report.pdf" in printed.err
    assert "Published" not in printed.out
    assert tree_digest(out / "2021-22-Q2") == before


def test_a_file_saved_during_the_run_does_not_reach_the_report(tmp_path, monkeypatch):
    dataset = Path(shutil.copytree(DATASET, tmp_path / "dataset"))
    themes = dataset / "themes.csv"
    before = sha256_file(themes)
    real_execute = run_module.execute_chapters

    def execute_while_the_analyst_saves(*args, **kwargs):
        themes.write_text(
            themes.read_text(encoding="utf-8").replace("Theme A", "Theme SAVED"),
            encoding="utf-8",
        )
        return real_execute(*args, **kwargs)

    monkeypatch.setattr(run_module, "execute_chapters", execute_while_the_analyst_saves)
    monkeypatch.setattr(run_module, "find_quarto", lambda: None)
    result = run_report("2021-22-Q2", dataset, jobs=2, out=tmp_path / "out", progress=print)
    folder = result.folder
    assert sha256_file(themes) != before, "the analyst's save happened during the run"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    hashes = {f["path"]: f["sha256"] for f in manifest["dataset"]["files"]}
    assert hashes["themes.csv"] == before
    snapshot = folder / manifest["dataset"]["snapshot"]
    assert sha256_file(snapshot / "themes.csv") == before
    assert manifest["dataset"]["path"] == str(dataset)
    shown = " ".join(
        (folder / "notebooks" / name).read_text(encoding="utf-8")
        for name in ("01-summary.ipynb", "02-theme-a.ipynb")
    )
    assert "Theme SAVED" not in shown and "Theme A" in shown
    assert "Theme SAVED" not in (folder / "data" / "statuses.csv").read_text(encoding="utf-8")


def test_an_output_folder_that_is_a_file_is_named_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("not a folder", encoding="utf-8")
    code = main(["--dataset", str(DATASET), "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 1 and "is a file, not a folder" in printed.err
    assert "Traceback" not in printed.err and "execute" not in printed.out


def test_an_output_folder_that_cannot_be_written_is_named(tmp_path, capsys, monkeypatch):
    def refuse(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", str(dir))

    monkeypatch.setattr(run_module.tempfile, "TemporaryFile", refuse)
    code = main(["--dataset", str(DATASET), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr()
    assert code == 1 and "Cannot write into the output folder" in printed.err
    assert "Permission denied" in printed.err and "execute" not in printed.out


def test_a_full_disk_while_building_is_a_message_and_publishes_nothing(
    tmp_path, capsys, monkeypatch
):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", "statuses.csv")

    monkeypatch.setattr(run_module, "_write_extracts", full)
    monkeypatch.setattr(run_module, "find_quarto", lambda: None)
    out = tmp_path / "out"
    before = previous_report(out, "2021-22-Q2")
    code = main(["--quarter", "2021-22-Q2", "--dataset", str(DATASET), "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 1 and "Traceback" not in printed.err
    assert "No space left on device (statuses.csv)" in printed.err
    assert tree_digest(out / "2021-22-Q2") == before
    # nothing but the previous report, and the cache of the notebooks this run executed
    assert sorted(p.name for p in out.iterdir()) == [".cache", "2021-22-Q2"]
