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
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from analysis.config import read_yaml
from analysis.errors import RunError

__all__ = [
    "QUARTO_CONFIG",
    "REPORT_CSS",
    "LANGUAGE",
    "FORMATS",
    "QUARTO_MISSING",
    "find_quarto",
    "quarto_version",
    "book_config",
    "index_page",
    "stage_book",
    "render_book",
    "preview_html",
    "page_title",
]

_ROOT = Path(__file__).resolve().parents[1]
QUARTO_CONFIG = _ROOT / "_quarto.yml"
#: The report's own styles (status chips, figures): linked from ``_quarto.yml`` for the
#: book and inlined into every preview page.
REPORT_CSS = _ROOT / "assets" / "report.css"
LANGUAGE = "en-GB"
# The report formats a run accepts, and the Quarto format that makes each.
FORMATS: dict[str, str] = {"html": "html", "pdf": "typst"}
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


def book_config(
    template: Mapping[str, Any],
    *,
    title: str,
    subtitle: str,
    chapters: Sequence[str],
    formats: Sequence[str],
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

    Examples
    --------
    >>> template = {"book": {"title": "x", "chapters": ["index.qmd"]},
    ...             "format": {"html": {"code-fold": True}, "typst": {"echo": False}}}
    >>> config = book_config(template, title="Derby", subtitle="Q2", chapters=["a.ipynb"],
    ...                      formats=["html"])
    >>> config["book"]["chapters"], list(config["format"]), template["book"]["title"]
    (['index.qmd', 'a.ipynb'], ['html'], 'x')
    """
    config = copy.deepcopy(dict(template))
    book = dict(config.get("book") or {})
    book.update(title=title, subtitle=subtitle, chapters=["index.qmd", *chapters])
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
    return config


def index_page(organisation: str, plan: str, quarter_label: str, period_end: str) -> str:
    """The book's front page: what the report is and the period it covers.

    Examples
    --------
    >>> print(index_page("Derby City Council", "Recovery Plan 2021/22", "Quarter 2 2021/22",
    ...                  "end of September 2021"))  # doctest: +ELLIPSIS
    # Preface {.unnumbered}
    <BLANKLINE>
    This is Derby City Council's performance report on the Recovery Plan 2021/22 for ...
    """
    return (
        "# Preface {.unnumbered}\n\n"
        f"This is {organisation}'s performance report on the {plan} for {quarter_label}: "
        f"the position at the {period_end}. Every figure is computed from the data by the "
        "workbook's `analysis` package; the code behind each table can be unfolded beneath "
        "it, and the executed notebooks and a manifest of the run are published with the "
        "report.\n"
    )


def stage_book(
    folder: Path,
    notebooks: Sequence[Path],
    *,
    title: str,
    subtitle: str,
    index: str,
    formats: Sequence[str],
    resources: Sequence[Path] = (),
    template: Path = QUARTO_CONFIG,
) -> Path:
    """Write a Quarto book project for one quarter into ``folder``.

    The executed notebooks are copied in as the chapters, with the figures they saved
    beside them (``figures/``); ``index.qmd`` holds ``index``, ``resources`` (the data
    extracts) are copied into ``data/`` and the report's stylesheet into ``assets/``.

    Returns
    -------
    Path
        ``folder``.
    """
    from analysis.chapters import FIGURES_FOLDER

    folder.mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        shutil.copy2(notebook, folder / notebook.name)
        figures = notebook.parent / FIGURES_FOLDER
        if figures.is_dir():
            shutil.copytree(figures, folder / FIGURES_FOLDER, dirs_exist_ok=True)
    (folder / "assets").mkdir(exist_ok=True)
    shutil.copy2(REPORT_CSS, folder / "assets" / REPORT_CSS.name)
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
    )
    (folder / "_quarto.yml").write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return folder


def render_book(folder: Path, quarto: str) -> Path:
    """Render a staged book with Quarto, in every format its configuration lists.

    Returns
    -------
    Path
        The folder Quarto wrote the book into.

    Raises
    ------
    RunError
        If Quarto fails; the message holds the end of its output.
    """
    command = [quarto, "render", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-20:])
        raise RunError(
            f"Quarto could not render the report (`quarto render` exited with "
            f"{done.returncode}); its last lines:\n{tail}"
        )
    return folder / _BOOK_DIR


def preview_html(notebook: Path, folder: Path, css: Path = REPORT_CSS) -> Path:
    """A preview HTML page of an executed notebook, code hidden, written into ``folder``.

    The page is in British English (``lang="en-GB"``), titled with the chapter's first
    heading, and carries the report's stylesheet inline. Each figure a notebook displayed
    (:class:`analysis.chapters.Figure`, shown to Quarto as Markdown) becomes an HTML
    ``<figure>``: the SVG saved beside the notebook, with its alt text and caption.
    """
    import nbformat
    from nbconvert import HTMLExporter

    node = _figures_as_html(nbformat.read(notebook, as_version=4), notebook.parent, folder)
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
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
                return re.sub(r"\\(.)", r"\1", match.group(1))
    return ""


def _figures_as_html(node: Any, notebook_dir: Path, page_dir: Path) -> Any:
    """A copy of the notebook whose figure outputs are HTML ``<figure>`` elements."""
    from analysis.chapters import FIGURE_METADATA

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
