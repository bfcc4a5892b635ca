"""Fixtures for the CMS tests."""

import pytest
from rest_framework.test import APIClient

from cms.roles import EDITORS, REVIEWERS, TRAINEES, TRAINERS
from tests.factories import make_article, make_course, make_user, make_video_lesson


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def editor(db):
    return make_user("editor1", role=EDITORS)


@pytest.fixture
def reviewer(db):
    return make_user("reviewer1", role=REVIEWERS)


@pytest.fixture
def trainer(db):
    return make_user("trainer1", role=TRAINERS)


@pytest.fixture
def trainee(db):
    return make_user("trainee1", role=TRAINEES)


@pytest.fixture
def course(db):
    return make_course("党史学习")


@pytest.fixture
def lessons(course):
    return [
        make_article(course, "第一课：入党积极分子的培养"),
        make_video_lesson(course, "第二课：党支部组织生活"),
        make_article(course, "第三课：思想汇报"),
    ]


HEALTHZ_TOKEN = "monitor-token-for-tests"


@pytest.fixture
def monitor(client, settings):
    """A client that presents the monitoring token, so /healthz shows every check."""
    settings.HEALTHZ_TOKEN = HEALTHZ_TOKEN
    client.defaults["HTTP_X_HEALTHZ_TOKEN"] = HEALTHZ_TOKEN
    return client
