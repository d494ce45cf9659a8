"""No production module leans on Django's, DRF's or any library's private parts.

A private name (``_``-prefixed) or the ORM's SQL-building internals may change in any
release without notice; code that reads them breaks silently (the compiled list plans this
replaced kept one user's id in SQL served to another). Migrations are exempt: Django writes
them. The scan reads the source, so it also catches code no test happens to run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("newsdesk", "articles", "annotations")

# Underscored names that Django documents as public API.
DOCUMENTED = {"_meta", "_default_manager", "_base_manager"}
# Public-looking attributes of the ORM's query and compiler objects: SQL-building internals.
SQL_INTERNALS = {
    "selected",
    "get_compiler",
    "get_converters",
    "apply_converters",
    "values_select",
    "annotation_select",
    "extra_select",
    "has_extra_select",
    "col_count",
}
INTERNAL_MODULES = ("django.db.models.sql", "django.db.backends")


def production_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                files.append(path)
    return files


def own_names(files: list[Path]) -> set[str]:
    """Every name our own code defines (functions, classes, assignments, attributes it sets):
    an underscored attribute among them is ours, not a library's."""
    names: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[0])
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return names


def _own_module(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in DOCUMENTED


def violations(tree: ast.AST, where: str, ours: set[str]) -> list[str]:
    """Each private or internal name the module uses, as "where:line: what"."""
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith(INTERNAL_MODULES):
                found.append(f"{where}:{line}: imports from {node.module}")
            elif not _own_module(node.module):
                for alias in node.names:
                    if _private(alias.name) or any(_private(p) for p in node.module.split(".")):
                        found.append(f"{where}:{line}: imports {node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(INTERNAL_MODULES) or (
                    not _own_module(alias.name) and any(_private(p) for p in alias.name.split("."))
                ):
                    found.append(f"{where}:{line}: imports {alias.name}")
        elif isinstance(node, ast.Attribute):
            if node.attr in SQL_INTERNALS:
                found.append(f"{where}:{line}: uses .{node.attr} (ORM SQL internals)")
            elif _private(node.attr) and node.attr not in ours:
                found.append(f"{where}:{line}: uses .{node.attr}, a library's private name")
    return found


def test_no_production_module_uses_a_private_library_name():
    files = production_files()
    assert len(files) > 20  # the scan really reads the tree
    ours = own_names(files)
    found = [
        problem
        for path in files
        for problem in violations(
            ast.parse(path.read_text(encoding="utf-8")), str(path.relative_to(ROOT)), ours
        )
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("token._state.adding = False", "uses ._state"),
        ("sql = compiler.get_converters(fields)", "uses .get_converters"),
        ("names = list(query.selected)", "uses .selected"),
        ("manager._insert(rows, fields=fields, raw=True)", "uses ._insert"),
        ("from django.db.models.sql.query import Query", "imports from django.db.models.sql"),
        ("from django.db.models.query import _Sentinel", "imports django.db.models.query._S"),
        ("from django.db.backends.postgresql import base", "imports from django.db.backends"),
        ("import rest_framework._private", "imports rest_framework._private"),
    ],
    ids=["state", "converters", "selected", "insert", "sql", "private-name", "backend", "module"],
)
def test_the_scan_finds_each_kind_of_private_use(source, problem):
    found = violations_of(source)
    assert any(problem in line for line in found), found


def test_the_scan_allows_our_own_and_documented_underscored_names():
    source = (
        "fields = Article._meta.concrete_fields\n"
        "manager = model._default_manager.db_manager('x')\n"
        "base = model._base_manager\n"
        "user._newsdesk_roles = frozenset()\n"
        "roles = user._newsdesk_roles\n"
        "from annotations.services import _locked_body\n"
    )
    assert violations_of(source) == []


def violations_of(source: str) -> list[str]:
    """The scan of one snippet as if it were a production module of its own."""
    tree = ast.parse(source)
    ours = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
    }
    return violations(tree, "snippet.py", ours)
