"""The speed benchmark: the run against a naive papermill loop, side by side on one machine.

Run from the project folder (Quarto on the PATH for the render figures)::

    .venv/bin/python benchmarks/bench_run.py [--quarter 2021-22-Q2] [--dataset DIR]
                                             [--no-tenfold] [--no-pathological]

Everything is written into a temporary folder; nothing into ``output/``. It measures,
one after another, each command's wall time and the peak memory of its whole process
tree (every kernel and Quarto process included, sampled from ``/proc``):

1. **naive**: the chapter notebooks run one after another with the papermill command
   line and the run's parameters, then one plain ``quarto render`` of the same chapters
   staged as the run stages them;
2. **first run**: ``python -m analysis run`` with an empty cache (HTML and PDF);
3. **unchanged re-run**: the same command again (its work is reused from the cache);
4. **ten times the items**: the run on a copy of the dataset with every item copied ten
   times (``benchmarks/tenfold.py``);
5. **pathological inputs**: the run with a 1 MB commentary in one update, and with the
   plan amendments table at 2,500 and at 10,000 rows.

and prints each target's ratio:

- execute stage / naive papermill loop (target 0.35 or less);
- whole run / naive loop and plain render (target 0.5 or less);
- unchanged re-run / first run (target 0.2 or less);
- ten times the items / first run (target 2 or less);
- 1 MB commentary / first run (about 1), and the extra time of 10,000 amendments over
  that of 2,500 (about 4 when the cost is in proportion to the rows), in wall time and
  in CPU time: the run does its work on every core at once, so a small extra can fit
  in time a core would otherwise have waited, and only CPU time shows the whole cost.

Each run's CPU time (user and system) is that of every process of its tree that was
waited for (Quarto, the kernels, the run itself), from ``getrusage``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.dataset.read import BUNDLED_DATASET, load_dataset  # noqa: E402
from analysis.pipeline.execute import KERNEL_NAME, plan_chapters  # noqa: E402
from analysis.pipeline.render import find_quarto, quarto_version, stage_quarter  # noqa: E402
from analysis.quarters import parse_quarter  # noqa: E402
from analysis.report.chapters import report_features  # noqa: E402
from analysis.report.extracts import extracts, write_extract  # noqa: E402
from benchmarks.tenfold import multiply  # noqa: E402

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree_rss(root: int) -> int:
    """The resident memory, in bytes, of a process and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(stat[1])
            rss[int(entry.name)] = int(stat[21]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


#: CPU seconds (user and system) of every command measured, by its place in the run.
CPU: list[float] = []


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], cwd: Path = ROOT) -> tuple[float, int]:
    """Run a command; return its wall time (s) and its process tree's peak memory (bytes).

    Its CPU time (user and system, of every process of its tree that was waited for) is
    appended to :data:`CPU`.
    """
    cpu = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    CPU.append(_children_cpu() - cpu)
    if process.returncode != 0:
        error = process.stderr.read() if process.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed:\n{error}")
    return seconds, peak


def naive(dataset: Path, quarter: str, folder: Path, quarto: str | None) -> dict[str, float]:
    """The naive loop: papermill's command line per chapter, then one plain render."""
    data = load_dataset(dataset)
    q = parse_quarter(quarter)
    chapters = plan_chapters(
        data["themes"], q.slug, str(dataset), features=report_features(data, q)
    )
    notebooks = folder / "notebooks"
    notebooks.mkdir(parents=True)
    execute, peak = 0.0, 0
    for chapter in chapters:
        parameters = {**chapter.parameters, "output_dir": str(notebooks)}
        command = [sys.executable, "-m", "papermill", str(chapter.template)]
        command += [str(notebooks / chapter.filename), "-k", KERNEL_NAME, "--no-progress-bar"]
        for name, value in parameters.items():
            command += ["-p", name, str(value)]
        seconds, memory = measure(command)
        execute, peak = execute + seconds, max(peak, memory)
    result = {"execute": execute, "render": 0.0, "peak": peak}
    if quarto is None:
        return result
    (folder / "data").mkdir()
    resources = [
        write_extract(frame, folder / "data" / name) for name, frame in extracts(data, q).items()
    ]
    project = stage_quarter(
        folder / "quarto",
        [notebooks / c.filename for c in chapters],
        data,
        q,
        ["html", "pdf"],
        resources,
    )
    result["render"], memory = measure([quarto, "render", str(project)], cwd=project)
    result["peak"] = max(peak, memory)
    return result


def run(dataset: Path, quarter: str, out: Path, *options: str) -> dict[str, float]:
    """``python -m analysis run``: its wall time, peak memory and stage times."""
    command = [sys.executable, "-m", "analysis", "run", "--quarter", quarter]
    command += ["--dataset", str(dataset), "--out", str(out), *options]
    seconds, peak = measure(command)
    manifest = json.loads((out / quarter / "manifest.json").read_text(encoding="utf-8"))
    return {"wall": seconds, "peak": peak, "cpu": CPU[-1], **manifest["stages_seconds"]}


