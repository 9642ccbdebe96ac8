"""Publishing a run atomically into ``output/<quarter>/``.

A run builds everything in a temporary folder beside the published one
(``output/.<quarter>.building-<pid>-*``) and only then swaps it in, so a failed run leaves
the previous ``output/<quarter>/`` exactly as it was. A notebook that failed is kept for
debugging in ``output/.failed/``, never in the published folder.

At every instant ``output/<quarter>/`` is either the previous complete report or the new
one:

- where the system can exchange two folders in one step (Linux's ``renameat2`` with
  ``RENAME_EXCHANGE``), the new report and the previous one swap places at once, and the
  previous one is then deleted;
- elsewhere the previous report is first renamed aside (``.<quarter>.previous-<pid>-*``)
  and the new one renamed into place; a run killed between the two renames leaves no
  ``output/<quarter>/`` for a moment, and the next run for that quarter puts the previous
  report back before it does anything else (:func:`repair`).

:func:`repair` also removes the build folders of runs that are no longer alive and any
previous report left aside after a finished swap. Runs of the same quarter take a lock
(:func:`quarter_lock`), so two of them never interleave: the second one stops at once,
saying that the first is running.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from analysis.errors import RunError

__all__ = [
    "FAILED_DIR",
    "build_folder",
    "publish",
    "repair",
    "quarter_lock",
    "keep_failed",
    "discard",
]

FAILED_DIR = ".failed"
_BUILDING = "building"
_PREVIOUS = "previous"


def build_folder(out: Path, slug: str) -> Path:
    """A new, empty temporary folder for a run of ``slug``, beside ``out/<slug>``.

    Being on the same file system as the published folder, it can be swapped in with a
    rename. Its name carries the run's process id, so that a later run can tell whether
    the run that made it is still alive (:func:`repair`).
    """
    out.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{slug}.{_BUILDING}-{os.getpid()}-", dir=out))


def publish(report: Path, target: Path) -> Path:
    """Swap the finished ``report`` folder in as ``target``, replacing any previous one.

    Examples
    --------
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "new").mkdir(); _ = (root / "new" / "a.txt").write_text("new")
    >>> (root / "old").mkdir(); _ = (root / "old" / "a.txt").write_text("old")
    >>> publish(root / "new", root / "old").joinpath("a.txt").read_text()
    'new'
    >>> sorted(p.name for p in root.iterdir())
    ['old']

    Raises
    ------
    RunError
        If the new report cannot be moved into place; the previous one is then unchanged.
    """
    if not target.exists():
        _replace(report, target)
        return target
    if _exchange(report, target):
        # ``report`` now holds the previous report
        shutil.rmtree(report, ignore_errors=True)
        return target
    aside = target.with_name(f".{target.name}.{_PREVIOUS}-{os.getpid()}-{id(report)}")
    _replace(target, aside)
    try:
        _replace(report, target)
    except RunError:
        os.replace(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    return target


def _replace(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        raise RunError(
            f"Could not publish {target}: {exc.strerror or exc}. The previous report is unchanged."
        ) from None


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step where the system can (Linux); False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return done == 0


def repair(out: Path, slug: str) -> list[str]:
    """Mend what interrupted runs of ``slug`` left in ``out``; say what was done.

    - No ``out/<slug>/`` but a previous report set aside: it is put back.
    - Build folders of runs no longer alive, and previous reports left aside beside a
      published one, are removed.

    Call it while holding :func:`quarter_lock`, so that no live run of the quarter is
    using what it removes.

    Examples
    --------
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / ".2021-22-Q2.previous-1-2").mkdir()
    >>> (root / ".2021-22-Q2.building-999999999-x").mkdir()
    >>> repair(root, "2021-22-Q2")  # doctest: +NORMALIZE_WHITESPACE
    ['put back the previous report from .2021-22-Q2.previous-1-2',
     'removed .2021-22-Q2.building-999999999-x, left by a run that is no longer running']
    >>> sorted(p.name for p in root.iterdir())
    ['2021-22-Q2']
    """
    done: list[str] = []
    if not out.is_dir():
        return done
    target = out / slug
    asides = sorted(
        (p for p in out.iterdir() if p.name.startswith(f".{slug}.{_PREVIOUS}-")),
        key=lambda p: p.stat().st_mtime,
    )
    if not target.exists() and asides:
        newest = asides.pop()
        os.replace(newest, target)
        done.append(f"put back the previous report from {newest.name}")
    for aside in asides:
        shutil.rmtree(aside, ignore_errors=True)
        done.append(f"removed {aside.name}, a previous report already replaced")
    pattern = re.compile(rf"^\.{re.escape(slug)}\.{_BUILDING}-(\d+)-")
    for folder in sorted(out.iterdir()):
        match = pattern.match(folder.name)
        if match and not _alive(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
            done.append(f"removed {folder.name}, left by a run that is no longer running")
    return done


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@contextmanager
def quarter_lock(out: Path, slug: str) -> Iterator[Path]:
    """Hold the lock of ``slug``'s runs in ``out`` for the duration of the block.

    The lock is a file, ``out/.<slug>.lock``, locked by the operating system and removed
    when the block ends; a run killed while holding it leaves the file behind, unlocked,
    and the next run takes it.

    Raises
    ------
    RunError
        If another run of the same quarter holds it; the message says so.
    """
    out.mkdir(parents=True, exist_ok=True)
    path = out / f".{slug}.lock"
    handle = path.open("a+")
    try:
        # the file must still be the one at ``path``: a run that has just finished
        # removes it, and a lock on a removed file would lock nothing
        if not _try_lock(handle) or not _same_file(handle, path):
            raise RunError(
                f"Another run of {slug} is publishing into {out} right now. Wait for it to "
                "finish (or stop it), then run the command again."
            )
        try:
            yield path
        finally:
            with contextlib.suppress(OSError):  # Windows keeps an open file
                path.unlink(missing_ok=True)
    finally:
        handle.close()


def _same_file(handle, path: Path) -> bool:  # type: ignore[no-untyped-def]
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:
        return False


def _try_lock(handle) -> bool:  # type: ignore[no-untyped-def]
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


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
