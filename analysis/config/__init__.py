"""Configuration: rating frameworks, scales and the report's presentation, from YAML.

Presets ship in this folder (``frameworks/*.yml``, ``scales/*.yml``,
``presentation/*.yml``). A council adds its own as a file and names it in its
``dataset.yml``; no code changes. :mod:`analysis.config.files` reads and checks the
files; the other modules turn them into objects the rest of the workbook uses.
"""

from analysis.config.files import CONFIG_DIR, presets, read_yaml
from analysis.config.frameworks import Band, Framework, load_framework
from analysis.config.scales import RiskScale, Scale, Scales, Status, load_scales

__all__ = [
    "CONFIG_DIR",
    "presets",
    "read_yaml",
    "Band",
    "Framework",
    "load_framework",
    "RiskScale",
    "Scale",
    "Scales",
    "Status",
    "load_scales",
]
