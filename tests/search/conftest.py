"""Fixtures for the search tests: a fresh on-disk index per test and a small tree of Chinese lessons."""

import pytest
from modelsearch.backends import get_search_backend
from rest_framework.test import APIClient

from cms.roles import TRAINEES
from search.rebuild import search_index_rebuild
from tests.factories import make_article, make_course, make_user, make_video_lesson


def paragraph(text: str) -> list:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


@pytest.fixture(autouse=True)
def search_index(settings, tmp_path):
    """Each test gets its own empty index directory (the database is rolled back between tests,
    so documents left by another test would point at reused ids)."""
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.backend",
            "PATH": tmp_path / "search_index",
            "AUTO_UPDATE": False,
        }
    }
    return tmp_path / "search_index"


@pytest.fixture
def backend(search_index):
    return get_search_backend()


@pytest.fixture
def reindex(db):
    """Rebuild the index from the database (what `manage.py rebuild_search_index` does)."""

    def run():
        return search_index_rebuild()

    return run


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def trainee(db):
    return make_user("search-trainee", role=TRAINEES)


@pytest.fixture
def course(db):
    return make_course("党史学习教育专题", intro="<p>党史学习教育2026年度专题。</p>")


@pytest.fixture
def other_course(db):
    return make_course("组织建设专题")


@pytest.fixture
def lessons(course, other_course):
    return {
        "activist": make_article(
            course,
            "入党积极分子培养教育",
            summary="入党积极分子的培养、教育和考察。",
            body=paragraph("入党积极分子要认真学习党章，按时向党支部递交思想汇报。"),
        ),
        "two": make_article(
            course,
            "两学一做学习教育",
            summary="学党章党规、学系列讲话，做合格党员。",
            body=paragraph("两学一做学习教育常态化制度化。"),
        ),
        "internet": make_video_lesson(
            course,
            "互联网+党建的实践",
            summary="用好互联网+党建平台，开展线上组织生活。",
            description="<p>Party history in English: online learning.</p>",
        ),
        "meeting": make_article(
            other_course,
            "三会一课制度",
            summary="支部党员大会、支部委员会、党小组会和党课。",
            body=paragraph("三会一课是党的组织生活的基本制度。"),
        ),
    }
