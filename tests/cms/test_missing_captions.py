"""字幕 for editors: the 缺少字幕的微党课 report lists the 视频微党课 whose video has no captions,
among the pages the user may edit (as Wagtail scopes page reports), each with a link to the page and
one to the video's edit form where captions are added; the editor's dashboard shows the count."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import GroupPagePermission

from cms.pages.selectors import video_lessons_without_captions
from media_pipeline.models import Video
from tests.factories import make_course, make_user, make_video_lesson

pytestmark = pytest.mark.django_db

REPORT = "/admin/missing-captions/"


def _video(title: str, *, captions: bool = False) -> Video:
    return Video.objects.create(
        title=title,
        original="videos/originals/x.mp4",
        status=Video.Status.READY,
        captions="videos/captions/x.vtt" if captions else "",
    )


@pytest.fixture
def world(db):
    course_a, course_b = make_course("党史学习"), make_course("党章学习")
    lessons = {
        "a1": make_video_lesson(course_a, "第一讲 建党", video=_video("建党.mp4")),
        "a2": make_video_lesson(course_a, "第二讲 长征", video=_video("长征.mp4", captions=True)),
        "a3": make_video_lesson(course_a, "第三讲 待上传"),  # no video: nothing to caption yet
        "b1": make_video_lesson(course_b, "第一讲 总纲", video=_video("总纲.mp4")),
    }
    # An editor whose page rights cover course A only.
    group = Group.objects.create(name="党史编辑")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group, page=course_a, permission=Permission.objects.get(codename="change_page")
    )
    scoped = make_user("scoped_editor")
    scoped.groups.add(group)
    return {"lessons": lessons, "course_a": course_a, "scoped": scoped}


def _titles(html: str) -> set[str]:
    return {title for title in ("建党", "长征", "待上传", "总纲") if f"讲 {title}" in html}


def test_the_report_lists_lessons_whose_video_lacks_captions_with_links(client, editor, world):
    client.force_login(editor)
    response = client.get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert _titles(html) == {"建党", "总纲"}
    a1 = world["lessons"]["a1"]
    assert reverse("wagtailadmin_pages:edit", args=[a1.pk]) in html
    assert reverse("videos:edit", args=[a1.video_id]) + "#id_captions" in html
    assert "党史学习" in html and "党章学习" in html  # the course of each lesson
    # Captions added: the lesson leaves the list.
    Video.objects.filter(pk=a1.video_id).update(captions="videos/captions/y.vtt")
    assert _titles(client.get(REPORT).content.decode()) == {"总纲"}


def test_the_report_is_scoped_to_the_pages_the_editor_may_edit(client, world):
    client.force_login(world["scoped"])
    assert _titles(client.get(REPORT).content.decode()) == {"建党"}
    assert [lesson.title for lesson in video_lessons_without_captions(user=world["scoped"])] == [
        "第一讲 建党"
    ]


def test_who_may_open_the_report(client, world, reviewer, trainer, trainee):
    assert client.get(REPORT).status_code == 302  # to the login page
    client.force_login(reviewer)
    assert client.get(REPORT).status_code == 200
    for user in (trainer, trainee):
        client.force_login(user)
        response = client.get(REPORT)
        # Refused: the trainer to the dashboard, the trainee (no admin access) to the login.
        assert response.status_code == 302
        assert response["Location"].split("?")[0] in ("/admin/", "/admin/login/")


def test_the_report_exports_and_its_queries_do_not_grow_with_rows(client, editor, world):
    client.force_login(editor)
    csv = client.get(REPORT + "?export=csv")
    assert csv.status_code == 200
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "第一讲 建党,党史学习,建党.mp4" in body and "长征" not in body

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(REPORT).status_code == 200
        return len(queries)

    few = count()
    course = world["course_a"]
    for n in range(6):
        make_video_lesson(course, f"加讲 {n}", video=_video(f"加{n}.mp4"))
    assert count() == few


def test_the_dashboard_shows_the_count_to_editors_only(client, editor, trainer, world):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "2 个视频微党课的视频还没有字幕" in html and f'href="{REPORT}"' in html
    assert 'id="missing-captions-section"' in html
    client.force_login(world["scoped"])
    assert "1 个视频微党课的视频还没有字幕" in client.get("/admin/").content.decode()
    client.force_login(trainer)
    assert "还没有字幕" not in client.get("/admin/").content.decode()
    # Nothing missing: no panel.
    Video.objects.update(captions="videos/captions/z.vtt")
    client.force_login(editor)
    assert "还没有字幕" not in client.get("/admin/").content.decode()


def test_the_reports_menu_offers_it_to_editors(client, editor, trainer, world):
    client.force_login(editor)
    assert REPORT in client.get("/admin/").content.decode()
    client.force_login(trainer)
    assert REPORT not in client.get("/admin/").content.decode()
