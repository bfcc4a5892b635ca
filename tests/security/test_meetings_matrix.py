# ruff: noqa: F811 -- the fixtures of tests/party are imported by name and used as arguments
"""Access matrix of organisation life (party.meetings): every site and API route, every role.
Roles: anonymous; a member of the branch; an activist of the branch (not 应到); the branch's
支部书记; another branch's 书记; the 院系党委's 组织员; an outsider. A route of party.meetings
without a row here fails test_every_meetings_route_has_rows."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from party.meetings.checkin import checkin_code
from tests.party.conftest import tree  # noqa: F401 (fixture)
from tests.party.meetings.conftest import life  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ACTORS = {
    "anon": None,
    "member": "member",
    "activist": "activist",
    "secretary": "secretary",
    "secretary2": "secretary2",
    "organiser": "organiser",
    "outsider": "outsider",
}

# (method, path template, {actor: allowed statuses})
SITE = [
    ("get", "/party/meetings/", {"anon": {302}, "outsider": {200}, "member": {200}}),
    (
        "get",
        "/party/meetings/new/",
        {"anon": {302}, "member": {404}, "secretary2": {200}, "secretary": {200}},
    ),
    (
        "get",
        "/party/meetings/{open}/",
        {
            "anon": {302},
            "outsider": {404},
            "secretary2": {404},
            "member": {200},
            "organiser": {200},
        },
    ),
    (
        "get",
        "/party/meetings/{open}/qr/",
        {
            "anon": {302},
            "member": {404},
            "secretary2": {404},
            "secretary": {200},
            "organiser": {200},
        },
    ),
    (
        "get",
        "/party/meetings/{open}/check-in/",
        {"anon": {302}, "outsider": {404}, "member": {200}},
    ),
    (
        "post",
        "/party/meetings/{open}/check-in/",
        {"anon": {302}, "outsider": {404}, "activist": {403}, "secretary2": {404}},
    ),
    (
        "post",
        "/party/meetings/{open}/leave/",
        {"anon": {302}, "outsider": {404}, "secretary2": {404}},
    ),
    (
        "post",
        "/party/meetings/{open}/attendance/",
        {"anon": {302}, "member": {404}, "secretary2": {404}, "outsider": {404}},
    ),
    (
        "post",
        "/party/meetings/{open}/attendance/bulk/",
        {
            "anon": {302},
            "member": {404},
            "activist": {404},
            "secretary2": {404},
            "outsider": {404},
            "secretary": {302},
            "organiser": {302},
        },
    ),
    ("get", "/party/notices/", {"anon": {302}, "outsider": {200}}),
    (
        "get",
        "/party/meetings/{open}/minutes/",
        {
            "anon": {302},
            "outsider": {404},
            "secretary2": {404},
            "member": {404},
            "secretary": {200},
        },
    ),
    (
        "post",
        "/party/meetings/{open}/minutes/",
        {"anon": {302}, "outsider": {404}, "secretary2": {404}, "member": {404}},
    ),
    (
        "get",
        "/party/compliance/",
        {"anon": {302}, "member": {404}, "outsider": {404}, "organiser": {200}},
    ),
    (
        "get",
        "/party/units/{branch}/compliance/",
        {"anon": {302}, "member": {404}, "secretary2": {404}, "secretary": {200}},
    ),
    (
        "get",
        "/party/units/{branch}/yearly-hours/",
        {
            "anon": {302},
            "member": {404},
            "activist": {404},
            "outsider": {404},
            "secretary2": {404},
            "secretary": {200},
            "organiser": {200},
        },
    ),
    (
        "get",
        "/party/units/{branch}/absence/",
        {
            "anon": {302},
            "member": {404},
            "outsider": {404},
            "secretary2": {404},
            "secretary": {200},
            "organiser": {200},
        },
    ),
    (
        "get",
        "/party/units/{branch}/yearly-hours.xlsx",
        {
            "anon": {302},
            "member": {404},
            "outsider": {404},
            "secretary2": {404},
            "secretary": {200},
            "organiser": {200},
        },
    ),
]
API = [
    ("get", "/api/v1/meetings/", {"anon": {401}, "outsider": {200}}),
    (
        "post",
        "/api/v1/meetings/",
        {"anon": {401}, "member": {404}, "secretary2": {404}, "outsider": {404}},
    ),
    (
        "get",
        "/api/v1/meetings/{open}/",
        {"anon": {401}, "outsider": {404}, "secretary2": {404}, "member": {200}},
    ),
    (
        "post",
        "/api/v1/meetings/{open}/check-in/",
        {"anon": {401}, "outsider": {404}, "activist": {403}, "secretary2": {404}},
    ),
    (
        "post",
        "/api/v1/meetings/{open}/leave/",
        {"anon": {401}, "outsider": {404}, "secretary2": {404}},
    ),
    (
        "post",
        "/api/v1/meetings/{open}/attendance/bulk/",
        {
            "anon": {401},
            "member": {404},
            "activist": {404},
            "secretary2": {404},
            "outsider": {404},
            "secretary": {200},
            "organiser": {200},
        },
    ),
    (
        "put",
        "/api/v1/meetings/{open}/attendance/{lm1}/",
        {"anon": {401}, "member": {404}, "secretary2": {404}, "outsider": {404}, "activist": {404}},
    ),
    (
        "get",
        "/api/v1/units/{branch}/compliance/",
        {"anon": {401}, "member": {404}, "secretary2": {404}, "organiser": {200}},
    ),
    (
        "get",
        "/api/v1/meetings/{open}/minutes/",
        {"anon": {401}, "outsider": {404}, "secretary2": {404}, "member": {200}},
    ),
    (
        "put",
        "/api/v1/meetings/{open}/minutes/",
        {"anon": {401}, "outsider": {404}, "secretary2": {404}, "member": {404}},
    ),
    (
        "post",
        "/api/v1/meetings/{open}/minutes/sign-off/",
        {"anon": {401}, "outsider": {404}, "secretary2": {404}, "member": {404}},
    ),
    (
        "get",
        "/api/v1/units/{branch}/yearly-hours/",
        {
            "anon": {401},
            "member": {404},
            "activist": {404},
            "outsider": {404},
            "secretary2": {404},
            "secretary": {200},
            "organiser": {200},
        },
    ),
    (
        "get",
        "/api/v1/units/{branch}/absence/",
        {
            "anon": {401},
            "member": {404},
            "outsider": {404},
            "secretary2": {404},
            "secretary": {200},
            "organiser": {200},
        },
    ),
    (
        "get",
        "/api/v1/me/yearly-hours/",
        {"anon": {401}, "outsider": {404}, "activist": {404}, "secretary": {200}},
    ),
]
SECRET = "李书记"  # a member's name: never in a refusal


def _cases(table):
    for method, path, allowed in table:
        for actor, statuses in allowed.items():
            yield method, path, actor, statuses


def _path(life, template):
    return template.format(
        open=life["open"].pk, lm1=life["members"]["lm1"].pk, branch=life["units"]["law_b1"].pk
    )


def _body(life):
    return {
        "code": checkin_code(meeting_id=life["open"].pk),
        "reason": "出差",
        "status": "present",
        "member": life["members"]["lm1"].pk,
        "members": [life["members"]["lm1"].pk],
        "unit": life["units"]["law_b1"].pk,
        "kind": "theme_day",
        "topic": "越权会议",
        "starts_at": "2030-01-01T09:00:00+08:00",
        "place": "x",
    }


@pytest.mark.parametrize(("method", "path", "actor", "allowed"), list(_cases(SITE)))
def test_site_matrix(life, client, method, path, actor, allowed):
    if ACTORS[actor]:
        client.force_login(life["users"][ACTORS[actor]])
    response = getattr(client, method)(_path(life, path), _body(life) if method == "post" else None)
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert SECRET not in response.content.decode()


@pytest.mark.parametrize(("method", "path", "actor", "allowed"), list(_cases(API)))
def test_api_matrix(life, method, path, actor, allowed):
    client = APIClient()
    if ACTORS[actor]:
        client.force_authenticate(life["users"][ACTORS[actor]])
    response = getattr(client, method)(_path(life, path), _body(life), format="json")
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert SECRET not in response.content.decode()


def _routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            module = getattr(entry.callback, "__module__", "")
            if module.startswith("party.meetings"):
                yield "/" + prefix + str(entry.pattern)


def _normalise(route: str) -> str:
    import re

    return re.sub(r"<int:[a-z_]+>|\{[a-z0-9]+\}", "*", route)


def test_every_meetings_route_has_rows():
    covered = {_normalise(path) for _, path, _ in SITE + API}
    routes = {_normalise(r) for r in _routes(get_resolver().url_patterns)}
    assert routes and routes <= covered, routes - covered
