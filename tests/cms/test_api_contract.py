"""What the schema states is what the API does (issue 23): strict parameters, errors listed."""

import re

import pytest
from django.core.validators import URLValidator
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/api/schema/?format=json").json()


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


@pytest.mark.parametrize(
    "query",
    [{"page_size": "null"}, {"page_size": ""}, {"page_size": "1.5"}, {"page": "0"}, {"page": ""}],
)
def test_page_and_page_size_must_be_positive_integers(api_client, query):
    response = api_client.get("/api/v1/lessons/", query)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"} and set(body["errors"]) == set(query)


def test_page_size_above_the_cap_counts_as_the_cap_and_past_the_end_is_404(api_client):
    assert api_client.get("/api/v1/lessons/", {"page_size": 5000}).status_code == 200
    assert api_client.get("/api/v1/lessons/", {"page": 9}).status_code == 404


def test_an_empty_kind_is_refused(api_client):
    response = api_client.get("/api/v1/lessons/", {"kind": ""})
    assert response.status_code == 400 and "kind" in response.json()["errors"]


def test_an_id_beyond_64_bits_is_404_not_500(api_client):
    assert api_client.get(f"/api/v1/courses/{10**19}/").status_code == 404


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/members/?stage=nonsense", "stage"),
        ("/api/v1/members/?unit=x", "unit"),
        ("/api/v1/meetings/?unit=x", "unit"),
        ("/api/v1/appraisals/?year=abc", "year"),
    ],
)
def test_party_filters_are_validated_not_ignored(url, field):
    client = APIClient()
    client.force_authenticate(make_user())
    response = client.get(url)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_every_operation_lists_the_errors_it_can_answer(schema):
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        assert {"401", "503"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if operation.get("requestBody") or any(
            p["in"] == "query" for p in operation.get("parameters", [])
        ):
            assert "400" in codes, (method, path)
    retry = schema["paths"]["/api/v1/lessons/"]["get"]["responses"]["503"]["headers"]
    assert retry["Retry-After"]["required"] is True


def test_the_schema_states_the_rules(schema):
    search = {p["name"]: p for p in schema["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert search["q"]["required"] is True and search["q"]["schema"]["minLength"] == 1
    lessons = {p["name"]: p for p in schema["paths"]["/api/v1/lessons/"]["get"]["parameters"]}
    assert lessons["page_size"]["schema"]["minimum"] == 1
    issue = schema["paths"]["/api/v1/classes/{id}/certificates/"]["post"]["requestBody"]
    assert issue["required"] is True
    branches = issue["content"]["application/json"]["schema"]["anyOf"]
    assert [b["required"] for b in branches] == [["trainee"], ["all"]]


def test_a_meeting_link_is_described_as_what_the_server_accepts(schema):
    field = schema["components"]["schemas"]["MeetingRequest"]["properties"]["online_link"]
    link = field["oneOf"][0]  # the other branch: blank
    assert link["maxLength"] == 200
    pattern = re.compile(link["pattern"])
    for accepted in ("", "https://meeting.tencent.com/dm/abc?x=1", "http://a.example.cn:8080/"):
        if accepted:
            URLValidator()(accepted)  # and Django agrees
        assert pattern.search(accepted), accepted
    for refused in ("ftp://example.com/", "http://localhost/", "javascript:alert(1)"):
        assert not pattern.search(refused), refused


def test_errors_of_a_list_item_are_messages_not_a_repr():
    from rest_framework import serializers

    from cms.api_support import exception_handler

    class Months(serializers.Serializer):
        months = serializers.ListField(child=serializers.CharField())

    data = Months(data={"months": ["2026-01", "a\x00b"]})
    assert not data.is_valid()
    body = exception_handler(serializers.ValidationError(data.errors), {}).data
    assert body["errors"]["months"] == [str(data.errors["months"][1][0])]
    assert "ErrorDetail" not in body["detail"]
