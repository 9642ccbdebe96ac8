"""One command renders a quarter: ``python -m analysis run --quarter 2021-22-Q2``.

Stages, in order:

1. **validate** the dataset (every problem reported at once; nothing is written);
2. take a **snapshot** of the dataset into the build folder (published as ``inputs/``),
   from which everything after is made, so that one report holds one version of the data;
3. **execute** the notebooks with papermill, in parallel up to ``--jobs``;
4. **extract** the data tables (``data/statuses.csv``, ``data/headlines.csv``);
5. **stage** a Quarto book project for the quarter and **render** it to HTML and PDF, or,
   without Quarto, make a preview HTML page per chapter;
6. write the **manifest** and **publish** atomically into ``output/<quarter>/``.

Everything is built in a temporary folder beside ``output/<quarter>/`` and swapped in at
the end, so a failed run leaves the previous report exactly as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.errors import RunError, WorkbookError
from analysis.pipeline.cache import (
    CACHE_FOLDER,
    Cache,
    code_fingerprint,
    installed_versions,
    stage_key,
)
from analysis.pipeline.execute import (
    NOTEBOOKS_DIR,
    ROOT,
    Chapter,
    NotebookFailed,
    check_kernel,
    execute_chapters,
    plan_chapters,
)
from analysis.pipeline.publish import (
    build_folder,
    discard,
    keep_failed,
    publish,
    quarter_lock,
    repair,
)
from analysis.pipeline.render import (
    ANNUAL_FOLDER,
    ANNUAL_NAME,
    CABINET_FOLDER,
    CABINET_NAME,
    FORMAT_OUTPUTS,
    FORMATS,
    QUARTO_CONFIG,
    QUARTO_MISSING,
    Rendered,
    check_quarto,
    find_quarto,
    preview_html,
    quarto_version,
    render_projects,
    stage_annual,
    stage_cabinet,
    stage_quarter,
)
from analysis.quarters import Quarter, parse_quarter
from analysis.report.chapters import report_features

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset

__all__ = ["DEFAULT_OUT", "RunResult", "parse_formats", "run_report", "register", "main"]

DEFAULT_OUT = ROOT / "output"
MANIFEST = "manifest.json"


@dataclass
class RunResult:
    """What a run published."""

    folder: Path
    quarter: Quarter
    chapters: list[str]
    rendered: bool
    stages: dict[str, float] = field(default_factory=dict)


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    """Read ``--formats``: a comma-separated list of ``html`` and ``pdf``.

    Examples
    --------
    >>> parse_formats("pdf, HTML")
    ('html', 'pdf')
    >>> parse_formats("docx")
    Traceback (most recent call last):
    ...
    analysis.errors.RunError: Unknown report format(s) docx: choose from html, pdf.
    """
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = {item.strip().lower() for item in items if item.strip()}
    unknown = sorted(chosen - set(FORMATS))
    if unknown or not chosen:
        raise RunError(
            f"Unknown report format(s) {', '.join(unknown) or '(none given)'}: "
            f"choose from {', '.join(FORMATS)}."
        )
    return tuple(f for f in FORMATS if f in chosen)


def _notebook_dataset_path(path: Path) -> str:
    """The dataset folder as the notebooks open it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path.resolve())


@contextmanager
def _stage(name: str, stages: dict[str, float], progress: Callable[[str], None]) -> Iterator[None]:
    progress(f"{name} ...")
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[name] = time.perf_counter() - started
    progress(f"{name}: done in {stages[name]:.1f}s")


