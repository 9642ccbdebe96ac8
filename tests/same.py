"""Comparing two executed reports: the same, apart from what differs between any two runs.

Two runs of the same notebooks differ only in run times (papermill's and nbclient's
timings), the random id papermill gives the cell it injects, object addresses in the
plain-text form of some outputs, and the folder they were executed in. Everything else,
every output and every figure file, must be byte for byte the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_ADDRESS = re.compile(r"0x[0-9a-f]{6,}")


def normalised_notebook(path: Path, folder: Path) -> dict[str, Any]:
    """A notebook's JSON without run times, the injected cell's id, object addresses,
    and with ``folder`` (where it ran or was published) written as ``FOLDER``."""
    text = path.read_text(encoding="utf-8").replace(str(folder.resolve()), "FOLDER")
    node = json.loads(_ADDRESS.sub("0x", text))
    node["metadata"].pop("papermill", None)
    for cell in node["cells"]:
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
        if "injected-parameters" in cell["metadata"].get("tags", []):
            cell.pop("id", None)
    return node


def differences(
    first: Path,
    second: Path,
    times: tuple[str, ...] = (),
    places: tuple[Path, Path] | None = None,
) -> list[str]:
    """The files that differ between two folders (notebooks compared normalised; files
    named in ``times`` skipped), and those only one of them has.

    ``places`` are the folders the two were made in or published to (by default the
    folders themselves): the notebooks record it, so it is written the same for both.
    """
    made = places or (first, second)
    names = {p.relative_to(first) for p in first.rglob("*") if p.is_file()}
    others = {p.relative_to(second) for p in second.rglob("*") if p.is_file()}
    found = [f"only in one: {name}" for name in sorted(names ^ others)]
    for name in sorted(names & others):
        if name.as_posix() in times:
            continue
        a, b = first / name, second / name
        if name.suffix == ".ipynb":
            same = normalised_notebook(a, made[0]) == normalised_notebook(b, made[1])
        else:
            same = _placed(a, made[0]) == _placed(b, made[1])
        if not same:
            found.append(f"differs: {name}")
    return found


def _placed(path: Path, place: Path) -> bytes:
    """A file's bytes, with the folder it was published to written as ``FOLDER``."""
    data = path.read_bytes()
    return data.replace(str(place.resolve()).encode(), b"FOLDER")
