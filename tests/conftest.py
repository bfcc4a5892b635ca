"""Shared fixtures: empty media storage and cache per test; the browser for browser tests."""

import contextlib
import os
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import translation

from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PHONE

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the test itself makes
# (arranging data, checking results) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    """Every transactional test (live server, threads, processes) gets serialized rollback, so the data
    that migrations create (home page, roles, workflow) is there for the next one too."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
            {"transactional_db", "live_server"} & set(item.fixturenames)
        )
        if transactional and "django_db_serialized_rollback" not in item.fixturenames:
            item.fixturenames.append("django_db_serialized_rollback")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language: an earlier test's English request must not leak."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Shared cache and per-process memos start empty: ids are reused after a test's rollback."""
    from learning.progress.lessons import access_memo_forget

    cache.clear()
    access_memo_forget()
    yield
    cache.clear()
    access_memo_forget()


@pytest.fixture
def browser():
    """Chromium for one test. Per test, so Playwright's event loop never outlives the test that
    needs it (Django would otherwise hand later tests a different database connection)."""
    if not CHROMIUM:
        pytest.skip("Debian's chromium is not installed (`make browser` installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        # Connections the test opened while Playwright ran belong to that context, not the one
        # pytest-django closes at the end: closed here, else the last one outlives the session and
        # PostgreSQL refuses to drop the test database ("being accessed by other users").
        connections.close_all()
        browser.close()


def _new_context(browser, request, **options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    pages = []
    context.on("page", lambda page: pages.append(page))
    yield context
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for i, page in enumerate(pages):
            with contextlib.suppress(Exception):  # a closed page has nothing to show
                page.screenshot(path=str(ARTIFACTS / f"{name}-{i}.png"), full_page=True)
    context.close()


@pytest.fixture
def phone(browser, request):
    """A phone-sized browser context (a trainee)."""
    yield from _new_context(browser, request, **PHONE)


@pytest.fixture
def desktop(browser, request):
    """A desktop browser context (an editor, reviewer or trainer)."""
    yield from _new_context(browser, request, viewport={"width": 1366, "height": 900})
