"""The seams between apps, and the size of what is in them.

Dependencies run one way: offices → mandates → hrprofile, and audit →
hrprofile (offices also builds on audit). hrprofile is the project's
machinery and names no app; only the URL configuration and settings put the
apps together. Imports inside functions count as much as those at the top.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

APPS = ["hrprofile", "offices", "mandates", "audit"]
# What each app may import of the others.
ALLOWED = {
    "hrprofile": set(),
    "mandates": {"hrprofile"},
    "audit": {"hrprofile"},
    "offices": {"hrprofile", "mandates", "audit"},
}
# The modules that put the apps together.
ASSEMBLY = {"hrprofile/urls.py", "hrprofile/api_urls.py", "hrprofile/settings.py"}

# The limits for app code (issue 22).
MODULE_LINES = 700
CLASS_LINES = 600
FUNCTION_LINES = 80


def modules(folder):
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(ROOT), path


def imported_modules(folder):
    """(path, module) for every import in folder's modules, at any depth."""
    for relative, path in modules(folder):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield relative, node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield relative, alias.name


@pytest.mark.parametrize("app", APPS)
def test_app_imports_only_what_it_builds_on(app):
    offending = [
        f"{path}: {module}"
        for path, module in imported_modules(app)
        if path.as_posix() not in ASSEMBLY
        and (imported := module.split(".")[0]) in APPS
        and imported != app
        and imported not in ALLOWED[app]
    ]

    assert offending == []


def test_the_check_sees_imports_inside_functions(tmp_path, monkeypatch):
    """A deferred import (inside a function) is an import all the same."""
    app = tmp_path / "hrprofile"
    app.mkdir()
    (app / "sites.py").write_text(
        "def index():\n    from offices.dashboard import dashboard\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)

    assert list(imported_modules("hrprofile")) == [
        (Path("hrprofile/sites.py"), "offices.dashboard")
    ]


def test_no_test_module_imports_another():
    """Shared helpers live in conftest.py or a support module, not in tests."""
    offending = [
        f"{path}: {module}"
        for path, module in imported_modules("tests")
        if module.split(".")[-1].startswith("test_")
    ]

    assert offending == []


def oversized():
    """What is over the limits in the apps' modules (migrations aside)."""
    for app in APPS:
        for relative, path in modules(app):
            source = path.read_text()
            lines = len(source.splitlines())
            if lines > MODULE_LINES:
                yield f"{relative}: {lines} lines (module)"
            for node in ast.walk(ast.parse(source, filename=str(path))):
                if isinstance(node, ast.ClassDef):
                    limit, kind = CLASS_LINES, "class"
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    limit, kind = FUNCTION_LINES, "function"
                else:
                    continue
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    where = f"{relative}:{node.lineno} {node.name}"
                    yield f"{where}: {length} lines ({kind})"


def test_modules_classes_and_functions_stay_within_the_limits():
    assert list(oversized()) == []


def test_the_office_admin_defines_no_page_view_of_its_own():
    """Its pages are classes (offices/admin/*_views.py); it keeps only the
    ModelAdmin views Django has."""
    from offices.admin import OfficeAdmin

    own = {name for name in vars(OfficeAdmin) if name.endswith("_view")}

    assert own <= {"changeform_view", "history_view", "delete_view"}
