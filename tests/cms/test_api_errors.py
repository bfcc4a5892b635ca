"""Errors Django raises before DRF sees the request still answer in the API's JSON format."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_an_oversized_api_body_is_json_413(client, settings):
    body = json.dumps(
        {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10), "password": "p"}
    )
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "请求内容过大。Request body too large."}


def test_too_many_form_fields_is_a_json_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    data = "&".join(f"f{i}=1" for i in range(10))
    response = client.post(
        "/api/v1/auth/token/", data, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "请求无效。Bad request."}


def test_site_pages_keep_the_html_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    data = "&".join(f"f{i}=1" for i in range(10))
    response = client.post(
        "/accounts/login/", data, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
