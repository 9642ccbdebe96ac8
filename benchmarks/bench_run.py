"""Time the execute stage on the bundled quarter: one notebook at a time, then in parallel.

Run from the project folder::

    .venv/bin/python benchmarks/bench_run.py [--quarter 2021-22-Q2] [--jobs N]

It executes every chapter notebook twice, with ``--jobs 1`` and with the default (the
number of CPUs, or ``--jobs``), into temporary folders, and prints both wall times and
their ratio. Nothing is written into ``output/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.execute import check_kernel, execute_chapters, plan_chapters  # noqa: E402
from analysis.load import BUNDLED_DATASET, load_dataset  # noqa: E402
from analysis.quarters import parse_quarter  # noqa: E402


def _time_execute(chapters, jobs: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        execute_chapters(chapters, Path(folder), jobs, progress=lambda _: None)
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", help="default: the bundled dataset's latest quarter")
    parser.add_argument("--dataset", default=str(BUNDLED_DATASET))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    data = load_dataset(args.dataset)
    quarter = parse_quarter(args.quarter) if args.quarter else data.quarters[-1]
    check_kernel()
    chapters = plan_chapters(data["themes"], quarter.slug, str(data.path))
    print(f"Executing {len(chapters)} notebooks for {quarter.slug} of {data.name}")
    serial = _time_execute(chapters, 1)
    parallel = _time_execute(chapters, args.jobs)
    print(f"{'--jobs 1':>12}: {serial:7.1f}s")
    print(f"{f'--jobs {args.jobs}':>12}: {parallel:7.1f}s")
    print(f"{'ratio':>12}: {serial / parallel:7.2f}x faster in parallel")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
