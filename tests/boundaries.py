"""Reading a package's imports for the boundary tests: every import, at the top of a module or
inside a function, with relative imports resolved to absolute module names."""

import ast
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class Import:
    path: str  # relative to the project root
    line: int
    module: str  # absolute, e.g. "learning.reports.models"
    in_function: bool

    def __str__(self) -> str:
        where = " (inside a function)" if self.in_function else ""
        return f"{self.path}:{self.line} imports {self.module}{where}"


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_in_source(source: str, *, path: str, module: str) -> list[Import]:
    """Every import statement of one module's source."""
    tree = ast.parse(source)
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_function |= {id(inner) for inner in ast.walk(node) if inner is not node}
    package = module.split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from learning.reports import models` imports learning.reports.models.
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [Import(path, node.lineno, name, id(node) in in_function) for name in names]
    return found


def package_imports(package: str, *, skip=("migrations",)) -> list[Import]:
    """Every import in every module of a top-level package, migrations left out: they are
    history, replayed in their own order, and grant permissions through cms.roles."""
    root = Path(settings.BASE_DIR)
    found = []
    for file in sorted((root / package).rglob("*.py")):
        relative = file.relative_to(root)
        if any(part in skip for part in relative.parts):
            continue
        found += imports_in_source(
            file.read_text(encoding="utf-8"), path=str(relative), module=_module_name(relative)
        )
    return found


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")
