"""The run's manifest: exactly what went in, so an auditor can trace every figure.

``manifest.json`` records the parameters of the run, the dataset and the SHA-256 of every
input file, the versions of Python, the key packages and Quarto, the project's git commit,
when the run happened and how long each stage took.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "KEY_PACKAGES",
    "sha256_file",
    "input_files",
    "output_files",
    "package_versions",
    "git_commit",
    "build_manifest",
]

ROOT = Path(__file__).resolve().parents[2]
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "pandera",
    "papermill",
    "nbclient",
    "nbconvert",
    "ipykernel",
    "great-tables",
    "plotnine",
    "nh3",
    "openpyxl",
    "PyYAML",
)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(files: Iterable[Path], base: Path) -> list[dict[str, str]]:
    """Each input file with its SHA-256; paths relative to ``base`` where possible.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "themes.csv").write_bytes(b"abc")
    >>> input_files([folder / "themes.csv"], folder)  # doctest: +NORMALIZE_WHITESPACE
    [{'path': 'themes.csv',
      'sha256': 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'}]
    """
    rows = []
    for path in files:
        try:
            shown = path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            shown = str(path)
        rows.append({"path": shown, "sha256": sha256_file(path)})
    return rows


def output_files(folder: Path) -> list[dict[str, str]]:
    """Every file under ``folder`` with its SHA-256, in path order; the manifest excepted.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "book").mkdir(); _ = (folder / "book" / "report.pdf").write_bytes(b"abc")
    >>> [row["path"] for row in output_files(folder)]
    ['book/report.pdf']
    """
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")
    return [{"path": p.relative_to(folder).as_posix(), "sha256": sha256_file(p)} for p in files]


def package_versions(names: Iterable[str] = KEY_PACKAGES) -> dict[str, str]:
    """The installed version of each package, or ``"not installed"``.

    Examples
    --------
    >>> package_versions(["pandas", "no-such-package-here"])["no-such-package-here"]
    'not installed'
    """
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(root: Path = ROOT) -> dict[str, Any]:
    """The project's git commit and whether the working tree had changes.

    Outside a git checkout (or without git) the commit is ``"unknown"``.
    """
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "uncommitted_changes": None}
    return {"commit": commit or "unknown", "uncommitted_changes": bool(status)}


def build_manifest(
    *,
    parameters: Mapping[str, Any],
    dataset_name: str,
    dataset_path: Path,
    files: Iterable[Path],
    quarto: str,
    chapters: Iterable[str],
    outputs: Iterable[str],
    stages: Mapping[str, float],
    started: datetime,
    output_folder: Path | None = None,
    quarto_warnings: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The manifest of one run, ready to be written as JSON.

    Parameters
    ----------
    parameters
        The run's parameters (quarter, dataset, formats, jobs, ...).
    quarto
        Quarto's version, or ``"not installed"``.
    chapters
        The executed notebooks, in report order.
    outputs
        What the run published besides the notebooks (``book``, ``preview``, ...).
    output_folder
        The folder being published: every file in it is listed with its SHA-256
        (``output_files``, paths relative to it), the manifest itself excepted.
    quarto_warnings
        Each distinct warning of the Quarto render, with its count.
    stages
        Wall time of each stage, in seconds, in the order they ran.
    started
        When the run started (timezone-aware).
    """
    return {
        "parameters": dict(parameters),
        "dataset": {
            "name": dataset_name,
            "path": str(dataset_path),
            "files": input_files(files, dataset_path),
        },
        "chapters": list(chapters),
        "outputs": list(outputs),
        "output_files": output_files(output_folder) if output_folder is not None else [],
        "quarto_warnings": [dict(w) for w in quarto_warnings],
        "versions": {
            "python": platform.python_version(),
            "python_executable": sys.executable,
            "platform": platform.platform(),
            "packages": package_versions(),
            "quarto": quarto,
        },
        "git": git_commit(),
        "started": started.isoformat(timespec="seconds"),
        "stages_seconds": {name: round(seconds, 3) for name, seconds in stages.items()},
        "total_seconds": round(sum(stages.values()), 3),
    }
