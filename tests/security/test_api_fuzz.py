"""The API does what its schema says: schemathesis with every check over every operation.

Each operation of /api/schema/ is fuzzed in-process (the WSGI application, the test database) as a
trainee, as a trainer and anonymously, with schema-valid (positive) and schema-violating (negative)
data, and every response goes through all of schemathesis's checks (`case.call_and_validate()`, the
Python API's `--checks all`): no 5xx; status codes, content types, headers and bodies as the schema
says; invalid data rejected, valid data accepted; undocumented methods answer 405; credentials are
not ignored. A failure names the operation and the check, with one request that shows it.
(Schemathesis's pytest plugin does not support pytest 9 yet, so hypothesis drives the operations.)

docs/api.md, "Contract checks", says what this enforces and what a new endpoint needs.
"""

import contextlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup

from cms.roles import TRAINEES, TRAINERS
from learning.classes.models import Enrolment, TrainingClass
from tests.factories import (
    make_article,
    make_branch_unit,
    make_course,
    make_trainee_profile,
    make_user,
)

pytestmark = pytest.mark.django_db

# Examples per operation, per generation mode and role: bounds the running time (docs/api.md).
EXAMPLES = 5
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Schema-valid requests an operation refuses with 400 by a rule a schema cannot state. Each entry
# says which rule; anything else a schema-valid request gets a 400 for is a failure.
RULES_THE_SCHEMA_CANNOT_STATE = {
    "POST /api/v1/auth/token/": "a wrong username or password (docs/api.md, Logging in)",
    "POST /api/v1/auth/password/": "a wrong old password, or a new one Django's rules refuse",
    "POST /api/v1/members/": "a unit that does not exist, or a student number already registered",
    "GET /api/v1/classes/{id}/report/": "branch and college must be ones of the class's trainees",
    "GET /api/v1/classes/{id}/report.xlsx": "branch and college must be ones of the class's trainees",
    "GET /api/v1/classes/{id}/report.csv": "branch and college must be ones of the class's trainees",
    "POST /api/v1/classes/{id}/offline-sessions/": (
        "hours or days (one of them), at least one enrolled trainee, a date not in the future"
    ),
    "POST /api/v1/classes/{id}/offline-sessions/{session_id}/leaves/": (
        "an enrolled trainee who missed the session and has no 请假 for it yet; a reason that is "
        "not only spaces"
    ),
    "POST /api/v1/lessons/{lesson_id}/progress/": (
        "what a report carries depends on the lesson: an article's needs `active` (domain.md)"
    ),
}


def _load_schema():
    """The schema as /api/schema/ serves it, with request bodies in JSON, the API's encoding
    (docs/api.md), wherever an operation takes JSON: DRF also parses form encodings, which cannot
    carry null or nested values, so generated bodies in them test the encoding, not the API."""
    app = get_wsgi_application()
    raw = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app).raw_schema
    for methods in raw["paths"].values():
        for operation in methods.values():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                for media_type in list(content):
                    if media_type != "application/json":
                        del content[media_type]
    schema = schemathesis.openapi.from_dict(raw)
    # Text fields refuse NUL characters (DRF's CharField: 400), a rule of the whole API
    # (docs/api.md, Contract checks); the CLI's --generation-allow-x00=false.
    schema.config.generation.update(allow_x00=False)
    schema.app = app
    return schema


def _known_ids(operation, ids: dict) -> dict | None:
    """Path parameters filled with objects that exist (`/classes/{id}/` → the class), so the fuzzing
    reaches the answers a real object gives, not only 404s; None when some parameter is unknown."""
    segments = operation.path.strip("/").split("/")
    filled = {}
    for before, segment in zip(segments, segments[1:], strict=False):
        if segment.startswith("{"):
            if before not in ids:
                return None
            filled[segment.strip("{}")] = ids[before]
    return filled or None


def _allowed(operation, failure, response) -> bool:
    return (
        type(failure).__name__ == "RejectedPositiveData"
        and operation.label in RULES_THE_SCHEMA_CANNOT_STATE
        and response is not None
        and response.status_code == 400
    )


def _check_every_operation(token: Token | None, ids: dict) -> dict:
    headers = {"Authorization": f"Token {token.key}"} if token else {}
    schema = _load_schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60, "the schema should describe the whole API"
    failures: dict[tuple[str, str], str] = {}

    for operation in operations:
        strategies = [
            operation.as_strategy(generation_mode=mode)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        ]
        if (known := _known_ids(operation, ids)) is not None:
            strategies.append(operation.as_strategy(path_parameters=known))
        for strategy in strategies:

            @given(case=strategy)
            @FUZZ
            def run(case):  # runs at once, inside this iteration (hence the B023 noqa below)
                if token:  # DELETE /auth/token/ ends it: each request starts logged in
                    Token.objects.get_or_create(key=token.key, defaults={"user": token.user})
                response = None
                try:
                    response = case.call(headers=headers)
                    case.validate_response(
                        response, headers=headers, transport_kwargs={"headers": headers}
                    )
                except (FailureGroup, Failure) as exc:
                    found = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
                    for failure in found:
                        if _allowed(operation, failure, response):  # noqa: B023
                            continue
                        check = ", ".join(type(failure).checks) or type(failure).__name__
                        failures.setdefault(
                            (operation.label, check),  # noqa: B023
                            f"{failure.title}: {failure.message[:400]}\n"
                            f"    e.g. {case.method} {case.formatted_path} query={case.query!r} "
                            f"body={case.body!r}"[:700]
                            + (
                                f"\n    -> {response.status_code} {response.text[:300]}"
                                if response
                                else ""
                            ),
                        )

            with contextlib.suppress(Unsatisfiable):  # an operation without inputs to negate
                run()
    return failures


def _report(failures: dict) -> str:
    lines = [
        f"{len(failures)} contract failure(s) — operation · check (docs/api.md, Contract checks):"
    ]
    for (label, check), example in sorted(failures.items()):
        lines.append(f"- {label} · {check}\n    {example}")
    return "\n".join(lines)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Like Django's test client: requests must not close the connection holding the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world():
    """A course with a lesson, and a class with its trainer and one trainee (a member)."""
    course = make_course("模糊测试专题")
    lesson = make_article(course, "模糊测试课")
    # The trainee is a member of a 党支部 (issue 15): /api/v1/me/dues/ and the other member
    # routes answer them with bodies, which the schema must describe too.
    branch = make_branch_unit("模糊测试学院党委", "模糊测试支部")
    trainee = make_user(role=TRAINEES)
    profile = make_trainee_profile(user=trainee, name="学员甲", student_no="F0001", branch=branch)
    trainer = make_user(role=TRAINERS)
    training_class = TrainingClass.objects.create(name="模糊测试培训班")
    training_class.trainers.add(trainer)
    training_class.required_lessons.add(lesson)
    Enrolment.objects.create(training_class=training_class, trainee=profile)
    ids = {
        "courses": course.pk,
        "lessons": lesson.pk,
        "classes": training_class.pk,
        "trainees": profile.pk,
    }
    return {"trainee": trainee, "trainer": trainer, "ids": ids}


@pytest.mark.parametrize("role", ["trainee", "trainer", "anonymous"])
def test_every_operation_keeps_the_contract(world, role):
    token = None if role == "anonymous" else Token.objects.create(user=world[role])
    failures = _check_every_operation(token, world["ids"])
    assert not failures, _report(failures)
