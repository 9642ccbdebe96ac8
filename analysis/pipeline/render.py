"""Rendering the executed notebooks: a Quarto book, or nbconvert previews without Quarto.

Each run stages its own Quarto project (a folder holding the root ``_quarto.yml`` filled
in for the quarter, an ``index.qmd`` and the executed notebooks) and renders it there, so
two quarters rendered at once never share a project folder. Quarto renders the notebooks
papermill executed; it never executes them again (``execute: enabled: false``).

Quarto is an external program (https://quarto.org), not a Python package. Without it the
run still publishes a preview HTML page per chapter, made with nbconvert with the code
hidden.
"""

from __future__ import annotations

import copy
import html
import importlib.util
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis.config.files import read_yaml
from analysis.errors import RunError
from analysis.pipeline.typst_tables import typst_chapter, typst_document
from analysis.report.chapters import by_format, named_table
from analysis.report.narrative import raw_html_block

__all__ = [
    "QUARTO_CONFIG",
    "REPORT_CSS",
    "TYPST_LAYOUT",
    "LANGUAGE",
    "FORMATS",
    "FORMAT_OUTPUTS",
    "QUARTO_MINIMUM",
    "QUARTO_MISSING",
    "Rendered",
    "find_quarto",
    "quarto_version",
    "parse_version",
    "check_quarto",
    "book_config",
    "index_page",
    "chapter_for_book",
    "tidy_book_html",
    "stage_book",
    "stage_quarter",
    "stage_document",
    "stage_cabinet",
    "stage_annual",
    "CABINET_FOLDER",
    "CABINET_NAME",
    "ANNUAL_FOLDER",
    "ANNUAL_NAME",
    "render_book",
    "render_projects",
    "quarto_messages",
    "preview_html",
    "page_title",
]

_ROOT = Path(__file__).resolve().parents[2]
QUARTO_CONFIG = _ROOT / "_quarto.yml"
#: The report's own styles (status chips, figures): linked from ``_quarto.yml`` for the
#: book and inlined into every preview page.
REPORT_CSS = _ROOT / "assets" / "report.css"
#: The preview pages' nbconvert template: the "lab" page without scripts from public sites.
PREVIEW_TEMPLATE = _ROOT / "assets" / "preview" / "preview.html.j2"
#: The PDF's page layout, a Typst template partial named in ``_quarto.yml``.
TYPST_LAYOUT = _ROOT / "assets" / "typst-show.typ"
LANGUAGE = "en-GB"
# The report formats a run accepts, and the Quarto format that makes each.
FORMATS: dict[str, str] = {"html": "html", "pdf": "typst"}
#: The file of the rendered book (under ``book/``) that proves each format was made.
FORMAT_OUTPUTS: dict[str, str] = {"html": "index.html", "pdf": "report.pdf"}
#: The oldest Quarto that makes each format of the book. Typst output for book projects
#: (the PDF) came with Quarto 1.9, and its book layout needs 1.9.17 or later; the HTML
#: book needs no feature newer than Quarto 1.4.
QUARTO_MINIMUM: dict[str, tuple[int, ...]] = {"html": (1, 4, 0), "pdf": (1, 9, 17)}
QUARTO_MISSING = (
    "Quarto is not installed (no `quarto` command on the PATH), so the HTML and PDF report "
    "were not rendered; the executed notebooks, manifest, data extracts and a preview HTML "
    "page per chapter were published instead. To render the report, install Quarto from "
    "https://quarto.org/docs/get-started/ and run the command again."
)
_BOOK_DIR = "_book"


def find_quarto() -> str | None:
    """The path of the ``quarto`` command, or None when it is not on the PATH."""
    return shutil.which("quarto")


