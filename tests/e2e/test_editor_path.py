"""Path 1: an editor uploads a video in the admin, writes a video lesson and an article lesson and
submits them; a reviewer approves; both appear on the site."""

import re
import tempfile
from pathlib import Path

import pytest

from cms.roles import EDITORS, REVIEWERS
from tests.browser import admin_login
from tests.factories import make_course, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _submit_for_review(page) -> None:
    page.click("footer button.w-dropdown__toggle")
    page.click("button[name=action-submit]")
    page.wait_for_load_state("networkidle")


def test_editor_writes_reviewer_publishes(live_server, desktop, settings):
    from cms.pages.models import ArticleLessonPage, VideoLessonPage
    from media_pipeline.demo import demo_clip_make
    from media_pipeline.models import Video

    settings.MEDIA_PIPELINE_X264_PRESET = "ultrafast"
    course = make_course("新时代党建")
    make_user("bianji", role=EDITORS, password="Edit-Pass-1")
    make_user("shenhe", role=REVIEWERS, password="Review-Pass-1")

    page = desktop.new_page()
    admin_login(page, live_server.url, "bianji", "Edit-Pass-1")

    # 1. Upload a video to the video library (encoded inline in the test settings).
    with tempfile.TemporaryDirectory() as folder:
        clip = demo_clip_make(Path(folder) / "phone-video.mp4", seconds=3, size="320x180")
        page.goto(live_server.url + "/admin/videos/new/")
        page.fill("input[name=title]", "红船精神微视频")
        page.set_input_files("input[name=file]", str(clip))
        page.click('form[enctype="multipart/form-data"] button[type=submit]')
        page.wait_for_load_state("networkidle")
    video = Video.objects.get(title="红船精神微视频")
    video.refresh_from_db()
    assert video.status == "ready", video.error

    # 2. A video lesson that uses it, chosen with the chooser.
    page.goto(live_server.url + f"/admin/pages/add/pages/videolessonpage/{course.pk}/")
    page.fill("input[name=title]", "视频课：红船精神")
    page.click("text=选择视频")
    page.locator(".modal").get_by_role("link", name="红船精神微视频").click()
    page.wait_for_function("document.querySelector('input[name=video]').value !== ''")
    _submit_for_review(page)

    # 3. An article lesson with a paragraph of body text.
    page.goto(live_server.url + f"/admin/pages/add/pages/articlelessonpage/{course.pk}/")
    page.fill("input[name=title]", "图文课：学习红船精神")
    page.fill("textarea[name=summary]", "红船精神的内涵。")
    page.click(".c-sf-add-button")
    page.get_by_role("option", name="正文").click()
    editor = page.locator(".public-DraftEditor-content").last
    editor.wait_for()
    editor.click()
    editor.press_sequentially("开天辟地、敢为人先的首创精神。")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('input[name^=body-]')).some(i => i.value.includes('首创精神'))"
    )
    _submit_for_review(page)

    video_lesson = VideoLessonPage.objects.get(title="视频课：红船精神")
    article = ArticleLessonPage.objects.get(title="图文课：学习红船精神")
    assert not video_lesson.live and not article.live
    assert video_lesson.current_workflow_state and article.current_workflow_state

    # 4. The reviewer approves both from the page editor.
    page.context.clear_cookies()
    admin_login(page, live_server.url, "shenhe", "Review-Pass-1")
    for lesson in (video_lesson, article):
        page.goto(live_server.url + f"/admin/pages/{lesson.pk}/edit/")
        page.click("footer button.w-dropdown__toggle")
        page.locator("footer").get_by_role("button", name=re.compile("批准|Approve")).first.click()
        dialog_submit = page.locator(".modal button[type=submit]")
        if dialog_submit.count():
            dialog_submit.first.click()
        page.wait_for_load_state("networkidle")

    video_lesson.refresh_from_db()
    article.refresh_from_db()
    assert video_lesson.live and article.live

    # 5. Both appear on the site.
    page.goto(live_server.url + course.url)
    text = page.locator("main").inner_text()
    assert "视频课：红船精神" in text and "图文课：学习红船精神" in text
    page.click("text=图文课：学习红船精神")
    assert "开天辟地、敢为人先的首创精神。" in page.locator(".lesson-body").inner_text()
