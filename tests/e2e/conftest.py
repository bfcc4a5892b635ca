"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Screenshots of every failing test are saved under test-artifacts/e2e/.
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself
# (arranging data, checking results) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.skip("Debian's chromium is not installed (`make browser` installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _new_context(browser, request, **options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    pages = []
    context.on("page", lambda page: pages.append(page))
    yield context
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
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


def login(page, base_url: str, username: str, password: str, *, next_url: str = "/") -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")


def admin_login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))


def ready_video(*, title: str, seconds: float = 4):
    """A real short clip run through the real pipeline (inline), ready to play."""
    import tempfile

    from django.core.files import File

    from media_pipeline import services
    from media_pipeline.demo import demo_clip_make

    with tempfile.TemporaryDirectory(prefix="dangke-e2e-") as folder:
        clip = demo_clip_make(Path(folder) / "clip.mp4", seconds=seconds, size="320x180")
        with clip.open("rb") as handle:
            video = services.video_create(
                title=title, file=File(handle, name="clip.mp4"), enqueue=False
            )
        services.encoding_job_run(job_id=video.jobs.get().pk)
    video.refresh_from_db()
    return video
