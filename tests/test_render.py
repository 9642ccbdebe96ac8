"""Staging the Quarto book for a quarter."""

from __future__ import annotations

import shutil

import pytest
import yaml

from analysis.errors import RunError
from analysis.render import QUARTO_CONFIG, book_config, quarto_version, stage_book

TEMPLATE = yaml.safe_load(QUARTO_CONFIG.read_text(encoding="utf-8"))


def test_root_config_is_a_book_rendered_without_execution_in_en_gb():
    assert TEMPLATE["project"]["type"] == "book"
    assert TEMPLATE["execute"]["enabled"] is False
    assert TEMPLATE["lang"] == "en-GB"
    assert TEMPLATE["format"]["html"]["code-fold"] is True
    assert TEMPLATE["format"]["typst"]["echo"] is False


@pytest.mark.parametrize(
    "formats, kept",
    [(["html"], ["html"]), (["pdf"], ["typst"]), (["html", "pdf"], ["html", "typst"])],
)
def test_book_config_keeps_only_the_formats_asked_for(formats, kept):
    config = book_config(TEMPLATE, title="T", subtitle="S", chapters=["a.ipynb"], formats=formats)
    assert list(config["format"]) == kept
    assert config["book"]["title"] == "T" and config["book"]["subtitle"] == "S"
    assert config["book"]["chapters"] == ["index.qmd", "a.ipynb"]


def test_book_config_does_not_change_the_template():
    before = yaml.safe_dump(TEMPLATE)
    book_config(TEMPLATE, title="T", subtitle="S", chapters=["a.ipynb"], formats=["html"])
    assert yaml.safe_dump(TEMPLATE) == before


def test_book_config_names_a_format_the_template_lacks():
    with pytest.raises(RunError, match="typst"):
        book_config({"format": {"html": {}}}, title="T", subtitle="S", chapters=[], formats=["pdf"])


def test_two_quarters_stage_into_separate_projects(tmp_path):
    notebook = tmp_path / "01-summary.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    for slug in ("2021-22-Q1", "2021-22-Q2"):
        stage_book(
            tmp_path / slug,
            [notebook],
            title="Council: Plan",
            subtitle=slug,
            index="# Preface\n",
            formats=["html", "pdf"],
        )
    for slug in ("2021-22-Q1", "2021-22-Q2"):
        config = yaml.safe_load((tmp_path / slug / "_quarto.yml").read_text(encoding="utf-8"))
        assert config["book"]["subtitle"] == slug
        assert (tmp_path / slug / "01-summary.ipynb").is_file()
        assert (tmp_path / slug / "index.qmd").read_text(encoding="utf-8") == "# Preface\n"


def test_quarto_version_without_quarto():
    assert quarto_version(None) == "not installed"


@pytest.mark.skipif(
    shutil.which("quarto") is None,
    reason="Quarto is not installed (no `quarto` on the PATH); see quarto.org",
)
def test_quarto_version_with_quarto():
    assert quarto_version(shutil.which("quarto"))[0].isdigit()