def run_report(
    quarter: str | Quarter | None = None,
    dataset: str | Path | None = None,
    formats: str | Sequence[str] = tuple(FORMATS),
    jobs: int | None = None,
    out: str | Path | None = None,
    require_quarto: bool = False,
    progress: Callable[[str], None] = print,
    templates: Path = NOTEBOOKS_DIR,
    cache: bool = True,
    annual: bool | None = None,
) -> RunResult:
    """Render one quarter's report and publish it into ``<out>/<quarter>/``.

    Parameters
    ----------
    quarter
        Any accepted spelling; the dataset's latest quarter when None.
    dataset
        The dataset folder; the bundled dataset when None.
    formats
        ``html`` and/or ``pdf`` (comma-separated or a sequence).
    jobs
        How many notebooks to execute at once; the number of CPUs when None.
    out
        The output folder; ``output/`` of the project when None.
    require_quarto
        Fail, instead of publishing previews, when Quarto is not installed.
    progress
        Where progress lines go.
    templates
        The folder of notebook templates (``notebooks/``).
    cache
        Reuse the executed notebooks and the rendered book of an earlier run whose
        inputs, code, configuration and versions are the same, from ``<out>/.cache/``
        (:mod:`analysis.pipeline.cache`); False (``--no-cache``) neither reads nor
        writes it.
    annual
        Make the annual results report beside the book (``book/annual/``); when None,
        for the financial year's last quarter (Q4) only.

    Raises
    ------
    WorkbookError
        :class:`~analysis.errors.DataError` for a dataset with problems (nothing is
        written), :class:`~analysis.errors.RunError` for a run that failed after
        validation (the previous report is left as it was).
    """
    from analysis.dataset.read import (
        BUNDLED_DATASET,
        INPUTS_FOLDER,
        folder_hash,
        load_dataset,
        snapshot_dataset,
    )

    started = datetime.now(UTC)
    stages: dict[str, float] = {}
    chosen_formats = parse_formats(formats)
    if jobs is None:
        jobs = os.cpu_count() or 1
    if jobs < 1:
        raise RunError(f"--jobs must be at least 1, not {jobs}.")
    out_dir = Path(out) if out is not None else DEFAULT_OUT
    _check_out_folder(out_dir)
    quarto = find_quarto()
    if quarto is None and require_quarto:
        raise RunError(
            QUARTO_MISSING.split(", so")[0] + " and --require-quarto was given. "
            "Install Quarto from https://quarto.org/docs/get-started/."
        )
    quarto_found = quarto_version(quarto)
    if quarto is not None:
        check_quarto(quarto_found, chosen_formats)

    with _stage("validate", stages, progress):
        data = load_dataset(Path(dataset) if dataset is not None else BUNDLED_DATASET)
        q = _choose_quarter(quarter, data.quarters, data.name)
        check_kernel()
    slug = q.slug
    chapters = plan_chapters(
        data["themes"],
        slug,
        _notebook_dataset_path(data.path),
        templates,
        features=report_features(data, q),
        sizes=_theme_sizes(data),
    )
    parameters = {
        "quarter": slug,
        "dataset": _notebook_dataset_path(data.path),
        "formats": list(chosen_formats),
        "jobs": jobs,
        "require_quarto": require_quarto,
        "annual_results": (q.number == 4) if annual is None else bool(annual),
    }
    progress(f"Rendering {q.label} of {data.organisation}, {data.plan} ({data.name})")

    lock = ExitStack()
    lock.enter_context(quarter_lock(out_dir, slug))
    try:
        for line in repair(out_dir, slug):
            progress(f"Mended what an interrupted run left: {line}")
        build = build_folder(out_dir, slug)
    except BaseException:
        lock.close()
        raise
    report = build / "report"
    store = Cache(out_dir / CACHE_FOLDER if cache else None)
    try:
        with _stage("snapshot", stages, progress):
            source = data.path
            data = load_dataset(snapshot_dataset(source, report / INPUTS_FOLDER / data.name))
        code = _code_and_versions(templates) if store.enabled else {}
        with _stage("execute", stages, progress):
            executed = stage_key(
                stage="execute",
                **code,
                inputs=folder_hash(data.path),
                chapters=[
                    (c.name, c.template.name, c.parameters, sorted(c.features or ()))
                    for c in chapters
                ],
                published=str((out_dir / slug).resolve()),
            )
            if store.fetch(slug, "execute", executed, report / "notebooks") is not None:
                progress("  reused the notebooks of an earlier run with the same inputs")
                notebooks = [report / "notebooks" / c.filename for c in chapters]
            else:
                notebooks = _execute(chapters, report, jobs, progress, out_dir, slug, started)
                _record_published_folder(notebooks, report, out_dir / slug)
                store.store(slug, "execute", executed, report / "notebooks")
        with _stage("extracts", stages, progress):
            resources = _write_extracts(data, q, report / "data")
        outputs = ["notebooks", "data"]
        warnings: list[dict[str, object]] = []
        if quarto is not None:
            make_annual = (q.number == 4) if annual is None else bool(annual)
            # what the book and the documents beside it are made from: the executed
            # notebooks (their key covers the data, chapters and code), the code and the
            # book's layout, the versions, Quarto and the formats; known before staging,
            # so that an unchanged re-run stages nothing
            key = stage_key(
                stage="render",
                **code,
                quarto=quarto_found,
                formats=list(chosen_formats),
                notebooks=executed,
                annual=make_annual,
            )
            stored = None
            if store.enabled:
                with _stage("render", stages, progress):
                    stored = store.fetch(slug, "render", key, report / "book")
            if stored is not None:
                progress("  reused the book of an earlier run with the same chapters")
                warnings = list(stored.get("warnings", []))
            else:
                with _stage("stage", stages, progress):
                    project = stage_quarter(
                        build / "quarto", notebooks, data, q, chosen_formats, resources
                    )
                    documents = {
                        CABINET_FOLDER: stage_cabinet(build / "cabinet", data, q, chosen_formats)
                    }
                    if make_annual:
                        documents[ANNUAL_FOLDER] = stage_annual(
                            build / "annual", data, q, chosen_formats
                        )
                with _stage("render", stages, progress):
                    rendered, *made = _render(
                        [project, *documents.values()], quarto, build, out_dir, slug, started
                    )
                    warnings = list(rendered.warnings)
                    for name, document in zip(documents, made, strict=True):
                        warnings += document.warnings
                        if document.folder.is_dir() and rendered.folder.is_dir():
                            shutil.move(str(document.folder), rendered.folder / name)
                    _check_formats_made(
                        rendered.folder, chosen_formats, out_dir / slug, list(documents)
                    )
                    shutil.move(str(rendered.folder), report / "book")
                    store.store(slug, "render", key, report / "book", {"warnings": warnings})
            _report_warnings(warnings, progress)
            outputs.append("book")
        else:
            progress(f"WARNING: {QUARTO_MISSING}")
            with _stage("preview", stages, progress):
                for notebook in notebooks:
                    preview_html(notebook, report / "preview")
            outputs.append("preview")
        with _stage("manifest", stages, progress):
            _write_manifest(
                report,
                parameters,
                data,
                source,
                quarto_found,
                notebooks,
                outputs,
                warnings,
                stages,
                started,
                store.used if store.enabled else None,
            )
        target = publish(report, out_dir / slug)
    except OSError as exc:
        # a full disk, a file-size limit, a folder that stopped being writable ...
        where = f" ({exc.filename})" if exc.filename else ""
        raise RunError(
            f"Could not write the report: {exc.strerror or exc}{where}. Nothing was "
            f"published; {out_dir / slug} is unchanged."
        ) from None
    finally:
        discard(build)
        lock.close()
    progress(f"Published {target}")
    return RunResult(target, q, [c.filename for c in chapters], quarto is not None, stages)


