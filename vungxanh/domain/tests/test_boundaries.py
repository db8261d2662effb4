"""The domain core imports no framework, web or database code."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[1]
FORBIDDEN_ROOTS = {"django", "ninja", "pydantic", "psycopg", "openpyxl"}


def imported_modules(source: str) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def forbidden_imports(source: str) -> set[str]:
    bad = set()
    for module in imported_modules(source):
        root = module.split(".")[0]
        inside_project = module.startswith("vungxanh.") and not module.startswith("vungxanh.domain")
        if root in FORBIDDEN_ROOTS or inside_project:
            bad.add(module)
    return bad


def test_no_domain_module_imports_a_framework():
    offenders = {
        str(path.relative_to(DOMAIN)): forbidden_imports(path.read_text(encoding="utf-8"))
        for path in DOMAIN.rglob("*.py")
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_the_check_catches_a_django_import():
    assert forbidden_imports("from django.db import models\nimport numpy") == {"django.db"}
    assert forbidden_imports("from vungxanh.areas import models") == {"vungxanh.areas"}