def quarto_version(quarto: str | None) -> str:
    """Quarto's version as it reports it, or ``"not installed"``."""
    if quarto is None:
        return "not installed"
    try:
        done = subprocess.run(
            [quarto, "--version"], capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown (quarto --version failed)"
    return done.stdout.strip() or "unknown"


def parse_version(text: str) -> tuple[int, ...] | None:
    """The numbers of a version as Quarto prints it, or None when there are none.

    Examples
    --------
    >>> parse_version("1.10.18"), parse_version("99.9.9 (dev)"), parse_version("unknown")
    ((1, 10, 18), (99, 9, 9), None)
    """
    match = re.search(r"\d+(?:\.\d+)*", text)
    return tuple(int(part) for part in match.group(0).split(".")) if match else None


def check_quarto(version: str, formats: Sequence[str]) -> None:
    """Fail unless the Quarto of ``version`` makes every format asked for.

    Raises
    ------
    RunError
        Naming the version found, the version each format needs and how to get it.

    Examples
    --------
    >>> check_quarto("1.10.18", ["html", "pdf"])
    >>> check_quarto("1.8.25", ["pdf"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.errors.RunError: Quarto 1.8.25 cannot make the PDF report: it needs Quarto 1.9.17 ...
    """
    found = parse_version(version)
    short = [f for f in formats if found is None or found < QUARTO_MINIMUM[f]]
    if not short:
        return
    needs = max(QUARTO_MINIMUM[f] for f in short)
    names = " and ".join(f"the {f.upper()} report" for f in short)
    raise RunError(
        f"Quarto {version} cannot make {names}: it needs Quarto "
        f"{'.'.join(map(str, needs))} or later. Install a newer Quarto from "
        "https://quarto.org/docs/get-started/, or ask for other formats with --formats "
        f"(this Quarto makes: {', '.join(_made_by(found)) or 'none of them'}). Nothing was run."
    )


def _made_by(version: tuple[int, ...] | None) -> list[str]:
    return [f for f, needed in QUARTO_MINIMUM.items() if version is not None and version >= needed]


def book_config(
    template: Mapping[str, Any],
    *,
    title: str,
    subtitle: str,
    chapters: Sequence[str],
    formats: Sequence[str],
    author: str = "",
    date: str = "",
    font_paths: Sequence[str] = (),
) -> dict[str, Any]:
    """The staged project's configuration: the template filled in for one quarter.

    Parameters
    ----------
    template
        The root ``_quarto.yml`` as read.
    title, subtitle
        The book's title (organisation and plan) and subtitle (the quarter).
    chapters
        The chapter files, in order, after ``index.qmd``.
    formats
        Report formats (keys of :data:`FORMATS`); only their Quarto formats are kept.
    author, date
        The book's author (the organisation) and date (the quarter's last day, ISO);
        the template's are kept when empty.
    font_paths
        Folders of the PDF's fonts (:func:`pdf_font_paths`).

    Examples
    --------
    >>> template = {"book": {"title": "x", "chapters": ["index.qmd"]},
    ...             "format": {"html": {"code-fold": True}, "typst": {"echo": False}}}
    >>> config = book_config(template, title="Derby", subtitle="Q2", chapters=["a.ipynb"],
    ...                      formats=["html"], author="Derby City Council", date="2021-09-30")
    >>> config["book"]["chapters"], list(config["format"]), template["book"]["title"]
    (['index.qmd', 'a.ipynb'], ['html'], 'x')
    >>> config["book"]["author"], config["book"]["date"]
    ('Derby City Council', '2021-09-30')
    """
    config = copy.deepcopy(dict(template))
    book = dict(config.get("book") or {})
    book.update(title=title, subtitle=subtitle, chapters=["index.qmd", *chapters])
    book.update({key: value for key, value in (("author", author), ("date", date)) if value})
    config["book"] = book
    project = dict(config.get("project") or {})
    project["output-dir"] = _BOOK_DIR
    config["project"] = project
    wanted = {FORMATS[f] for f in formats}
    config["format"] = {
        name: options
        for name, options in dict(config.get("format") or {}).items()
        if name in wanted
    }
    missing = wanted - set(config["format"])
    if missing:
        raise RunError(
            f"{QUARTO_CONFIG.name} has no settings for the format(s) {', '.join(sorted(missing))}:"
            " add them under `format:`."
        )
    if "typst" in config["format"] and font_paths:
        typst = dict(config["format"]["typst"] or {})
        typst["font-paths"] = list(font_paths)
        config["format"]["typst"] = typst
    return config


def pdf_font_paths() -> list[str]:
    """The folders holding the PDF's fonts: matplotlib's own (DejaVu Sans), when installed.

    matplotlib is a pinned requirement (plotnine draws with it), so every machine that
    runs the report has these fonts, and the PDF looks the same on each.
    """
    spec = importlib.util.find_spec("matplotlib")
    for location in (spec.submodule_search_locations or []) if spec else []:
        fonts = Path(location) / "mpl-data" / "fonts" / "ttf"
        if fonts.is_dir():
            return [str(fonts)]
    return []


def index_page(organisation: str, plan: str, quarter_label: str, period_end: str) -> str:
    """The book's front page: what the report is and the period it covers.

    The organisation and plan are text from the data, escaped for Markdown. The sentence
    about the code is for the HTML book only: the PDF shows no code.

    Examples
    --------
    >>> print(index_page("Derby City Council", "Recovery Plan 2021/22", "Quarter 2 2021/22",
    ...                  "end of September 2021"))  # doctest: +ELLIPSIS
    # Preface {.unnumbered}
    <BLANKLINE>
    This is Derby City Council's performance report on the Recovery Plan 2021/22 for ...
    """
    from analysis.report.narrative import markdown_text

    return (
        "# Preface {.unnumbered}\n\n"
        f"This is {markdown_text(organisation)}'s performance report on the "
        f"{markdown_text(plan)} for {quarter_label}: the position at the {period_end}. Every "
        "figure is computed from the data, and the executed notebooks and a manifest of the "
        "run are published with the report, so that each can be traced to the data and the "
        "rule behind it.\n\n"
        '::: {.content-visible when-format="html"}\n'
        "Beneath each table and chart, *Show the code* unfolds the call that made it.\n"
        ":::\n"
    )


def stage_book(
    folder: Path,
    notebooks: Sequence[Path],
    *,
    title: str,
    subtitle: str,
    index: str,
    formats: Sequence[str],
    author: str = "",
    date: str = "",
    resources: Sequence[Path] = (),
    template: Path = QUARTO_CONFIG,
) -> Path:
    """Write a Quarto book project for one quarter into ``folder``.

    The executed notebooks become the chapters (each as :func:`chapter_for_book` makes
    it), with the figures they saved beside them (``figures/``); ``index.qmd`` holds
    ``index``, ``resources`` (the data extracts) are copied into ``data/`` and the
    report's stylesheet and PDF layout into ``assets/``.

    Returns
    -------
    Path
        ``folder``.
    """
    import nbformat

    from analysis.report.chapters import FIGURES_FOLDER

    folder.mkdir(parents=True, exist_ok=True)
    nodes = [chapter_for_book(nbformat.read(n, as_version=4)) for n in notebooks]
    _carry_page_settings(nodes)
    for notebook, node in zip(notebooks, nodes, strict=True):
        nbformat.write(node, folder / notebook.name)
        figures = notebook.parent / FIGURES_FOLDER
        if figures.is_dir():
            shutil.copytree(figures, folder / FIGURES_FOLDER, dirs_exist_ok=True)
    (folder / "assets").mkdir(exist_ok=True)
    for asset in (REPORT_CSS, TYPST_LAYOUT):
        shutil.copy2(asset, folder / "assets" / asset.name)
    if resources:
        (folder / "data").mkdir(exist_ok=True)
        for resource in resources:
            shutil.copy2(resource, folder / "data" / resource.name)
    (folder / "index.qmd").write_text(index, encoding="utf-8")
    config = book_config(
        read_yaml(template),
        title=title,
        subtitle=subtitle,
        chapters=[n.name for n in notebooks],
        formats=formats,
        author=author,
        date=date,
        font_paths=pdf_font_paths(),
    )
    (folder / "_quarto.yml").write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return folder


def stage_quarter(
    folder: Path,
    notebooks: Sequence[Path],
    dataset: Any,
    quarter: Any,
    formats: Sequence[str],
    resources: Sequence[Path] = (),
) -> Path:
    """Stage the book of one quarter of a dataset: :func:`stage_book` with the book's
    title, subtitle, author, date and front page taken from the dataset and the quarter.

    Parameters
    ----------
    dataset
        The loaded dataset (:class:`analysis.dataset.read.Dataset`): its organisation and plan.
    quarter
        The :class:`analysis.quarters.Quarter` of the report.
    """
    from analysis.report.narrative import metadata_text

    organisation, plan = dataset.organisation, dataset.plan
    return stage_book(
        folder,
        notebooks,
        title=metadata_text(f"{organisation}: {plan}"),
        subtitle=metadata_text(f"Performance report, {quarter.label}"),
        author=metadata_text(organisation),
        date=quarter.period_end.isoformat(),
        index=index_page(organisation, plan, quarter.label, quarter.period_end_words),
        formats=formats,
        resources=resources,
    )


#: The folder of the rendered book that holds the Cabinet covering report, and its name.
CABINET_FOLDER = "cabinet"
CABINET_NAME = "cabinet-report"


#: The folder of the rendered book holding the annual results report, and its name.
ANNUAL_FOLDER = "annual"
ANNUAL_NAME = "annual-results"


def stage_document(
    folder: Path,
    name: str,
    title: str,
    dataset: Any,
    quarter: Any,
    formats: Sequence[str],
    body: str,
) -> Path:
    """Write the Quarto project of a document of its own beside the book into
    ``folder``: ``<name>.qmd`` and a ``_quarto.yml`` with the book's language, fonts,
    formats and table handling. It renders into ``_book/``, which the run moves into a
    folder of the book, so that ``../`` links reach the book.

    Parameters
    ----------
    title
        The document's title (its subtitle is the organisation and plan).
    body
        The document's Quarto Markdown, for every format: its tables are raw HTML
        blocks, which the PDF's copy has written as Typst
        (:func:`analysis.pipeline.typst_tables.typst_document`); what differs between
        the formats is in short blocks of its own (:func:`analysis.report.chapters.by_format`).
    """
    from analysis.report.narrative import metadata_text

    folder.mkdir(parents=True, exist_ok=True)
    template = read_yaml(QUARTO_CONFIG)
    wanted = {FORMATS[f] for f in formats}
    book_formats = dict(template.get("format") or {})
    # the PDF is linked from the page, in words, not as "Typst"; the tables are shown
    # as the book shows them
    options: dict[str, Any] = {"html": {"toc": False, "format-links": False}, "typst": {}}
    processing = (book_formats.get("html") or {}).get("html-table-processing")
    if processing is not None:
        options["html"]["html-table-processing"] = processing
    for option in ("mainfont", "fontsize", "papersize", "pdf-standard"):
        if option in (book_formats.get("typst") or {}):
            options["typst"][option] = book_formats["typst"][option]
    if pdf_font_paths():
        options["typst"]["font-paths"] = pdf_font_paths()
    config = {
        # named, not found: Quarto does not look for files to render under a hidden
        # folder, and a run builds in one (.<quarter>.building-...)
        "project": {"type": "default", "output-dir": _BOOK_DIR, "render": [f"{name}.qmd"]},
        "lang": template.get("lang", LANGUAGE),
        "language": template.get("language") or {},
        "format": {key: value for key, value in options.items() if key in wanted},
    }
    (folder / "_quarto.yml").write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    front = {
        "title": metadata_text(title),
        "subtitle": metadata_text(f"{dataset.organisation}: {dataset.plan}"),
        "author": metadata_text(dataset.organisation),
        "date": quarter.period_end.isoformat(),
        "date-format": "D MMMM YYYY",
    }
    # set ragged right and unhyphenated, as the book is (assets/typst-show.typ); a raw
    # Typst block, which the HTML page leaves out
    layout = "```{=typst}\n#set par(justify: false)\n#set text(hyphenate: false)\n```\n\n"
    if "typst" in wanted:
        body += "\n\n" + by_format(f"This document as a PDF: [{name}.pdf]({name}.pdf).", "")
    text = (
        "---\n"
        + yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
        + "---\n\n"
        + layout
        + body
        + "\n"
    )
    (folder / f"{name}.qmd").write_text(text, encoding="utf-8")
    return folder


def stage_cabinet(folder: Path, dataset: Any, quarter: Any, formats: Sequence[str]) -> Path:
    """The quarter's Cabinet covering report as a document of its own
    (:func:`analysis.report.covering.covering_report`), its appendix the book."""
    from analysis.report.covering import covering_report

    body = covering_report(dataset, quarter, appendix=("../index.html", "../report.pdf"))
    title = f"Performance monitoring: {quarter.label}"
    return stage_document(folder, CABINET_NAME, title, dataset, quarter, formats, body)


def stage_annual(folder: Path, dataset: Any, quarter: Any, formats: Sequence[str]) -> Path:
    """The year's annual results report as a document of its own
    (:func:`analysis.report.annual.annual_results_markdown`)."""
    from analysis.report.annual import annual_results_markdown

    body = annual_results_markdown(dataset, quarter)
    title = f"Annual results {quarter.year_label}"
    return stage_document(folder, ANNUAL_NAME, title, dataset, quarter, formats, body)


# ------------------------------------------------------------------ chapters as Quarto reads


def chapter_for_book(node: Any) -> Any:
    """An executed notebook as the book shows it: titled, its sections and tables named.

    - A chapter headed in an output (a theme chapter writes its theme's name) gets that
      heading as its ``title``, in a front matter cell at the top, and the heading is
      removed from the output: Quarto names a chapter in the sidebar, the page title, the
      previous and next links and the PDF outline from its title, or else from the first
      level-one heading of its Markdown cells, which such a chapter does not have. A
      chapter headed in a Markdown cell is left as it is.
    - Headings displayed by a code cell (a theme chapter's outcomes) become Markdown cells
      of their own between the cell's outputs, so that Quarto numbers them as sections of
      the chapter and lists them in the page's table of contents; the code stays with the
      outputs before the first heading.
    - Every table gets a ``<caption>`` for screen readers (:func:`_name_tables`).
    - HTML outputs (the tables) are handed to Quarto as raw HTML blocks of Markdown:
      Quarto reads them into real tables for HTML and PDF all the same, but does not take
      them for Jupyter widgets, for which it would load require.js and jQuery from a
      public CDN into every page.

    A copy is returned; the notebook given is not changed.

    Examples
    --------
    >>> import nbformat.v4 as v4
    >>> node = v4.new_notebook(cells=[v4.new_code_cell(outputs=[v4.new_output(
    ...     "display_data", data={"text/markdown": "# Our place"})])])
    >>> book = chapter_for_book(node)
    >>> book.cells[0].cell_type, book.cells[0].source
    ('raw', '---\\ntitle: Our place\\n---')
    >>> book.cells[1].outputs
    []
    """
    from analysis.report.narrative import metadata_text

    node = _name_tables(copy.deepcopy(node))
    _without_run_times(node)
    holder = _title_cell(node)
    title = _take_title(node, outputs_only=True)
    if title and holder is not None and holder.get("outputs"):
        # What the heading's cell shows after it (the chapter's introduction) opens the
        # chapter, before any folded code: the cell displays only, so it may move.
        node.cells.remove(holder)
        settings = 0  # after the chapter's opening page settings (a landscape chapter's)
        while settings < len(node.cells) and _is_page_setting(node.cells[settings]):
            settings += 1
        node.cells.insert(settings, holder)
    if title:
        text = metadata_text(_unescape(title))
        front = yaml.safe_dump({"title": text}, allow_unicode=True, width=10**6).strip()
        node.cells.insert(0, _new_raw_cell(f"---\n{front}\n---", "front-matter"))
    node.cells = [part for cell in node.cells for part in _split_at_headings(cell)]
    for cell in node.cells:
        for output in cell.get("outputs", []):
            markup = output.get("data", {}).get("text/html")
            if markup is not None and "text/markdown" not in output["data"]:
                output["data"] = {"text/markdown": raw_html_block(str(markup))}
    return node


def _without_run_times(node: Any) -> None:
    """Leave out of the staged chapter what differs between two runs of the same
    notebook (papermill's and nbclient's timings), which Quarto would otherwise copy
    into the pages' markup: the book is then the same whenever the chapters are."""
    node.metadata.pop("papermill", None)
    for cell in node.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)