def _execute(
    chapters: Sequence[Chapter],
    report: Path,
    jobs: int,
    progress: Callable[[str], None],
    out_dir: Path,
    slug: str,
    started: datetime,
) -> list[Path]:
    """Execute the chapters into ``report/notebooks``; a failing notebook is kept beside
    the output and reported with what was (not) published."""
    try:
        return execute_chapters(chapters, report / "notebooks", jobs, progress)
    except NotebookFailed as exc:
        kept = ""
        if exc.notebook.is_file():
            path = keep_failed(exc.notebook, out_dir, slug, started)
            kept = f"\nThe executed notebook, with the error, is kept at {path}."
        raise RunError(
            f"{exc}{kept}\nNothing was published; {out_dir / slug} is unchanged."
        ) from None


def _render(
    projects: Sequence[Path], quarto: str, build: Path, out_dir: Path, slug: str, started: datetime
) -> list[Rendered]:
    """Render the staged book and the documents beside it, at the same time. A failed
    render's log is kept beside the output and named in the error."""
    try:
        return render_projects(projects, quarto)
    except RunError as exc:
        log = build / "quarto.log"
        if log.is_file():
            kept = keep_failed(log, out_dir, slug, started)
            raise RunError(
                str(exc).replace(str(log), str(kept))
                + f"\nNothing was published; {out_dir / slug} is unchanged."
            ) from None
        raise


