"""Charts on the hand-worked synthetic dataset: what they draw, say and render."""

from __future__ import annotations

import re

import pytest
import yaml
from synthetic import TABLES, write_synthetic

from analysis.dataset.read import load_dataset
from analysis.errors import ConfigError, WorkbookError
from analysis.quarters import parse_quarter
from analysis.report.charts import (
    PRESENTATION,
    Chart,
    UnitStyle,
    action_status_chart,
    headline_chart,
    load_chart_style,
    measure_chart,
    measure_charts,
    measure_status_chart,
    project_status_chart,
    trend_charts,
    write_svg,
)

Q1, Q2 = parse_quarter("2021-22-Q1"), parse_quarter("2021-22-Q2")
ANALYSIS_FUNCTION = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]


@pytest.fixture(scope="module")
def charts(dataset) -> dict[str, Chart]:
    """Every chart of the synthetic dataset, built once (each renders once, on demand)."""
    built = [
        action_status_chart(dataset, Q2),
        project_status_chart(dataset, Q2),
        project_status_chart(dataset, Q2, field="dca"),
        measure_status_chart(dataset, Q2),
        headline_chart(dataset, Q2),
        *measure_charts(dataset, Q2),
        *trend_charts(dataset, Q2),
    ]
    return {chart.label: chart for chart in built}


def _colours(svg: str) -> set[str]:
    return {c.upper() for c in re.findall(r"#[0-9A-Fa-f]{6}\b", svg)}