_PAGE_SETTING = re.compile(r"^`{3,}\{=typst\}\s*#set page\(")


def _carry_page_settings(nodes: Sequence[Any]) -> None:
    """Move a chapter's opening page setting to the end of the chapter before it.

    A chapter set on landscape pages in the PDF (the exceptions) opens with a raw Typst
    cell ``#set page(flipped: true)``. Quarto puts the chapter's title before everything
    else in the chapter, so the setting would start a new page after the title, leaving
    it alone on a portrait page; at the end of the previous chapter, it turns the page
    before the title.
    """
    for before, node in zip(nodes, nodes[1:], strict=False):
        cells = node.cells
        # a chapter titled in its front matter (a raw cell first) has its setting next
        first = 1 if cells and _is_front_matter(cells[0]) else 0
        if len(cells) > first and _is_page_setting(cells[first]):
            before.cells.append(cells.pop(first))


def _is_page_setting(cell: Any) -> bool:
    return cell.cell_type == "raw" and _PAGE_SETTING.match(cell.source) is not None


def _is_front_matter(cell: Any) -> bool:
    return cell.cell_type == "raw" and cell.source.startswith("---\n")


def _split_at_headings(cell: Any) -> list[Any]:
    """A code cell whose outputs hold headings, as cells split at each heading."""
    import nbformat.v4 as v4

    outputs = cell.get("outputs", []) if cell.cell_type == "code" else []
    if not any(_is_heading(o) for o in outputs) or _cell_options(cell.source).get("tbl-cap"):
        return [cell]
    parts = [cell]
    cell.outputs = []
    for output in outputs:
        # ids from the cell's own, not nbformat's random ones: staging is repeatable
        part_id = f"{cell.get('id', 'cell')}-{len(parts)}"
        if _is_heading(output):
            text = str(output["data"]["text/markdown"]).strip()
            parts.append(v4.new_markdown_cell(text, id=part_id))
            continue
        if parts[-1].cell_type != "code":
            parts.append(v4.new_code_cell("#| echo: false", metadata=cell.metadata, id=part_id))
        parts[-1].outputs.append(output)
    return parts


