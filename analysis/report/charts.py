"""The report's charts: each built from the engine's frames, with a caption and alt text.

Every builder returns a :class:`Chart`: a figure (a plotnine one, or for the line charts
a :class:`LineChart` drawn with matplotlib itself), a short ``caption``, an
``alt`` text generated from the same numbers the chart draws (so a reader who cannot
see the chart loses nothing) and a Quarto cross-reference ``label``. Nothing is
written to disk here; :meth:`Chart.to_svg` renders in memory and :func:`write_svg`
writes to a path the caller gives.

Status charts (actions, projects, measure ratings) take their colours from the
dataset's scales and framework, and always show each status's word next to its bar;
other charts use the categorical palette of the presentation (``analysis/config/presentation/``).
Sizes, fonts and the way units are written come from that file too
(:func:`load_chart_style`).

Examples
--------
>>> style = load_chart_style()
>>> style.palette[:2]
('#12436D', '#28A197')
>>> style.units["gbp"].format(1200.5), style.units["percent"].format(68.0)
('£1,200.5', '68%')
"""

from __future__ import annotations

import hashlib
import html
import io
import math
import re
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import pandas as pd
from plotnine import (
    aes,
    coord_flip,
    element_blank,
    element_line,
    element_text,
    facet_wrap,
    geom_col,
    geom_text,
    ggplot,
    guide_legend,
    guides,
    labs,
    position_dodge,
    position_stack,
    scale_colour_manual,
    scale_fill_manual,
    scale_x_discrete,
    scale_y_continuous,
    theme,
    theme_minimal,
)
from plotnine.exceptions import PlotnineWarning

from analysis.config.files import CONFIG_DIR, check_colour, check_contrast, check_keys, read_yaml
from analysis.config.presentation import Presentation
from analysis.dataset.values import STATE_LABELS, STATE_VALUE
from analysis.engine.items import list_items, theme_names, updates_for
from analysis.engine.summary import action_status_counts, headline_figures, rated_measures
from analysis.errors import ConfigError, WorkbookError
from analysis.quarters import Quarter, parse_quarter
from analysis.schema import VOCABULARIES

if TYPE_CHECKING:
    from analysis.config.frameworks import Framework
    from analysis.dataset.read import Dataset

__all__ = [
    "PRESENTATION",
    "UnitStyle",
    "ChartStyle",
    "load_chart_style",
    "Chart",
    "write_svg",
    "action_status_chart",
    "project_status_chart",
    "measure_status_chart",
    "headline_chart",
    "trend_chart",
    "trend_charts",
    "measure_chart",
    "measure_charts",
    "history_chart",
    "measure_label",
    "LineChart",
    "Series",
]

#: The presentation settings shipped with the workbook.
PRESENTATION = CONFIG_DIR / "presentation" / "standard.yml"

_LINETYPES = ("solid", "dashed", "dotted", "dashdot")
_BACKGROUND = "#FFFFFF"
_POLARITY_WORDS = {
    "higher": "higher is better",
    "lower": "lower is better",
    "neither": "neither higher nor lower is better",
}
_NOT_RATED_WORDS = {
    "polarity_neither": "it is not rated, because neither a higher nor a lower value is better",
    "baseline": "it is not rated, because this year sets the baseline",
    "no_target": "it is not rated, because no quarterly target is set",
    "no_data": "it is not rated, because there is no actual this quarter",
}


# --------------------------------------------------------------------------- style


@dataclass(frozen=True)
class UnitStyle:
    """How numbers in one unit are written: ``prefix``, the number, ``suffix``.

    Numbers are rounded half up to at most two decimal places, with thousands commas
    and a true minus sign; exactly 1 takes the ``singular`` suffix.

    Examples
    --------
    >>> UnitStyle("gbp", "pounds", "£", "").format(-1234567.0)
    '−£1,234,567'
    >>> UnitStyle("percent", "per cent", "", "%").format(12.345)
    '12.35%'
    >>> days = UnitStyle("days", "days", "", " days", singular=" day")
    >>> days.format(1), days.format(2.5)
    ('1 day', '2.5 days')
    >>> rate = UnitStyle("rate_per_10000", "rate per 10,000", "", " per 10,000", axis_suffix="")
    >>> rate.format(78.2), rate.format_axis(78.2)
    ('78.2 per 10,000', '78.2')
    """

    key: str
    name: str
    prefix: str
    suffix: str
    singular: str | None = None
    axis_suffix: str | None = None

    def format(self, value: float) -> str:
        """A number with its unit, as tables, text and alt text write it."""
        singular = self.suffix if self.singular is None else self.singular
        return self._write(value, singular if abs(value) == 1 else self.suffix)

    def format_axis(self, value: float) -> str:
        """A number as a chart's axis writes it (its title names the unit)."""
        return self._write(value, self.suffix if self.axis_suffix is None else self.axis_suffix)

    def _write(self, value: float, suffix: str) -> str:
        # enough digits for any finite float, so that a huge value is written, not an error
        rounded = Decimal(repr(abs(float(value)))).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP, context=Context(prec=400)
        )
        digits = f"{rounded:,.2f}".rstrip("0").rstrip(".")
        sign = "\u2212" if value < 0 and digits != "0" else ""
        return f"{sign}{self.prefix}{digits}{suffix}"


