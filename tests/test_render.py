"""Staging the Quarto book for a quarter."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis.errors import RunError
from analysis.pipeline.render import (
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
    nbformat.write(nbformat.v4.new_notebook(), notebook)
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
    nbformat.write(nbformat.v4.new_notebook(), notebook)
    project = stage_book(
        tmp_path / "quarto",
        [notebook],
        title="T",
        subtitle="S",
        index="# P\n",
        formats=["html", "pdf"],
    )
    assert (project / "figures" / "fig-a.svg").read_text(encoding="utf-8") == "<svg/>"
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    assert (project / config["format"]["html"]["css"]).is_file()
    for partial in config["format"]["typst"]["template-partials"]:
        assert (project / partial).is_file()


def _figure_notebook(folder):
    import nbformat.v4 as v4

    from analysis.report.chapters import FIGURE_METADATA, Figure

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


# ----------------------------------------------------------------- Quarto's version and output


@pytest.mark.parametrize(
    "version, formats, fails",
    [
        ("1.10.18", ["html", "pdf"], False),
        ("1.9.17", ["pdf"], False),
        ("1.9.16", ["pdf"], True),
        ("1.8.25", ["html"], False),
        ("1.3.450", ["html"], True),
        ("unknown (quarto --version failed)", ["html"], True),
    ],
)
def test_check_quarto_names_found_and_needed_versions(version, formats, fails):
    from analysis.pipeline.render import check_quarto

    if not fails:
        check_quarto(version, formats)
        return
    with pytest.raises(RunError) as caught:
        check_quarto(version, formats)
    assert f"Quarto {version} cannot make" in str(caught.value)
    assert "or later" in str(caught.value)


QUARTO_LOG = """\
[1/3] index.qmd
WARNING (/x/filter.lua:12) Unable to resolve crossref @tbl-x
[2/3] 01-summary.ipynb
[3/3] 02-our-place.ipynb
WARNING (/x/filter.lua:12) Unable to resolve crossref @tbl-x
[typst]: Compiling index.typ to index.pdf...warning: unknown font family: sans-serif
   ┌─ index.typ:478:17
