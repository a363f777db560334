"""The layering rules of docs/architecture.md, read from the source: which way imports go, and
which one function writes each audit table."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("excom", "delegates", "registration")


def modules(*folders: str) -> Iterator[Path]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imported_modules(path: Path, *, at_run_time: bool = False) -> set[str]:
    """Every module `path` imports, at the top or inside a function.

    With `at_run_time`, imports made only for type checkers (`if TYPE_CHECKING:`) are left out.
    """
    tree = ast.parse(path.read_text())
    if at_run_time:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
                node.body = []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_delegates_imports_nothing_from_registration():
    offenders = [
        relative(path)
        for path in modules("delegates")
        if any(name.startswith("registration") for name in imported_modules(path))
    ]
    assert offenders == []


@pytest.mark.parametrize("layer", ["services", "selectors"])
def test_services_and_selectors_never_import_tasks_views_or_admin(layer):
    forbidden = ("registration.tasks", "registration.views", "registration.admin")
    paths = [p for p in modules("registration", "delegates") if layer in p.with_suffix("").parts]
    paths += [p for p in modules("registration", "delegates") if p.stem == layer]
    assert paths
    offenders = {
        relative(path): sorted(n for n in imported_modules(path) if n.startswith(forbidden))
        for path in paths
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_rendering_reads_no_database():
    """registration/rendering makes badges, sheets and calendars from plain values it is given."""
    database = (
        "django.db",
        "registration.models",
        "delegates.models",
        "registration.selectors",
        "registration.services",
        "delegates.selectors",
        "delegates.services",
    )
    paths = list(modules("registration/rendering"))
    assert paths
    offenders = {
        relative(path): sorted(
            n for n in imported_modules(path, at_run_time=True) if n.startswith(database)
        )
        for path in paths
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def row_writes(model: str) -> set[tuple[str, str]]:
    """(module, function) of every place that makes a `model` row."""
    writers: set[tuple[str, str]] = set()
    for path in modules(*APPS):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                target = ast.unparse(node.func)
                if target == model or (
                    target.startswith(f"{model}.objects.")
                    and (target.rsplit(".", 1)[-1] in {"create", "bulk_create", "get_or_create"})
                ):
                    writers.add((relative(path), function.name))
    return writers


@pytest.mark.parametrize(
    ("model", "writer"),
    [
        ("PassportAccessLog", ("delegates/services.py", "passport_access_log")),
        (
            "RegistrationLog",
            ("registration/services/registration_log.py", "registration_log_write"),
        ),
        ("DeskLog", ("registration/services/checkin.py", "desk_log_write")),
        ("StaffActionLog", ("delegates/services.py", "staff_action_log")),
    ],
)
def test_each_audit_table_has_one_writer(model, writer):
    assert row_writes(model) == {writer}


MAX_MODULE_LINES = 400


def test_no_module_is_over_400_lines():
    """Short modules with one purpose each; migrations and data files aside."""
    long = {
        relative(path): count
        for path in modules(*APPS)
        if (count := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_excom_imports_neither_app_except_in_its_urls():
    offenders = {
        relative(path): sorted(
            n for n in imported_modules(path) if n.startswith(("delegates", "registration"))
        )
        for path in modules("excom")
        if path.name != "urls.py"
    }
    assert {path: names for path, names in offenders.items() if names} == {}