def _is_heading(output: Any) -> bool:
    text = str(output.get("data", {}).get("text/markdown", ""))
    return bool(text.strip()) and re.fullmatch(r"#{1,6}\s+[^\n]+", text.strip()) is not None


def _title_cell(node: Any) -> Any:
    """The code cell whose outputs hold the chapter's level-one heading, if any."""
    if any(c.cell_type == "markdown" and _HEADING.search(c.source) for c in node.cells):
        return None
    for cell in node.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if _HEADING.search(str(output.get("data", {}).get("text/markdown", ""))):
                return cell
    return None


def _new_raw_cell(source: str, cell_id: str) -> Any:
    """A raw cell with the given id (nbformat's own ids are random, and the same
    notebook staged twice must give the same file)."""
    import nbformat.v4 as v4

    return v4.new_raw_cell(source, id=cell_id)


def _take_title(node: Any, outputs_only: bool = False) -> str:
    """Remove the chapter's first level-one heading; return its Markdown text.

    With ``outputs_only``, only a heading in an output is taken, and only when no Markdown
    cell holds one.
    """
    if outputs_only and any(
        cell.cell_type == "markdown" and _HEADING.search(cell.source) for cell in node.cells
    ):
        return ""
    for cell in node.cells:
        if cell.cell_type == "markdown":
            source, title = _without_heading(cell.source)
            if title and not outputs_only:
                cell.source = source
                return title
            continue
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown")
            if text is None:
                continue
            rest, title = _without_heading(str(text))
            if title:
                output["data"]["text/markdown"] = rest
                if not rest.strip():
                    cell.outputs = [o for o in cell.outputs if o is not output]
                return title
    return ""