@dataclass(frozen=True)
class ChartStyle:
    """The chart settings of ``presentation.yml``: palette, size, fonts and units."""

    source: str
    palette_name: str
    palette: tuple[str, ...]
    width: float
    height: float
    base_size: float
    label_size: float
    font_family: tuple[str, ...]
    text_colour: str
    target_linetype: str
    bar_height: float
    not_rated_colour: str
    not_rated_text_colour: str
    units: Mapping[str, UnitStyle]

    def bar_chart_height(self, bars: int, panels: int = 1) -> float:
        """The height of a bar chart: at least ``height``, and room for every bar.

        Examples
        --------
        >>> style = load_chart_style()
        >>> style.bar_chart_height(4), style.bar_chart_height(15, panels=3)
        (5.0, 6.9)
        """
        return max(self.height, bars * self.bar_height + 0.3 * panels + 1.5)

    def unit(self, key: str) -> UnitStyle:
        """The style of a unit of measure.

        Raises
        ------
        ConfigError
            If the presentation settings do not describe the unit.
        """
        if key not in self.units:
            raise ConfigError(
                f"{self.source}: units has no entry for {key!r}; add one with its name, "
                "prefix and suffix."
            )
        return self.units[key]


_CHART_KEYS = (
    "palette_name",
    "palette",
    "width",
    "height",
    "base_size",
    "label_size",
    "font_family",
    "text_colour",
    "target_linetype",
    "bar_height",
    "not_rated_colour",
    "not_rated_text_colour",
)


def load_chart_style(path: str | Path | Presentation | None = None) -> ChartStyle:
    """Read the chart settings, from the standard presentation by default.

    Parameters
    ----------
    path
        A dataset's presentation (``dataset.presentation``), or another presentation
        file, for a council that presents its report differently.

    Raises
    ------
    ConfigError
        For a missing or unknown setting, a colour not written ``#RRGGBB``, a palette
        of fewer than two colours, a size that is not a positive number, a text colour
        without 4.5:1 contrast on white, or a unit of measure with no entry.

    Examples
    --------
    >>> style = load_chart_style()
    >>> style.palette_name
    'UK Government Analysis Function categorical palette'
    >>> style.width, style.height, style.unit("days").format(3)
    (8.0, 5.0, '3 days')
    """
    if isinstance(path, Presentation):
        return _chart_style(path)
    source = Path(path) if path is not None else PRESENTATION
    if not source.is_file():
        raise ConfigError(f"No presentation settings at {source}: give the path of a YAML file.")
    data = read_yaml(source)
    where = str(source)
    check_keys(data, where, required=("charts", "units"), optional=_OTHER_SETTINGS)
    return _style_from(data, where)


# Settings of a presentation file that are not the charts'.
_OTHER_SETTINGS = ("extends", "tables", "kinds", "sections", "headlines")


@cache
def _chart_style(presentation: Presentation) -> ChartStyle:
    return _style_from(presentation.settings, presentation.where)


def _style_from(data: Mapping[str, Any], where: str) -> ChartStyle:
    """The chart style of a presentation's ``charts`` and ``units`` settings, checked."""
    charts = data["charts"]
    at = f"{where}: charts"
    check_keys(charts, at, required=_CHART_KEYS)
    palette = charts["palette"]
    if not isinstance(palette, list) or len(palette) < 2:
        raise ConfigError(f"{at}: palette must be a list of at least two colours, in order.")
    text_colour = check_colour(charts["text_colour"], f"{at}: text_colour")
    check_contrast(_BACKGROUND, text_colour, f"{at}: text_colour")
    linetype = charts["target_linetype"]
    if linetype not in _LINETYPES:
        raise ConfigError(
            f"{at}: target_linetype {linetype!r} is not one of {', '.join(_LINETYPES)}."
        )
    not_rated = check_colour(charts["not_rated_colour"], f"{at}: not_rated_colour")
    not_rated_text = check_colour(charts["not_rated_text_colour"], f"{at}: not_rated_text_colour")
    check_contrast(not_rated, not_rated_text, f"{at}: not_rated_text_colour")
    family = charts["font_family"]
    families = tuple(str(f) for f in (family if isinstance(family, list) else [family]))
    if not families or not all(families):
        raise ConfigError(f"{at}: font_family must name at least one font.")
    return ChartStyle(
        source=where,
        palette_name=str(charts["palette_name"]),
        palette=tuple(check_colour(c, f"{at}: palette") for c in palette),
        width=_positive(charts["width"], f"{at}: width"),
        height=_positive(charts["height"], f"{at}: height"),
        base_size=_positive(charts["base_size"], f"{at}: base_size"),
        label_size=_positive(charts["label_size"], f"{at}: label_size"),
        font_family=families,
        text_colour=text_colour,
        target_linetype=linetype,
        bar_height=_positive(charts["bar_height"], f"{at}: bar_height"),
        not_rated_colour=not_rated,
        not_rated_text_colour=not_rated_text,
        units=_units(data["units"], f"{where}: units"),
    )


