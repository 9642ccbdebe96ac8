"""Contrast ratios and status chips: a status is always a word, never colour alone."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from analysis.config.files import presets
from analysis.config.scales import load_scales
from analysis.errors import ConfigError, WorkbookError
from analysis.report.chips import (
    MIN_CONTRAST,
    check_contrast,
    contrast_ratio,
    relative_luminance,
    status_chip_html,
    status_chip_text,
)

# (foreground, background, ratio): published WCAG values and GOV.UK palette checks.
CONTRAST_CASES = [
    ("#000000", "#FFFFFF", 21.0),
    ("#FFFFFF", "#000000", 21.0),
    ("#FFFFFF", "#FFFFFF", 1.0),
    ("#777777", "#FFFFFF", 4.48),
    ("#767676", "#FFFFFF", 4.54),
    ("#595959", "#FFFFFF", 7.0),
    ("#FF0000", "#FFFFFF", 4.0),
    ("#0B0C0C", "#FFDD00", 14.55),
    ("#ffffff", "#1d70b8", 5.17),
]


@pytest.mark.parametrize(("foreground", "background", "ratio"), CONTRAST_CASES)
def test_contrast_ratio_known_values(foreground, background, ratio):
    assert contrast_ratio(foreground, background) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize(("foreground", "background", "ratio"), CONTRAST_CASES)
def test_contrast_ratio_is_symmetric(foreground, background, ratio):
    assert contrast_ratio(foreground, background) == contrast_ratio(background, foreground)


@pytest.mark.parametrize(
    ("colour", "luminance"),
    [("#000000", 0.0), ("#FFFFFF", 1.0), ("#FF0000", 0.2126), ("#00FF00", 0.7152)],
)
def test_relative_luminance(colour, luminance):
    assert relative_luminance(colour) == pytest.approx(luminance)


@pytest.mark.parametrize("bad", ["white", "#FFF", "#GGGGGG", "FFFFFF", "", None, 0xFFFFFF])
def test_contrast_ratio_rejects_colours_not_written_rrggbb(bad):
    with pytest.raises(ConfigError, match="#RRGGBB"):
        contrast_ratio(bad, "#FFFFFF")


# (text colour, colour, passes at 4.5): either side of the threshold.
THRESHOLD_CASES = [
    ("#767676", "#FFFFFF", True),  # 4.54
    ("#777777", "#FFFFFF", False),  # 4.48
    ("#FFFFFF", "#D4351C", True),  # 4.86
    ("#FFFFFF", "#F47738", False),  # 2.78
    ("#0B0C0C", "#F47738", True),
]


@pytest.mark.parametrize(("text_colour", "colour", "passes"), THRESHOLD_CASES)
def test_check_contrast_threshold(text_colour, colour, passes):
    if passes:
        assert check_contrast(colour, text_colour, "here") >= MIN_CONTRAST
    else:
        with pytest.raises(ConfigError, match=r"^here: text colour .* needs at least 4\.5:1"):
            check_contrast(colour, text_colour, "here")


def test_check_contrast_accepts_a_ratio_exactly_at_the_minimum():
    ratio = contrast_ratio("#777777", "#FFFFFF")
    assert check_contrast("#FFFFFF", "#777777", "here", minimum=ratio) == ratio


def test_contrast_errors_are_workbook_errors():
    with pytest.raises(WorkbookError):
        check_contrast("#FFFFFF", "#FFFFFF", "here")


class _Chip(HTMLParser):
    """The elements and visible text of a chip."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text = ""
        self.hidden_text = ""
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if self._hidden or attributes.get("aria-hidden") == "true":
            self._hidden += 1

    def handle_endtag(self, tag):
        if self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if self._hidden:
            self.hidden_text += data
        else:
            self.text += data


def _chip(markup: str) -> _Chip:
    chip = _Chip()
    chip.feed(markup)
    chip.close()
    return chip


LABELS = ["On track", "Some slippage", "Amber/Green", "R&D <script>alert(1)</script>", 'a "q"']


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("icon", [None, "●", "<b>"])
def test_chip_always_shows_its_label_as_text(label, icon):
    chip = _chip(status_chip_html(label, "#00703C", "#FFFFFF", icon=icon))
    assert chip.text.strip() == label
    assert chip.hidden_text == (icon or "")


@pytest.mark.parametrize("label", LABELS)
def test_chip_escapes_its_label(label):
    chip = _chip(status_chip_html(label, "#00703C", "#FFFFFF", icon="<i>"))
    assert [tag for tag, _ in chip.elements] == ["span", "span"]


def test_chip_markup():
    markup = status_chip_html("Major slippage", "#d4351c", "#ffffff", icon="■")
    outer, icon = _chip(markup).elements
    assert outer == (
        "span",
        {"class": "status-chip", "style": "background-color:#D4351C;color:#FFFFFF"},
    )
    assert icon == ("span", {"class": "status-chip-icon", "aria-hidden": "true"})


def test_chip_without_icon_has_no_hidden_part():
    markup = status_chip_html("Completed", "#1D70B8", "#FFFFFF")
    assert "aria-hidden" not in markup
    assert _chip(markup).text == "Completed"


@pytest.mark.parametrize("label", ["", "   ", None])
def test_chip_needs_a_label(label):
    with pytest.raises(ConfigError, match="label"):
        status_chip_html(label, "#00703C", "#FFFFFF")
    with pytest.raises(ConfigError, match="label"):
        status_chip_text(label)


def test_chip_refuses_unreadable_colours():
    with pytest.raises(ConfigError, match="'Some slippage'.*contrast ratio of 2.78:1"):
        status_chip_html("Some slippage", "#F47738", "#FFFFFF")


@pytest.mark.parametrize("colour", ['red;background:url("x")', '#00703C" onclick="x', "#0070"])
def test_chip_colours_cannot_inject_styles_or_attributes(colour):
    with pytest.raises(ConfigError, match="#RRGGBB"):
        status_chip_html("On track", colour, "#FFFFFF")


@pytest.mark.parametrize(
    ("label", "icon", "expected"),
    [
        ("On track", "●", "● On track"),
        ("On track", None, "On track"),
        ("On track", "", "On track"),
        ("  Some\n slippage ", " ▲ ", "▲ Some slippage"),
        ("<b>", None, "<b>"),
    ],
)
def test_status_chip_text(label, icon, expected):
    assert status_chip_text(label, icon) == expected


@pytest.mark.parametrize("preset", presets("scales"))
def test_shipped_scale_colours_are_readable(preset):
    scales = load_scales(preset)
    for scale in (s for s in (scales.actions, scales.projects) if s is not None):
        for status in scale.statuses:
            chip = status_chip_html(status.label, status.colour, status.text_colour, status.icon)
            assert _chip(chip).text.strip() == status.label
    for band in scales.risks.score_bands if scales.risks else ():
        check_contrast(band.colour, band.text_colour, f"{preset}: {band.name}")