def _texts(svg: str) -> list[str]:
    """The text drawn in the chart (matplotlib keeps it as <text> elements)."""
    return [t.strip() for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


# ------------------------------------------------------------------ every chart


EXPECTED_LABELS = [
    "fig-action-status",
    "fig-project-rag",
    "fig-project-dca",
    "fig-measure-status",
    "fig-headlines",
    "fig-measure-m1",
    "fig-measure-m2",
    "fig-trend-action",
    "fig-trend-project",
    "fig-trend-measure",
    "fig-trend-risk",
]


def test_the_synthetic_dataset_gives_these_charts(charts):
    assert list(charts) == EXPECTED_LABELS


@pytest.mark.parametrize("label", EXPECTED_LABELS)
def test_every_chart_has_a_caption_alt_text_and_label(charts, label):
    chart = charts[label]
    assert chart.label == label and re.fullmatch(r"fig-[a-z0-9-]+", chart.label)
    assert chart.caption.strip() and len(chart.caption) < 120
    assert len(chart.alt) > len(chart.caption)
    assert re.search(r"\d", chart.alt), "the alt text carries the chart's numbers"


@pytest.mark.parametrize("label", EXPECTED_LABELS)
def test_every_chart_renders_as_labelled_svg(charts, label):
    chart = charts[label]
    svg = chart.to_svg()
    assert svg.startswith(("<?xml", "<svg"))
    assert svg.rstrip().endswith("</svg>")
    opening = re.search(r"<svg\b[^>]*>", svg).group(0)
    assert 'role="img"' in opening
    assert f'aria-labelledby="{label}-title {label}-desc"' in opening
    title = re.search(rf'<title id="{label}-title">([^<]*)</title>', svg).group(1)
    desc = re.search(rf'<desc id="{label}-desc">([^<]*)</desc>', svg).group(1)
    assert title == chart.caption.replace("&", "&amp;")
    assert desc == chart.alt.replace("&", "&amp;")
    assert _texts(svg), "text is kept as text, not drawn as outlines"


def test_rendering_is_reproducible(dataset, charts):
    again = action_status_chart(dataset, Q2)
    assert again.to_svg() == charts["fig-action-status"].to_svg()


# ------------------------------------------------------------ status mix charts


def test_action_status_alt_text_gives_each_themes_counts(charts):
    assert charts["fig-action-status"].alt == (
        "Bar chart of priority actions by status for each theme at the end of September "
        "2021. Theme A: 1 on track, 1 major slippage. "
        "Theme B: 1 completed, 1 on track, 1 not assessed."
    )
    assert charts["fig-action-status"].caption == "Priority actions by status and theme, Q2 2021/22"


def test_action_status_chart_writes_every_status_word_and_count(charts, dataset):
    svg = charts["fig-action-status"].to_svg()
    texts = _texts(svg)
    for word in ["Completed", "On track", "Some slippage", "Major slippage", "Not assessed"]:
        # once per theme panel beside its bars, and once in the legend
        assert texts.count(word) == 3, word
    assert "Theme A" in texts and "Theme B" in texts
    assert "Assessment of progress" in texts
    scale = dataset.scales.actions
    assert {s.colour for s in scale.statuses} <= _colours(svg)


def test_action_status_chart_for_the_previous_quarter(dataset):
    chart = action_status_chart(dataset, parse_quarter("Q1 2021/22"))
    assert chart.alt.endswith(
        "Theme A: 1 on track, 1 some slippage. Theme B: 1 completed, 1 major slippage."
    )
    assert "end of June 2021" in chart.alt


def test_project_rag_chart(charts):
    chart = charts["fig-project-rag"]
    assert chart.alt.endswith("Theme A: 1 green. Theme B: 1 amber/red, 1 completed.")
    texts = _texts(chart.to_svg())
    for word in ["Green", "Amber/Green", "Amber/Red", "Red", "Completed"]:
        assert word in texts
    assert "Pre-start" not in texts, "a status that is not rated shows only when held"


def test_project_dca_chart(charts):
    chart = charts["fig-project-dca"]
    assert "delivery confidence (DCA)" in chart.caption
    assert chart.alt.endswith("Theme A: 1 green. Theme B: 1 amber/green, 1 completed.")


def test_project_chart_rejects_an_unknown_field(dataset):
    with pytest.raises(WorkbookError, match="'rag' or 'dca'"):
        project_status_chart(dataset, Q2, field="status")


def test_measure_status_chart_counts_bands_and_says_how_many_were_left_out(charts, dataset):
    chart = charts["fig-measure-status"]
    # M1 110% against 100% (+10%: Blue); M2 105 against 100, lower is better (-5%: Amber);
    # Theme B's three measures are not rated (polarity neither, baseline, no data).
    assert chart.alt.endswith("Theme A: 1 blue, 1 amber. Theme B: no measures (3 not rated).")
    svg = chart.to_svg()
    assert {"Blue", "Green", "Amber", "Red"} <= set(_texts(svg))
    assert {b.colour for b in dataset.framework.bands} <= _colours(svg)


# ------------------------------------------------------------- headline figures


def test_headline_chart_alt_text_has_each_percentage_and_its_arithmetic(charts):
    alt = charts["fig-headlines"].alt
    assert alt.startswith(
        "Bar chart of the headline percentages at the end of September 2021, beside the end "
        "of June 2021."
    )
    for sentence in [
        "Priority actions assessed as on track or completed: 75% (3 of 4), against 50% at "
        "the end of June 2021.",
        "Measures with a quarterly target rated Blue or Green: 50% (1 of 2), against "
        "100% at the end of June 2021.",
        "Measures with an annual target forecast to be rated Blue or Green: 67% (2 of 3), "
        "against 100% at the end of June 2021.",
        "Priority projects rated green or amber/green: 50% (1 of 2), against 100% at the "
        "end of June 2021.",
    ]:
        assert sentence in alt
    assert "risks" not in alt.lower(), "counts are not drawn as percentages"


def test_headline_chart_draws_the_values_in_the_palette(charts):
    svg = charts["fig-headlines"].to_svg()
    texts = _texts(svg)
    for value in ["75%", "50%", "67%", "100%"]:
        assert value in texts
    assert {"Q2 2021/22", "Q1 2021/22"} <= set(texts)
    assert {ANALYSIS_FUNCTION[0], ANALYSIS_FUNCTION[1]} <= _colours(svg)


def test_headline_chart_without_a_previous_quarter(dataset):
    chart = headline_chart(dataset, Q1)
    assert "beside" not in chart.alt and "against" not in chart.alt
    assert chart.caption == "Headline figures, Q1 2021/22"
    assert "Priority actions assessed as on track or completed: 50% (2 of 4)." in chart.alt


# ------------------------------------------------------------ measures over time


def test_measure_chart_alt_text_gives_every_value_and_the_rating(charts):
    assert charts["fig-measure-m2"].alt == (
        "Line chart of M2 Measure two (number; lower is better) for each quarter from "
        "Q1 2021/22 to Q2 2021/22, with its quarterly target. "
        "Actual: Q1 2021/22 101, Q2 2021/22 105. "
        "Quarterly target: Q1 2021/22 100, Q2 2021/22 100. "
        "At the end of September 2021 the actual of 105 against a target of 100 is rated Amber."
    )
    assert charts["fig-measure-m2"].caption == (
        "M2 Measure two: actual against quarterly target, Q1 2021/22 to Q2 2021/22"
    )


def test_measure_chart_draws_values_in_their_unit_and_the_palette(charts):
    svg = charts["fig-measure-m1"].to_svg()
    texts = _texts(svg)
    assert {"100%", "110%", "Actual", "Quarterly target", "Per cent", "Quarter"} <= set(texts)
    assert {"Q1 2021/22", "Q2 2021/22"} <= set(texts)
    assert {ANALYSIS_FUNCTION[0], ANALYSIS_FUNCTION[1]} <= _colours(svg)
    assert "stroke-dasharray" in svg, "the target is a dashed line"


def test_measures_with_fewer_than_two_periods_are_skipped(dataset):
    # M3 and M4 have one quarter of values; M5's only actual is "Due in Q3".
    assert [c.label for c in measure_charts(dataset, Q2)] == ["fig-measure-m1", "fig-measure-m2"]
    assert measure_charts(dataset, Q1) == [], "nothing after the quarter is charted"


@pytest.mark.parametrize(
    ("theme", "labels"),
    [
        ("a", ["fig-measure-m1", "fig-measure-m2"]),
        ("Theme A", ["fig-measure-m1", "fig-measure-m2"]),
        ("b", []),
    ],
)
def test_measure_charts_of_one_theme(dataset, theme, labels):
    assert [c.label for c in measure_charts(dataset, Q2, theme=theme)] == labels


def test_measure_charts_of_an_unknown_theme(dataset):
    with pytest.raises(WorkbookError, match=r"no theme 'c'; the themes are: a \(Theme A\)"):
        measure_charts(dataset, Q2, theme="c")


@pytest.mark.parametrize(
    ("measure_id", "message"),
    [("M3", "fewer than two quarters up to Q2 2021/22"), ("M9", "no measure 'M9'")],
)
def test_measure_chart_refuses_what_it_cannot_draw(dataset, measure_id, message):
    with pytest.raises(WorkbookError, match=message):
        measure_chart(dataset, measure_id, Q2)


def test_a_measure_with_a_gap_and_no_actual_this_quarter(tmp_path):
    row = "M5,2021-22-Q2,Due in Q3,10,50,60,,,,,,,assumed\n"
    assert row in TABLES["measure_values"]
    values = TABLES["measure_values"].replace(
        row,
        "M5,2020-21-Q3,8,10,50,60,,,,,,,assumed\n"
        "M5,2021-22-Q1,£1234.5,10,50,60,,,,,,,assumed\n" + row,
    )
    dataset = load_dataset(write_synthetic(tmp_path / "gap", measure_values=values))
    labels = [c.label for c in measure_charts(dataset, Q2, theme="b")]
    assert labels == ["fig-measure-m5"]
    chart = measure_chart(dataset, "M5", Q2)
    assert "Actual: Q3 2020/21 8, Q1 2021/22 1,234.5, Q2 2021/22 data due later." in chart.alt
    assert chart.alt.endswith(
        "At the end of September 2021 it is not rated, because there is no actual this quarter."
    )
    texts = _texts(chart.to_svg())
    # every quarter between the first and the last is on the axis, so gaps keep their width
    assert {"Q3 2020/21", "Q4 2020/21", "Q1 2021/22", "Q2 2021/22"} <= set(texts)


# --------------------------------------------------------- hostile text in charts


def test_text_from_the_data_never_becomes_markup(tmp_path):
    themes = TABLES["themes"].replace(
        "a,Theme A,1,", 'a,"<script>alert(1)</script> $1 & $2 <img src=x onerror=alert(1)>",1,'
    )
    dataset = load_dataset(write_synthetic(tmp_path / "hostile", themes=themes))
    chart = action_status_chart(dataset, Q2)
    assert chart.alt.split(". ")[1].startswith("<script>alert(1)</script> $1 & $2")
    for output in (chart.to_svg(), chart.to_html()):
        assert "<script" not in output and "<img" not in output
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in output
    assert "&lt;script&gt;alert(1)&lt;/script&gt; $1 &amp; $2" in " ".join(_texts(chart.to_svg()))


# ------------------------------------------------------------ output forms


def test_html_is_a_figure_with_the_inline_svg_and_its_caption(charts):
    chart = charts["fig-measure-m1"]
    page = chart.to_html()
    assert page.startswith('<figure id="fig-measure-m1" class="chart">\n<svg')
    assert "<?xml" not in page and "<!DOCTYPE" not in page
    assert page.endswith(f"<figcaption>{chart.caption}</figcaption>\n</figure>")
    assert chart._repr_html_() == page


def test_markdown_is_a_quarto_figure_with_label_and_alt(charts):
    from analysis.report.narrative import attribute_text, markdown_text

    chart = charts["fig-measure-m1"]
    caption, alt = markdown_text(chart.caption), attribute_text(chart.alt)
    assert chart.to_markdown("figures/m1.svg") == (
        f'![{caption}](figures/m1.svg){{#fig-measure-m1 fig-alt="{alt}"}}'
    )


def test_write_svg_writes_the_rendered_chart(charts, tmp_path):
    chart = charts["fig-measure-m1"]
    path = write_svg(chart, tmp_path / "figures" / "m1.svg")
    assert path.read_text(encoding="utf-8") == chart.to_svg()


# ------------------------------------------------------------ configuration


def test_the_default_palette_is_the_analysis_function_palette_read_from_config():
    data = yaml.safe_load(PRESENTATION.read_text(encoding="utf-8"))
    assert data["charts"]["palette"] == ANALYSIS_FUNCTION
    assert list(load_chart_style().palette) == ANALYSIS_FUNCTION


def _presentation(tmp_path, **changes):
    data = yaml.safe_load(PRESENTATION.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        section, key = dotted.split("__") if "__" in dotted else (dotted, None)
        if key is None:
            if value is None:
                del data[section]
            else:
                data[section] = value
        elif value is None:
            del data[section][key]
        else:
            data[section][key] = value
    path = tmp_path / "presentation.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_charts_take_their_palette_and_size_from_the_configuration(dataset, tmp_path):
    path = _presentation(
        tmp_path, charts__palette=["#000080", "#008000", "#800000"], charts__width=6
    )
    style = load_chart_style(path)
    chart = headline_chart(dataset, Q2, style=style)
    svg = chart.to_svg()
    assert {"#000080", "#008000"} <= _colours(svg)
    assert not {ANALYSIS_FUNCTION[0], ANALYSIS_FUNCTION[1]} & _colours(svg)
    assert 'width="432pt"' in svg  # 6 inches at 72 points an inch
    line = measure_chart(dataset, "M1", Q2, style=style).to_svg()
    assert {"#000080", "#008000"} <= _colours(line)


def test_a_council_may_add_table_settings_to_the_same_file(tmp_path):
    path = _presentation(tmp_path, tables={"anything": 1})
    assert load_chart_style(path).palette[0] == ANALYSIS_FUNCTION[0]


BAD_SETTINGS = [
    ({"charts__palette": ["#12436D"]}, "palette must be a list of at least two colours"),
    ({"charts__palette": ["#12436D", "teal"]}, "colour 'teal' must be written as #RRGGBB"),
    ({"charts__width": 0}, "width: expected a positive number, got 0"),
    ({"charts__base_size": "big"}, "base_size: expected a positive number"),
    ({"charts__text_colour": "#AAAAAA"}, "contrast ratio of 2.32:1; WCAG AA needs at least 4.5"),
    ({"charts__target_linetype": "wavy"}, "target_linetype 'wavy' is not one of solid"),
    ({"charts__font_family": []}, "font_family must name at least one font"),
    ({"charts__not_rated_text_colour": "#777777"}, "not_rated_text_colour.*contrast ratio"),
    ({"charts__height": None}, "missing setting\\(s\\) height"),
    ({"charts__colour": "#000000"}, "unknown setting\\(s\\) colour"),
    ({"units__days": None}, "units: missing setting\\(s\\) days"),
    ({"units": None}, "missing setting\\(s\\) units"),
    ({"layout": {}}, "unknown setting\\(s\\) layout"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_SETTINGS)
def test_bad_presentation_settings_are_explained(tmp_path, changes, message):
    path = _presentation(tmp_path, **changes)
    with pytest.raises(ConfigError, match=message):
        load_chart_style(path)


def test_a_missing_presentation_file(tmp_path):
    with pytest.raises(ConfigError, match="No presentation settings at"):
        load_chart_style(tmp_path / "nowhere.yml")


UNIT_CASES = [
    ("percent", 68.0, "68%"),
    ("percent", 12.345, "12.35%"),
    ("percent", 0.0, "0%"),
    ("gbp", 1200.5, "£1,200.5"),
    ("gbp", -1234567.0, "\u2212£1,234,567"),
    ("number", 255793.0, "255,793"),
    ("number", -0.001, "0"),
    ("days", 3.0, "3 days"),
    ("days", 1.0, "1 day"),
    ("percent", 0.125, "0.13%"),  # half up, not to even
    ("rate_per_10000", 41.25, "41.25 per 10,000"),
]


@pytest.mark.parametrize(("unit", "value", "text"), UNIT_CASES)
def test_values_are_written_in_their_unit(unit, value, text):
    assert load_chart_style().unit(unit).format(value) == text


def test_axis_labels_leave_the_unit_to_the_axis_title():
    rate = load_chart_style().unit("rate_per_10000")
    assert (rate.format_axis(41.25), rate.name) == ("41.25", "rate per 10,000")
    assert load_chart_style().unit("percent").format_axis(68.0) == "68%"


def test_an_undescribed_unit_is_a_configuration_error():
    style = load_chart_style()
    with pytest.raises(ConfigError, match="units has no entry for 'furlongs'"):
        style.unit("furlongs")
    assert isinstance(style.units["score"], UnitStyle)


def test_building_charts_leaves_the_dataset_unchanged(tmp_path):
    dataset = load_dataset(write_synthetic(tmp_path / "untouched"))
    before = {name: frame.copy() for name, frame in dataset.tables.items()}
    action_status_chart(dataset, Q2)
    project_status_chart(dataset, Q2)
    measure_status_chart(dataset, Q2)
    headline_chart(dataset, Q2)
    measure_charts(dataset, Q2)
    for name, frame in before.items():
        assert dataset.tables[name].equals(frame), name
