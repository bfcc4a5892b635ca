"""Tables that scroll sideways in their own box (.table-wrap, issue 22: reflow at 200 % zoom on a
phone) are named, focusable regions, so a keyboard user can scroll them and a screen reader says
what they hold (WCAG 2.1.1, 4.1.2; axe's scrollable-region-focusable). One rule in one place:
.table-wrap is styled in cms/static/css/site.css only."""

import re

from django.conf import settings

TEMPLATES = settings.BASE_DIR / "templates"
WRAP = re.compile(r"<div\b[^>]*\bclass=\"table-wrap\"[^>]*>")


def test_every_scrolling_table_is_a_named_focusable_region():
    found, bad = 0, []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in WRAP.findall(path.read_text(encoding="utf-8")):
            found += 1
            named = "aria-label=" in tag or "aria-labelledby=" in tag
            if not ('role="region"' in tag and 'tabindex="0"' in tag and named):
                bad.append(f"{path.relative_to(TEMPLATES)}: {tag}")
    assert found > 10
    assert bad == []


def test_the_table_wrap_rule_is_written_once():
    styles = [
        path
        for path in settings.BASE_DIR.glob("*/**/static/**/*.css")
        if ".venv" not in path.parts and re.search(r"^\.table-wrap\s*\{", path.read_text(), re.M)
    ]
    assert [p.relative_to(settings.BASE_DIR).as_posix() for p in styles] == [
        "cms/static/css/site.css"
    ]
