"""Reusing the work of an earlier run whose inputs, code, configuration and versions match.

An analyst re-runs a quarter many times while correcting an export, and most re-runs
change one file, or nothing. The two slow stages, executing the notebooks and rendering
the book, are each stored in the cache under a **key**: a SHA-256 of exactly what the
stage's result depends on.

- **execute**: the project's code (every file of the ``analysis`` package, presets
  included, the notebook templates and the book's layout), the installed versions (Python, its
  executable, every installed distribution, the kernel's command), the run's snapshot
  of the dataset (every file's bytes, ``dataset.yml`` included), the chapters with their
  parameters and features, and the folder the report is published in (the notebooks
  record it).
- **render**: the code and versions again (the book's layout, ``_quarto.yml`` and
  ``assets/``, counts as code), Quarto's version, the formats, whether the annual
  results are made, and the execute stage's key, which stands for the executed
  notebooks and everything they were made from. It is known before the book is staged,
  so an unchanged re-run neither stages nor renders.

A stage whose key is in the cache is not run: its stored result is copied in, so the
report is the one the stage would have made (with the run times of the run that made
it). A change to any of those inputs gives another key, so an entry is never used for
anything but exactly what made it. Entries are written into a temporary folder and
renamed into place, so a run interrupted while storing leaves no half entry. Each
quarter keeps one entry per stage: storing a new one removes the one it replaces.

The cache lives in ``<out>/.cache/``; ``--no-cache`` turns it off (nothing is read or
written). The manifest says, for each stage, its key and whether it was reused.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "CACHE_FOLDER",
    "Cache",
    "code_fingerprint",
    "installed_versions",
    "stage_key",
]

CACHE_FOLDER = ".cache"
_ENTRY = "entry.json"
# What Python and Jupyter write beside the code: not part of it.
_NOT_CODE = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".pyc")


def code_fingerprint(folders: Iterable[Path]) -> str:
    """A SHA-256 of every file (path and bytes) in ``folders``: the code and presets
    (a file among them is taken as it is).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "rule.py").write_text("LIMIT = 1")
    >>> before = code_fingerprint([folder])
    >>> _ = (folder / "rule.py").write_text("LIMIT = 2")
    >>> code_fingerprint([folder]) == before
    False
    """
    from analysis.dataset.read import folder_hash

    def fingerprint(path: Path) -> str:
        if path.is_file():
            return hashlib.sha256(path.read_bytes()).hexdigest()
        return folder_hash(path, _NOT_CODE)

    return stage_key(folders=[(path.name, fingerprint(path)) for path in folders])


def installed_versions() -> dict[str, Any]:
    """Python, its executable and every installed distribution with its version."""
    distributions = sorted(
        f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions() if d.metadata
    )
    return {
        "python": sys.version,
        "executable": sys.executable,
        "distributions": distributions,
    }


def stage_key(**parts: Any) -> str:
    """The key of a stage: a SHA-256 of its parts as canonical JSON.

    Examples
    --------
    >>> stage_key(stage="execute", inputs="ab") == stage_key(inputs="ab", stage="execute")
    True
    >>> stage_key(stage="execute", inputs="ab") == stage_key(stage="execute", inputs="ac")
    False
    """
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@dataclass
class Cache:
    """The cache of one output folder; ``folder`` None means no cache (``--no-cache``).

    ``used`` records, stage by stage, the key and whether the stored result was reused,
    for the manifest.
    """

    folder: Path | None
    used: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _place(self, quarter: str, stage: str) -> Path:
        assert self.folder is not None
        return self.folder / quarter / stage

    def fetch(self, quarter: str, stage: str, key: str, target: Path) -> dict[str, Any] | None:
        """Copy the stored result of ``stage`` with ``key`` into ``target``; return what
        was stored with it (``extra`` of :meth:`store`), or None when there is none."""
        self.used[stage] = {"key": key, "reused": False}
        if self.folder is None:
            return None
        entry = self._place(quarter, stage) / key
        try:
            record = json.loads((entry / _ENTRY).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("key") != key:
            return None
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(entry / "result", target)
        self.used[stage]["reused"] = True
        return dict(record.get("extra") or {})

    def store(
        self,
        quarter: str,
        stage: str,
        key: str,
        result: Path,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Store a copy of the folder ``result`` as ``stage``'s result for ``key``,
        replacing the quarter's earlier entry for the stage. A cache that cannot be
        written is not an error: the run goes on without storing."""
        if self.folder is None:
            return
        place = self._place(quarter, stage)
        try:
            place.mkdir(parents=True, exist_ok=True)
            building = Path(tempfile.mkdtemp(prefix=".storing-", dir=place))
            shutil.copytree(result, building / "result")
            record = {"key": key, "extra": dict(extra or {})}
            (building / _ENTRY).write_text(json.dumps(record, indent=1), encoding="utf-8")
            entry = place / key
            if entry.exists():
                shutil.rmtree(entry)
            building.rename(entry)
            for other in place.iterdir():
                if other.name != key:
                    shutil.rmtree(other, ignore_errors=True)
        except OSError:
            return