def tidy_book_html(book: Path) -> None:
    """Mend what Quarto's HTML book lacks for accessibility, in every page of ``book``.

    - The previous and next links carry an ``aria-label`` of the chapter's title alone,
      while they show its number too: the label is removed, so that the accessible name
      is what is visible (WCAG 2.5.3).
    - The sidebar of chapters, the page's contents and the previous and next links are
      navigation landmarks alike: each is named, so that they can be told apart.

    It also writes in one order the attributes that Quarto writes in either order from
    one render to the next (a cell's ``data-execution_count`` and ``data-tags``), so
    that the same chapters always give the same pages.
    """
    for page in book.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        mended = _PAGINATION_LABEL.sub(r"\1", text)
        mended = _CELL_ATTRIBUTES.sub(r"\2 \1", mended)
        for opening, name in _NAV_NAMES:
            if f'{opening} aria-label="' not in mended:
                mended = mended.replace(opening, f'{opening} aria-label="{name}"', 1)
        if mended != text:
            page.write_text(mended, encoding="utf-8")


# The navigation landmarks of a book page, and their names.
_NAV_NAMES = (
    ('<nav id="quarto-sidebar"', "Chapters"),
    ('<nav id="TOC"', "On this page"),
    ('<nav class="page-navigation"', "Previous and next chapters"),
)
_CELL_ATTRIBUTES = re.compile(r'(data-tags="[^"]*") (data-execution_count="\d+")')
_PAGINATION_LABEL = re.compile(r'(<a\b[^>]*class="pagination-link"[^>]*?)\s+aria-label="[^"]*"')


