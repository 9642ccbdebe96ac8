"""Executing the report's notebooks with papermill.

The report is a list of :class:`Chapter` objects, each a notebook template from
``notebooks/`` and the parameters it runs with. One template, ``theme.ipynb``, is executed
once per theme of the plan, so the executed report has one notebook per theme, named after
the theme, in the plan's order. papermill writes the parameters into every executed notebook
(an ``injected-parameters`` cell and ``metadata.papermill.parameters``), so an auditor sees
exactly what each chapter ran with.

Examples
--------
>>> import pandas as pd
>>> themes = pd.DataFrame({"theme_id": ["b", "a"], "name": ["Our people", "Our place"],
...                        "position": [2, 1]})
>>> [c.name for c in plan_chapters(themes, "2021-22-Q2", "data/x")]
['01-summary', '02-our-place', '03-our-people', '04-exceptions', '05-risks',
 '06-methodology', '07-data']
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import RunError
from analysis.pipeline.kernels import warm_kernels

__all__ = [
    "ROOT",
    "NOTEBOOKS_DIR",
    "KERNEL_NAME",
    "Chapter",
    "NotebookFailed",
    "plan_chapters",
    "slugify",
    "check_kernel",
    "execute_chapter",
    "execute_chapters",
]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"
KERNEL_NAME = "python3"

# Cells and whole notebooks about a feature of the report (a kind of item, say) are
# tagged with this prefix and the feature: ``needs-risk``.
NEEDS = "needs-"

# The report's chapters around the theme chapters: (template stem, chapter name).
_BEFORE_THEMES = (("summary", "summary"),)
_AFTER_THEMES = (
    ("exceptions", "exceptions"),
    ("risks", "risks"),
    ("methodology", "methodology"),
    ("data", "data"),
)
_THEME_TEMPLATE = "theme"


@dataclass(frozen=True)
class Chapter:
    """One executed notebook of the report.

    Parameters
    ----------
    name
        The executed notebook's file stem, e.g. ``02-our-place``.
    template
        The template notebook, e.g. ``notebooks/theme.ipynb``.
    parameters
        What papermill injects into the notebook's ``parameters`` cell.
    features
        What the report holds, for the template's ``needs-`` tags (:meth:`notebook`).
    size
        How many items the chapter shows, roughly: the longest chapters start first.
    """

    name: str
    template: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    features: frozenset[str] | None = None
    size: int = 0

    def notebook(self) -> Any:
        """The template as papermill runs it: without the cells about what the report
        does not hold.

        A cell tagged ``needs-<feature>`` (``needs-risk``, ``needs-action``,
        ``needs-completion``, ...) is kept only if the report has at least one of the
        features its tags name; ``features`` None keeps every cell.
        """
        import nbformat

        notebook = nbformat.read(self.template, as_version=4)
        if self.features is not None:
            notebook.cells = [c for c in notebook.cells if _wanted(c, self.features)]
        return notebook

    @property
    def filename(self) -> str:
        """The executed notebook's file name."""
        return f"{self.name}.ipynb"


class NotebookFailed(RunError):
    """A notebook raised an error while it ran.

    ``notebook`` is the executed notebook's path (kept for debugging) and ``cell`` the
    number (from 1) of the failing cell in it.
    """

    def __init__(self, message: str, notebook: Path, cell: int | None) -> None:
        super().__init__(message)
        self.notebook = notebook
        self.cell = cell


def _needs(metadata: Any) -> set[str]:
    tags = metadata.get("tags") or ()
    return {tag.removeprefix(NEEDS) for tag in tags if tag.startswith(NEEDS)}


def _wanted(cell: Any, features: frozenset[str]) -> bool:
    needs = _needs(cell.get("metadata") or {})
    return not needs or bool(needs & features)


