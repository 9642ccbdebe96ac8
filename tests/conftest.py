"""Shared test helpers: the fixture datasets, as CSV folders or as Excel workbooks."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

DATASETS = Path(__file__).resolve().parent / "fixtures" / "datasets"


def _csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return list(csv.reader(io.StringIO(text, newline="")))


def _excel_cell(text: str) -> object:
    """A cell as an analyst would type it into Excel: numbers and dates as such."""
    if text == "":
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.datetime.fromisoformat(text)
    return text


def write_excel_dataset(source: Path, target: Path) -> Path:
    """Copy a CSV dataset folder as ``dataset.yml`` plus ``dataset.xlsx``, sheet per CSV."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "dataset.yml", target / "dataset.yml")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for path in sorted(source.glob("*.csv")):
        sheet = workbook.create_sheet(path.stem)
        for i, row in enumerate(_csv_rows(path)):
            sheet.append([cell if i == 0 else _excel_cell(cell) for cell in row])
    workbook.save(target / "dataset.xlsx")
    return target


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Callable[[str], Path]:
    """A function copying a fixture dataset (by name) into a fresh folder."""

    def copy(name: str) -> Path:
        return Path(shutil.copytree(DATASETS / name, tmp_path / name))

    return copy


@pytest.fixture
def excel_dataset(tmp_path: Path) -> Callable[[str], Path]:
    """A function writing a CSV dataset (a fixture's name, or a folder) as a workbook."""

    def build(source: str | Path) -> Path:
        folder = DATASETS / source if isinstance(source, str) else source
        return write_excel_dataset(folder, tmp_path / f"{folder.name}-xlsx")

    return build


@pytest.fixture(scope="session")
def dataset():
    """The hand-worked synthetic dataset of ``tests/synthetic.py``, loaded once; read only."""
    from synthetic import synthetic_dataset

    return synthetic_dataset()


# ---------------------------------------------------------------- accessibility

_AXE = Path(__file__).resolve().parent / "browser" / "axe.mjs"


@pytest.fixture(scope="session")
def axe_runner():
    """Run axe-core (WCAG 2.2 A and AA rules) in headless Chromium over pages of a folder."""
    node = shutil.which("node")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    modules = _AXE.parent / "node_modules"
    if node is None or chromium is None:
        pytest.skip("Node.js and Chromium are needed for the browser test (Debian: chromium)")
    if not (modules / "axe-core").is_dir() or not (modules / "puppeteer-core").is_dir():
        pytest.skip(
            "axe-core and puppeteer-core are not installed: `npm ci --prefix tests/browser`"
        )

    def run(folder: Path, pages: list[str], width: int) -> dict:
        out = folder.parent / f"axe-{width}.json"
        done = subprocess.run(
            [
                node,
                str(_AXE),
                "--root",
                str(folder),
                "--chromium",
                chromium,
                "--width",
                str(width),
                "--out",
                str(out),
                *pages,
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode in (0, 1), done.stderr[-2000:]
        return json.loads(out.read_text(encoding="utf-8"))

    return run