def _without_heading(text: str) -> tuple[str, str]:
    match = _HEADING.search(text)
    if not match:
        return text, ""
    rest = (text[: match.start()] + text[match.end() :]).strip("\n")
    return rest, match.group(1)


def _name_tables(node: Any) -> Any:
    """Give every table of the notebook a name a screen reader announces.

    A table's name is its cell's ``tbl-cap`` option or, for a table displayed without one
    (a theme chapter's table of an outcome), the heading displayed just before it. The
    name goes into the table as a ``<caption>`` (visually hidden: the caption or heading
    is already on the page), and onto the table's scroll container, which becomes a
    focusable, labelled region, so that a keyboard can scroll a table wider than the
    screen (WCAG 2.1.1).
    """
    for cell in node.cells:
        if cell.cell_type != "code":
            continue
        caption = str(_cell_options(cell.source).get("tbl-cap") or "")
        name = caption
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                heading = _HEADING_ANY.search(str(data["text/markdown"]))
                name = caption or (_unescape(heading.group(1)) if heading else name)
            markup = data.get("text/html")
            if markup is None or "<caption" in str(markup) or not name:
                continue
            data["text/html"] = named_table(str(markup), name)
    return node


def _cell_options(source: str) -> dict[str, Any]:
    """A cell's Quarto options (its leading ``#|`` lines)."""
    lines = []
    for line in source.splitlines():
        if not line.startswith("#|"):
            break
        lines.append(line[2:].strip())
    try:
        options = yaml.safe_load("\n".join(lines)) if lines else {}
    except yaml.YAMLError:
        return {}
    return options if isinstance(options, dict) else {}


