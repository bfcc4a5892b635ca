"""Editors' and reviewers' admin screens (issue 21): lessons in course order, the approval message,
one time zone in the admin."""

import re

import pytest

from cms.pages.models import ArticleLessonPage

pytestmark = pytest.mark.django_db


def _row_titles(html: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=html.index)


def test_explorer_lists_lessons_in_course_order_not_by_last_update(client, editor, course, lessons):
    # The first lesson edited last: by last update it would come first, and the last one first too.
    lessons[1].save_revision().publish()
    lessons[0].save_revision().publish()
    client.force_login(editor)
    html = client.get(f"/admin/pages/{course.pk}/").content.decode()
    titles = [lesson.title for lesson in lessons]
    assert _row_titles(html, titles) == titles
    # The 排序 handles are shown: the list is already in the order they change.
    assert re.search(r"data-w-orderable", html)


def _submitted_lesson(client, editor, course):
    client.force_login(editor)
    response = client.post(
        f"/admin/pages/add/pages/articlelessonpage/{course.pk}/",
        {
            "title": "待审核的新课",
            "slug": "pending-lesson",
            "summary": "摘要",
            "body-count": "0",
            "class_hours": "0.25",
            "min_reading_seconds": "120",
            "action-submit": "1",
        },
        follow=True,  # reads the editor's message
    )
    assert response.status_code == 200, response.content[:2000]
    return ArticleLessonPage.objects.get(slug="pending-lesson")


def test_approve_and_publish_says_the_page_was_published(client, editor, reviewer, course):
    lesson = _submitted_lesson(client, editor, course)
    client.force_login(reviewer)
    response = client.post(
        f"/admin/pages/{lesson.pk}/edit/",
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "summary": "摘要",
            "body-count": "0",
            "class_hours": "0.25",
            "min_reading_seconds": "120",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
            "action-workflow-action": "1",
            "workflow-action-name": "approve",
        },
        follow=True,
    )
    lesson.refresh_from_db()
    assert lesson.live
    texts = [str(m) for m in response.context["messages"]]
    assert texts == ["“待审核的新课”已通过审核并发布。"], texts


def test_saving_a_draft_keeps_wagtails_message(client, reviewer, course, lessons):
    client.force_login(reviewer)
    lesson = lessons[0]
    response = client.post(
        f"/admin/pages/{lesson.pk}/edit/",
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "summary": "改过的摘要",
            "body-count": "0",
            "class_hours": "0.25",
            "min_reading_seconds": "120",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
        },
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) == 1 and "已被更新" in texts[0] and "发布" not in texts[0], texts


def _add_article(client, course, title: str, slug: str):
    return client.post(
        f"/admin/pages/add/pages/articlelessonpage/{course.pk}/",
        {
            "title": title,
            "slug": slug,
            "summary": "",
            "body-count": "0",
            "class_hours": "0.25",
            "min_reading_seconds": "120",
        },
    )


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        (
            "认识党章从总纲到十一章",
            "ren-shi-dang-zhang-cong-zong-gang-dao-shi-yi-zhang",
        ),  # as typed
        ("", "ren-shi-dang-zhang-cong-zong-gang-dao-shi-yi-zhang"),  # left empty: from the title
        ("party-constitution", "party-constitution"),  # the editor's own, kept
    ],
)
def test_chinese_titles_get_pinyin_slugs(client, editor, course, slug, expected):
    client.force_login(editor)
    response = _add_article(client, course, "认识党章：从总纲到十一章", slug)
    assert response.status_code == 302, response.content[:3000]
    lesson = ArticleLessonPage.objects.get(title="认识党章：从总纲到十一章")
    assert lesson.slug == expected
    assert lesson.url_path.endswith(f"/{expected}/")


