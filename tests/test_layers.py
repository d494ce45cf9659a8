"""The one-way dependencies (pyproject.toml [tool.importlinter]) hold, and would catch a
forbidden import; manage.py bench says clearly when the `bench` package is missing."""

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
PACKAGES = ("newsdesk", "articles", "annotations", "bench")


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120
    )


def _copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_code_keeps_the_contracts():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "articles/services.py",
            "from annotations import services",
            "articles is not allowed to import annotations",
        ),
        (
            "newsdesk/roles.py",
            "from articles.models import Article",
            "newsdesk is not allowed to import articles",
        ),
        (
            "articles/models.py",
            "from newsdesk import urls",
            "articles is not allowed to import newsdesk.urls",
        ),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path, module, line, broken):
    where = _copy(tmp_path)
    with (where / module).open("a") as source:
        source.write(f"\n{line}  # noqa\n")
    result = _lint(where)
    assert result.returncode == 1
    assert broken in result.stdout


def test_bench_without_the_bench_package_says_so(monkeypatch):
    # An installed newsdesk has no `bench` package: None in sys.modules makes its import fail.
    monkeypatch.setitem(sys.modules, "bench.command", None)
    shim = importlib.import_module("annotations.management.commands.bench")
    try:
        importlib.reload(shim)
        with pytest.raises(CommandError, match="needs the `bench` package"):
            call_command(shim.Command())
    finally:
        monkeypatch.undo()
        importlib.reload(shim)
    assert shim.Command.__module__ == "bench.command"