def slugify(text: str) -> str:
    """A file-name form of a theme name: lower case, words joined by hyphens.

    Examples
    --------
    >>> slugify("Our place"), slugify("Children & Young People!")
    ('our-place', 'children-young-people')
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "theme"


def plan_chapters(
    themes: pd.DataFrame,
    quarter: str,
    dataset: str,
    templates: Path = NOTEBOOKS_DIR,
    features: Iterable[str] | None = None,
    sizes: Mapping[str, int] | None = None,
) -> list[Chapter]:
    """The report's chapters in order: summary, one per theme, then the annexes.

    Parameters
    ----------
    themes
        The dataset's ``themes`` table (``theme_id``, ``name``, ``position``).
    quarter
        The quarter's slug, passed to every notebook.
    dataset
        The dataset folder as the notebooks should open it.
    templates
        The folder of notebook templates (``notebooks/``).
    features
        What the report holds (see :func:`analysis.report.chapters.report_features`):
        a template whose notebook metadata tags need none of them (``"tags":
        ["needs-risk"]``) is left out, and so are such cells (:meth:`Chapter.notebook`).
        None keeps everything.
    sizes
        How many items each theme (by id) holds: a theme chapter's ``size``, and all of
        them together the summary's, so that the notebooks that take longest start first
        (:func:`execute_chapters`).

    Returns
    -------
    list of Chapter
        Numbered in report order; theme chapters are named after their theme and carry
        the ``theme`` parameter (the theme's id).

    Examples
    --------
    >>> themes = pd.DataFrame({"theme_id": ["p"], "name": ["Our place"], "position": [1]})
    >>> chapter = plan_chapters(themes, "2021-22-Q2", "d")[1]
    >>> chapter.name, chapter.template.name, chapter.parameters
    ('02-our-place', 'theme.ipynb', {'quarter': '2021-22-Q2', 'dataset': 'd', 'theme': 'p'})
    """
    base = {"quarter": quarter, "dataset": dataset}
    sizes = dict(sizes or {})
    ordered = themes.sort_values("position", kind="stable")
    entries: list[tuple[str, str, dict[str, Any], int]] = [
        (template, name, dict(base), sum(sizes.values())) for template, name in _BEFORE_THEMES
    ]
    entries += [
        (
            _THEME_TEMPLATE,
            slugify(str(name)),
            {**base, "theme": str(theme_id)},
            sizes.get(str(theme_id), 0),
        )
        for theme_id, name in zip(ordered["theme_id"], ordered["name"], strict=True)
    ]
    entries += [(template, name, dict(base), 0) for template, name in _AFTER_THEMES]
    held = frozenset(features) if features is not None else None
    if held is not None:
        entries = [e for e in entries if _template_wanted(templates / f"{e[0]}.ipynb", held)]
    width = max(2, len(str(len(entries))))
    return [
        Chapter(f"{i:0{width}d}-{name}", templates / f"{template}.ipynb", params, held, size)
        for i, (template, name, params, size) in enumerate(entries, start=1)
    ]


def _template_wanted(path: Path, features: frozenset[str]) -> bool:
    """Whether a template's notebook-level ``needs-`` tags are met (no tags: always)."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata") or {}
    except (OSError, ValueError):
        return True  # executing it will report what is wrong with it
    needs = _needs(metadata)
    return not needs or bool(needs & features)


def check_kernel(kernel_name: str = KERNEL_NAME) -> str:
    """Check that the Jupyter kernel runs this interpreter; return its command.

    jupyter_client runs a kernel whose command is plain ``python`` with the interpreter
    that starts it, so the venv's own ``python3`` kernel always qualifies; a kernel spec
    pointing at another Python (one installed for another project) does not, because the
    notebooks would then run without this project's pinned packages.

    Raises
    ------
    RunError
        If there is no such kernel, or it runs another interpreter; the message says how
        to install the right one.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    fix = (
        f"Install it into this environment with: {sys.executable} -m ipykernel install "
        f"--sys-prefix --name {kernel_name}  (or run `make kernel`)."
    )
    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        raise RunError(f"There is no Jupyter kernel called {kernel_name!r}. {fix}") from None
    command = spec.argv[0] if spec.argv else ""
    major, minor = sys.version_info[:2]
    if command in {"python", f"python{major}", f"python{major}.{minor}"}:
        return sys.executable
    if not _same_interpreter(command, sys.executable):
        raise RunError(
            f"The Jupyter kernel {kernel_name!r} runs {command}, not this project's Python "
            f"({sys.executable}), so the notebooks would not see the project's packages. {fix}"
        )
    return command


def _same_interpreter(command: str, executable: str) -> bool:
    """Whether a kernel command runs this environment's Python (``python`` or ``python3``
    of the same ``bin`` folder count as the same)."""
    first, second = Path(os.path.abspath(command)), Path(os.path.abspath(executable))
    if os.path.normcase(first) == os.path.normcase(second):
        return True
    try:
        return first.parent == second.parent and os.path.samefile(first, second)
    except OSError:
        return False


def execute_chapter(
    chapter: Chapter, folder: Path, cwd: Path = ROOT, kernel_manager_class: type | None = None
) -> Path:
    """Execute one chapter's template into ``folder`` with papermill.

    Besides the chapter's parameters, the notebook is given ``output_dir``: ``folder``
    as an absolute path, where it saves its figures beside the executed notebook.

    The kernel starts in ``cwd`` (the project root, so ``import analysis`` finds the
    package), from ``kernel_manager_class`` when given (a warm kernel, see
    :mod:`analysis.pipeline.kernels`). papermill's own ``cwd`` argument changes the
    working directory of the whole process, which is not safe while other notebooks run
    in parallel threads, so the directory is given to the kernel through nbclient's
    ``resources`` instead.

    Raises
    ------
    NotebookFailed
        If a cell raises; the executed notebook, with the error, is left in ``folder``.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output = folder / chapter.filename
    managed = {"kernel_manager_class": kernel_manager_class} if kernel_manager_class else {}
    try:
        papermill.execute_notebook(
            chapter.notebook(),
            str(output),
            parameters={**chapter.parameters, "output_dir": str(folder.resolve())},
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            resources={"metadata": {"path": str(cwd)}},
            # The kernel's own start-up and shutdown chatter (transport warnings, the
            # interrupt papermill sends on shutdown) is not for analysts; a failing cell
            # is reported from the notebook itself.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            **managed,
        )
    except PapermillExecutionError as exc:
        raise NotebookFailed(_failure_message(chapter, exc), output, exc.cell_index + 1) from None
    return output