warning: unknown font family: sans-serif
"""


def test_quarto_messages_count_each_distinct_warning_once():
    from analysis.pipeline.render import quarto_messages

    found = quarto_messages(QUARTO_LOG)
    assert found["warnings"] == [
        {"message": "Unable to resolve crossref @tbl-x", "count": 2},
        {"message": "unknown font family: sans-serif", "count": 2},
    ]
    assert found["errors"] == []


def test_quarto_messages_find_the_first_error_and_the_file_being_rendered():
    from analysis.pipeline.render import quarto_messages

    log = (
        "[1/2] index.qmd\n[2/2] 05-exceptions.ipynb\n"
        'Error compiling template "typst-show.typ" (line 7, column 62):\nunexpected "$"\n'
        "ERROR: Render failed\n"
    )
    found = quarto_messages(log)
    assert found["file"] == "05-exceptions.ipynb"
    assert found["errors"][0].startswith('compiling template "typst-show.typ"')
    assert 'unexpected "$"' in found["errors"][0]


def test_a_failed_render_keeps_the_log_and_shows_the_error_without_colour(tmp_path):
    from analysis.pipeline.render import render_book

    fake = tmp_path / "quarto"
    fake.write_text(
        "#!/bin/sh\nprintf '[1/1] 01-summary.ipynb\\n\\033[91mERROR: it broke\\033[39m\\n' >&2\n"
        "exit 1\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    project = tmp_path / "quarto-project"
    project.mkdir()
    with pytest.raises(RunError) as caught:
        render_book(project, str(fake))
    message = str(caught.value)
    assert "while rendering 01-summary.ipynb: it broke" in message
    assert "\x1b" not in message
    assert "ERROR: it broke" in (tmp_path / "quarto.log").read_text(encoding="utf-8")


# ----------------------------------------------------------------- chapters as Quarto reads them


def _notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def _output(mime, text):
    return nbformat.v4.new_output("display_data", data={mime: text})


def test_a_heading_in_an_output_becomes_the_chapter_title():
    from analysis.pipeline.render import chapter_for_book

    node = _notebook(
        nbformat.v4.new_markdown_cell("Every item of the theme."),
        nbformat.v4.new_code_cell(outputs=[_output("text/markdown", "# Our \\*place\\*")]),
    )
    book = chapter_for_book(node)
    assert book.cells[0].cell_type == "raw"
    # written with character references: Quarto puts a chapter's title into the sidebar
    # without reading it as Markdown
    assert yaml.safe_load(book.cells[0].source.strip("-\n")) == {"title": "Our &#42;place&#42;"}
    assert book.cells[2].outputs == []
    assert node.cells[1].outputs, "the notebook given is not changed"


def test_a_heading_in_a_markdown_cell_stays_where_quarto_finds_it():
    from analysis.pipeline.render import chapter_for_book

    book = chapter_for_book(_notebook(nbformat.v4.new_markdown_cell("# Exceptions\n\nEvery one.")))
    assert [c.cell_type for c in book.cells] == ["markdown"]
    assert book.cells[0].source == "# Exceptions\n\nEvery one."


def test_headings_shown_by_a_cell_become_sections_between_its_outputs():
    from analysis.pipeline.render import chapter_for_book

    node = _notebook(
        nbformat.v4.new_code_cell(
            "for o in outcomes: ...",
            outputs=[
                _output("text/markdown", "## One"),
                _output("text/html", "<table><tr><td>1</td></tr></table>"),
                _output("text/markdown", "## Two"),
                _output("text/html", "<table><tr><td>2</td></tr></table>"),
            ],
        )
    )
    cells = chapter_for_book(node).cells
    assert [(c.cell_type, c.source) for c in cells] == [
        ("code", "for o in outcomes: ..."),
        ("markdown", "## One"),
        ("code", "#| echo: false"),
        ("markdown", "## Two"),
        ("code", "#| echo: false"),
    ]
    assert cells[0].outputs == []
    assert "<td>2</td>" in cells[4].outputs[0]["data"]["text/markdown"]


def test_a_chapter_opening_with_a_page_setting_turns_the_page_before_its_title(tmp_path):
    flip = "```{=typst}\n#set page(flipped: true)\n```"
    first, second = tmp_path / "04-a.ipynb", tmp_path / "05-b.ipynb"
    nbformat.write(_notebook(nbformat.v4.new_markdown_cell("# A")), first)
    nbformat.write(
        _notebook(nbformat.v4.new_raw_cell(flip), nbformat.v4.new_markdown_cell("# B")), second
    )
    project = stage_book(
        tmp_path / "q", [first, second], title="T", subtitle="S", index="# P\n", formats=["pdf"]
    )
    staged = [nbformat.read(project / n.name, as_version=4) for n in (first, second)]
    assert staged[0].cells[-1].source == flip
    assert [c.source for c in staged[1].cells] == ["# B"]


def test_tables_are_named_by_their_caption_or_the_heading_before_them():
    from analysis.pipeline.render import chapter_for_book

    table = (
        '<div id="t" style="overflow-x:auto;">'
        '<table class="gt_table"><tr><td>1</td></tr></table></div>'
    )
    node = _notebook(
        nbformat.v4.new_code_cell(
            "#| label: tbl-x\n#| tbl-cap: The <b>register</b>\nf()",
            outputs=[_output("text/html", table)],
        ),
        nbformat.v4.new_code_cell(
            outputs=[
                _output("text/markdown", "## Confidence &amp; more"),
                _output("text/html", table),
            ]
        ),
    )
    book = chapter_for_book(node)
    first = book.cells[0].outputs[0]["data"]["text/markdown"]
    second = book.cells[3].outputs[0]["data"]["text/markdown"]
    assert first.startswith("```{=html}\n")
    assert "<caption" in first and "The &lt;b&gt;register&lt;/b&gt;</caption>" in first
    assert 'role="region" tabindex="0" aria-label="The &lt;b&gt;register&lt;/b&gt;"' in first
    assert "Confidence &amp; more</caption>" in second


def test_pagination_links_lose_their_label_and_every_navigation_landmark_is_named(tmp_path):
    from analysis.pipeline.render import tidy_book_html

    page = tmp_path / "01-summary.html"
    page.write_text(
        '<nav id="quarto-sidebar" class="sidebar"></nav>'
        '<nav id="TOC" role="doc-toc"></nav><nav class="page-navigation">'
        '<a href="./02.html" class="pagination-link" aria-label="Our place">'
        "<span>2 Our place</span></a></nav>",
        encoding="utf-8",
    )
    tidy_book_html(tmp_path)
    text = page.read_text(encoding="utf-8")
    assert 'aria-label="Our place"' not in text and 'class="pagination-link">' in text
    assert '<nav id="quarto-sidebar" aria-label="Chapters" class="sidebar">' in text
    # every navigation landmark is named, once, however often the pages are tidied
    assert '<nav id="TOC" aria-label="On this page" role="doc-toc">' in text
    assert '<nav class="page-navigation" aria-label="Previous and next chapters">' in text
    tidy_book_html(tmp_path)
    assert page.read_text(encoding="utf-8") == text


def test_the_book_gets_author_date_and_the_pdf_fonts():
    from analysis.pipeline.render import book_config, pdf_font_paths

    config = book_config(
        TEMPLATE,
        title="T",
        subtitle="S",
        chapters=[],
        formats=["html", "pdf"],
        author="Derby City Council",
        date="2021-09-30",
        font_paths=pdf_font_paths(),
    )
    assert config["book"]["author"] == "Derby City Council"
    assert config["book"]["date"] == "2021-09-30"
    fonts = Path(config["format"]["typst"]["font-paths"][0])
    assert (fonts / "DejaVuSans.ttf").is_file()
    assert config["format"]["typst"]["mainfont"] == "DejaVu Sans"
    assert config["format"]["typst"]["template-partials"] == ["assets/typst-show.typ"]


def test_a_landscape_setting_moves_past_a_chapter_title_in_front_matter():
    import nbformat.v4 as v4

    from analysis.pipeline.render import _carry_page_settings

    before = v4.new_notebook(cells=[v4.new_markdown_cell("# Summary")])
    flip = "```{=typst}\n#set page(flipped: true)\n```"
    after = v4.new_notebook(
        cells=[v4.new_raw_cell("---\ntitle: Exceptions\n---"), v4.new_raw_cell(flip)]
    )
    _carry_page_settings([before, after])
    assert before.cells[-1].source == flip
    assert [c.source for c in after.cells] == ["---\ntitle: Exceptions\n---"]


def test_a_chapter_titled_in_an_output_keeps_its_page_setting_first():
    import nbformat.v4 as v4

    from analysis.pipeline.render import chapter_for_book

    flip = "```{=typst}\n#set page(flipped: true)\n```"
    heading = v4.new_code_cell(
        "#| echo: false",
        outputs=[
            v4.new_output("display_data", data={"text/markdown": "# Exceptions"}),
            v4.new_output("display_data", data={"text/markdown": "Every measure ..."}),
        ],
    )
    node = v4.new_notebook(cells=[v4.new_raw_cell(flip), v4.new_code_cell("import x"), heading])
    book = chapter_for_book(node)
    assert book.cells[0].source == "---\ntitle: Exceptions\n---"
    assert book.cells[1].source == flip  # carried to the chapter before by the staging
    assert book.cells[2].outputs[0]["data"]["text/markdown"] == "Every measure ..."


# ------------------------------------------------------------- rendering many projects


_RECORDING_QUARTO = """#!/bin/sh
# a stand-in for quarto: records when each render starts and ends, and makes a file
project="$2"; to="$4"
echo "start $(basename "$project") $to" >> "{journal}"
sleep 0.3
mkdir -p "$project/_book"
echo made > "$project/_book/$(basename "$project")-$to.out"
echo "end $(basename "$project") $to" >> "{journal}"
[ -e "$project/fail" ] && {{ echo "ERROR: it broke" >&2; exit 1; }}
exit 0
"""


def _recording_quarto(tmp_path: Path) -> tuple[Path, Path]:
    journal = tmp_path / "journal.txt"
    fake = tmp_path / "quarto"
    fake.write_text(_RECORDING_QUARTO.format(journal=journal), encoding="utf-8")
    fake.chmod(0o755)
    return fake, journal


def _two_format_project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "_quarto.yml").write_text("format:\n  html: {}\n  typst: {}\n", encoding="utf-8")
    return folder


@pytest.mark.skipif(os.name != "posix", reason="the stand-in for Quarto is a shell script")
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_projects_render_jobs_at_a_time_the_book_first(tmp_path, jobs):
    from analysis.pipeline.render import render_projects

    fake, journal = _recording_quarto(tmp_path)
    folders = [_two_format_project(tmp_path / name) for name in ("book", "cabinet", "annual")]
    made = render_projects(folders, str(fake), jobs=jobs)
    events = journal.read_text(encoding="utf-8").split("\n")[:-1]
    running, most = 0, 0
    for event in events:
        running += 1 if event.startswith("start") else -1
        most = max(most, running)
    assert most == jobs
    # in order: the first ``jobs`` at once (in whatever order they get going), then one
    # as each ends
    queue = ["book", "book-typst", "cabinet", "cabinet-typst", "annual", "annual-typst"]
    starts = [e.split()[1] for e in events if e.startswith("start")]
    assert set(starts[:jobs]) == set(queue[:jobs]) and sorted(starts) == sorted(queue)
    if jobs == 1:
        assert starts == queue
    # each format's file lands in its project's own book; the copies are gone
    for folder, rendered in zip(folders, made, strict=True):
        assert rendered.folder == folder / "_book"
        assert sorted(p.name for p in rendered.folder.iterdir()) == [
            f"{folder.name}-html.out",
            f"{folder.name}-typst-typst.out",
        ]
        assert not (tmp_path / f"{folder.name}-typst").exists()


@pytest.mark.skipif(os.name != "posix", reason="the stand-in for Quarto is a shell script")
def test_a_document_that_fails_to_render_is_named_and_nothing_is_left_running(tmp_path):
    from analysis.pipeline.render import render_projects

    fake, journal = _recording_quarto(tmp_path)
    book = _two_format_project(tmp_path / "build" / "book")
    cabinet = _two_format_project(tmp_path / "build" / "cabinet")
    (cabinet / "fail").touch()
    with pytest.raises(RunError, match="it broke"):
        render_projects([book, cabinet], str(fake), jobs=2)
    events = journal.read_text(encoding="utf-8").split("\n")[:-1]
    assert events.count("end cabinet html") == 1 and len(events) == 8  # every render ended
    assert "ERROR: it broke" in (tmp_path / "build" / "quarto.log").read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == [
        "book",
        "cabinet",
        "quarto.log",
    ]
