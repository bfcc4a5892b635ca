"""切屏检测: leaving the exam page is counted once per event id, and past the limit hands the attempt in."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from learning.quizzes import services
from learning.quizzes.models import Attempt, AttemptFocusLoss, AttemptState, QuestionType

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee(quiz_user_factory):
    return quiz_user_factory("focus-trainee")


@pytest.fixture
def api(trainee):
    client = APIClient()
    client.force_authenticate(trainee)
    return client


@pytest.fixture
def singles(quiz_bank):
    return list(quiz_bank.questions.filter(type=QuestionType.SINGLE).order_by("id")[:2])


@pytest.fixture
def exam_factory(quiz_exam_factory, quiz_class_factory, trainee, singles):
    def make(**fields):
        klass = quiz_class_factory(trainees=[trainee])
        fields.setdefault("time_limit_minutes", 90)
        return quiz_exam_factory(klass, fixed=singles, shuffle_options=False, **fields)

    return make


def lost(api, attempt_id, event_id, **extra):
    return api.post(
        f"/api/v1/attempts/{attempt_id}/focus-lost/",
        {"event_id": event_id, **extra},
        format="json",
    )


def start(api, quiz) -> int:
    return api.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()["id"]


def test_each_event_counts_once_and_a_retry_is_not_counted(api, exam_factory):
    attempt_id = start(api, exam_factory(max_focus_losses=3))
    first = lost(api, attempt_id, "ev-1", hidden_at="2026-11-28T09:00:00+08:00")
    assert first.status_code == 200
    assert first.json() == {
        "id": attempt_id,
        "state": "in_progress",
        "focus_losses": 1,
        "max_focus_losses": 3,
        "closed_by_focus_loss": False,
        "recorded": True,
    }
    # The same report again (the response was lost in a network drop): not counted twice.
    again = lost(api, attempt_id, "ev-1")
    assert again.status_code == 200
    assert again.json()["focus_losses"] == 1 and again.json()["recorded"] is False
    assert lost(api, attempt_id, "ev-2").json()["focus_losses"] == 2
    events = list(AttemptFocusLoss.objects.filter(attempt_id=attempt_id))
    assert [e.event_id for e in events] == ["ev-1", "ev-2"]
    assert events[0].hidden_at.isoformat() == "2026-11-28T01:00:00+00:00"
    assert events[1].hidden_at is None and events[1].created_at is not None
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.focus_losses == 2 and attempt.state == AttemptState.IN_PROGRESS
    # The attempt detail tells the page where it stands (e.g. after a reload).
    detail = api.get(f"/api/v1/attempts/{attempt_id}/").json()
    assert detail["focus_losses"] == 2 and detail["max_focus_losses"] == 3
    assert detail["closed_by_focus_loss"] is False


def test_exceeding_the_limit_hands_in_with_the_answers_saved_so_far(api, exam_factory, singles):
    attempt_id = start(api, exam_factory(max_focus_losses=2))
    # Options are not shuffled: the bank key B is the key shown.
    saved = api.put(
        f"/api/v1/attempts/{attempt_id}/answers/{singles[0].pk}/", {"answer": "B"}, format="json"
    )
    assert saved.status_code == 200
    assert lost(api, attempt_id, "a").json()["state"] == "in_progress"
    assert lost(api, attempt_id, "b").json()["state"] == "in_progress"  # at the limit: still open
    third = lost(api, attempt_id, "c")
    assert third.status_code == 200
    body = third.json()
    assert body["state"] == "graded" and body["closed_by_focus_loss"] is True
    assert body["focus_losses"] == 3 and body["recorded"] is True
    assert body["detail"] == "离开考试页面次数超过限制，已自动交卷。"
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.state == AttemptState.GRADED and attempt.closed_by_focus_loss
    assert not attempt.closed_by_deadline and attempt.submitted_at is not None
    assert attempt.score == Decimal("2.00")  # the one answer saved before, graded
    # Retrying the report that closed it answers with the closed attempt, counted once.
    retry = lost(api, attempt_id, "c")
    assert retry.status_code == 200 and retry.json()["recorded"] is False
    assert retry.json()["state"] == "graded" and retry.json()["focus_losses"] == 3
    # Anything after the close is refused like an answer.
    assert lost(api, attempt_id, "d").status_code == 409
    assert (
        api.put(
            f"/api/v1/attempts/{attempt_id}/answers/{singles[1].pk}/",
            {"answer": "B"},
            format="json",
        ).status_code
        == 409
    )
    assert AttemptFocusLoss.objects.filter(attempt_id=attempt_id).count() == 3
    submitted = api.post(f"/api/v1/attempts/{attempt_id}/submit/").json()
    assert submitted["closed_by_focus_loss"] is True
    detail = api.get(f"/api/v1/attempts/{attempt_id}/").json()
    assert detail["closed_by_focus_loss"] is True and detail["focus_losses"] == 3


def test_limit_zero_only_records(api, exam_factory):
    attempt_id = start(api, exam_factory(max_focus_losses=0))
    for n in range(25):
        body = lost(api, attempt_id, f"e{n}").json()
        assert body["state"] == "in_progress"
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.focus_losses == 25 and attempt.state == AttemptState.IN_PROGRESS
    assert not attempt.closed_by_focus_loss


def test_practice_quizzes_default_to_no_limit(quiz_lesson):
    from learning.quizzes.models import Quiz, QuizKind

    quiz = Quiz.objects.create(title="练习", kind=QuizKind.PRACTICE, lesson=quiz_lesson)
    assert quiz.max_focus_losses == 0


def test_submitted_attempt_answers_409(api, exam_factory):
    attempt_id = start(api, exam_factory(max_focus_losses=3))
    assert api.post(f"/api/v1/attempts/{attempt_id}/submit/").status_code == 200
    response = lost(api, attempt_id, "late")
    assert response.status_code == 409 and response.json()["detail"]
    assert not AttemptFocusLoss.objects.exists()
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.focus_losses == 0 and not attempt.closed_by_focus_loss


def test_past_the_deadline_closes_by_deadline_not_by_focus(trainee, exam_factory, singles):
    exam = exam_factory(max_focus_losses=1, time_limit_minutes=30)
    begun = timezone.now() - timedelta(minutes=40)
    attempt, _ = services.attempt_start(quiz=exam, user=trainee, now=begun)
    services.attempt_answer_save(
        attempt_id=attempt.pk,
        user=trainee,
        question_id=singles[0].pk,
        answer="B",
        now=begun + timedelta(minutes=10),
    )
    from learning.quizzes.exceptions import AttemptClosed

    with pytest.raises(AttemptClosed):
        services.attempt_focus_lost(attempt_id=attempt.pk, user=trainee, event_id="x")
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED and attempt.closed_by_deadline
    assert not attempt.closed_by_focus_loss and attempt.focus_losses == 0
    assert attempt.score == Decimal("2.00")


def test_another_users_attempt_is_404(api, exam_factory, quiz_user_factory):
    attempt_id = start(api, exam_factory(max_focus_losses=3))
    stranger = APIClient()
    stranger.force_authenticate(quiz_user_factory("focus-stranger"))
    assert lost(stranger, attempt_id, "ev").status_code == 404
    assert lost(stranger, 987654, "ev").status_code == 404
    assert APIClient().post(
        f"/api/v1/attempts/{attempt_id}/focus-lost/", {"event_id": "ev"}, format="json"
    ).status_code in (401, 403)
    assert Attempt.objects.get(pk=attempt_id).focus_losses == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"event_id": ""}, {"event_id": "x" * 65}, {"event_id": "有空格 的"}, {"event_id": ["a"]}],
)
def test_bad_event_ids_are_400(api, exam_factory, body):
    attempt_id = start(api, exam_factory(max_focus_losses=3))
    response = api.post(f"/api/v1/attempts/{attempt_id}/focus-lost/", body, format="json")
    assert response.status_code == 400 and "event_id" in response.json()["errors"]
    assert Attempt.objects.get(pk=attempt_id).focus_losses == 0


def test_focus_lost_query_count_is_constant(api, exam_factory, django_assert_num_queries):
    attempt_id = start(api, exam_factory(max_focus_losses=50))
    # savepoint, locked attempt + quiz limit, event lookup, insert, counter update, release.
    for n in range(3):
        with django_assert_num_queries(6):
            assert lost(api, attempt_id, f"q{n}").json()["focus_losses"] == n + 1
    # A retried report: savepoint, lock, lookup, release.
    with django_assert_num_queries(4):
        assert lost(api, attempt_id, "q0").json()["recorded"] is False


def test_schema_describes_focus_lost(api):
    paths = json.loads(api.get("/api/schema/?format=json").content)["paths"]
    operation = paths["/api/v1/attempts/{attempt_id}/focus-lost/"]["post"]
    assert operation["operationId"] == "attempt_focus_lost"
    assert set(operation["responses"]) >= {"200", "400", "404", "409"}
