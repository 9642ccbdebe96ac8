"""The package's layout: stages that import only the stages before them, installed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import analysis

PACKAGE = Path(analysis.__file__).parent
# The stages, in the order data moves through them; the shared modules come first.
ORDER = ["errors", "quarters", "schema", "config", "dataset", "engine", "report", "pipeline", "cli"]


def _part(module: str) -> str | None:
    """The stage of a module named ``analysis.<stage>...``."""
    parts = module.split(".")
    return parts[1] if parts[0] == "analysis" and len(parts) > 1 else None


def _runtime_imports(path: Path) -> set[str]:
    """The ``analysis`` modules a file imports when run (type-checking imports aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("analysis.")}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(("analysis", *parts)).removesuffix(".__init__")


def _stage(module: str) -> str:
    stage = module.split(".")[1] if "." in module else "cli"
    return "cli" if stage.startswith("_") else stage


def test_every_stage_is_in_the_order():
    stages = {_stage(_module(p)) for p in PACKAGE.rglob("*.py")}
    assert stages <= set(ORDER), stages - set(ORDER)


def test_stages_import_only_earlier_stages():
    backwards = [
        f"{_module(path)} imports {name}"
        for path in PACKAGE.rglob("*.py")
        for name in sorted(_runtime_imports(path))
        if ORDER.index(_stage(name)) > ORDER.index(_stage(_module(path)))
    ]
    assert backwards == []


def test_no_module_imports_itself_through_others():
    graph = {_module(path): _runtime_imports(path) for path in PACKAGE.rglob("*.py")}
    # A package re-exporting its own modules is not a cycle: leave out a package's
    # imports of its own modules, and a module's imports of its own package.
    for module, deps in graph.items():
        graph[module] = {
            d for d in deps if not d.startswith(module + ".") and not module.startswith(d + ".")
        }
    done: set[str] = set()
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            cycles.append(" -> ".join([*trail[trail.index(module) :], module]))
            return
        if module in done:
            return
        for dep in sorted(graph.get(module, ())):
            visit(dep, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert cycles == []


def test_the_command_runs_from_any_folder(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "run" in done.stdout
