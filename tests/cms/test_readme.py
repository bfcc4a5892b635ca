"""README's demo accounts table (issue 21): a row for every account load_demo creates with the demo
password, and every site path it tells a reader to try exists (not Wagtail's page catch-all)."""

import re

from django.conf import settings
from django.urls import resolve

from cms.demo import DEMO_ACCOUNTS


def _demo_table() -> dict[str, str]:
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9]+)` \|(.*)$", readme, flags=re.MULTILINE)
    return dict(rows)


def test_every_demo_account_has_a_row_with_something_to_try():
    table = _demo_table()
    assert sorted(table) == sorted(a.username for a in DEMO_ACCOUNTS)
    for username, row in table.items():
        who, what = row.split("|")[:2]
        assert who.strip() and len(what.strip()) > 20, username
    assert "/admin/reports/search/" in table["trainer"] and "进度落后的学员" in table["trainer"]


def test_every_path_in_the_table_exists():
    paths = set()
    for row in _demo_table().values():
        paths |= set(re.findall(r"`(/[^`\s]*)`", row))
    assert "/party/stats/" in paths and "/me/dues/" in paths
    for path in sorted(paths):
        concrete = re.sub(r"<[a-z_]+>", "1", path)
        match = resolve(concrete)
        assert match.url_name != "wagtail_serve", path  # Wagtail's catch-all: no such page


def test_the_map_of_learning_names_only_modules_that_exist():
    """README's "Where a rule of learning/ lives" (issue 13) stays true to the folders."""
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("- Where a rule of learning/ lives", 1)[1].split("\n- ", 1)[0]
    layers = re.findall(r"^  - `learning/([a-z]+)/`:(.*?)(?=^  - |^\s*$)", section, re.M | re.S)
    assert [layer for layer, _ in layers] == ["classes", "progress", "quizzes", "reports"]
    for layer, text in layers:
        folder = settings.BASE_DIR / "learning" / layer
        for name in re.findall(r"`([a-z_]+(?:\.py|/))`", text):
            assert (folder / name).exists() or (folder / "models" / name).exists(), (layer, name)
