"""The layout's rules that import-linter (pyproject.toml, run by `make test`) cannot see."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "core",
    "divisions",
    "compliance",
    "committees",
    "elections",
    "governance",
    "facilities",
    "funding",
    "grassroots",
    "supervision",
    "demo",
    "portal",
)


def _modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def _imported_app(node: ast.Import | ast.ImportFrom) -> list[str]:
    names = (
        [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    )
    return [name.split(".")[0] for name in names if name.split(".")[0] in APPS]


def function_level_imports(path: Path) -> list[str]:
    """Imports of another app placed inside a function: they hide a dependency (or a loop)
    from the layer contract. An app's own ``AppConfig.ready`` may import its own modules."""
    app = path.relative_to(ROOT).parts[0]
    found = []
    for function in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                others = [a for a in _imported_app(node) if a != app]
                if others:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {others[0]}")
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_it_imports_other_apps_only_at_module_level(path: Path) -> None:
    assert function_level_imports(path) == []


def test_it_finds_an_import_hidden_in_a_function(tmp_path: Path) -> None:
    # The check itself can fail: a module of committees importing governance in a function.
    module = ROOT / "committees" / "_probe_for_test.py"
    module.write_text("def f():\n    from governance import models\n    return models\n")
    try:
        assert function_level_imports(module) == [
            "committees/_probe_for_test.py:2 imports governance"
        ]
    finally:
        module.unlink()
