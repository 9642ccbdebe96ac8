"""Reading the workbook's YAML configuration: rating frameworks and scales.

Presets ship in this folder (``frameworks/*.yml``, ``scales/*.yml``). A council adds its
own as a file and names it by path; no code changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import ConfigError

__all__ = ["CONFIG_DIR", "resolve", "read_yaml", "check_keys", "presets", "check_colour"]

CONFIG_DIR = Path(__file__).resolve().parent
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


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


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping, with a readable error for bad syntax."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: this is not valid YAML ({exc}).") from None
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