def _failure_message(chapter: Chapter, exc: Any) -> str:
    lines = [line for line in str(exc.source).splitlines() if not line.startswith("#|")]
    first = next((line.strip() for line in lines if line.strip()), "")
    return (
        f"Notebook {chapter.filename} (from {chapter.template.parent.name}/"
        f"{chapter.template.name}) failed in "
        f"cell {exc.cell_index + 1} (In [{exc.exec_count}]): {exc.ename}: {exc.evalue}"
        + (f"\n  the cell begins: {first}" if first else "")
    )


def execute_chapters(
    chapters: Sequence[Chapter],
    folder: Path,
    jobs: int,
    progress: Callable[[str], None] = print,
    cwd: Path = ROOT,
    warm: bool = True,
) -> list[Path]:
    """Execute every chapter into ``folder``, up to ``jobs`` at a time, the largest
    (``Chapter.size``) first, so that a long one does not start last and run alone.

    Each notebook runs in its own kernel: with ``warm`` (where the system allows), a
    fork of one server that has imported what the notebooks import
    (:mod:`analysis.pipeline.kernels`), otherwise a new Python. A line of progress is
    reported as each one starts and finishes. On the first failure the notebooks not yet
    started are cancelled, those running are allowed to finish, and the failure is raised.

    Returns
    -------
    list of Path
        The executed notebooks, in chapter order.

    Raises
    ------
    NotebookFailed
        For the first notebook that failed.
    """
    from analysis.dataset.read import run_snapshot

    folder.mkdir(parents=True, exist_ok=True)
    # the run's snapshot, spelled as the notebooks find it from their output_dir
    snapshot = run_snapshot(str(folder.resolve()))
    datasets = (
        [snapshot]
        if snapshot is not None
        else sorted({str(c.parameters["dataset"]) for c in chapters if "dataset" in c.parameters})
    )
    total = len(chapters)
    done: list[str] = []

    def run(chapter: Chapter) -> Path:
        started = time.perf_counter()
        progress(f"  running {chapter.filename}")
        try:
            path = execute_chapter(chapter, folder, cwd, manager)
        except NotebookFailed:
            progress(f"  FAILED  {chapter.filename}")
            raise
        except Exception as exc:  # a kernel that died or would not start
            progress(f"  FAILED  {chapter.filename}")
            raise NotebookFailed(
                f"Notebook {chapter.filename} (from {chapter.template.name}) could not be run: "
                f"{type(exc).__name__}: {exc}",
                folder / chapter.filename,
                None,
            ) from exc
        done.append(chapter.name)
        progress(
            f"  [{len(done)}/{total}] {chapter.filename} done in "
            f"{time.perf_counter() - started:.1f}s"
        )
        return path

    with (
        warm_kernels(KERNEL_NAME, cwd, warm, datasets) as server,
        ThreadPoolExecutor(max_workers=max(1, jobs)) as pool,
    ):
        manager = server.manager_class() if server is not None else None
        largest_first = sorted(chapters, key=lambda c: c.size, reverse=True)
        started = {chapter.name: pool.submit(run, chapter) for chapter in largest_first}
        futures = [started[chapter.name] for chapter in chapters]
        finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failures = [f.exception() for f in futures if f in finished and f.exception()]
        if failures:
            for future in futures:
                future.cancel()
            wait(futures)
            raise _first(failures)
    return [f.result() for f in futures]


def _first(failures: Iterable[BaseException | None]) -> BaseException:
    return next(exc for exc in failures if exc is not None)
