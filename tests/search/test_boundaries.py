"""The search app stays independent: it imports nothing from cms/ or learning/."""

import ast
from pathlib import Path

from django.conf import settings


def test_search_imports_nothing_from_cms_or_learning():
    offenders = []
    for path in (Path(settings.BASE_DIR) / "search").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in {"cms", "learning"}
            ]
    assert offenders == []
