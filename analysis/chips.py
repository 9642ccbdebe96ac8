"""Status chips: a status shown as its word (and icon) on its colour, never colour alone.

A chip always carries the status's label as text, so that the status reads the same to
someone who cannot tell the colours apart, to a screen reader and in black-and-white
print. The icon is decorative (hidden from screen readers, since the word says it all).
The text on a chip must contrast with its background by at least :data:`MIN_CONTRAST`
(WCAG 2.2 AA for normal text); :func:`check_contrast` says which colours to change.

Examples
--------
>>> round(contrast_ratio("#FFFFFF", "#00703C"), 2)
6.21
>>> status_chip_text("On track", icon="●")
'● On track'
"""

from __future__ import annotations

import html

from analysis.config import check_colour
from analysis.errors import ConfigError

__all__ = [
    "MIN_CONTRAST",
    "relative_luminance",
    "contrast_ratio",
    "check_contrast",
    "status_chip_html",
    "status_chip_text",
]

#: The least contrast between a chip's text and its background (WCAG 2.2 AA, 1.4.3).
MIN_CONTRAST = 4.5


def relative_luminance(colour: str) -> float:
    """The WCAG 2.x relative luminance of a colour, from 0 (black) to 1 (white).

    Parameters
    ----------
    colour
        A colour written ``#RRGGBB``.

    Raises
    ------
    ConfigError
        If the colour is not written ``#RRGGBB``.

    Examples
    --------
    >>> relative_luminance("#000000"), relative_luminance("#FFFFFF")
    (0.0, 1.0)
    >>> round(relative_luminance("#777777"), 4)
    0.1845
    """
    hex_digits = check_colour(colour, "colour")[1:]
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    red, green, blue = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG 2.x contrast ratio of two colours, from 1 (none) to 21 (black on white).

    The ratio is symmetric: which colour is the text does not matter.

    Parameters
    ----------
    foreground, background
        Colours written ``#RRGGBB``.

    Raises
    ------
    ConfigError
        If a colour is not written ``#RRGGBB``.

    Examples
    --------
    >>> contrast_ratio("#000000", "#FFFFFF")
    21.0
    >>> round(contrast_ratio("#777777", "#FFFFFF"), 2)
    4.48
    """
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def check_contrast(
    text_colour: str, colour: str, where: str, minimum: float = MIN_CONTRAST
) -> float:
    """Require enough contrast between text and its background colour.

    Parameters
    ----------
    text_colour, colour
        The text colour and the background colour, written ``#RRGGBB``.
    where
        Where the colours are configured, for the message (e.g. a file and status).
    minimum
        The least acceptable ratio; :data:`MIN_CONTRAST` by default.

    Returns
    -------
    float
        The contrast ratio.

    Raises
    ------
    ConfigError
        If the ratio is below ``minimum``; the message says which colours to change.

    Examples
    --------
    >>> round(check_contrast("#FFFFFF", "#1D70B8", "Completed"), 2)
    5.17
    >>> check_contrast("#FFFFFF", "#F47738", "Amber")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: Amber: text colour #FFFFFF on colour #F47738 has a ... 2.78:1, ...
    """
    ratio = contrast_ratio(text_colour, colour)
    if ratio < minimum:
        raise ConfigError(
            f"{where}: text colour {text_colour} on colour {colour} has a contrast ratio "
            f"of {ratio:.2f}:1, below the {minimum:g}:1 needed for readable text; choose a "
            "darker colour or a text colour such as #0B0C0C or #FFFFFF that contrasts more."
        )
    return ratio


def status_chip_html(label: str, colour: str, text_colour: str, icon: str | None = None) -> str:
    """A status as an inline HTML chip: its icon and word on its colour.

    Parameters
    ----------
    label
        The status's word, always shown (e.g. ``On track``). Escaped.
    colour, text_colour
        Background and text colours, written ``#RRGGBB``; their contrast must be at
        least :data:`MIN_CONTRAST`.
    icon
        An optional symbol shown before the word, hidden from screen readers. Escaped.

    Returns
    -------
    str
        A ``<span class="status-chip">`` with the colours as an inline style.

    Raises
    ------
    ConfigError
        If the label is empty, a colour is not ``#RRGGBB``, or the contrast is too low.

    Examples
    --------
    >>> print(status_chip_html("On track", "#00703C", "#FFFFFF", icon="●"))
    ... # doctest: +NORMALIZE_WHITESPACE
    <span class="status-chip" style="background-color:#00703C;color:#FFFFFF"><span
    class="status-chip-icon" aria-hidden="true">●</span> On track</span>
    >>> print(status_chip_html("<b>Red</b>", "#D4351C", "#FFFFFF"))
    ... # doctest: +NORMALIZE_WHITESPACE
    <span class="status-chip"
    style="background-color:#D4351C;color:#FFFFFF">&lt;b&gt;Red&lt;/b&gt;</span>
    """
    word = _label(label)
    background = check_colour(colour, f"status {word!r}: colour")
    foreground = check_colour(text_colour, f"status {word!r}: text colour")
    check_contrast(foreground, background, f"status {word!r}")
    symbol = _icon(icon)
    icon_html = (
        f'<span class="status-chip-icon" aria-hidden="true">{html.escape(symbol)}</span> '
        if symbol
        else ""
    )
    return (
        f'<span class="status-chip" style="background-color:{background};color:{foreground}">'
        f"{icon_html}{html.escape(word)}</span>"
    )


def status_chip_text(label: str, icon: str | None = None) -> str:
    """A status as plain text: its icon (if any) and word.

    Parameters
    ----------
    label
        The status's word, always shown.
    icon
        An optional symbol shown before the word.

    Raises
    ------
    ConfigError
        If the label is empty.

    Examples
    --------
    >>> status_chip_text("Some slippage", icon="▲")
    '▲ Some slippage'
    >>> status_chip_text("  Major\\nslippage ")
    'Major slippage'
    """
    word = _label(label)
    symbol = _icon(icon)
    return f"{symbol} {word}" if symbol else word


def _label(label: object) -> str:
    word = " ".join(str(label if label is not None else "").split())
    if not word:
        raise ConfigError(
            "A status needs a label: a chip must show the status in words, not colour alone."
        )
    return word


def _icon(icon: object) -> str:
    return " ".join(str(icon).split()) if icon is not None else ""