def long_commentary(source: Path, target: Path, quarter: str, size: int = 1 << 20) -> Path:
    """``source`` with one update of ``quarter`` given a commentary of ``size`` characters."""
    shutil.copytree(source, target)
    path = target / "action_updates.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    row = next(r for r in rows if r["quarter"] == quarter)
    row["commentary"] = ("Work continues with partners on the next stage. " * (size // 40))[:size]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    return target


def many_amendments(source: Path, target: Path, quarter: str, count: int) -> Path:
    """``source`` with ``count`` plan amendments in ``quarter``, each on one of its measures."""
    shutil.copytree(source, target)
    with (target / "measures.csv").open(encoding="utf-8-sig", newline="") as handle:
        measures = [r["measure_id"] for r in csv.DictReader(handle)]
    with (target / "amendments.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["amendment_id", "quarter", "item_id", "item_kind", "change", "description",
             "provenance"]
        )  # fmt: skip
        for n in range(count):
            writer.writerow(
                [f"AM{n + 1:05d}", quarter, measures[n % len(measures)], "measure", "amend",
                 f"Amend the target of this measure (amendment {n + 1}).", "published"]
            )  # fmt: skip
    return target


def _mb(value: float) -> str:
    return f"{value / 2**20:,.0f} MB"


def _line(name: str, result: dict[str, float]) -> None:
    """A measured run: its wall time, peak memory and CPU time."""
    print(f"{name:34}{result['wall']:9.1f}{_mb(result['peak']):>14}{result['cpu']:14.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", help="default: the dataset's latest quarter")
    parser.add_argument("--dataset", default=str(BUNDLED_DATASET))
    parser.add_argument("--no-tenfold", action="store_true")
    parser.add_argument("--no-pathological", action="store_true")
    args = parser.parse_args(argv)

    dataset = Path(args.dataset).resolve()
    quarter = parse_quarter(args.quarter).slug if args.quarter else None
    quarter = quarter or load_dataset(dataset).quarters[-1].slug
    quarto = find_quarto()
    print(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, Quarto {quarto_version(quarto)}")  # fmt: skip
    print(f"Dataset: {dataset.name}, {quarter}")
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        base = naive(dataset, quarter, folder / "naive", quarto)
        first = run(dataset, quarter, folder / "out")
        again = run(dataset, quarter, folder / "out")
        naive_whole = base["execute"] + base["render"]
        print(f"\n{'':34}{'seconds':>9}{'peak memory':>14}{'CPU seconds':>14}")
        print(f"{'naive papermill loop':34}{base['execute']:9.1f}{_mb(base['peak']):>14}")
        if quarto is not None:
            print(f"{'  + plain quarto render':34}{naive_whole:9.1f}")
        _line("first run", first)
        print(f"{'  of which execute':34}{first['execute']:9.1f}")
        if quarto is not None:
            print(f"{'  of which render':34}{first['render']:9.1f}")
        _line("unchanged re-run", again)
        rows.append(("execute / naive loop", f"{first['execute'] / base['execute']:.2f}", "0.35",
                     ""))  # fmt: skip
        if quarto is not None:
            rows.append(("whole run / naive loop + render", f"{first['wall'] / naive_whole:.2f}",
                         "0.5", ""))  # fmt: skip
        rows.append(("unchanged re-run / first run", f"{again['wall'] / first['wall']:.2f}",
                     "0.2", ""))  # fmt: skip
        if not args.no_tenfold:
            ten = run(multiply(dataset, folder / "tenfold"), quarter, folder / "ten", "--no-cache")
            _line("ten times the items", ten)
            rows.append(("ten times the items / first run", f"{ten['wall'] / first['wall']:.2f}",
                         "2", ""))  # fmt: skip
        if not args.no_pathological:
            long = long_commentary(dataset, folder / "long", quarter)
            cut = run(long, quarter, folder / "long-out", "--no-cache")
            _line("1 MB commentary", cut)
            rows.append(("1 MB commentary / first run", f"{cut['wall'] / first['wall']:.2f}",
                         "about 1", ""))  # fmt: skip
            few = run(many_amendments(dataset, folder / "few", quarter, 2500), quarter,
                      folder / "few-out", "--no-cache")  # fmt: skip
            many = run(many_amendments(dataset, folder / "many", quarter, 10000), quarter,
                       folder / "many-out", "--no-cache")  # fmt: skip
            _line("2,500 amendments", few)
            _line("10,000 amendments", many)
            for what in ("wall", "cpu"):
                growth = (many[what] - first[what]) / max(few[what] - first[what], 0.1)
                words = "time" if what == "wall" else "CPU time"
                rows.append((f"extra {words}, 10,000 / 2,500 rows", f"{growth:.1f}", "about 4", ""))
    print(f"\n{'ratio':34}{'measured':>9}{'target':>14}")
    for name, value, target, _ in rows:
        print(f"{name:34}{value:>9}{target:>14}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