def _unescape(markdown: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", markdown))


# ------------------------------------------------------------------------------ rendering


@dataclass(frozen=True)
class Rendered:
    """What a Quarto render made: the book's folder and its warnings."""

    folder: Path
    warnings: list[dict[str, Any]]


def render_book(folder: Path, quarto: str, parallel: bool | None = None) -> Rendered:
    """Render a staged book with Quarto, in every format its configuration lists
    (:func:`render_projects` of the book alone): its formats at the same time with more
    than one CPU or ``parallel`` True, one after another with ``parallel`` False."""
    jobs = None if parallel is None else (max(2, os.cpu_count() or 1) if parallel else 1)
    return render_projects([folder], quarto, jobs)[0]


def render_projects(
    folders: Sequence[Path], quarto: str, jobs: int | None = None
) -> list[Rendered]:
    """Render staged Quarto projects (the book, then the documents beside it), each in
    every format its configuration lists.

    Each format of each project is rendered by its own ``quarto render --to <format>``,
    in its own copy of the staged project (Quarto's files of one render must not meet
    another's), ``jobs`` at a time (by default as many as there are CPUs), in order:
    the book's formats first, then the short documents in the time the book's shorter
    format leaves free. The other formats' files are then moved into the first's book.
    The PDF's copy has its tables written as Typst
    (:func:`analysis.pipeline.typst_tables.typst_chapter` and
    :func:`~analysis.pipeline.typst_tables.typst_document`), so that Quarto need not
    read thousands of table cells into Pandoc's tree.

    Quarto's output is captured (without colour codes); each project's warnings are
    returned, each distinct one once with its count (:func:`quarto_messages`).

    Raises
    ------
    RunError
        If Quarto fails: the message names the file being rendered and Quarto's first
        error; the full log is kept at ``quarto.log`` in the failing project's parent.
    """
    slots = max(1, jobs if jobs is not None else os.cpu_count() or 1)
    projects = [_format_copies(folder) for folder in folders]
    environment = {**os.environ, "NO_COLOR": "1", "QUARTO_LOG_LEVEL": "INFO"}
    renders = [
        (n, project, arguments)
        for n, copies in enumerate(projects)
        for project, arguments in copies
    ]
    logs = [project.parent / f".{project.name}.quarto.log" for _, project, _ in renders]
    running: list[subprocess.Popen[bytes]] = []
    try:
        with ExitStack() as files:
            for (_, project, arguments), log in zip(renders, logs, strict=True):
                while sum(process.poll() is None for process in running) >= slots:
                    time.sleep(0.05)
                running.append(
                    subprocess.Popen(
                        [quarto, "render", str(project), *arguments],
                        stdout=files.enter_context(log.open("wb")),
                        stderr=subprocess.STDOUT,
                        cwd=project,
                        env=environment,
                        stdin=subprocess.DEVNULL,
                    )
                )
            codes = [process.wait() for process in running]
        texts = [_plain(log.read_bytes().decode("utf-8", "replace")) for log in logs]
    finally:
        for process in running:  # only when interrupted: stop what is still rendering
            if process.poll() is None:
                process.kill()
                process.wait()
        for log in logs:
            log.unlink(missing_ok=True)
    for (n, _, _), code, text in zip(renders, codes, texts, strict=True):
        if code != 0:
            for copies in projects:
                _discard_copies(copies)
            _render_failed(folders[n], code, text)
    made = []
    for n, (folder, copies) in enumerate(zip(folders, projects, strict=True)):
        for project, _ in copies[1:]:
            if (project / _BOOK_DIR).is_dir():  # a render that made nothing is reported later
                shutil.copytree(project / _BOOK_DIR, folder / _BOOK_DIR, dirs_exist_ok=True)
        _discard_copies(copies)
        tidy_book_html(folder / _BOOK_DIR)
        text = "\n".join(t for (m, _, _), t in zip(renders, texts, strict=True) if m == n)
        made.append(Rendered(folder / _BOOK_DIR, quarto_messages(text)["warnings"]))
    return made


def _format_copies(folder: Path) -> list[tuple[Path, list[str]]]:
    """A staged project and, for each of its formats after the first, a copy of it to
    render that format in; each with the ``quarto render`` arguments that choose it.
    The PDF's copy has its tables written as Typst."""
    config = folder / "_quarto.yml"
    formats = list(read_yaml(config).get("format") or {}) if config.is_file() else []
    if len(formats) < 2:
        renders = [(folder, [])]
    else:
        renders = [(folder, ["--to", formats[0]])]
        for name in formats[1:]:
            copy_of = folder.parent / f"{folder.name}-{name}"
            if copy_of.exists():
                shutil.rmtree(copy_of)
            shutil.copytree(folder, copy_of)
            renders.append((copy_of, ["--to", name]))
    for (project, _), name in zip(renders, formats, strict=False):
        if name == "typst":
            for chapter in project.glob("*.ipynb"):
                typst_chapter(chapter)
            for document in project.glob("*.qmd"):
                typst_document(document)
    return renders


def _discard_copies(renders: Sequence[tuple[Path, list[str]]]) -> None:
    for project, _ in renders[1:]:
        shutil.rmtree(project, ignore_errors=True)


def _render_failed(folder: Path, code: int, log: str) -> None:
    messages = quarto_messages(log)
    kept = folder.parent / "quarto.log"
    kept.write_text(log, encoding="utf-8")
    error = messages["errors"][0] if messages["errors"] else "(no error message)"
    where = f" while rendering {messages['file']}" if messages["file"] else ""
    raise RunError(
        f"Quarto could not render the report (`quarto render` exited with "
        f"{code}){where}: {error}\nQuarto's full output is kept in {kept}."
    )


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_PROGRESS = re.compile(r"^\s*\[\s*\d+/\d+\]\s+(\S+)")
_COMPILING = re.compile(r"Compiling (\S+?) to ")
_WARNING = re.compile(r"(?:^|\s|\.\.\.)(?:WARNING|warning|\[WARNING\])(?: \([^)]*\))?:?\s+(.+)$")
_ERROR = re.compile(r"(?:^|\s|\.\.\.)(?:ERROR|[Ee]rror|\[ERROR\])(?: \([^)]*\))?:?\s+(.+)$")


def _plain(text: str) -> str:
    return _ANSI.sub("", text).replace("\r\n", "\n")


def quarto_messages(log: str) -> dict[str, Any]:
    """Quarto's warnings and errors in its output, and the last file it began.

    Each distinct warning is listed once, with how many times it came, in order of first
    appearance; Typst's warnings carry the location that follows them.

    Examples
    --------
    >>> log = ("[1/2] a.ipynb\\nWARNING (x.lua:3) odd thing\\n[2/2] b.ipynb\\n"
    ...        "[typst]: Compiling b.typ to b.pdf...warning: unknown font family: serif\\n"
    ...        "warning: unknown font family: serif\\nERROR: Typst compilation failed\\n")
    >>> found = quarto_messages(log)
    >>> found["warnings"]  # doctest: +NORMALIZE_WHITESPACE
    [{'message': 'odd thing', 'count': 1},
     {'message': 'unknown font family: serif', 'count': 2}]
    >>> found["errors"], found["file"]
    (['Typst compilation failed'], 'b.typ')
    """
    warnings: Counter[str] = Counter()
    errors: list[str] = []
    current = ""
    lines = log.splitlines()
    for at, line in enumerate(lines):
        progress = _PROGRESS.match(line) or _COMPILING.search(line)
        if progress and not errors:
            current = progress.group(1)
        warning = _WARNING.search(line)
        error = _ERROR.search(line)
        if warning:
            warnings[warning.group(1).strip()] += 1
        elif error:
            # the line after an error often says what was found (a template's, Typst's)
            after = [x.strip() for x in lines[at + 1 : at + 3] if x.strip()][:1]
            detail = f" ({after[0]})" if after and not _ERROR.search(after[0]) else ""
            errors.append(error.group(1).strip() + detail)
    return {
        "warnings": [{"message": m, "count": n} for m, n in warnings.items()],
        "errors": errors,
        "file": current,
    }


def preview_html(notebook: Path, folder: Path, css: Path = REPORT_CSS) -> Path:
    """A preview HTML page of an executed notebook, code hidden, written into ``folder``.

    The page is in British English (``lang="en-GB"``), titled and headed with the
    chapter's first heading, its tables named as in the book (:func:`chapter_for_book`),
    and carries the report's stylesheet inline. Each figure a notebook displayed
    (:class:`analysis.report.chapters.Figure`, shown to Quarto as Markdown) becomes an HTML
    ``<figure>``: the SVG saved beside the notebook, with its alt text and caption.
    """
    import nbformat
    from nbconvert import HTMLExporter

    node = _name_tables(nbformat.read(notebook, as_version=4))
    # raw cells are for Quarto (a chapter's page settings in the PDF), not for a page
    node.cells = [cell for cell in node.cells if cell.cell_type != "raw"]
    title = _take_title(node)
    if title:
        node.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {title}", id="preview-title"))
    node = _figures_as_html(node, notebook.parent, folder)
    exporter = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        extra_template_paths=[str(PREVIEW_TEMPLATE.parent)],
        template_file=PREVIEW_TEMPLATE.name,
    )
    title = page_title(node) or notebook.stem
    body, _ = exporter.from_notebook_node(node, resources={"metadata": {"name": title}})
    style = css.read_text(encoding="utf-8") if css.is_file() else ""
    body = body.replace("</head>", f"<style>\n{style}\n</style>\n</head>", 1)
    # nbconvert accepts only two-letter language codes; the report is in British English.
    body = re.sub(r"<html\b[^>]*>", f'<html lang="{LANGUAGE}">', body, count=1)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{notebook.stem}.html"
    target.write_text(body, encoding="utf-8")
    return target


