"""Write a copy of a dataset with every item copied ten times, for the speed benchmark.

Run from the project folder::

    .venv/bin/python benchmarks/tenfold.py TARGET [--dataset data/derby-2021-22] [--times 10]

Every action, measure, project and risk gets ``times - 1`` copies in the same outcome,
each with its own id (``PL-M01-2`` ... ``PL-M01-10``), its title marked ``(copy n)``, a
position just after the original's, and a copy of every update of the original. Themes,
outcomes, amendments and the configuration are kept as they are, so the copy validates
and renders like the original, with ten times the items.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.dataset.read import BUNDLED_DATASET, load_dataset  # noqa: E402
from analysis.schema import KINDS  # noqa: E402


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def copy_id(item: str, copy: int) -> str:
    """The id of an item's copy (the first copy is the item itself).

    Examples
    --------
    >>> copy_id("PL-M01", 1), copy_id("PL-M01", 3)
    ('PL-M01', 'PL-M01-3')
    """
    return item if copy == 1 else f"{item}-{copy}"


def multiply(source: Path, target: Path, times: int = 10) -> Path:
    """Write ``source`` with every item copied ``times`` times into ``target``."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    for items_table, updates_table, id_column in KINDS.values():
        items_file, updates_file = target / f"{items_table}.csv", target / f"{updates_table}.csv"
        if not items_file.is_file():
            continue
        header, items = _read(items_file)
        copied = []
        for item in items:
            for copy in range(1, times + 1):
                row = dict(item, **{id_column: copy_id(item[id_column], copy)})
                row["position"] = str(int(item["position"]) * times + copy - 1)
                if copy > 1:
                    row["title"] = f"{item['title']} (copy {copy})"
                copied.append(row)
        _write(items_file, header, copied)
        if updates_file.is_file():
            header, updates = _read(updates_file)
            rows = [
                dict(update, **{id_column: copy_id(update[id_column], copy)})
                for update in updates
                for copy in range(1, times + 1)
            ]
            _write(updates_file, header, rows)
    load_dataset(target)  # the copy must be a valid dataset
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="the folder to write (replaced if it exists)")
    parser.add_argument("--dataset", default=str(BUNDLED_DATASET))
    parser.add_argument("--times", type=int, default=10)
    args = parser.parse_args(argv)
    folder = multiply(Path(args.dataset), Path(args.target), args.times)
    print(f"Wrote {folder}: every item of {args.dataset} {args.times} times.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
