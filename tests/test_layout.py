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


# ------------------------------------------------------------- no council's words in code


def _strings_of(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings_of(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings_of(v)]
    return [value] if isinstance(value, str) else []


def bundled_words() -> set[str]:
    """The words of the bundled dataset's configuration: its dataset.yml, its scales and
    framework, and the words its presentation preset gives (not its colours or keys)."""
    import yaml

    from analysis.config.files import CONFIG_DIR
    from analysis.dataset import BUNDLED_DATASET

    config = yaml.safe_load((BUNDLED_DATASET / "dataset.yml").read_text(encoding="utf-8"))
    words = {config["organisation"], config["plan"]}
    for kind, name in (("frameworks", config["framework"]), ("scales", config["scales"])):
        data = yaml.safe_load((CONFIG_DIR / kind / f"{name}.yml").read_text(encoding="utf-8"))
        for key in ("label", "title", "name", "impact", "likelihood"):
            words.update(s for s in _find(data, key))
    preset = CONFIG_DIR / "presentation" / f"{config['presentation']}.yml"
    data = yaml.safe_load(preset.read_text(encoding="utf-8"))
    for section in ("kinds", "sections"):
        words.update(_strings_of(data.get(section, {})))
    words.update(h["label"] for h in data.get("headlines", []) if "label" in h)
    standard = yaml.safe_load(
        (CONFIG_DIR / "presentation" / "standard.yml").read_text(encoding="utf-8")
    )
    shared = {h["key"] for h in standard["headlines"]}
    words.update(h["key"] for h in data.get("headlines", []) if h["key"] not in shared)
    # Words of more than one letter that say something of a council (not placeholders).
    return {w for w in words if len(w) > 2 and "{" not in w}


def _find(data, key: str) -> list[str]:
    found = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k == key:
                found += _strings_of(v)
            else:
                found += _find(v, key)
    elif isinstance(data, list):
        for v in data:
            found += _find(v, key)
    return found


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module that are not docstrings, with their lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_the_bundled_words_are_found():
    words = bundled_words()
    assert {"Milestones / priority actions", "Key highlights", "Derby City Council"} <= words
    assert {"Some slippage", "Amber/Green", "Blue"} <= words


def test_no_word_of_the_bundled_configuration_is_in_code():
    import re

    words = bundled_words()
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        + r")(?![\w-])"
    )
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {match.group(1)!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, text in _code_strings(path)
        for match in [pattern.search(text)]
        if match
    ]
    assert found == [], "words of the bundled configuration belong in configuration"