def _code_and_versions(templates: Path) -> dict[str, object]:
    """What every stage's key holds: the code, presets and templates, the book's layout
    (``_quarto.yml`` and ``assets/``), and the versions."""
    return {
        "code": code_fingerprint([ROOT / "analysis", templates, ROOT / "assets", QUARTO_CONFIG]),
        "versions": installed_versions(),
        "kernel": check_kernel(),
    }


def _theme_sizes(data: Dataset) -> dict[str, int]:
    """How many items each theme holds, by theme id (the order notebooks start in)."""
    from analysis.engine.items import list_items

    return {str(k): int(v) for k, v in list_items(data).groupby("theme_id").size().items()}


def _choose_quarter(quarter: str | Quarter | None, held: Sequence[Quarter], name: str) -> Quarter:
    if not held:
        raise RunError(f"The dataset {name} holds no quarterly updates, so there is no report.")
    if quarter is None:
        return held[-1]
    q = parse_quarter(quarter)
    if q not in held:
        raise RunError(
            f"The dataset {name} holds no updates for {q.slug}; it holds "
            f"{', '.join(x.slug for x in held)}. Choose one of those with --quarter."
        )
    return q


def _check_out_folder(out: Path) -> None:
    """Fail early, in words, unless ``out`` is (or can be made) a folder the run can write."""
    if out.exists() and not out.is_dir():
        raise RunError(
            f"The output folder {out} is a file, not a folder: choose a folder with --out."
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        # a file of its own (two runs may check the same folder at once), removed on close
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise RunError(
            f"Cannot write into the output folder {out}: {exc.strerror or exc}. Choose a "
            "folder you can write to with --out."
        ) from None


def _record_published_folder(notebooks: Sequence[Path], build: Path, target: Path) -> None:
    """Record, in each executed notebook, the folder it is published in, not the build's
    (and give papermill's parameters cell a fixed id).

    The notebooks ran in the build folder (``output_dir``, the folder of their figures),
    which is renamed into ``target`` when the run publishes: their injected parameters
    then name the folder an auditor finds them in.
    """
    import nbformat

    built, published = str(build.resolve()), str(target.resolve())
    for path in notebooks:
        node = nbformat.read(path, as_version=4)
        parameters = node.metadata.get("papermill", {}).get("parameters", {})
        for key, value in parameters.items():
            if isinstance(value, str) and value.startswith(built):
                parameters[key] = published + value[len(built) :]
        for cell in node.cells:
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell.source = cell.source.replace(built, published)
                # papermill gives the cell it adds a random id; a fixed one makes two
                # runs of the same inputs give the same notebook, run times apart
                cell["id"] = "injected-parameters"
        nbformat.write(node, path)


def _report_warnings(
    warnings: Sequence[dict[str, object]], progress: Callable[[str], None]
) -> None:
    """Print each distinct Quarto warning once, with its count."""
    if not warnings:
        return
    total = sum(int(w["count"]) for w in warnings)  # type: ignore[call-overload]
    progress(f"Quarto gave {total} warning(s), {len(warnings)} distinct:")
    for warning in warnings:
        times = f" ({warning['count']} times)" if warning["count"] != 1 else ""
        progress(f"  WARNING: {warning['message']}{times}")


def _check_formats_made(
    book: Path, formats: Sequence[str], target: Path, documents: Sequence[str] = ()
) -> None:
    """Fail unless the render made the file of every format asked for, of the book and
    of each document beside it (``cabinet``, ``annual``)."""
    names = {CABINET_FOLDER: CABINET_NAME, ANNUAL_FOLDER: ANNUAL_NAME}
    expected = [FORMAT_OUTPUTS[f] for f in formats] + [
        f"{folder}/{names[folder]}.{f}" for folder in documents for f in formats
    ]
    missing = [name for name in expected if not (book / name).is_file()]
    if missing:
        raise RunError(
            f"Quarto finished but made no {' and no '.join(missing)} "
            f"(asked for: {', '.join(formats)}); see its warnings above. Nothing was "
            f"published; {target} is unchanged."
        )


def _write_extracts(data: Dataset, quarter: Quarter, folder: Path) -> list[Path]:
    from analysis.report.extracts import extracts, write_extract

    folder.mkdir(parents=True, exist_ok=True)
    return [write_extract(frame, folder / name) for name, frame in extracts(data, quarter).items()]


def _write_manifest(
    report: Path,
    parameters: dict[str, object],
    data: object,
    source: Path,
    quarto: str,
    notebooks: Sequence[Path],
    outputs: Sequence[str],
    warnings: Sequence[dict[str, object]],
    stages: dict[str, float],
    started: datetime,
    cache: dict[str, dict[str, object]] | None,
) -> None:
    from analysis.pipeline.manifest import build_manifest

    stages_so_far = dict(stages)
    manifest = build_manifest(
        parameters=parameters,
        dataset_name=data.name,  # type: ignore[attr-defined]
        dataset_path=data.path,  # type: ignore[attr-defined]
        files=data.files,  # type: ignore[attr-defined]
        quarto=quarto,
        chapters=[f"notebooks/{n.name}" for n in notebooks],
        outputs=outputs,
        output_folder=report,
        quarto_warnings=warnings,
        stages=stages_so_far,
        started=started,
    )
    # the files were read from the run's snapshot, published in inputs/; the dataset
    # itself is the folder the snapshot was taken of
    manifest["dataset"]["path"] = str(source)
    manifest["dataset"]["snapshot"] = data.path.relative_to(report).as_posix()  # type: ignore[attr-defined]
    # which stages were reused from the cache, under which key (None: --no-cache)
    manifest["cache"] = cache
    (report / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------- command line


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``run`` command to the workbook's command line."""
    parser = subparsers.add_parser(
        "run",
        help="render a quarter's report into output/<quarter>/",
        description="Validate the dataset, execute the notebooks, render the report with "
        "Quarto and publish it, with a manifest and data extracts, into output/<quarter>/.",
    )
    parser.add_argument("--quarter", help="e.g. 2021-22-Q2 (default: the dataset's latest)")
    parser.add_argument("--dataset", help="dataset folder (default: the bundled dataset)")
    parser.add_argument(
        "--formats", default=",".join(FORMATS), help="html, pdf or html,pdf (default: both)"
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="notebooks run at once (default: CPU count)"
    )
    parser.add_argument("--out", help="output folder (default: output/ of the project)")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="execute and render everything anew, without reading or writing the cache "
        "of earlier runs (<out>/.cache/)",
    )
    parser.add_argument(
        "--annual-results",
        action="store_true",
        default=None,
        help="make the annual results report (book/annual/) for any quarter "
        "(default: for the year's last quarter, Q4, only)",
    )
    parser.add_argument(
        "--require-quarto",
        action="store_true",
        help="fail when Quarto is not installed instead of publishing previews",
    )
    parser.set_defaults(handler=command)
    return parser


def command(args: argparse.Namespace) -> int:
    """Run the ``run`` command; return the exit code (0 when published)."""
    try:
        run_report(
            quarter=args.quarter,
            dataset=args.dataset,
            formats=args.formats,
            jobs=args.jobs,
            out=args.out,
            require_quarto=args.require_quarto,
            progress=lambda line: print(line, flush=True),
            cache=not args.no_cache,
            annual=args.annual_results,
        )
    except WorkbookError as exc:
        print(f"ERROR: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.pipeline.run``: the ``run`` command on its own."""
    parser = argparse.ArgumentParser(prog="python -m analysis")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["run", *(argv if argv is not None else sys.argv[1:])])
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