_HEADING = re.compile(r"^#\s+(.+?)\s*(?:\{[^}]*\})?\s*$", re.MULTILINE)
_HEADING_ANY = re.compile(r"^#{1,6}\s+(.+?)\s*(?:\{[^}]*\})?\s*$", re.MULTILINE)


def page_title(node: Any) -> str:
    """A chapter's title: its first level-one heading, in a markdown cell or an output.

    Examples
    --------
    >>> import nbformat.v4 as v4
    >>> node = v4.new_notebook(cells=[v4.new_code_cell(outputs=[v4.new_output(
    ...     "display_data", data={"text/markdown": "# Our place \\\\& more"})])])
    >>> page_title(node)
    'Our place & more'
    """
    for cell in node.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else []
        texts += [
            output.get("data", {}).get("text/markdown", "") for output in cell.get("outputs", [])
        ]
        for text in texts:
            match = _HEADING.search(str(text))
            if match:
                return _unescape(match.group(1))
    return ""


def _figures_as_html(node: Any, notebook_dir: Path, page_dir: Path) -> Any:
    """A copy of the notebook whose figure outputs are HTML ``<figure>`` elements."""
    from analysis.report.chapters import FIGURE_METADATA

    node = copy.deepcopy(node)
    for cell in node.cells:
        for output in cell.get("outputs", []):
            figure = output.get("metadata", {}).get(FIGURE_METADATA)
            if not figure:
                continue
            src = os.path.relpath(notebook_dir / figure["src"], page_dir)
            output["data"] = {
                "text/html": (
                    f'<figure class="chart" id="{html.escape(figure["label"])}">'
                    f'<img src="{html.escape(Path(src).as_posix())}" '
                    f'alt="{html.escape(figure["alt"])}">'
                    f"<figcaption>{html.escape(figure['caption'])}</figcaption></figure>"
                ),
                "text/plain": figure["caption"],
            }
    return node
