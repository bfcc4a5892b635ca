"""The video library on a desktop (issue 21): a video's title opens its detail, and the status there
refreshes by itself while the video is encoding."""

import re

import pytest

from cms.roles import EDITORS
from tests.browser import admin_login
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_title_opens_the_detail_whose_status_follows_the_encoding(live_server, desktop):
    from media_pipeline.models import Video

    video = Video.objects.create(title="正在转码的微视频", status=Video.Status.QUEUED)
    make_user("bianji", role=EDITORS, password="Edit-Pass-1")
    page = desktop.new_page()
    admin_login(page, live_server.url, "bianji", "Edit-Pass-1")

    page.goto(live_server.url + "/admin/videos/")
    page.get_by_role("link", name="正在转码的微视频").click()
    page.wait_for_url(re.compile(rf".*/admin/videos/inspect/{video.pk}/$"))
    status = page.locator("[data-video-status-text]")
    assert status.inner_text() == Video.Status.QUEUED.label
    assert page.get_by_role("heading", name="转码任务").is_visible()

    # The worker makes progress: the bar follows without a reload…
    Video.objects.filter(pk=video.pk).update(status=Video.Status.PROCESSING, progress=40)
    page.locator("[data-video-progress-text]", has_text="40%").wait_for(timeout=10_000)
    # …and when it is done the page shows the finished video.
    Video.objects.filter(pk=video.pk).update(status=Video.Status.READY, progress=100)
    # (admin_status.js reloads the page when the video is ready: while the new document loads the
    # element is briefly absent, hence ?.)
    page.wait_for_function(
        "document.querySelector('[data-video-status-text]')?.textContent.trim() === '"
        + str(Video.Status.READY.label)
        + "'",
        timeout=10_000,
    )
