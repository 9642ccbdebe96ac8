"""Time the execute stage on the bundled quarter (one notebook at a time, then in parallel)
and, with Quarto, the render stage for HTML alone and for HTML and PDF.

Run from the project folder::

    .venv/bin/python benchmarks/bench_run.py [--quarter 2021-22-Q2] [--jobs N] [--no-render]

It executes every chapter notebook twice, with ``--jobs 1`` and with the default (the
number of CPUs, or ``--jobs``), into temporary folders, and prints both wall times and
their ratio. Then it stages the executed notebooks as the run does and renders the book
with Quarto twice, HTML only and HTML with PDF, and prints those wall times. Nothing is
written into ``output/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.dataset.read import BUNDLED_DATASET, load_dataset  # noqa: E402
from analysis.pipeline.execute import check_kernel, execute_chapters, plan_chapters  # noqa: E402
from analysis.pipeline.render import find_quarto, render_book, stage_quarter  # noqa: E402
from analysis.quarters import parse_quarter  # noqa: E402


def _time_execute(chapters, jobs: int, folder: Path) -> float:
    started = time.perf_counter()
    execute_chapters(chapters, folder, jobs, progress=lambda _: None)
    return time.perf_counter() - started


def _time_render(data, quarter, notebooks, formats, folder: Path, quarto: str) -> float:
    project = stage_quarter(folder, notebooks, data, quarter, formats)
    started = time.perf_counter()
    render_book(project, quarto)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", help="default: the bundled dataset's latest quarter")
    parser.add_argument("--dataset", default=str(BUNDLED_DATASET))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-render", action="store_true", help="time the execute stage only")
    args = parser.parse_args(argv)

    data = load_dataset(args.dataset)
    quarter = parse_quarter(args.quarter) if args.quarter else data.quarters[-1]
    check_kernel()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        chapters = plan_chapters(data["themes"], quarter.slug, str(data.path))
        print(f"Executing {len(chapters)} notebooks for {quarter.slug} of {data.name}")
        serial = _time_execute(chapters, 1, folder / "serial")
        parallel = _time_execute(chapters, args.jobs, folder / "parallel")
        print(f"{'--jobs 1':>12}: {serial:7.1f}s")
        print(f"{f'--jobs {args.jobs}':>12}: {parallel:7.1f}s")
        print(f"{'ratio':>12}: {serial / parallel:7.2f}x faster in parallel")
        quarto = find_quarto()
        if args.no_render or quarto is None:
            print("render: not timed" + ("" if args.no_render else " (Quarto is not installed)"))
            return 0
        notebooks = sorted((folder / "parallel").glob("*.ipynb"))
        html = _time_render(data, quarter, notebooks, ["html"], folder / "html", quarto)
        both = _time_render(data, quarter, notebooks, ["html", "pdf"], folder / "both", quarto)
        print(f"{'render html':>12}: {html:7.1f}s")
        print(f"{'html + pdf':>12}: {both:7.1f}s (the PDF adds {both - html:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