def _positive(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{where}: expected a positive number, got {value!r}.")
    return float(value)


def _units(data: Any, where: str) -> dict[str, UnitStyle]:
    known = VOCABULARIES["unit"]
    check_keys(data, where, required=known)
    units = {}
    for key in known:
        at = f"{where}: {key}"
        check_keys(
            data[key],
            at,
            required=("name", "prefix", "suffix"),
            optional=("singular", "axis_suffix"),
        )
        entry = data[key]
        units[key] = UnitStyle(
            key,
            str(entry["name"]),
            str(entry["prefix"] or ""),
            str(entry["suffix"] or ""),
            singular=None if entry.get("singular") is None else str(entry["singular"]),
            axis_suffix=None if entry.get("axis_suffix") is None else str(entry["axis_suffix"]),
        )
    return units


# --------------------------------------------------------------------------- charts


_MPL_LINESTYLES = {"solid": "-", "dashed": "--", "dotted": ":", "dashdot": "-."}
_GRID = "#E5E5E5"
# plotnine's sizes, so that the charts drawn here look like those drawn by plotnine:
# a line of size 1 and a point of size 3, with its outline, in points
_LINE_WIDTH = math.sqrt(math.pi)
_POINT_SIZE = 3.5 * math.sqrt(math.pi)
_POINT_EDGE = 0.5 * math.sqrt(math.pi)


@dataclass(frozen=True)
class Series:
    """One line of a :class:`LineChart`: its name (in the legend), look and points.

    ``points`` are (category, value, label) triples, in order; a non-empty label is
    written above its point.
    """

    name: str
    colour: str
    linetype: str
    marker: str
    points: tuple[tuple[str, float, str], ...]


@dataclass(frozen=True, eq=False)
class LineChart:
    """Lines over ordered categories (quarters, years), drawn with matplotlib itself.

    A chart per measure is the one chart whose number grows with the plan, so it is
    drawn without a plotnine build: the same look as the plotnine charts (the report's
    theme, fonts, colours and sizes), at a fraction of the cost. Every category has its
    place on the x axis, so a gap keeps its width; the y axis has about five breaks
    written by ``y_labels``, with 15% room above and below the values for the labels.
    """

    categories: tuple[str, ...]
    series: tuple[Series, ...]
    x_title: str
    y_title: str
    y_labels: Any = field(repr=False)  # Callable[[float], str]
    style: ChartStyle = field(repr=False)

    def save(
        self,
        target: Any,
        format: str = "svg",
        width: float | None = None,
        height: float | None = None,
        units: str = "in",
        verbose: bool = False,
        **options: Any,
    ) -> None:
        """Draw the chart into ``target`` (a path or a binary file), as ggplot.save does."""
        if units != "in":
            raise WorkbookError(f"A chart's size is given in inches, not {units!r}.")
        style = self.style
        fonts = {
            "font.family": "sans-serif",
            "font.sans-serif": [*style.font_family, "DejaVu Sans"],
            "font.size": style.base_size,
            "text.color": style.text_colour,
        }
        with mpl.rc_context(fonts):
            figure = self._draw(width or style.width, height or style.height)
            figure.savefig(target, format=format, facecolor=_BACKGROUND, **options)

    def _draw(self, width: float, height: float) -> Any:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.font_manager import FontProperties
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        style = self.style
        figure = Figure(figsize=(width, height))
        renderer = FigureCanvasAgg(figure).get_renderer()  # to measure text, not to draw
        axes = figure.add_subplot()
        place = {category: n for n, category in enumerate(self.categories)}
        values = [v for s in self.series for _, v, _ in s.points] or [0.0]
        low, high = min(values), max(values)
        span = (high - low) or abs(high) or 1.0
        for series in self.series:
            xs = [place[c] for c, _, _ in series.points]
            ys = [v for _, v, _ in series.points]
            axes.plot(
                xs,
                ys,
                color=series.colour,
                linestyle=_MPL_LINESTYLES[series.linetype],
                linewidth=_LINE_WIDTH,
                marker=series.marker,
                markersize=_POINT_SIZE,
                markeredgewidth=_POINT_EDGE,
                label=_plain(series.name),
            )
            for x, (_, value, text) in zip(xs, series.points, strict=True):
                if text:
                    axes.text(
                        x,
                        value + span * 0.06,
                        _plain(text),
                        ha="center",
                        va="bottom",
                        fontsize=style.label_size,
                        color=series.colour,
                    )
        axes.set_xlim(-0.6, len(self.categories) - 0.4)
        axes.set_xticks(range(len(self.categories)), [_plain(c) for c in self.categories])
        room = (high - low) * 0.15 or abs(high) * 0.15 or 1.0
        axes.set_ylim(low - room, high + room)
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _plain(self.y_labels(v))))
        axes.set_xlabel(_plain(self.x_title), color=style.text_colour)
        axes.set_ylabel(_plain(self.y_title), color=style.text_colour)
        axes.tick_params(length=0, labelsize=style.base_size, labelcolor=style.text_colour)
        axes.grid(axis="x", color=_GRID, linewidth=1)
        axes.set_axisbelow(True)
        axes.set_facecolor("none")
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.spines["bottom"].set_color(style.text_colour)
        legend = figure.legend(
            loc="lower center",
            ncols=len(self.series),
            frameon=False,
            fontsize=style.base_size,
            handlelength=2.5,
        )
        # the margins the labels need, measured (not drawn): the y axis's labels and
        # title on the left; the x axis's labels and title, then the legend, at the foot
        points = figure.dpi / 72

        def extent(text: str, size: float) -> tuple[float, float]:
            font = FontProperties(size=size)
            w, h, _ = renderer.get_text_width_height_descent(text, font, ismath=False)
            return w, h

        low_view, high_view = axes.get_ylim()
        shown = [v for v in axes.get_yticks() if low_view <= v <= high_view]
        label_width = max((extent(_plain(self.y_labels(v)), style.base_size)[0] for v in shown),
                          default=0.0)  # fmt: skip
        line = extent("Qy", style.base_size)[1]
        pad = 6 * points
        left = pad + line + pad + label_width + pad
        legend_height = legend.get_window_extent(renderer).height
        bottom = legend_height + 8 + pad + line + pad + line + pad
        size = (width * figure.dpi, height * figure.dpi)
        figure.subplots_adjust(
            left=left / size[0], right=1 - pad / size[0], bottom=bottom / size[1],
            top=1 - pad / size[1],
        )  # fmt: skip
        return figure


