"""The search page, the search API, and what each user may find (drafts, restricted subtrees)."""

import os

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils.html import strip_tags
from wagtail.models import PageViewRestriction

from search.views import PAGE_SIZE
from tests.factories import make_article, make_course, make_user, restrict_to_logged_in
from tests.search.conftest import paragraph

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(lessons, reindex):
    reindex()
    return lessons


def page_titles(response) -> list[str]:
    return [r["title"] for r in response.json()["results"]]


def test_search_page_highlights_matches_in_title_and_snippet(client, indexed):
    html = client.get("/search/", {"q": "积极分子"}).content.decode()
    assert "入党<mark>积极分子</mark>培养教育" in html
    assert '<p class="snippet">' in html and html.count("<mark>积极分子</mark>") >= 2
    assert "找到 1 条结果" in html


def test_search_page_without_results_helps(client, indexed):
    html = client.get("/search/", {"q": "量子计算"}).content.decode()
    assert "没有找到与“量子计算”相关的内容" in html
    assert "换一个更短或更常用的词" in html


def test_search_page_escapes_the_query(client, indexed):
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html


def test_search_page_filters_by_kind_and_course(client, course, other_course, indexed):
    text = strip_tags(client.get("/search/", {"q": "党", "kind": "video"}).content.decode())
    assert "互联网+党建的实践" in text and "三会一课制度" not in text
    text = strip_tags(
        client.get("/search/", {"q": "党", "course": other_course.pk}).content.decode()
    )
    assert "三会一课制度" in text and "两学一做学习教育" not in text


def test_search_page_paginates(client, course, reindex):
    for n in range(PAGE_SIZE + 2):
        make_article(course, f"主题党日活动{n}", body=paragraph("主题党日。"))
    reindex()
    first = client.get("/search/", {"q": "主题党日"}).content.decode()
    second = client.get("/search/", {"q": "主题党日", "page": 2}).content.decode()
    assert first.count('class="search-result"') == PAGE_SIZE
    assert second.count('class="search-result"') == 2
    assert "第 2 / 2 页" in second


def test_header_has_a_search_box(client, db):
    html = client.get("/search/").content.decode()
    assert 'class="header-search"' in html and 'action="/search/"' in html


def test_api_returns_paginated_results_with_highlight(api_client, course, indexed):
    response = api_client.get("/api/v1/search/", {"q": "积极分子"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["previous"] is None
    [hit] = body["results"]
    lesson = indexed["activist"]
    assert hit["id"] == lesson.pk and hit["title"] == lesson.title and hit["kind"] == "article"
    assert hit["url"] == lesson.url
    assert "<mark>积极分子</mark>" in hit["highlight"]


def test_api_kind_and_course_filters(api_client, course, other_course, indexed):
    assert page_titles(api_client.get("/api/v1/search/", {"q": "专题", "kind": "course"})) != []
    assert all(
        r["kind"] == "course"
        for r in api_client.get("/api/v1/search/", {"q": "专题", "kind": "course"}).json()[
            "results"
        ]
    )
    response = api_client.get("/api/v1/search/", {"q": "党", "course": other_course.pk})
    assert page_titles(response) == ["三会一课制度"]


def test_api_bad_input_is_400_in_the_error_format(api_client, db):
    response = api_client.get("/api/v1/search/")
    assert response.status_code == 400 and "q" in response.json()["errors"]
    response = api_client.get("/api/v1/search/", {"q": "党", "kind": "podcast"})
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    response = api_client.get("/api/v1/search/", {"q": "党", "course": "abc"})
    assert response.status_code == 400 and "course" in response.json()["errors"]


def test_drafts_are_never_found(api_client, client, course, reindex):
    make_article(course, "草稿：组织生活会", live=False)
    reindex()
    assert page_titles(api_client.get("/api/v1/search/", {"q": "组织生活会"})) == []
    assert "草稿" not in strip_tags(client.get("/search/", {"q": "组织生活会"}).content.decode())


def test_login_restricted_lessons_only_for_logged_in_users(api_client, course, trainee, reindex):
    secret = make_article(course, "内部学习资料", body=paragraph("仅限学员。"))
    restrict_to_logged_in(secret)
    reindex()
    assert page_titles(api_client.get("/api/v1/search/", {"q": "内部学习资料"})) == []
    api_client.force_authenticate(trainee)
    assert page_titles(api_client.get("/api/v1/search/", {"q": "内部学习资料"})) == ["内部学习资料"]


def test_restricted_course_hides_its_whole_subtree(api_client, trainee, reindex):
    hidden_course = make_course("支部书记专题")
    make_article(hidden_course, "支部书记培训讲义")
    restriction = PageViewRestriction.objects.create(
        page=hidden_course, restriction_type=PageViewRestriction.GROUPS
    )
    secretaries = Group.objects.create(name="支部书记")
    restriction.groups.add(secretaries)
    reindex()

    api_client.force_authenticate(trainee)  # logged in, but not in the group
    assert page_titles(api_client.get("/api/v1/search/", {"q": "支部书记"})) == []
    response = api_client.get("/api/v1/search/", {"q": "讲义", "course": hidden_course.pk})
    assert response.status_code == 200 and page_titles(response) == []

    member = make_user("secretary1")
    member.groups.add(secretaries)
    api_client.force_authenticate(member)
    assert set(page_titles(api_client.get("/api/v1/search/", {"q": "支部书记"}))) == {
        "支部书记专题",
        "支部书记培训讲义",
    }


def test_password_restricted_lessons_are_not_found(api_client, course, trainee, reindex):
    secret = make_article(course, "密码保护课程")
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    reindex()
    api_client.force_authenticate(trainee)
    assert page_titles(api_client.get("/api/v1/search/", {"q": "密码保护"})) == []


def test_search_query_count_is_bounded(api_client, course, indexed, django_assert_max_num_queries):
    # Filtering, fetching and the specific pages of one results page: a fixed handful of queries.
    with django_assert_max_num_queries(12):
        api_client.get("/api/v1/search/", {"q": "党", "page_size": 20})


def test_schema_describes_the_search_endpoint(api_client, db):
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/search/" in response.json()["paths"]


def test_rebuild_command_and_wagtail_update_index(client, indexed, search_index, capsys):
    call_command("rebuild_search_index")
    assert "indexed" in capsys.readouterr().out
    call_command("update_index", stdout=open(os.devnull, "w"))  # noqa: SIM115
    html = client.get("/search/", {"q": "两学一做"}).content.decode()
    assert "两学一做" in strip_tags(html)
    assert len(list(search_index.glob("gen-*"))) <= 2  # old generations are pruned
