"""The cache of earlier runs: reused only when nothing it depends on changed, and the
report made from it is the report made without it.

These runs use the small pipeline fixture without Quarto (the execute stage); the book's
own cache is checked with Quarto in ``test_book.py``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from same import differences

import analysis.pipeline.cache as cache_module
import analysis.pipeline.run as run_module
from analysis.pipeline.cache import CACHE_FOLDER, Cache
from analysis.pipeline.execute import NOTEBOOKS_DIR
from analysis.pipeline.run import main, run_report

DATASET = Path(__file__).resolve().parent / "fixtures" / "pipeline" / "dataset"
QUARTER = "2021-22-Q2"


@pytest.fixture(autouse=True)
def no_quarto(monkeypatch):
    monkeypatch.setattr(run_module, "find_quarto", lambda: None)


def run(dataset: Path, out: Path, **options) -> dict:
    """Run the quarter; return its manifest's record of the cache."""
    result = run_report(
        quarter=QUARTER, dataset=dataset, jobs=2, out=out, progress=lambda _: None, **options
    )
    return json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))["cache"]


def reused(record: dict | None) -> bool:
    assert record is not None
    return bool(record["execute"]["reused"])


def test_an_unchanged_rerun_reuses_the_notebooks_and_publishes_the_same_report(tmp_path):
    dataset = shutil.copytree(DATASET, tmp_path / "dataset")
    cached, fresh = tmp_path / "cached", tmp_path / "fresh"
    assert not reused(run(dataset, cached))
    first = shutil.copytree(cached / QUARTER, tmp_path / "first")
    second = run(dataset, cached)
    assert reused(second)
    assert (
        second["execute"]["key"]
        == json.loads((first / "manifest.json").read_text(encoding="utf-8"))["cache"]["execute"][
            "key"
        ]
    )
    # without the cache, the same report, apart from run times (which the manifest holds)
    assert run(dataset, fresh, cache=False) is None
    assert not (fresh / CACHE_FOLDER).exists()
    published = cached / QUARTER
    assert differences(published, first, ("manifest.json",), (published, published)) == []
    assert differences(published, fresh / QUARTER, ("manifest.json",)) == []
    # and so are two runs without it: nothing in a report is random
    again = tmp_path / "again"
    run(dataset, again, cache=False)
    assert differences(fresh / QUARTER, again / QUARTER, ("manifest.json",)) == []


def test_every_kind_of_change_invalidates_the_cache(tmp_path, monkeypatch):
    dataset = shutil.copytree(DATASET, tmp_path / "dataset")
    templates = shutil.copytree(NOTEBOOKS_DIR, tmp_path / "templates")
    out = tmp_path / "out"

    def again() -> bool:
        return reused(run(dataset, out, templates=templates))

    assert not again()
    assert again()

    # the inputs: one value of one data file
    values = dataset / "measure_values.csv"
    values.write_text(values.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not again()
    assert again()

    # the configuration: dataset.yml
    config = dataset / "dataset.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# checked\n", encoding="utf-8")
    assert not again()

    # the code: a notebook template (the package's own files are hashed the same way)
    template = templates / "methodology.ipynb"
    node = json.loads(template.read_text(encoding="utf-8"))
    node["cells"][-1]["source"] = [*node["cells"][-1]["source"], "\n"]
    template.write_text(json.dumps(node, indent=1) + "\n", encoding="utf-8")
    assert not again()
    assert again()

    # the versions: any installed package
    versions = cache_module.installed_versions()
    changed = {**versions, "distributions": [*versions["distributions"], "newly-installed==1.0"]}
    monkeypatch.setattr(run_module, "installed_versions", lambda: changed)
    assert not again()
    assert again()


def test_the_package_code_and_presets_are_in_the_key(tmp_path):
    package = shutil.copytree(
        Path(run_module.__file__).resolve().parents[1] / "config",
        tmp_path / "config",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    before = cache_module.code_fingerprint([package])
    preset = next(package.glob("presentation/*.yml"))
    preset.write_text(preset.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache_module.code_fingerprint([package]) != before
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "stale.pyc").write_bytes(b"compiled")
    after = cache_module.code_fingerprint([package])
    assert after == cache_module.code_fingerprint([package])


def test_the_books_layout_is_in_the_key(tmp_path, monkeypatch):
    """The book is not staged when its render is reused, so what staging reads beside
    the code (``_quarto.yml``, ``assets/``) is in the key."""
    config = tmp_path / "_quarto.yml"
    shutil.copy2(run_module.QUARTO_CONFIG, config)
    monkeypatch.setattr(run_module, "QUARTO_CONFIG", config)
    before = run_module._code_and_versions(NOTEBOOKS_DIR)["code"]
    assert run_module._code_and_versions(NOTEBOOKS_DIR)["code"] == before
    config.write_text(config.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert run_module._code_and_versions(NOTEBOOKS_DIR)["code"] != before


def test_a_stored_entry_is_only_read_back_under_its_own_key(tmp_path):
    store = Cache(tmp_path / "cache")
    result = tmp_path / "result"
    result.mkdir()
    (result / "a.txt").write_text("made", encoding="utf-8")
    store.store(QUARTER, "execute", "one", result, {"warnings": []})
    assert store.fetch(QUARTER, "execute", "two", tmp_path / "back") is None
    assert not (tmp_path / "back").exists()
    assert store.fetch(QUARTER, "execute", "one", tmp_path / "back") == {"warnings": []}
    assert (tmp_path / "back" / "a.txt").read_text(encoding="utf-8") == "made"
    # a newer entry replaces the older one, and a half-written entry is never read
    store.store(QUARTER, "execute", "two", result)
    assert [p.name for p in (tmp_path / "cache" / QUARTER / "execute").iterdir()] == ["two"]
    (tmp_path / "cache" / QUARTER / "execute" / "two" / "entry.json").unlink()
    assert store.fetch(QUARTER, "execute", "two", tmp_path / "again") is None
    assert Cache(None).fetch(QUARTER, "execute", "one", tmp_path / "none") is None


def test_no_cache_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["--quarter", QUARTER, "--dataset", str(DATASET), "--out", str(out), "--jobs", "2"]
    assert main([*args, "--no-cache"]) == 0
    assert not (out / CACHE_FOLDER).exists()
    assert "reused" not in capsys.readouterr().out
