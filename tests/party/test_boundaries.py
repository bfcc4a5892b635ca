"""party.organisation and party.members import nothing from learning/ or cms/ (learning imports
them), and party.organisation imports nothing from party.members."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

PARTY = Path(settings.BASE_DIR) / "party"


def imported_modules(folder: Path, *, skip_migrations: bool = True):
    for path in folder.rglob("*.py"):
        if skip_migrations and "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                yield from ((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                yield path, node.module


@pytest.mark.parametrize("app", ["organisation", "members"])
def test_party_base_apps_import_nothing_from_learning_or_cms(app):
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / app)
        if name.split(".")[0] in {"learning", "cms"}
    ]
    assert offenders == []


def test_organisation_imports_nothing_from_members():
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / "organisation")
        if name.startswith("party.members")
    ]
    assert offenders == []


@pytest.mark.parametrize("app", ["organisation", "members"])
def test_party_base_apps_import_nothing_from_meetings_or_appraisal(app):
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / app)
        if name.startswith(("party.meetings", "party.appraisal"))
    ]
    assert offenders == []


def test_meetings_import_nothing_from_cms():
    # cms → meetings → learning → (organisation, members): meetings sits below cms.
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / "meetings")
        if name.split(".")[0] == "cms"
    ]
    assert offenders == []


def test_dues_imports_only_organisation_members_and_shared_modules():
    # party.dues sits beside meetings: it may use party.organisation, party.members, the top-level
    # upload reader (tabular) and spreadsheet_safety; never learning, cms or another party app.
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / "dues")
        if name.split(".")[0] in {"learning", "cms", "search", "media_pipeline"}
        or (
            name.startswith("party.")
            and not name.startswith(("party.dues", "party.organisation", "party.members"))
        )
    ]
    assert offenders == []


@pytest.mark.parametrize("app", ["organisation", "members", "meetings"])
def test_other_party_apps_import_nothing_from_dues(app):
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / app)
        if name.startswith("party.dues")
    ]
    assert offenders == []


@pytest.mark.parametrize("app", ["meetings", "dues"])
def test_meetings_and_dues_import_nothing_from_appraisal(app):
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / app)
        if name.startswith("party.appraisal")
    ]
    assert offenders == []


def test_appraisal_imports_only_organisation_members_and_meetings():
    # party.appraisal sits on top of the party apps: it may use organisation, members and
    # meetings (the 支部大会 that decides), and nothing of learning/, cms/ or party.dues.
    allowed = ("party.organisation", "party.members", "party.meetings", "party.appraisal")
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / "appraisal")
        if name.split(".")[0] in {"learning", "cms", "party", "search", "media_pipeline"}
        and not name.startswith(allowed)
    ]
    assert offenders == []


def test_stats_imports_only_party_and_shared_modules():
    # party.stats reads every party app (organisation, members, meetings, dues, appraisal) and the
    # shared top-level modules (spreadsheet_safety, charts); never learning/, cms/, search/ or
    # media_pipeline.
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / "stats")
        if name.split(".")[0] in {"learning", "cms", "search", "media_pipeline"}
    ]
    assert offenders == []


@pytest.mark.parametrize("app", ["organisation", "members", "meetings", "dues", "appraisal"])
def test_no_party_app_imports_stats(app):
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / app)
        if name.startswith("party.stats")
    ]
    assert offenders == []


def test_meetings_imports_nothing_from_learning():
    # The yearly 学时 reach learning's ledger through the hooks learning registers at start-up
    # (party/meetings/study.py, party/members/checks.py), never by import.
    offenders = [
        f"{path.relative_to(PARTY)}: {name}"
        for path, name in imported_modules(PARTY / "meetings")
        if name.split(".")[0] == "learning"
    ]
    assert offenders == []
