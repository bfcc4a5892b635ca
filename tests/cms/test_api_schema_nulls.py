"""The OpenAPI schema says which content fields may be null, as the API sends them (issue 23)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()["components"]["schemas"]


@pytest.mark.parametrize(
    "component,field",
    [
        ("Course", "cover_url"),
        ("CourseDetail", "cover_url"),
        ("Lesson", "min_reading_seconds"),
        ("Lesson", "course"),
        ("LessonDetail", "min_reading_seconds"),
        ("LessonDetail", "body_html"),
        ("LessonDetail", "quiz"),
    ],
)
def test_fields_sent_as_null_are_nullable_in_the_schema(schema, component, field):
    assert schema[component]["properties"][field].get("nullable") is True