@dataclass(frozen=True, eq=False)
class Chart:
    """A chart ready to display: the figure, its caption, alt text and label.

    Attributes
    ----------
    figure
        The figure: a plotnine ``ggplot``, or a :class:`LineChart` drawn with
        matplotlib itself (the line charts, one per measure).
    caption
        A short caption, shown under the chart.
    alt
        The alternative text: what the chart shows, with its numbers.
    label
        The Quarto cross-reference label, ``fig-...``.
    width, height
        The size the chart is drawn at, in inches.
    """

    figure: ggplot | LineChart = field(repr=False)
    caption: str
    alt: str
    label: str
    width: float
    height: float

    @cached_property
    def svg(self) -> str:
        """The chart as an SVG document, with its caption as ``<title>`` and alt as ``<desc>``.

        Text stays text (not outlines), so the words of the chart can be read by
        screen readers and found by search.
        """
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PlotnineWarning)
            with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": self.label}):
                self.figure.save(
                    buffer,
                    format="svg",
                    width=self.width,
                    height=self.height,
                    units="in",
                    verbose=False,
                    metadata={"Date": None},
                )
        return _label_svg(buffer.getvalue().decode("utf-8"), self.label, self.caption, self.alt)

    def to_svg(self) -> str:
        """The chart as an SVG document (rendered once, then kept)."""
        return self.svg

    def to_html(self) -> str:
        """The chart inline as an HTML ``<figure>`` with its caption in ``<figcaption>``."""
        start = self.svg.index("<svg")
        return (
            f'<figure id="{html.escape(self.label)}" class="chart">\n{self.svg[start:]}'
            f"<figcaption>{html.escape(self.caption)}</figcaption>\n</figure>"
        )

    def to_markdown(self, src: str) -> str:
        """A Quarto figure for the chart saved at ``src``, with caption, label and alt text.

        Examples
        --------
        >>> chart = Chart(ggplot(), "Spend [£m]", 'A "bar" chart.', "fig-spend", 8, 5)
        >>> print(chart.to_markdown("spend.svg"))
        ![Spend \\[£m\\]](spend.svg){#fig-spend fig-alt="A \\"bar\\" chart."}
        """
        from analysis.report.narrative import attribute_text, markdown_text

        caption, alt = markdown_text(self.caption), attribute_text(self.alt)
        return f'![{caption}]({src}){{#{self.label} fig-alt="{alt}"}}'

    def _repr_html_(self) -> str:
        return self.to_html()


