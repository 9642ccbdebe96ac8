"""Reading the workbook's YAML configuration: rating frameworks and scales.

Presets ship in this folder (``frameworks/*.yml``, ``scales/*.yml``). A council adds its
own as a file and names it by path; no code changes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import ConfigError

__all__ = [
    "CONFIG_DIR",
    "resolve",
    "read_yaml",
    "check_keys",
    "presets",
    "check_colour",
    "contrast_ratio",
    "check_contrast",
    "MIN_CONTRAST",
    "relative_luminance",
]

CONFIG_DIR = Path(__file__).resolve().parent
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")

# WCAG 2.2 success criterion 1.4.3 (AA): normal text needs a contrast ratio of 4.5:1.
MIN_CONTRAST = 4.5


def presets(kind: str) -> list[str]:
    """Names of the shipped presets of a kind (``frameworks`` or ``scales``).

    Examples
    --------
    >>> "derby-city" in presets("scales")
    True
    """
    return sorted(p.stem for p in (CONFIG_DIR / kind).glob("*.yml"))


def resolve(name_or_path: str | Path, kind: str, base: Path | None = None) -> Path:
    """Find a configuration file: a preset name, or a path (relative to ``base``).

    Raises
    ------
    ConfigError
        If there is no such preset or file; the message lists the presets.
    """
    text = str(name_or_path)
    preset = CONFIG_DIR / kind / f"{text}.yml"
    if preset.is_file():
        return preset
    path = Path(text)
    if not path.is_absolute() and base is not None:
        path = base / path
    if path.is_file():
        return path
    raise ConfigError(
        f"No {kind[:-1]} called {text!r}: give the name of a preset "
        f"({', '.join(presets(kind))}) or the path of a YAML file."
    )


# libyaml's safe loader reads the same YAML as PyYAML's own, about ten times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping, with a readable error for bad syntax, encoding or file."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: this is not valid YAML ({exc}).") from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"{path}: this is not a text file in UTF-8; save it as UTF-8 text (in a text "
            "editor, 'Save as' with the encoding UTF-8)."
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: this is a folder, not a settings file.") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level.")
    return data


def check_keys(
    mapping: Mapping[str, Any],
    where: str,
    required: Iterable[str] = (),
    optional: Iterable[str] = (),
) -> None:
    """Reject missing and unknown keys, naming them and where they are."""
    if not isinstance(mapping, Mapping):
        raise ConfigError(f"{where}: expected a mapping of settings, got {mapping!r}.")
    required = list(required)
    allowed = set(required) | set(optional)
    missing = [k for k in required if k not in mapping]
    unknown = sorted(str(k) for k in mapping if k not in allowed)
    problems = []
    if missing:
        problems.append(f"missing setting(s) {', '.join(missing)}")
    if unknown:
        problems.append(
            f"unknown setting(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )
    if problems:
        raise ConfigError(f"{where}: {'; '.join(problems)}.")


def check_colour(value: Any, where: str) -> str:
    """A colour written ``#RRGGBB``."""
    if not isinstance(value, str) or not _COLOUR.match(value):
        raise ConfigError(f"{where}: colour {value!r} must be written as #RRGGBB.")
    return value.upper()


def relative_luminance(colour: str) -> float:
    """The WCAG 2.x relative luminance of a ``#RRGGBB`` colour, from 0 (black) to 1 (white).

    Examples
    --------
    >>> relative_luminance("#000000"), relative_luminance("#FFFFFF")
    (0.0, 1.0)
    >>> round(relative_luminance("#777777"), 4)
    0.1845
    """
    digits = check_colour(colour, "colour")[1:]
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#RRGGBB`` colours, from 1 to 21 (symmetric).

    Examples
    --------
    >>> contrast_ratio("#FFFFFF", "#000000")
    21.0
    >>> round(contrast_ratio("#1D70B8", "#FFFFFF"), 2)
    5.17
    """
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def check_contrast(
    colour: str, text_colour: str, where: str, minimum: float = MIN_CONTRAST
) -> float:
    """Reject a text colour that does not reach ``minimum`` contrast on its background.

    Returns the contrast ratio when it is enough.

    Examples
    --------
    >>> round(check_contrast("#1D70B8", "#FFFFFF", "Completed"), 2)
    5.17
    >>> check_contrast("#FFDD00", "#FFFFFF", "bands.yml, band 'amber'")
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: bands.yml, band 'amber': text colour #FFFFFF on #FFDD00 has a
    contrast ratio of 1.34:1; WCAG AA needs at least 4.5:1. Choose a darker or lighter ...
    """
    ratio = contrast_ratio(colour, text_colour)
    if ratio < minimum:
        raise ConfigError(
            f"{where}: text colour {text_colour} on {colour} has a contrast ratio of "
            f"{math.floor(ratio * 100) / 100:.2f}:1; WCAG AA needs at least {minimum:g}:1. "
            "Choose a darker or lighter text colour (e.g. #0B0C0C or #FFFFFF)."
        )
    return ratio
