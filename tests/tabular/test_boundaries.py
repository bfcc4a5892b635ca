"""tabular/ (reading uploaded tables, staging them for preview) sits below learning/ and party/:
both call it, it imports none of them, nor cms/, not even inside a function."""

from tests.boundaries import imports_in_source, is_within, package_imports

ABOVE = ["cms", "learning", "party", "search", "media_pipeline"]


def imports_from_above(imports) -> list[str]:
    return [str(i) for i in imports if any(is_within(i.module, top) for top in ABOVE)]


def test_tabular_imports_nothing_from_above():
    assert imports_from_above(package_imports("tabular")) == []


def test_the_check_catches_an_import_hidden_in_a_function():
    found = imports_in_source(
        "def f():\n    from party.members import services\n",
        path="tabular/example.py",
        module="tabular.example",
    )
    assert imports_from_above(found) == [
        "tabular/example.py:2 imports party.members.services (inside a function)"
    ]
