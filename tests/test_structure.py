"""The shape that keeps the access policy easy to keep: the shared kernel depends on no domain
app, and evidence and cases do not import each other both ways (cases imports evidence)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "civwatch"
# Entities are shared by every domain (a designation, a participant, a list entry point at
# one); the kernel's FtM mapping of an entity reads them.
KERNEL_MAY_IMPORT = {"core", "accounts", "entities", "matching"}
DOMAIN_APPS = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()} - KERNEL_MAY_IMPORT


def runtime_imports(path: Path) -> set[str]:
    """The civwatch apps a module imports when it runs (imports only for type checkers,
    under `if TYPE_CHECKING:`, are left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING"
        for node in ast.walk(block)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "civwatch" and len(parts) > 1:
                found.add(parts[1])
    return found


def modules(app: str) -> list[Path]:
    return [p for p in (PACKAGE / app).rglob("*.py") if "migrations" not in p.parts]


def test_evidence_does_not_import_cases():
    assert {
        str(p.relative_to(PACKAGE)) for p in modules("evidence") if "cases" in runtime_imports(p)
    } == set()


# Entities too: every domain imports them, so what reads several domains about an entity (its
# timeline, civwatch.registers.timeline) lives in a domain app.
@pytest.mark.parametrize("app", ["core", "entities"])
def test_the_kernel_imports_no_domain_app(app):
    assert {"cases", "evidence", "registers", "sanctions"} <= DOMAIN_APPS
    found = {
        str(p.relative_to(PACKAGE)): sorted(runtime_imports(p) & DOMAIN_APPS) for p in modules(app)
    }
    assert {where: apps for where, apps in found.items() if apps} == {}
