"""The benchmarks stand on bench/harness, never on test modules; the app stands on neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_PACKAGES = ("server", "schema", "notifications", "web")


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def _importing(folders: tuple[str, ...], forbidden: str) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        for module in _imported_modules(path)
        if module == forbidden or module.startswith(f"{forbidden}.")
    )


def test_benchmarks_and_their_harness_import_no_test_modules() -> None:
    assert list((ROOT / "bench").rglob("*.py")), "no benchmarks found"
    assert _importing(("bench",), "tests") == []


@pytest.mark.parametrize("package", APP_PACKAGES)
def test_the_app_never_imports_the_bench_harness(package: str) -> None:
    assert _importing((package,), "bench") == []
