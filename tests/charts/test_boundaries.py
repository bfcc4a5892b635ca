"""charts/ (SVG charts) sits below learning/ and party/: both call it, it imports none of them,
nor cms/, not even inside a function."""

from tests.boundaries import is_within, package_imports

ABOVE = ["cms", "learning", "party", "search", "media_pipeline", "tabular"]


def test_charts_import_nothing_of_the_project():
    found = [
        str(i) for i in package_imports("charts") if any(is_within(i.module, t) for t in ABOVE)
    ]
    assert found == []
