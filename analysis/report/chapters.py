"""What the report's chapter notebooks need besides tables, text and charts.

The notebooks in ``notebooks/`` only narrate; where a chapter needs a heading from the
data, a selection of a table or a chart saved beside the executed notebook, the function
lives here, is tested, and the notebook calls it.

A chart is shown as a :class:`Figure`: its SVG is written into the executed notebook's
folder (``output_dir``, a parameter the run sets) and the notebook displays Markdown
``![caption](figures/x.svg){#fig-x fig-alt="..."}``, which Quarto renders as a numbered
figure with its alt text in HTML and PDF alike. The output also carries the figure's
source, caption and alt text as metadata, so that the preview pages made without Quarto
(:func:`analysis.pipeline.render.preview_html`) show the same figure.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.errors import WorkbookError
from analysis.report.narrative import markdown_text

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset
    from analysis.quarters import Quarter
    from analysis.report.charts import Chart

__all__ = [
    "FIGURES_FOLDER",
    "FIGURE_METADATA",
    "Figure",
    "save_figure",
    "markdown_text",
    "named_table",
    "by_format",
    "heading",
    "section",
    "report_features",
    "theme_name",
    "theme_outcomes",
    "exception_grouping",
    "requiring_action_level",
    "measures_with_history",
]

#: The folder, beside the executed notebook, that its figures are written into.
FIGURES_FOLDER = "figures"
#: The key of a figure output's metadata: ``{"src": ..., "caption": ..., "alt": ...}``.
FIGURE_METADATA = "report-figure"


@dataclass(frozen=True)
class Figure:
    """A chart saved as SVG, displayed in a notebook as a Quarto figure.

    Attributes
    ----------
    src
        The SVG's path relative to the executed notebook (``figures/fig-x.svg``).
    caption, alt, label
        The chart's caption, alternative text and cross-reference label.
    markdown
        The figure as Pandoc Markdown (:meth:`analysis.report.charts.Chart.to_markdown`).

    Examples
    --------
    >>> figure = Figure("figures/fig-a.svg", "Actions", "Bar chart: 3 on track.", "fig-a",
    ...                 '![Actions](figures/fig-a.svg){#fig-a fig-alt="Bar chart: 3 on track."}')
    >>> data, metadata = figure._repr_mimebundle_()
    >>> sorted(data), metadata["report-figure"]["alt"]
    (['text/markdown', 'text/plain'], 'Bar chart: 3 on track.')
    """

    src: str
    caption: str
    alt: str
    label: str
    markdown: str

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        data = {"text/markdown": self.markdown, "text/plain": f"Figure: {self.caption}"}
        metadata = {
            FIGURE_METADATA: {
                "src": self.src,
                "caption": self.caption,
                "alt": self.alt,
                "label": self.label,
            }
        }
        return data, metadata


def save_figure(chart: Chart, output_dir: str | Path) -> Figure:
    """Write a chart's SVG into ``output_dir/figures/`` and return the figure to display.

    Parameters
    ----------
    chart
        A chart from :mod:`analysis.report.charts`.
    output_dir
        The folder of the executed notebook (the ``output_dir`` parameter).

    Raises
    ------
    WorkbookError
        If ``output_dir`` is empty (the run always sets it).
    """
    from analysis.report.charts import write_svg

    if not str(output_dir).strip():
        raise WorkbookError(
            "The notebook has no output_dir parameter: it is the folder of the executed "
            "notebook, where its figures are saved. Run the report with "
            "`python -m analysis run`, which sets it."
        )
    src = f"{FIGURES_FOLDER}/{chart.label}.svg"
    write_svg(chart, Path(output_dir) / src)
    return Figure(src, chart.caption, chart.alt, chart.label, chart.to_markdown(src))


def heading(text: object, level: int = 2) -> str:
    """A Markdown heading for text from the data, escaped so that it stays text.

    Examples
    --------
    >>> heading("Our place")
    '## Our place'
    >>> heading("<b>Bold</b> *claims*", 1)
    '# \\\\<b\\\\>Bold\\\\</b\\\\> \\\\*claims\\\\*'
    """
    return f"{'#' * level} {markdown_text(text)}"


def report_features(dataset: Dataset, quarter: Quarter) -> frozenset[str]:
    """What the quarter's report of this dataset holds, for the ``needs-`` tags of its
    notebooks.

    The kinds of item the dataset holds (``measure``, ``action``, ``project``,
    ``risk``); ``completion`` when the scale of an action or project it holds flags a
    status as completed; ``amendments`` when plan amendments are put to Cabinet in the
    quarter.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> sorted(report_features(synthetic_dataset(), parse_quarter("2021-22 Q2")))
    ['action', 'amendments', 'completion', 'measure', 'project', 'risk']
    >>> "amendments" in report_features(synthetic_dataset(), parse_quarter("2021-22 Q1"))
    False
    """
    from analysis.engine.items import amendments_for
    from analysis.report.text import completion_kinds

    features = set(dataset.kinds)
    if completion_kinds(dataset):
        features.add("completion")
    if len(amendments_for(dataset, quarter)):
        features.add("amendments")
    return frozenset(features)


def section(dataset: Dataset, key: str, level: int = 2) -> list[Any]:
    """A chapter's or section's heading and introduction, as the notebook displays them.

    The words are the ``sections`` of the dataset's presentation
    (:mod:`analysis.config.presentation`), escaped so that they stay text. A section
    about kinds of item the dataset does not hold has no heading (the notebook's cells
    about it are left out by their ``needs-`` tags).

    Returns
    -------
    list of IPython.display.Markdown
        The heading, then the introduction if there is one: ``display(*section(...))``.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> for part in section(synthetic_dataset(), "progress"):
    ...     print(part.data)
    ## Assessment of progress
    Each priority action is assessed by its owner every quarter (see the methodology).
    """
    from IPython.display import Markdown

    words = dataset.presentation.section(key, dataset.kinds)
    if words.kinds and not set(words.kinds) & set(dataset.kinds):
        return []
    parts = [Markdown(heading(words.heading, level))]
    if words.intro:
        parts.append(Markdown(markdown_text(words.intro)))
    return parts


def theme_name(themes: pd.DataFrame, theme: str) -> str:
    """The name of the theme with this id (or name).

    Raises
    ------
    WorkbookError
        If the themes table has no such theme; the message lists the ids it has.

    Examples
    --------
    >>> themes = pd.DataFrame({"theme_id": ["place"], "name": ["Our place"]})
    >>> theme_name(themes, "place")
    'Our place'
    >>> theme_name(themes, "people")
    Traceback (most recent call last):
    ...
    analysis.errors.WorkbookError: There is no theme 'people'; the themes are: place.
    """
    match = themes.loc[(themes["theme_id"] == theme) | (themes["name"] == theme), "name"]
    if match.empty:
        known = ", ".join(map(str, themes["theme_id"]))
        raise WorkbookError(f"There is no theme {theme!r}; the themes are: {known}.")
    return str(match.iloc[0])


def theme_outcomes(dataset: Dataset, theme: str) -> pd.DataFrame:
    """The outcomes of a theme (by id or name), in report order.

    Returns
    -------
    pandas.DataFrame
        ``outcome_id``, ``name`` and ``description``.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> theme_outcomes(synthetic_dataset(), "Theme A")["outcome_id"].tolist()
    ['a1']
    """
    themes = dataset["themes"]
    name = theme_name(themes, theme)
    theme_id = themes.loc[themes["name"] == name, "theme_id"].iloc[0]
    outcomes = dataset["outcomes"]
    mine = outcomes[outcomes["theme_id"] == theme_id].sort_values("position", kind="stable")
    return mine[["outcome_id", "name", "description"]].reset_index(drop=True)


def requiring_action_level(dataset: Dataset) -> int:
    """The heading level of the items requiring action in the exceptions chapter: a
    section (2) after the exceptions when the dataset holds measures, else the
    chapter's own title (1), the exceptions being about measures only.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> requiring_action_level(synthetic_dataset())
    2
    """
    return 2 if dataset.holds("measure") else 1


def exception_grouping(dataset: Dataset) -> str:
    """How the exceptions chapter groups its measures: ``directorate`` or ``theme``.

    By directorate when every measure records one; otherwise by theme, so that no
    exception lands in a group of unrecorded directorates.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> exception_grouping(synthetic_dataset())
    'theme'
    """
    directorates = dataset["measures"]["directorate"].astype(str).str.strip()
    return "directorate" if len(directorates) and (directorates != "").all() else "theme"


def measures_with_history(dataset: Dataset, quarter: Any, theme: str) -> list[tuple[str, str]]:
    """The measures of a theme with earlier years in ``measure_history`` and a value this
    quarter, in report order, as (id, heading text) pairs for their panels.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> measures_with_history(synthetic_dataset(), parse_quarter("2021-22 Q2"), "a")
    []
    """
    from analysis.engine import history
    from analysis.engine.items import list_items

    found = set(history.measures_with_history(dataset, quarter))
    items = list_items(dataset)
    mine = items[
        (items["kind"] == "measure") & ((items["theme_id"] == theme) | (items["theme"] == theme))
    ]
    return [(i, f"{t} ({i})") for i, t in zip(mine["id"], mine["title"], strict=True) if i in found]


_TABLE_OPEN = re.compile(r"<table\b[^>]*>")
_GT_CONTAINER = re.compile(r'^(\s*<div id="[^"]*" style="[^"]*overflow-x:auto[^"]*")')


def named_table(markup: str, name: str) -> str:
    """A great-tables table's HTML with a name a screen reader announces.

    The name goes into the table as a ``<caption>`` (visually hidden: the table's caption
    or heading is already on the page), and onto the table's scroll container, which
    becomes a focusable, labelled region, so that a keyboard can scroll a table wider
    than the screen (WCAG 2.1.1).

    Examples
    --------
    >>> markup = '<div id="t" style="overflow-x:auto;"><table></table></div>'
    >>> print(named_table(markup, "Risks & issues"))  # doctest: +NORMALIZE_WHITESPACE
    <div id="t" style="overflow-x:auto;" role="region" tabindex="0"
         aria-label="Risks &amp; issues"><table>
    <caption class="visually-hidden">Risks &amp; issues</caption></table></div>
    """
    label = html.escape(name)
    markup = _TABLE_OPEN.sub(
        lambda m: f'{m.group(0)}\n<caption class="visually-hidden">{label}</caption>',
        markup,
        count=1,
    )
    return _GT_CONTAINER.sub(
        lambda m: f'{m.group(1)} role="region" tabindex="0" aria-label="{label}"', markup, count=1
    )


def by_format(html_text: str, other_text: str) -> str:
    """Quarto Markdown shown in the HTML page only, then Markdown shown in the other
    formats (the PDF) only; either may be empty.

    Keep the two short (a sentence with a link that differs): Quarto's handling of
    such a block grows faster than its length.

    Examples
    --------
    >>> print(by_format("[Report](index.html)", "[Report](report.pdf)"))
    ::: {.content-visible when-format="html"}
    [Report](index.html)
    :::
    <BLANKLINE>
    ::: {.content-visible unless-format="html"}
    [Report](report.pdf)
    :::
    """
    blocks = []
    if html_text:
        blocks.append(f'::: {{.content-visible when-format="html"}}\n{html_text}\n:::')
    if other_text:
        blocks.append(f'::: {{.content-visible unless-format="html"}}\n{other_text}\n:::')
    return "\n\n".join(blocks)
