"""The content API: token auth, courses, lessons, pagination, privacy, errors, schema."""

import pytest

from tests.factories import make_article, make_course, make_user, restrict_to_logged_in

pytestmark = pytest.mark.django_db


def test_token_auth(api_client, trainee):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "trainee1", "password": "pw-Secret-123"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/lessons/").status_code == 200


def test_token_auth_bad_credentials_is_400_in_documented_format(api_client, trainee):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "trainee1", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "无法使用提供的认证信息登录" in body["detail"]


def test_token_auth_missing_fields(api_client):
    body = api_client.post("/api/v1/auth/token/", {}, format="json").json()
    assert set(body["errors"]) == {"username", "password"}


def test_bad_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_client.get("/api/v1/lessons/").status_code == 401


def test_courses_list_and_detail(api_client, course, lessons):
    body = api_client.get("/api/v1/courses/").json()
    assert body["count"] == 1
    assert body["results"][0]["title"] == course.title
    assert body["results"][0]["lesson_count"] == 3
    detail = api_client.get(f"/api/v1/courses/{course.pk}/").json()
    assert [lesson["id"] for lesson in detail["lessons"]] == [lesson.pk for lesson in lessons]


def test_lessons_list_fields_and_filters(api_client, course, lessons):
    body = api_client.get("/api/v1/lessons/").json()
    assert body["count"] == 3
    first = body["results"][0]
    for field in (
        "id",
        "title",
        "kind",
        "course",
        "class_hours",
        "duration_seconds",
        "url",
        "first_published_at",
    ):
        assert field in first
    assert first["course"] == course.pk
    kinds = {r["kind"] for r in api_client.get("/api/v1/lessons/?kind=video").json()["results"]}
    assert kinds == {"video"}
    other = make_course("另一个专题")
    make_article(other, "别的课")
    assert api_client.get(f"/api/v1/lessons/?course={other.pk}").json()["count"] == 1


def test_lessons_pagination(api_client, course):
    for i in range(25):
        make_article(course, f"分页课{i}")
    page1 = api_client.get("/api/v1/lessons/").json()
    assert page1["count"] == 25 and len(page1["results"]) == 20 and page1["next"]
    page2 = api_client.get("/api/v1/lessons/?page=2").json()
    assert len(page2["results"]) == 5 and page2["previous"]
    assert api_client.get("/api/v1/lessons/?page=9").status_code == 404


def test_bad_filters_are_400(api_client):
    response = api_client.get("/api/v1/lessons/?kind=podcast")
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]
    response = api_client.get("/api/v1/lessons/?course=abc")
    assert response.status_code == 400
    assert "course" in response.json()["errors"]


def test_lesson_detail_has_body_html(api_client, lessons):
    body = api_client.get(f"/api/v1/lessons/{lessons[0].pk}/").json()
    assert "正文" in body["body_html"]
    assert body["quiz"] is None
    video_body = api_client.get(f"/api/v1/lessons/{lessons[1].pk}/").json()
    assert video_body["body_html"] is None


def test_restricted_lessons_hidden_from_anonymous_and_404(api_client, course):
    secret = make_article(course, "内部学习材料")
    restrict_to_logged_in(secret)
    ids = [r["id"] for r in api_client.get("/api/v1/lessons/").json()["results"]]
    assert secret.pk not in ids
    response = api_client.get(f"/api/v1/lessons/{secret.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}

    api_client.force_authenticate(make_user("someone"))
    assert api_client.get(f"/api/v1/lessons/{secret.pk}/").status_code == 200


def test_drafts_and_unknown_ids_are_404(api_client, course):
    draft = make_article(course, "草稿", live=False)
    assert api_client.get(f"/api/v1/lessons/{draft.pk}/").status_code == 404
    assert api_client.get("/api/v1/lessons/999999/").status_code == 404
    assert api_client.get(f"/api/v1/courses/{draft.pk}/").status_code == 404
    assert api_client.get("/api/v1/nope/").status_code == 404


def test_english_error_messages_on_request(api_client):
    response = api_client.get("/api/v1/lessons/?kind=podcast", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"]["kind"] == ["Must be article or video."]


def test_write_methods_are_refused(api_client, lessons):
    assert api_client.post("/api/v1/lessons/", {}).status_code == 405
    api_client.force_authenticate(make_user("x"))
    assert api_client.post("/api/v1/lessons/", {}).status_code == 405


@pytest.mark.parametrize("n", [3, 15])
def test_lessons_api_query_count_is_constant(api_client, django_assert_max_num_queries, n):
    course = make_course("计数")
    for i in range(n):
        make_article(course, f"课{i}")
    with django_assert_max_num_queries(8):
        assert api_client.get("/api/v1/lessons/").status_code == 200
    with django_assert_max_num_queries(8):
        assert api_client.get(f"/api/v1/courses/{course.pk}/").status_code == 200


def test_schema_and_docs(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert api_client.get("/api/docs/").status_code == 200


def test_lesson_detail_video_quiz_and_progress(api_client, course, trainee):
    from media_pipeline.models import Video
    from tests.factories import make_video_lesson

    video = Video.objects.create(
        title="处理中的视频", original="videos/originals/x.mp4", status="processing", progress=40
    )
    lesson = make_video_lesson(course, "视频课", video=video)
    body = api_client.get(f"/api/v1/lessons/{lesson.pk}/").json()
    assert body["video"]["status"] == "processing"
    assert body["video"]["progress"] == 40
    assert body["video"]["hls_url"] is None  # nothing to play until the pipeline is done
    assert body["progress"] is None  # anonymous

    api_client.force_authenticate(trainee)
    body = api_client.get(f"/api/v1/lessons/{lesson.pk}/").json()
    assert body["progress"]["completed"] is False
    assert body["progress"]["credited_seconds"] == 0


def test_lesson_detail_gives_absolute_media_urls(api_client, course):
    from media_pipeline.models import Video
    from tests.factories import make_video_lesson

    video = Video.objects.create(
        title="就绪",
        original="videos/originals/y.mp4",
        status="ready",
        output_dir="videos/1/out",
        mp4="videos/1/out/fallback.mp4",
        poster="videos/1/out/poster.jpg",
        duration_seconds=5,
    )
    lesson = make_video_lesson(course, "可播放的课", video=video)
    body = api_client.get(f"/api/v1/lessons/{lesson.pk}/").json()["video"]
    assert body["hls_url"].startswith("http://testserver/")
    assert body["mp4_url"].startswith("http://testserver/")
