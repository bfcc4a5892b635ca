"""The trainee-facing site: home, course and lesson pages, privacy, errors, language, query counts."""

import pytest

from tests.factories import make_article, make_course, restrict_to_logged_in

pytestmark = pytest.mark.django_db


def test_home_lists_courses_and_latest_lessons(client, course, lessons):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert course.title in html
    for lesson in lessons:
        assert lesson.title in html
    assert '<html lang="zh-hans">' in html
    assert "学习专题" in html


def test_course_page_lists_lessons_in_order(client, course, lessons):
    lessons[2].move(lessons[0], pos="left")  # the editor reorders: lesson 3 first
    html = client.get(course.url).content.decode()
    positions = [html.index(lesson.title) for lesson in (lessons[2], lessons[0], lessons[1])]
    assert positions == sorted(positions)


def test_article_lesson_page_renders_body_and_navigation(client, course, lessons):
    html = client.get(lessons[0].url).content.decode()
    assert "正文" in html
    assert lessons[1].title in html  # the next lesson link
    assert "0.25 学时" in html


def test_drafts_are_not_listed_or_served(client, course):
    draft = make_article(course, "草稿课", live=False)
    assert "草稿课" not in client.get("/").content.decode()
    assert client.get(f"/{course.slug}/{draft.slug}/").status_code == 404


def test_restricted_lesson_hidden_from_anonymous(client, course, trainee):
    secret = make_article(course, "仅限登录学员")
    restrict_to_logged_in(secret)
    assert "仅限登录学员" not in client.get("/").content.decode()
    assert "仅限登录学员" not in client.get(course.url).content.decode()
    response = client.get(secret.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    client.force_login(trainee)
    assert "仅限登录学员" in client.get(course.url).content.decode()
    assert client.get(secret.url).status_code == 200


def test_unknown_page_is_a_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_login_and_logout(client, trainee):
    response = client.post(
        "/accounts/login/", {"username": "trainee1", "password": "pw-Secret-123"}
    )
    assert response.status_code == 302
    assert "trainee1" in client.get("/").content.decode()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "trainee1" not in client.get("/").content.decode()


def test_wrong_password_shows_a_chinese_error(client, trainee):
    response = client.post("/accounts/login/", {"username": "trainee1", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_chinese_by_default_and_english_switch(client, course):
    html = client.get("/").content.decode()
    assert "学习专题" in html and "English" in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Courses" in html
    assert "学习专题" not in html


@pytest.mark.parametrize("n_lessons", [2, 8])
def test_page_query_counts_do_not_grow_with_lessons(
    client, django_assert_max_num_queries, n_lessons
):
    course = make_course("计数专题")
    lessons = [make_article(course, f"课{i}") for i in range(n_lessons)]
    with django_assert_max_num_queries(14):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(course.url).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(lessons[-1].url).status_code == 200


def test_lesson_preview_has_no_tracker_and_no_false_position(course, lessons):
    """A reviewer's preview of a draft lesson: no “第 0 / 3 课”, no tracker that would fail to save
    (“网络不稳定…”), a line saying the preview is not timed (issue 21)."""
    draft = make_article(course, "待审核的新课", live=False)
    html = draft.make_preview_request().content.decode()
    assert "待审核的新课" in html
    assert "第 0 /" not in html
    assert "data-lesson-tracker" not in html and "tracker.js" not in html
    assert "预览不计时" in html
