"""media_pipeline/ sits at the bottom (cms → learning → media_pipeline): it imports nothing from
cms/, learning/ or search/, not even inside a function."""

from tests.boundaries import imports_in_source, is_within, package_imports

ABOVE = ["cms", "learning", "search"]


def imports_from_above(imports) -> list[str]:
    return [str(i) for i in imports if any(is_within(i.module, top) for top in ABOVE)]


def test_media_pipeline_imports_nothing_from_above():
    assert imports_from_above(package_imports("media_pipeline")) == []


def test_the_check_catches_an_import_hidden_in_a_function():
    found = imports_in_source(
        "def f():\n    from learning.progress import services\n",
        path="media_pipeline/example.py",
        module="media_pipeline.example",
    )
    assert imports_from_above(found) == [
        "media_pipeline/example.py:2 imports learning.progress.services (inside a function)"
    ]
