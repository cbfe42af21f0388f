"""The seams between apps: dependencies run hrprofile → offices → mandates."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield path.relative_to(ROOT), node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield path.relative_to(ROOT), alias.name


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [("mandates", "offices"), ("offices", "hrprofile.urls")],
)
def test_app_does_not_import_what_builds_on_it(app, forbidden):
    offending = [
        f"{path}: {module}"
        for path, module in imported_modules(app)
        if module == forbidden or module.startswith(f"{forbidden}.")
    ]

    assert offending == []


def test_no_test_module_imports_another():
    """Shared helpers live in conftest.py or a support module, not in tests."""
    offending = [
        f"{path}: {module}"
        for path, module in imported_modules("tests")
        if module.split(".")[-1].startswith("test_")
    ]

    assert offending == []
