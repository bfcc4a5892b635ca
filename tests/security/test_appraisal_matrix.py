# ruff: noqa: F811 -- the fixtures of tests/party are imported by name and used as arguments
"""Role matrix of 民主评议党员 (party.appraisal): every site and API route × every role.
Roles: anonymous; a member of the branch (a participant); a non-participant (an activist of the
branch, who has a member record there); the branch's 支部书记; another branch's 书记; the
院系党委's 组织员; 组织部; a 培训管理员 (no party role). Two campaigns of the branch: this year's
with its 民主测评 open ({c}) and last year's at the committee's phase ({closed}). A route of
party.appraisal without a row here fails test_every_appraisal_route_has_rows."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from cms.roles import TRAINERS
from party.appraisal.services import campaign_advance, campaign_open
from tests.factories import make_user
from tests.party.appraisal.conftest import ballot_for, branch, rating  # noqa: F401 (fixtures)
from tests.party.conftest import tree  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ACTORS = (
    "anon",
    "member",
    "nonpart",
    "secretary",
    "secretary2",
    "organiser",
    "office",
    "trainer",
)


def _row(**allowed):
    """Every actor must have a row: a missing one is a test error, not a silent pass."""
    assert set(allowed) == set(ACTORS), set(ACTORS) ^ set(allowed)
    return {
        actor: status if isinstance(status, set) else {status} for actor, status in allowed.items()
    }


# fmt: off
SITE = [
    ("get", "/party/appraisal/", _row(
        anon=302, member=200, nonpart=200, secretary=200, secretary2=200, organiser=200,
        office=200, trainer=200)),
    ("post", "/party/appraisal/open/", _row(
        anon=302, member=404, nonpart=404, secretary=302, secretary2=404, organiser=302,
        office=302, trainer=404)),
    ("get", "/party/appraisal/report/?unit={branch}", _row(
        anon=302, member=404, nonpart=404, secretary=200, secretary2=404, organiser=200,
        office=200, trainer=404)),
    ("get", "/party/appraisal/report.xlsx?unit={branch}", _row(
        anon=302, member=404, nonpart=404, secretary=200, secretary2=404, organiser=200,
        office=200, trainer=404)),
    ("get", "/party/appraisal/{c}/", _row(
        anon=302, member=200, nonpart=404, secretary=200, secretary2=404, organiser=200,
        office=200, trainer=404)),
    ("post", "/party/appraisal/{c}/advance/", _row(
        anon=302, member=404, nonpart=404, secretary=302, secretary2=404, organiser=302,
        office=302, trainer=404)),
    ("get", "/party/appraisal/{c}/self/", _row(
        anon=302, member=200, nonpart=404, secretary=200, secretary2=404, organiser=404,
        office=404, trainer=404)),
    ("get", "/party/appraisal/{c}/ballot/", _row(
        anon=302, member=200, nonpart=404, secretary=200, secretary2=404, organiser=404,
        office=404, trainer=404)),
    ("post", "/party/appraisal/{c}/ballot/", _row(
        anon=302, member=302, nonpart=404, secretary=302, secretary2=404, organiser=404,
        office=404, trainer=404)),
    # while the 民主测评 is open the committee's page sends managers back (302)
    ("get", "/party/appraisal/{c}/committee/", _row(
        anon=302, member=404, nonpart=404, secretary=302, secretary2=404, organiser=302,
        office=302, trainer=404)),
    ("get", "/party/appraisal/{closed}/committee/", _row(
        anon=302, member=404, nonpart=404, secretary=200, secretary2=404, organiser=200,
        office=200, trainer=404)),
    ("post", "/party/appraisal/{closed}/committee/", _row(
        anon=302, member=404, nonpart=404, secretary=302, secretary2=404, organiser=302,
        office=302, trainer=404)),
]
API = [
    ("get", "/api/v1/appraisals/", _row(
        anon=401, member=200, nonpart=200, secretary=200, secretary2=200, organiser=200,
        office=200, trainer=200)),
    ("post", "/api/v1/appraisals/", _row(
        anon=401, member=404, nonpart=404, secretary=201, secretary2=404, organiser=201,
        office=201, trainer=404)),
    ("get", "/api/v1/appraisals/{c}/", _row(
        anon=401, member=200, nonpart=404, secretary=200, secretary2=404, organiser=200,
        office=200, trainer=404)),
    ("post", "/api/v1/appraisals/{c}/advance/", _row(
        anon=401, member=404, nonpart=404, secretary=200, secretary2=404, organiser=200,
        office=200, trainer=404)),
    ("get", "/api/v1/appraisals/{c}/self-assessment/", _row(
        anon=401, member=200, nonpart=404, secretary=200, secretary2=404, organiser=403,
        office=403, trainer=404)),
    ("put", "/api/v1/appraisals/{c}/self-assessment/", _row(
        anon=401, member=200, nonpart=404, secretary=200, secretary2=404, organiser=403,
        office=403, trainer=404)),
    ("get", "/api/v1/appraisals/{c}/ballot/", _row(
        anon=401, member=200, nonpart=404, secretary=200, secretary2=404, organiser=403,
        office=403, trainer=404)),
    # the ballot says why it refuses (403), even to a member of another branch
    ("post", "/api/v1/appraisals/{c}/votes/", _row(
        anon=401, member=201, nonpart=403, secretary=201, secretary2=403, organiser=403,
        office=403, trainer=403)),
    ("get", "/api/v1/appraisals/{c}/results/", _row(
        anon=401, member=409, nonpart=404, secretary=409, secretary2=404, organiser=409,
        office=409, trainer=404)),
    ("get", "/api/v1/appraisals/{closed}/results/", _row(
        anon=401, member=409, nonpart=404, secretary=200, secretary2=404, organiser=200,
        office=200, trainer=404)),
    ("put", "/api/v1/appraisals/{closed}/proposals/", _row(
        anon=401, member=404, nonpart=404, secretary=200, secretary2=404, organiser=200,
        office=200, trainer=404)),
    # {closed} is at the committee's phase: the decision is refused for the phase (400)
    ("post", "/api/v1/appraisals/{closed}/decision/", _row(
        anon=401, member=404, nonpart=404, secretary=400, secretary2=404, organiser=400,
        office=400, trainer=404)),
    ("get", "/api/v1/appraisals/{closed}/follow-ups/", _row(
        anon=401, member=404, nonpart=404, secretary=200, secretary2=404, organiser=200,
        office=200, trainer=404)),
    # 张三 is not graded 不合格: a follow-up is refused (400)
    ("post", "/api/v1/appraisals/{closed}/follow-ups/", _row(
        anon=401, member=404, nonpart=404, secretary=400, secretary2=404, organiser=400,
        office=400, trainer=404)),
    # no open follow-up of that id in {closed}: managers get 400, others do not see the campaign
    ("post", "/api/v1/appraisals/{closed}/follow-ups/close/", _row(
        anon=401, member=404, nonpart=404, secretary=400, secretary2=404, organiser=400,
        office=400, trainer=404)),
    ("get", "/api/v1/units/{branch}/appraisal-report/", _row(
        anon=401, member=404, nonpart=404, secretary=200, secretary2=404, organiser=200,
        office=200, trainer=404)),
]
# fmt: on
SECRET = "党员3"  # a member's name: never in a refusal


@pytest.fixture
def world(rating):
    users = rating["users"]
    users["office"].refresh_from_db()
    rating["users"]["nonpart"] = users["activist"]
    rating["users"]["trainer"] = make_user("ap_trainer", role=TRAINERS)
    year = timezone.localdate().year
    (closed,) = campaign_open(
        by_user=users["secretary"], unit=rating["units"]["law_b1"], year=year - 1
    )
    campaign_advance(by_user=users["secretary"], campaign_id=closed.pk)
    campaign_advance(by_user=users["secretary"], campaign_id=closed.pk)
    rating["closed"] = closed
    return rating


def _cases(table):
    for method, path, allowed in table:
        for actor, statuses in allowed.items():
            yield method, path, actor, statuses


def _path(world, template):
    return template.format(
        c=world["campaign"].pk, closed=world["closed"].pk, branch=world["units"]["law_b1"].pk
    )


def _user(world, actor):
    return None if actor == "anon" else world["users"][actor]


def _site_body(world, user):
    body = {"unit": world["units"]["law_b1"].pk, "year": timezone.localdate().year + 1}
    body["action"] = "propose"
    if user is not None:
        body.update({f"m{k}": v for k, v in ballot_for(world["campaign"], user).items()})
    return body


def _api_body(world, user):
    ratings = ballot_for(world["campaign"], user) if user is not None else {}
    return {
        "unit": world["units"]["law_b1"].pk,
        "year": timezone.localdate().year + 1,
        "text": "本年度认真学习。",
        "ratings": [{"member": k, "grade": v} for k, v in ratings.items()],
        "proposals": [],
        "decided_on": str(timezone.localdate()),
        "member": world["members"]["law_b1"].pk,
        "action": "rectify",
        "deadline": str(timezone.localdate()),
        "follow_up": 987654,
        "outcome": "按期改正",
    }


@pytest.mark.parametrize(("method", "path", "actor", "allowed"), list(_cases(SITE)))
def test_site_matrix(world, client, method, path, actor, allowed):
    user = _user(world, actor)
    if user is not None:
        client.force_login(user)
    body = _site_body(world, user) if method == "post" else None
    response = getattr(client, method)(_path(world, path), body)
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert SECRET not in response.content.decode(errors="replace")


@pytest.mark.parametrize(("method", "path", "actor", "allowed"), list(_cases(API)))
def test_api_matrix(world, method, path, actor, allowed):
    client = APIClient()
    user = _user(world, actor)
    if user is not None:
        client.force_authenticate(user)
    response = getattr(client, method)(_path(world, path), _api_body(world, user), format="json")
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert SECRET not in response.content.decode()


def test_party_office_lists_every_campaign(world):
    """组织部 sees every campaign through unit_scope, not only those it takes part in (the bug:
    an empty Q() for 'all' vanished from the OR with the participant condition)."""
    client = APIClient()
    client.force_authenticate(world["users"]["office"])
    ids = {row["id"] for row in client.get("/api/v1/appraisals/").json()}
    assert ids == {world["campaign"].pk, world["closed"].pk}


def test_refusals_carry_their_code(world):
    client = APIClient()
    client.force_authenticate(world["users"]["organiser"])
    pk = world["campaign"].pk
    assert client.get(f"/api/v1/appraisals/{pk}/ballot/").json()["code"] == "not_participant"
    assert client.get(f"/api/v1/appraisals/{pk}/results/").json()["code"] == "not_closed"


def _routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            module = getattr(entry.callback, "__module__", "")
            if module.startswith("party.appraisal"):
                yield "/" + prefix + str(entry.pattern)


def _normalise(route: str) -> str:
    return re.sub(r"<int:[a-z_]+>|\{[a-z0-9]+\}", "*", route.split("?")[0])


def test_every_appraisal_route_has_rows():
    covered = {(_normalise(path)) for _, path, _ in SITE + API}
    routes = {_normalise(r) for r in _routes(get_resolver().url_patterns)}
    assert routes and routes <= covered, routes - covered
