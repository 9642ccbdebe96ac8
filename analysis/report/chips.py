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

from analysis.config.files import (
    MIN_CONTRAST,
    check_colour,
    check_contrast,
    contrast_ratio,
    relative_luminance,
)
from analysis.errors import ConfigError

__all__ = [
    "MIN_CONTRAST",
    "relative_luminance",
    "contrast_ratio",
    "check_contrast",
    "status_chip_html",
    "status_chip_text",
]


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
    check_contrast(background, foreground, f"status {word!r}")
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
