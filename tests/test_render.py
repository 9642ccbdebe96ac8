"""Staging the Quarto book for a quarter."""

from __future__ import annotations

import shutil

import nbformat
import pytest
import yaml

from analysis.errors import RunError
from analysis.render import (
    QUARTO_CONFIG,
    book_config,
    preview_html,
    quarto_version,
    stage_book,
)

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


def test_staging_copies_the_figures_and_the_stylesheet(tmp_path):
    notebooks = tmp_path / "notebooks"
    (notebooks / "figures").mkdir(parents=True)
    (notebooks / "figures" / "fig-a.svg").write_text("<svg/>", encoding="utf-8")
    notebook = notebooks / "01-summary.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    project = stage_book(
        tmp_path / "quarto", [notebook], title="T", subtitle="S", index="# P\n", formats=["html"]
    )
    assert (project / "figures" / "fig-a.svg").read_text(encoding="utf-8") == "<svg/>"
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    assert (project / config["format"]["html"]["css"]).is_file()


def _figure_notebook(folder):
    import nbformat.v4 as v4

    from analysis.chapters import FIGURE_METADATA, Figure

    figure = Figure(
        "figures/fig-a.svg", "Actions <by> theme", 'Bar chart: "3" on track.', "fig-a", "![x]()"
    )
    data, metadata = figure._repr_mimebundle_()
    node = v4.new_notebook(
        cells=[
            v4.new_markdown_cell("# Key & highlights"),
            v4.new_code_cell(outputs=[v4.new_output("display_data", data=data, metadata=metadata)]),
        ]
    )
    assert FIGURE_METADATA in metadata
    (folder / "figures").mkdir(parents=True)
    (folder / "figures" / "fig-a.svg").write_text("<svg/>", encoding="utf-8")
    path = folder / "01-summary.ipynb"
    path.write_text(nbformat.writes(node), encoding="utf-8")
    return path


def test_preview_shows_figures_with_alt_and_caption_in_en_gb_with_a_title(tmp_path):
    from html.parser import HTMLParser

    notebook = _figure_notebook(tmp_path / "notebooks")
    page = preview_html(notebook, tmp_path / "preview").read_text(encoding="utf-8")

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags = []

        def handle_starttag(self, tag, attrs):
            self.tags.append((tag, dict(attrs)))

    parser = Parser()
    parser.feed(page)
    tags = dict(parser.tags)
    assert tags["html"] == {"lang": "en-GB"}
    assert "<title>Key &amp; highlights</title>" in page
    assert tags["img"]["alt"] == 'Bar chart: "3" on track.'
    assert tags["img"]["src"] == "../notebooks/figures/fig-a.svg"
    assert "<figcaption>Actions &lt;by&gt; theme</figcaption>" in page
    assert ".status-chip" in page