def write_svg(chart: Chart, path: str | Path) -> Path:
    """Write a chart's SVG to ``path`` (creating its folder) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(chart.to_svg(), encoding="utf-8")
    return target


def _label_svg(svg: str, label: str, caption: str, alt: str) -> str:
    """Give an SVG document the image role, a ``<title>`` and a ``<desc>``."""
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:  # pragma: no cover - matplotlib always writes one
        raise WorkbookError("The chart could not be drawn as SVG.")
    ids = f"{label}-title {label}-desc"
    tag = match.group(0)[:-1] + f' role="img" aria-labelledby="{html.escape(ids)}">'
    labels = (
        f'\n <title id="{html.escape(label)}-title">{html.escape(caption)}</title>'
        f'\n <desc id="{html.escape(label)}-desc">{html.escape(alt)}</desc>'
    )
    return svg[: match.start()] + tag + labels + svg[match.end() :]


# ----------------------------------------------------------------- status mix by theme


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]


def action_status_chart(
    dataset: Dataset, quarter: Quarter, style: ChartStyle | None = None
) -> Chart:
    """The status mix of actions in each theme: a bar per status, by theme.

    The counts are those of :func:`analysis.engine.summary.action_status_counts`; the colours
    and words those of the action scale. Each bar carries its count, and its status
    word is written beside it, so colour is never the only carrier.
    """
    scale = dataset.scales.actions
    plural = dataset.presentation.kind("action").plural
    wide = action_status_counts(dataset, quarter)
    themes = theme_names(dataset)
    counts = wide.melt(
        id_vars=["status", "label"], value_vars=themes, var_name="theme", value_name="count"
    )
    colours = {scale.label(key): scale.status(key).colour for key in wide["status"]}
    return _status_mix_chart(
        counts,
        themes,
        colours,
        legend=scale.title,
        noun=plural,
        caption=f"{_capital(plural)} by status and theme, {quarter.short_label}",
        alt_start=f"Bar chart of {plural} by status for each theme at the "
        f"{quarter.period_end_words}.",
        label="fig-action-status",
        style=style or load_chart_style(dataset.presentation),
    )


def project_status_chart(
    dataset: Dataset,
    quarter: Quarter,
    field: str = "rag",
    style: ChartStyle | None = None,
) -> Chart:
    """The distribution of projects' RAG (or DCA) ratings, by theme.

    Every rated status of the project scale is shown; a status that is not rated
    (pre-start, completed) only when a project holds it.

    Parameters
    ----------
    field
        ``rag`` (present state, the default) or ``dca`` (delivery confidence).
    """
    if field not in ("rag", "dca"):
        raise WorkbookError(f"A project chart shows 'rag' or 'dca', not {field!r}.")
    scale = dataset.scales.projects
    plural = dataset.presentation.kind("project").plural
    themes = theme_names(dataset)
    updates = updates_for(dataset, "project", quarter).merge(
        list_items(dataset)[["id", "theme"]], on="id", how="left"
    )
    rows = []
    for status in scale.statuses:
        held = updates[updates[field] == status.key]
        if not status.rated and held.empty:
            continue
        for theme_name in themes:
            count = int((held["theme"] == theme_name).sum())
            rows.append(
                {"status": status.key, "label": status.label, "theme": theme_name, "count": count}
            )
    counts = pd.DataFrame(rows, columns=["status", "label", "theme", "count"])
    colours = {scale.label(key): scale.status(key).colour for key in dict.fromkeys(counts.status)}
    words = "RAG rating" if field == "rag" else "delivery confidence (DCA)"
    return _status_mix_chart(
        counts,
        themes,
        colours,
        legend="RAG" if field == "rag" else "DCA",
        noun=plural,
        caption=f"{_capital(plural)} by {words} and theme, {quarter.short_label}",
        alt_start=f"Bar chart of {plural} by {words} for each theme at the "
        f"{quarter.period_end_words}.",
        label=f"fig-project-{field}",
        style=style or load_chart_style(dataset.presentation),
    )


def measure_status_chart(
    dataset: Dataset, quarter: Quarter, style: ChartStyle | None = None
) -> Chart:
    """Measures by their quarterly rating (the framework's bands), by theme.

    Ratings are those of :func:`analysis.engine.summary.rated_measures`; measures that are not
    rated this quarter are not drawn, and the alt text says how many were left out.
    """
    framework = dataset.framework
    themes = theme_names(dataset)
    items = list_items(dataset)
    rated = rated_measures(dataset, quarter).merge(
        items.loc[items["kind"] == "measure", ["id", "theme"]],
        left_on="measure_id",
        right_on="id",
        how="left",
    )
    rows = [
        {
            "status": band.key,
            "label": band.label,
            "theme": theme_name,
            "count": int(
                ((rated["quarterly_status"] == band.key) & (rated["theme"] == theme_name)).sum()
            ),
        }
        for band in framework.bands
        for theme_name in themes
    ]
    counts = pd.DataFrame(rows, columns=["status", "label", "theme", "count"])
    left_out = {
        theme_name: int(
            ((rated["quarterly_basis"] != "rated") & (rated["theme"] == theme_name)).sum()
        )
        for theme_name in themes
    }
    return _status_mix_chart(
        counts,
        themes,
        {band.label: band.colour for band in framework.bands},
        legend="Rating",
        noun=dataset.presentation.kind("measure").plural,
        caption=f"{_capital(dataset.presentation.kind('measure').plural)} by quarterly rating "
        f"and theme, {quarter.short_label}",
        alt_start=f"Bar chart of {dataset.presentation.kind('measure').plural} by their rating "
        "against the quarterly target for "
        f"each theme at the {quarter.period_end_words}.",
        label="fig-measure-status",
        style=style or load_chart_style(dataset.presentation),
        left_out=left_out,
    )


def _status_mix_chart(
    counts: pd.DataFrame,
    themes: Sequence[str],
    colours: Mapping[str, str],
    *,
    legend: str,
    noun: str,
    caption: str,
    alt_start: str,
    label: str,
    style: ChartStyle | None,
    left_out: Mapping[str, int] | None = None,
) -> Chart:
    """Horizontal bars of counts by status (words on the axis), one panel per theme."""
    style = style or load_chart_style()
    labels = list(colours)
    frame = counts.assign(
        label=pd.Categorical(counts["label"].map(_plain), categories=[_plain(x) for x in labels]),
        theme=pd.Categorical(counts["theme"].map(_plain), categories=[_plain(t) for t in themes]),
        text=counts["count"].astype(int).astype(str),
    )
    top = max(int(counts["count"].max()) if len(counts) else 0, 1)
    figure = ggplot(frame, aes(x="label", y="count", fill="label")) + [
        geom_col(width=0.7),
        geom_text(aes(label="text"), ha="left", nudge_y=top * 0.02, size=style.label_size),
        coord_flip(),
        facet_wrap("theme", ncol=1),
        scale_x_discrete(limits=[_plain(x) for x in reversed(labels)]),
        scale_y_continuous(breaks=_integer_breaks(top), limits=(0, top * 1.12)),
        scale_fill_manual(
            values={_plain(k): v for k, v in colours.items()},
            breaks=[_plain(x) for x in labels],
            name=_plain(legend),
        ),
        labs(x="", y=f"Number of {noun}"),
        _theme(style),
        guides(fill=guide_legend(nrow=1 if len(labels) <= 3 else 2, byrow=True)),
    ]
    parts = []
    for theme_name in themes:
        held = counts[(counts["theme"] == theme_name) & (counts["count"] > 0)]
        pairs = zip(held["label"], held["count"], strict=True)
        words = ", ".join(f"{int(c)} {lab.lower()}" for lab, c in pairs)
        sentence = f"{theme_name}: {words or f'no {noun}'}"
        if left_out and left_out.get(theme_name):
            sentence += f" ({left_out[theme_name]} not rated)"
        parts.append(sentence + ".")
    height = style.bar_chart_height(len(labels) * len(themes), panels=len(themes))
    return Chart(figure, caption, " ".join([alt_start, *parts]), label, style.width, height)


# ------------------------------------------------------------------ trend over the year


def trend_charts(
    dataset: Dataset, quarter: Quarter, style: ChartStyle | None = None
) -> list[Chart]:
    """One :func:`trend_chart` for each kind of item the dataset holds, in its order."""
    return [trend_chart(dataset, quarter, kind, style) for kind in dataset.kinds]


def trend_chart(
    dataset: Dataset, quarter: Quarter, kind: str, style: ChartStyle | None = None
) -> Chart:
    """How a kind's items stood in each quarter of the year so far, theme by theme.

    One panel per theme, one bar per quarter, split by status in the status's colour
    (best first, from the left) and labelled with its count; the legend gives each
    status's word, the alt text every count. The counts are those of
    :func:`analysis.engine.trend.trend_counts` (a project by its RAG).
    """
    from analysis.engine.trend import kind_statuses, quarters_so_far, trend_counts

    style = style or load_chart_style(dataset.presentation)
    words = dataset.presentation.kind(kind)
    counts = trend_counts(dataset, quarter)
    counts = counts[counts["kind"] == kind]
    statuses = [s for s in kind_statuses(dataset, kind) if s.key in set(counts["status_key"])]
    labels = [_plain(s.label) for s in statuses]
    quarters = [q.short_label for q in quarters_so_far(quarter)]
    by_slug = {q.slug: q.short_label for q in quarters_so_far(quarter)}
    themes = list(dict.fromkeys(counts["theme"]))
    shown = counts[counts["count"] > 0]
    frame = pd.DataFrame(
        {
            "theme": pd.Categorical(shown["theme"].map(_plain), [_plain(t) for t in themes]),
            "quarter": pd.Categorical(shown["quarter"].map(by_slug), list(reversed(quarters))),
            # stacked from the axis outwards in reverse order, so the best status is first
            "status": pd.Categorical(shown["label"].map(_plain), list(reversed(labels))),
            "count": shown["count"].astype(int),
            "text": shown["count"].astype(int).astype(str),
        }
    )
    top = 1
    if len(shown):
        top = max(int(shown.groupby(["theme", "quarter"])["count"].sum().max()), 1)
    text_colours = {_plain(s.label): s.text_colour for s in statuses}
    figure = ggplot(frame, aes(x="quarter", y="count", fill="status")) + [
        geom_col(width=0.7, position=position_stack()),
        geom_text(
            aes(label="text", colour="status"),
            position=position_stack(vjust=0.5),
            size=style.label_size,
            show_legend=False,
        ),
        coord_flip(),
        facet_wrap("theme", ncol=1),
        scale_y_continuous(breaks=_integer_breaks(top), limits=(0, top * 1.02)),
        scale_fill_manual(
            values={_plain(s.label): s.colour for s in statuses},
            breaks=labels,
            name=_plain(words.heading),
        ),
        scale_colour_manual(values=text_colours, guide=None),
        labs(x="", y=f"Number of {words.plural}"),
        _theme(style),
        guides(fill=guide_legend(nrow=1 if len(labels) <= 3 else 2, byrow=True)),
    ]
    first = parse_quarter(next(iter(by_slug))).short_label
    span = first if len(quarters) == 1 else f"{first} to {quarter.short_label}"
    parts = []
    for theme_name in themes:
        mine = counts[counts["theme"] == theme_name]
        said = []
        for slug, label in by_slug.items():
            held = mine[(mine["quarter"] == slug) & (mine["count"] > 0)]
            pairs = zip(held["label"], held["count"], strict=True)
            listed = ", ".join(f"{int(c)} {lab.lower()}" for lab, c in pairs)
            said.append(f"{label}, {listed or f'no {words.plural}'}")
        parts.append(f"{theme_name}: {'; '.join(said)}.")
    alt = " ".join(
        [
            f"Stacked bar chart of {words.plural} by status in each quarter from {span}, "
            "for each theme.",
            *parts,
        ]
    )
    height = style.bar_chart_height(len(quarters) * len(themes), panels=len(themes))
    caption = f"{_capital(words.plural)} by status, theme and quarter, {span}"
    label = f"fig-trend-{kind}"
    return Chart(figure, caption, alt, label, style.width, height)


# --------------------------------------------------------------------- headline figures


def headline_chart(dataset: Dataset, quarter: Quarter, style: ChartStyle | None = None) -> Chart:
    """The headline percentages this quarter beside last quarter's, where the data holds them.

    Figures are those of :func:`analysis.engine.summary.headline_figures`; a figure with no
    denominator (nothing rated) is left out. Colours come from the categorical palette.
    """
    style = style or load_chart_style(dataset.presentation)
    figures = headline_figures(dataset, quarter)
    figures = figures[(figures["unit"] == "percent") & figures["value"].notna()]
    now, before = quarter.short_label, quarter.previous.short_label
    rows = []
    for f in figures.itertuples(index=False):
        name = "\n".join(textwrap.wrap(_plain(f.label), 32))
        rows.append({"figure": name, "period": now, "value": f.value})
        if not math.isnan(f.previous_value):
            rows.append({"figure": name, "period": before, "value": f.previous_value})
    names = list(dict.fromkeys(r["figure"] for r in rows))
    frame = pd.DataFrame(rows, columns=["figure", "period", "value"])
    frame["period"] = pd.Categorical(frame["period"], categories=[before, now])
    frame["text"] = [f"{v:.0f}%" for v in frame["value"]]
    dodge = position_dodge(width=0.8)
    figure = ggplot(frame, aes(x="figure", y="value", fill="period")) + [
        geom_col(position=dodge, width=0.75),
        geom_text(
            aes(label="text", y="value + 1.5"), position=dodge, ha="left", size=style.label_size
        ),
        coord_flip(),
        scale_x_discrete(limits=list(reversed(names))),
        scale_y_continuous(breaks=[0, 25, 50, 75, 100], limits=(0, 112)),
        scale_fill_manual(
            values={before: style.palette[1], now: style.palette[0]},
            breaks=[now, before],
            name="Quarter",
        ),
        labs(x="", y="Per cent"),
        _theme(style),
    ]
    parts = []
    for f in figures.itertuples(index=False):
        sentence = f"{f.label}: {f.value:.0f}% ({int(f.numerator)} of {int(f.denominator)})"
        if not math.isnan(f.previous_value):
            sentence += (
                f", against {f.previous_value:.0f}% at the {quarter.previous.period_end_words}"
            )
        parts.append(sentence + ".")
    comparison = (
        f", beside the {quarter.previous.period_end_words}"
        if figures["previous_value"].notna().any()
        else ""
    )
    alt = " ".join(
        [
            f"Bar chart of the headline percentages at the {quarter.period_end_words}{comparison}.",
            *parts,
        ]
    )
    if figures.empty:
        alt += " No headline percentage could be calculated."
    caption = f"Headline figures, {now}" + (f" and {before}" if comparison else "")
    height = style.bar_chart_height(len(frame))
    return Chart(figure, caption, alt, "fig-headlines", style.width, height)


# ------------------------------------------------------------------ measures over time


def measure_chart(
    dataset: Dataset,
    measure_id: str,
    quarter: Quarter,
    style: ChartStyle | None = None,
) -> Chart:
    """One measure's actual by quarter, up to ``quarter``, against its quarterly target.

    The actual is a solid line with round points, each labelled with its value; the
    quarterly target a dashed line (as configured) with diamond points; the y axis is
    written in the measure's unit.

    Raises
    ------
    WorkbookError
        If there is no such measure, or it has numeric actuals in fewer than two
        quarters up to ``quarter`` (nothing to chart over time).
    """
    measures = dataset["measures"]
    if measure_id not in set(measures["measure_id"]):
        raise WorkbookError(f"There is no measure {measure_id!r} in the dataset {dataset.name}.")
    history = _history(rated_measures(dataset), quarter)
    rows = history[history["measure_id"] == measure_id]
    if int((rows["actual_state"] == STATE_VALUE).sum()) < 2:
        raise WorkbookError(
            f"Measure {measure_id} has a numeric actual in fewer than two quarters up to "
            f"{quarter.short_label}, so there is nothing to chart over time."
        )
    return _measure_chart(
        rows, quarter, style or load_chart_style(dataset.presentation), dataset.framework
    )


def measure_charts(
    dataset: Dataset,
    quarter: Quarter,
    theme: str | None = None,
    style: ChartStyle | None = None,
) -> list[Chart]:
    """A chart for each measure with numeric actuals in at least two quarters, in report order.

    Only measures reported in ``quarter`` are charted; measures with fewer than two
    quarters of values are skipped.

    Parameters
    ----------
    theme
        A theme's id or name; every theme when None.

    Raises
    ------
    WorkbookError
        If ``theme`` names no theme of the dataset.
    """
    style = style or load_chart_style(dataset.presentation)
    items = list_items(dataset)
    items = items[items["kind"] == "measure"]
    if theme is not None:
        themes = dataset["themes"]
        if theme not in set(themes["theme_id"]) | set(themes["name"]):
            pairs = zip(themes["theme_id"], themes["name"], strict=True)
            known = ", ".join(f"{i} ({n})" for i, n in pairs)
            raise WorkbookError(f"There is no theme {theme!r}; the themes are: {known}.")
        items = items[(items["theme_id"] == theme) | (items["theme"] == theme)]
    history = _history(rated_measures(dataset), quarter)
    charts = []
    for measure_id in items["id"]:
        rows = history[history["measure_id"] == measure_id]
        reported = (rows["quarter"] == quarter.slug).any()
        if reported and int((rows["actual_state"] == STATE_VALUE).sum()) >= 2:
            charts.append(_measure_chart(rows, quarter, style, dataset.framework))
    return charts


def _history(rated: pd.DataFrame, q: Quarter) -> pd.DataFrame:
    """Rated measure values up to and including ``q``, oldest first."""
    quarters = rated["quarter"].map(parse_quarter)
    keep = quarters <= q
    return (
        rated[keep]
        .assign(_order=quarters[keep])
        .sort_values("_order", kind="stable")
        .drop(columns="_order")
    )


def _measure_chart(
    rows: pd.DataFrame, q: Quarter, style: ChartStyle, framework: Framework
) -> Chart:
    """The chart of one measure's history (``rows``: its rated values, oldest first)."""
    first = rows.iloc[0]
    measure_id, title = str(first["measure_id"]), str(first["title"])
    unit = style.unit(str(first["unit"]))
    periods = [parse_quarter(s).short_label for s in rows["quarter"]]
    actual_name, target_name = "Actual", "Quarterly target"
    actuals, targets = [], []
    for period, r in zip(periods, rows.itertuples(index=False), strict=True):
        if r.actual_state == STATE_VALUE:
            actuals.append((period, float(r.actual), unit.format(float(r.actual))))
        if r.quarterly_target_state == STATE_VALUE:
            targets.append((period, float(r.quarterly_target), ""))
    lines = (
        Series(actual_name, style.palette[0], "solid", "o", tuple(actuals)),
        Series(target_name, style.palette[1], style.target_linetype, "D", tuple(targets)),
    )
    figure = LineChart(
        tuple(_quarters_between(rows["quarter"].iloc[0], rows["quarter"].iloc[-1])),
        tuple(line for line in lines if line.points),
        "Quarter",
        unit.name[:1].upper() + unit.name[1:],
        unit.format_axis,
        style,
    )
    label = measure_label(measure_id)
    caption = (
        f"{measure_id} {title}: actual against quarterly target, {periods[0]} to {periods[-1]}"
    )
    return Chart(
        figure,
        caption,
        _measure_alt(rows, periods, unit, q, framework),
        label,
        style.width,
        style.height,
    )


def measure_label(measure_id: str) -> str:
    """A measure chart's label and file name, unique to its id.

    The id in lower case with every run of other characters as a hyphen; where that
    changed more than the case, a short hash of the id follows, so that two ids that
    differ only in punctuation (``PL-M01``, ``PL M01``) never share a chart.

    Examples
    --------
    >>> measure_label("PL-M01"), measure_label("PL M01") != measure_label("PL-M01")
    ('fig-measure-pl-m01', True)
    """
    slug = re.sub(r"[^a-z0-9]+", "-", measure_id.lower()).strip("-") or "x"
    if slug == measure_id.lower():
        return f"fig-measure-{slug}"
    digest = hashlib.sha256(measure_id.encode("utf-8")).hexdigest()[:8]
    return f"fig-measure-{slug}-{digest}"


def _measure_alt(
    rows: pd.DataFrame, periods: list[str], unit: UnitStyle, q: Quarter, framework: Framework
) -> str:
    first = rows.iloc[0]
    polarity = _POLARITY_WORDS.get(str(first["polarity"]), str(first["polarity"]))
    actuals, targets = [], []
    for period, r in zip(periods, rows.itertuples(index=False), strict=True):
        actuals.append(f"{period} {_cell(r.actual, r.actual_state, unit)}")
        targets.append(f"{period} {_cell(r.quarterly_target, r.quarterly_target_state, unit)}")
    sentences = [
        f"Line chart of {first['measure_id']} {first['title']} ({unit.name}; {polarity}) "
        f"for each quarter from {periods[0]} to {periods[-1]}, with its quarterly target.",
        f"Actual: {', '.join(actuals)}.",
        f"Quarterly target: {', '.join(targets)}.",
    ]
    current = rows[rows["quarter"] == q.slug]
    if not current.empty:
        r = current.iloc[0]
        if r["quarterly_basis"] == "rated":
            sentences.append(
                f"At the {q.period_end_words} the actual of {unit.format(float(r['actual']))} "
                f"against a target of {unit.format(float(r['quarterly_target']))} is rated "
                f"{framework.band(r['quarterly_status']).label}."
            )
        else:
            words = _NOT_RATED_WORDS.get(str(r["quarterly_basis"]), "it is not rated")
            sentences.append(f"At the {q.period_end_words} {words}.")
    return " ".join(sentences)


# --------------------------------------------------------------------- measure history


def history_chart(
    dataset: Dataset, quarter: Quarter, measure_id: str, style: ChartStyle | None = None
) -> Chart:
    """A measure's years: each earlier year's result and target, and the national and
    comparator benchmarks, with this year's forecast as its result.

    The figures are :func:`analysis.engine.history.measure_years`'; each series has its
    own colour, line type and point shape, the results are labelled with their values,
    and the alt text gives every value. A year with no number for a series has no point.
    """
    from analysis.engine.history import measure_years

    style = style or load_chart_style(dataset.presentation)
    years = measure_years(dataset, quarter, measure_id)
    measure = dataset["measures"].set_index("measure_id").loc[measure_id]
    unit = style.unit(str(measure["unit"]))
    names = {
        "result": "Result",
        "target": "Target",
        "national": "National benchmark",
        "comparator": "Comparator benchmark",
    }
    labels = [
        f"{r.year} (forecast)" if r.current else str(r.year) for r in years.itertuples(index=False)
    ]
    points: dict[str, list[tuple[str, float, str]]] = {name: [] for name in names}
    said: dict[str, list[str]] = {name: [] for name in names}
    for label, r in zip(labels, years.to_dict("records"), strict=True):
        values = {
            "result": ("forecast" if r["current"] else "actual"),
            "target": "target",
            "national": "national",
            "comparator": "comparator",
        }
        for series, column in values.items():
            state = r[f"{column}_state"]
            said[series].append(f"{label} {_cell(r[column], state, unit)}")
            if state == STATE_VALUE:
                text = unit.format(float(r[column])) if series == "result" else ""
                points[series].append((label, float(r[column]), text))
    linetypes = ["solid", style.target_linetype, "dotted", "dashdot"]
    lines = tuple(
        Series(name, style.palette[i % len(style.palette)], linetype, marker, tuple(points[key]))
        for i, ((key, name), linetype, marker) in enumerate(
            zip(names.items(), linetypes, ["o", "D", "s", "^"], strict=True)
        )
    )
    shown = [line.name for line in lines if line.points]
    figure = LineChart(
        tuple(labels),
        tuple(line for line in lines if line.points),
        "Financial year",
        unit.name[:1].upper() + unit.name[1:],
        unit.format_axis,
        style,
    )
    polarity = _POLARITY_WORDS.get(str(measure["polarity"]), str(measure["polarity"]))
    sentences = [
        f"Line chart of {measure_id} {measure['title']} ({unit.name}; {polarity}) for each "
        f"financial year from {labels[0]} to {labels[-1]}, with its target and the national "
        "and comparator benchmarks."
    ]
    for series, name in names.items():
        if name in shown:
            sentences.append(f"{name}: {', '.join(said[series])}.")
    caption = f"{measure_id} {measure['title']}: year by year, {labels[0]} to {labels[-1]}"
    slug = measure_label(measure_id).removeprefix("fig-measure-")
    return Chart(
        figure, caption, " ".join(sentences), f"fig-history-{slug}", style.width, style.height
    )


def _cell(value: float, state: str, unit: UnitStyle) -> str:
    if state == STATE_VALUE:
        return unit.format(float(value))
    return STATE_LABELS.get(state, state)


# --------------------------------------------------------------------------- helpers


class _ReportTheme(theme_minimal):
    """plotnine's minimal theme drawn in the configured fonts."""

    def __init__(self, style: ChartStyle) -> None:
        super().__init__(base_size=style.base_size, base_family="sans-serif")
        self._rcParams["font.sans-serif"] = [*style.font_family, "DejaVu Sans"]


def _theme(style: ChartStyle) -> theme:
    """The common look: minimal, readable sizes, dark text, legend at the bottom."""
    text = element_text(colour=style.text_colour, family="sans-serif")
    return _ReportTheme(style) + theme(
        text=text,
        axis_text=element_text(size=style.base_size, colour=style.text_colour),
        strip_text=element_text(size=style.base_size, colour=style.text_colour, ha="left"),
        legend_position="bottom",
        legend_text=element_text(size=style.base_size),
        panel_grid_major_y=element_blank(),
        panel_grid_minor=element_blank(),
        axis_line_x=element_line(colour=style.text_colour),
        figure_size=(style.width, style.height),
    )


def _quarters_between(first: str, last: str) -> list[str]:
    """Short labels of every quarter from ``first`` to ``last``, so gaps keep their width.

    Examples
    --------
    >>> _quarters_between("2020-21-Q4", parse_quarter("2021-22-Q2"))
    ['Q4 2020/21', 'Q1 2021/22', 'Q2 2021/22']
    """
    q, end = parse_quarter(first), parse_quarter(last)
    labels = [q.short_label]
    while q < end:
        q = q.next
        labels.append(q.short_label)
    return labels


def _integer_breaks(top: int) -> list[int]:
    """Whole-number axis breaks from 0 to at least ``top``, about five of them.

    Examples
    --------
    >>> _integer_breaks(3), _integer_breaks(14)
    ([0, 1, 2, 3], [0, 5, 10, 15])
    """
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        step = candidate
        if top / candidate <= 5:
            break
    return list(range(0, top + step, step)) if top % step else list(range(0, top + 1, step))


def _plain(text: object) -> str:
    """Text drawn in a figure, with ``$`` escaped so matplotlib does not read it as maths.

    Examples
    --------
    >>> _plain("$5 and $6")
    '\\\\$5 and \\\\$6'
    """
    return str(text).replace("$", r"\$")