def test_a_second_lesson_of_the_same_title_gets_a_free_slug(client, editor, course):
    client.force_login(editor)
    for _ in range(2):
        assert _add_article(client, course, "党的二十大精神", "党的二十大精神").status_code == 302
    slugs = sorted(ArticleLessonPage.objects.values_list("slug", flat=True))
    assert slugs == ["dang-de-er-shi-da-jing-shen", "dang-de-er-shi-da-jing-shen-2"]


def _dashboard_actions(client) -> dict[str, str]:
    """The 等待审核 panel's action buttons: label → URL, as the reviewer's dashboard offers them."""
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    buttons = re.findall(
        r'<button data-workflow-action-url="([^"]+)"\s*(data-launch-modal)?\s*>([^<]+)<', html
    )
    return {label.strip() + (" (dialog)" if modal else ""): url for url, modal, label in buttons}


def test_approving_from_the_dashboard_says_the_page_was_published(client, editor, reviewer, course):
    """Wagtail's workflow action from the dashboard redirected back without a word (issue 21)."""
    lesson = _submitted_lesson(client, editor, course)
    client.force_login(reviewer)
    actions = _dashboard_actions(client)
    approve = next(
        url for label, url in actions.items() if "dialog" not in label and "批准" in label
    )
    # What the dashboard's button does: a form POST with the page to come back to.
    response = client.post(approve, {"next": "/admin/"}, follow=True, HTTP_ACCEPT_LANGUAGE="zh-CN")
    lesson.refresh_from_db()
    assert lesson.live
    assert response.redirect_chain[-1][0] == "/admin/"
    texts = [str(m) for m in response.context["messages"]]
    assert texts == ["“待审核的新课”已通过审核并发布。"], texts


def test_approving_with_a_comment_in_the_dialog_and_requesting_changes_say_so(
    client, editor, reviewer, course
):
    lesson = _submitted_lesson(client, editor, course)
    client.force_login(reviewer)
    actions = _dashboard_actions(client)
    reject = next(url for label, url in actions.items() if "dialog" in label and "修改" in label)
    # The dialog: Wagtail's modal posts the comment by XMLHttpRequest and then follows "redirect".
    ajax = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT_LANGUAGE": "zh-CN"}
    assert client.get(reject, **ajax).status_code == 200
    done = client.post(reject, {"comment": "请补充摘要", "next": "/admin/"}, **ajax)
    assert done.json()["step"] == "success"
    dashboard = client.get(done.json()["redirect"], HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert [str(m) for m in dashboard.context["messages"]] == ["“待审核的新课”已退回编辑修改。"]
    lesson.refresh_from_db()
    assert not lesson.live

    # Submitted again, approved with a comment in the dialog: published, and said so.
    client.force_login(editor)
    lesson.save_revision(user=editor)
    lesson.current_workflow_state.resume(user=editor)
    client.force_login(reviewer)
    actions = _dashboard_actions(client)
    approve = next(url for label, url in actions.items() if "dialog" in label and "批准" in label)
    done = client.post(approve, {"comment": "很好", "next": "/admin/"}, **ajax)
    assert done.json()["step"] == "success"
    dashboard = client.get(done.json()["redirect"], HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert [str(m) for m in dashboard.context["messages"]] == ["“待审核的新课”已通过审核并发布。"]
    lesson.refresh_from_db()
    assert lesson.live


def test_the_editor_cannot_approve_through_the_wrapped_action(client, editor, reviewer, course):
    """cms/pages/review.py shadows Wagtail's workflow action URL; Wagtail's view still decides who
    may act: the editor who submitted the page posts the reviewer's 批准 and nothing is published."""
    lesson = _submitted_lesson(client, editor, course)
    client.force_login(reviewer)
    approve = next(
        url
        for label, url in _dashboard_actions(client).items()
        if "dialog" not in label and "批准" in label
    )
    client.force_login(editor)
    response = client.post(approve, {"next": "/admin/"})
    lesson.refresh_from_db()
    assert not lesson.live
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].rstrip("/").endswith("/admin")  # Wagtail's PermissionDenied
