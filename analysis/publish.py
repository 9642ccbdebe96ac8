"""Publishing a run atomically into ``output/<quarter>/``.

A run builds everything in a temporary folder beside the published one
(``output/.<quarter>.building-*``) and only then swaps it in with renames, so a failed run
leaves the previous ``output/<quarter>/`` exactly as it was. A notebook that failed is kept
for debugging in ``output/.failed/``, never in the published folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from analysis.errors import RunError

__all__ = ["FAILED_DIR", "build_folder", "publish", "keep_failed", "discard"]

FAILED_DIR = ".failed"


def build_folder(out: Path, slug: str) -> Path:
    """A new, empty temporary folder for a run of ``slug``, beside ``out/<slug>``.

    Being on the same file system as the published folder, it can be swapped in with a
    rename.
    """
    out.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{slug}.building-", dir=out))


def publish(report: Path, target: Path) -> Path:
    """Swap the finished ``report`` folder in as ``target``, replacing any previous one.

    The previous folder is renamed aside, the new one renamed into place, and only then is
    the previous one deleted; if the second rename fails the previous folder is put back.

    Examples
    --------
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "new").mkdir(); _ = (root / "new" / "a.txt").write_text("new")
    >>> (root / "old").mkdir(); _ = (root / "old" / "a.txt").write_text("old")
    >>> publish(root / "new", root / "old").joinpath("a.txt").read_text()
    'new'
    >>> sorted(p.name for p in root.iterdir())
    ['old']
    """
    aside = None
    if target.exists():
        aside = target.with_name(f".{target.name}.previous-{os.getpid()}-{id(report)}")
        os.replace(target, aside)
    try:
        os.replace(report, target)
    except OSError as exc:
        if aside is not None:
            os.replace(aside, target)
        raise RunError(
            f"Could not publish {target}: {exc}. The previous report is unchanged."
        ) from None
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
    return target


def keep_failed(notebook: Path, out: Path, slug: str, when: datetime) -> Path:
    """Move a failed executed notebook to ``out/.failed/<slug>-<time>/``; return its path."""
    folder = out / FAILED_DIR / f"{slug}-{when:%Y%m%dT%H%M%S}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / notebook.name
    shutil.move(str(notebook), target)
    return target


def discard(folder: Path) -> None:
    """Remove a temporary build folder, whatever it holds."""
    shutil.rmtree(folder, ignore_errors=True)
