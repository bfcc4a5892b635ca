"""Browser-test helpers: Debian's Chromium driven by Playwright, logins, a ready video."""

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "e2e"
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


def login(page, base_url: str, username: str, password: str, *, next_url: str = "/") -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")


def admin_login(page, base_url: str, username: str, password: str) -> None:
    import re

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
