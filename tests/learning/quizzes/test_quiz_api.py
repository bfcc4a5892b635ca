"""The quiz REST API: start/resume, save, submit, 404 for others, 409 when closed, no answer leakage."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from learning.quizzes import api_views, drawing, selectors
from learning.quizzes.api_views import answer_input, attempt_payload, shaped
from learning.quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    AttemptStep,
    QuestionType,
    QuizKind,
)
from learning.quizzes.serializers import (
    AnswerInputSerializer,
    AnswerSavedSerializer,
    AttemptSerializer,
)
from learning.quizzes.tasks import deadline_window_end

pytestmark = pytest.mark.django_db

SECRET_EXPLANATION = "1921年7月，中国共产党第一次全国代表大会召开。"


@pytest.fixture
def trainee(quiz_user_factory):
    return quiz_user_factory("api-trainee")


@pytest.fixture
def api(trainee):
    client = APIClient()
    client.force_authenticate(trainee)
    return client


@pytest.fixture
def exam(quiz_exam_factory, quiz_class_factory, trainee, quiz_bank):
    klass = quiz_class_factory(trainees=[trainee])
    return quiz_exam_factory(
        klass,
        fixed=list(quiz_bank.questions.exclude(type=QuestionType.SHORT)),
        time_limit_minutes=90,
        review_after_submit="score",
        review_after_close="explanations",
    )


def start(api, quiz):
    return api.post(f"/api/v1/quizzes/{quiz.pk}/attempts/")


def assert_no_answers_in(payload: str, attempt: Attempt):
    assert SECRET_EXPLANATION not in payload
    assert "correct_answer" not in payload and "explanation" not in payload
    assert "全心全意为人民服务" not in payload  # a fill-in key
    assert '"perm"' not in payload


def test_start_then_resume(api, exam):
    first = start(api, exam)
    assert first.status_code == 201
    body = first.json()
    assert body["state"] == "in_progress" and body["quiz"] == exam.pk
    assert len(body["questions"]) == 12
    assert 5390 < body["remaining_seconds"] <= 5400
    question = body["questions"][0]
    assert set(question) <= {"id", "type", "stem", "options", "score", "blanks"}
    again = start(api, exam)
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_no_answer_or_explanation_leaves_before_review(api, exam):
    body = start(api, exam).content.decode()
    attempt = Attempt.objects.get()
    assert_no_answers_in(body, attempt)
    assert_no_answers_in(api.get(f"/api/v1/attempts/{attempt.pk}/").content.decode(), attempt)
    submitted = api.post(f"/api/v1/attempts/{attempt.pk}/submit/")
    assert submitted.status_code == 200
    # review_after_submit = score: the score, never the key.
    detail = api.get(f"/api/v1/attempts/{attempt.pk}/")
    assert detail.json()["score"] == "0.00"
    assert_no_answers_in(detail.content.decode(), attempt)


def test_review_after_close_shows_answers_and_explanations(api, exam):
    attempt_id = start(api, exam).json()["id"]
    api.post(f"/api/v1/attempts/{attempt_id}/submit/")
    exam.closes_at = timezone.now() - timedelta(minutes=1)
    exam.save()
    body = api.get(f"/api/v1/attempts/{attempt_id}/").json()
    single = next(q for q in body["questions"] if q["type"] == "single")
    assert single["correct_answer"] in "ABCD" and single["explanation"] == SECRET_EXPLANATION
    assert single["awarded"] == "0.00"


def test_review_nothing_hides_the_score_too(api, exam):
    exam.review_after_submit = "none"
    exam.save()
    attempt_id = start(api, exam).json()["id"]
    result = api.post(f"/api/v1/attempts/{attempt_id}/submit/").json()
    assert result["score"] is None and result["passed"] is None and result["state"] == "graded"
    assert "score" not in api.get(f"/api/v1/attempts/{attempt_id}/").json()


def test_save_submit_idempotent_and_409_after(api, exam):
    body = start(api, exam).json()
    tf = next(q for q in body["questions"] if q["type"] == "true_false")
    url = f"/api/v1/attempts/{body['id']}/answers/{tf['id']}/"
    saved = api.put(url, {"answer": True}, format="json")
    assert saved.status_code == 200 and saved.json()["answer"] is True
    assert api.get(f"/api/v1/attempts/{body['id']}/").json()["answers"] == {str(tf["id"]): True}
    first = api.post(f"/api/v1/attempts/{body['id']}/submit/").json()
    second = api.post(f"/api/v1/attempts/{body['id']}/submit/").json()
    assert first == second and first["score"] == "1.00" and first["state"] == "graded"
    late = api.put(url, {"answer": False}, format="json")
    assert late.status_code == 409 and late.json()["detail"]


def test_answer_after_the_deadline_is_409_and_attempt_closed(api, exam):
    body = start(api, exam).json()
    Attempt.objects.filter(pk=body["id"]).update(deadline=timezone.now() - timedelta(seconds=1))
    question = body["questions"][0]
    response = api.put(
        f"/api/v1/attempts/{body['id']}/answers/{question['id']}/", {"answer": "A"}, format="json"
    )
    assert response.status_code == 409
    assert Attempt.objects.get(pk=body["id"]).state == AttemptState.GRADED


def test_bad_answers_are_400_in_chinese_and_unknown_questions_404(api, exam):
    body = start(api, exam).json()
    single = next(q for q in body["questions"] if q["type"] == "single")
    bad = api.put(
        f"/api/v1/attempts/{body['id']}/answers/{single['id']}/", {"answer": "Z"}, format="json"
    )
    assert bad.status_code == 400 and "不存在" in bad.json()["errors"]["answer"][0]
    missing = api.put(
        f"/api/v1/attempts/{body['id']}/answers/999999/", {"answer": "A"}, format="json"
    )
    assert missing.status_code == 404


def test_other_users_attempts_are_404(api, exam, quiz_user_factory):
    attempt_id = start(api, exam).json()["id"]
    other = APIClient()
    other.force_authenticate(quiz_user_factory())
    assert other.get(f"/api/v1/attempts/{attempt_id}/").status_code == 404
    assert other.post(f"/api/v1/attempts/{attempt_id}/submit/").status_code == 404
    question_id = Attempt.objects.get().questions[0]["id"]
    put = other.put(
        f"/api/v1/attempts/{attempt_id}/answers/{question_id}/", {"answer": "A"}, format="json"
    )
    assert put.status_code == 404
    # Not enrolled: the exam does not exist for them either.
    assert other.post(f"/api/v1/quizzes/{exam.pk}/attempts/").status_code == 404
    assert APIClient().post(f"/api/v1/quizzes/{exam.pk}/attempts/").status_code == 401


def test_no_attempts_left_is_409(api, exam):
    exam.attempts_allowed = 1
    exam.save()
    attempt_id = start(api, exam).json()["id"]
    api.post(f"/api/v1/attempts/{attempt_id}/submit/")
    assert start(api, exam).status_code == 409


def test_practice_quiz_on_a_visible_lesson_any_logged_in_user(
    quiz_lesson, quiz_bank, quiz_user_factory
):
    from learning.quizzes.models import Quiz, QuizQuestion

    practice = Quiz.objects.create(
        title="课后练习",
        kind=QuizKind.PRACTICE,
        lesson=quiz_lesson,
        attempts_allowed=0,
        review_after_submit="explanations",
    )
    single = quiz_bank.questions.filter(type="single").first()
    QuizQuestion.objects.create(quiz=practice, question=single)
    client = APIClient()
    client.force_authenticate(quiz_user_factory())
    body = client.post(f"/api/v1/quizzes/{practice.pk}/attempts/").json()
    client.post(f"/api/v1/attempts/{body['id']}/submit/")
    review = client.get(f"/api/v1/attempts/{body['id']}/").json()
    assert review["questions"][0]["explanation"] == SECRET_EXPLANATION
    # Unpublished lesson: the practice quiz is gone for trainees.
    quiz_lesson.unpublish()
    assert client.post(f"/api/v1/quizzes/{practice.pk}/attempts/").status_code == 404


def test_query_counts_of_start_resume_save_and_submit_are_constant(
    api,
    database_tasks,
    quiz_exam_factory,
    quiz_class_factory,
    trainee,
    quiz_user_factory,
    quiz_bank,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    drawing.candidates_cache_clear()
    second = quiz_user_factory("api-trainee-2")
    third = quiz_user_factory("api-trainee-3")
    klass = quiz_class_factory(trainees=[trainee, second, third])
    exam = quiz_exam_factory(
        klass,
        rules=[
            {"type": QuestionType.SINGLE, "count": 3, "score": Decimal("2")},
            {"type": QuestionType.MULTIPLE, "count": 3, "score": Decimal("2")},
            {"type": QuestionType.TRUE_FALSE, "count": 3, "score": Decimal("2")},
        ],
        time_limit_minutes=60,
    )
    other, later = APIClient(), APIClient()
    other.force_authenticate(second)
    later.force_authenticate(third)
    # Tasks go to the database as in production; the clock is held so that the deadline windows
    # (10 s, learning/quizzes/tasks.py) of the starts are known.
    grid = deadline_window_end(timezone.now())
    with freeze_time(grid + timedelta(seconds=1)) as clock:
        # auth lookup is not counted (force_authenticate); the quiz with the enrolment, the
        # previous attempts, the fixed questions and the rules with their banks' versions (one
        # statement, selectors.quiz_for_start), candidates, chosen rows, savepoint + insert +
        # the deadline task of the quiz and window + release (a new attempt has no answers to read).
        with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(7):
            body = start(api, exam).json()
        # Steady state: the next trainee's start finds the rules' candidate ids cached in the
        # process and its deadline window already enqueued by it: two less.
        clock.tick(timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(5):
            assert start(other, exam).status_code == 201
        # A start whose deadline falls in the next window enqueues that window's task.
        clock.tick(timedelta(seconds=10))
        with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(6):
            assert start(later, exam).status_code == 201
        assert (
            DBTaskResult.objects.filter(
                task_path="learning.quizzes.tasks.quiz_attempts_close_overdue_task"
            ).count()
            == 2
        )
        # the quiz with enrolment, attempts and plan; the attempt; its answers.
        with django_assert_num_queries(3):
            assert start(api, exam).status_code == 200
        question = next(q for q in body["questions"] if q["type"] == "single")
        # The attempt's state and this question of its snapshot (unlocked), then the guarded
        # write: PostgreSQL one statement; SQLite savepoint, guarded upsert, step, release.
        with django_assert_num_queries(2 if connection.vendor == "postgresql" else 5):
            response = api.put(
                f"/api/v1/attempts/{body['id']}/answers/{question['id']}/",
                {"answer": question["options"][0]["key"]},
                format="json",
            )
        assert response.status_code == 200
        # savepoint, locked attempt with its quiz and class, answers, their grades (one bulk
        # update), attempt update, release.
        with django_assert_num_queries(6):
            assert api.post(f"/api/v1/attempts/{body['id']}/submit/").status_code == 200


def test_a_cleared_answer_is_stored_as_no_answer_and_every_save_is_a_step(api, exam):
    body = start(api, exam).json()
    question = next(q for q in body["questions"] if q["type"] == "multiple")
    url = f"/api/v1/attempts/{body['id']}/answers/{question['id']}/"
    assert api.put(url, {"answer": ["A", "C"]}, format="json").json()["answer"] == ["A", "C"]
    cleared = api.put(url, {"answer": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["answer"] is None
    row = AttemptAnswer.objects.get(attempt_id=body["id"], question_id=question["id"])
    assert row.answer is None
    assert AttemptAnswer.objects.filter(attempt_id=body["id"], answer__isnull=True).count() == 1
    steps = AttemptStep.objects.filter(attempt_id=body["id"], question_id=question["id"])
    assert [s.answer for s in steps.order_by("id")] == [["A", "C"], None]
    assert start(api, exam).json()["answers"] == {}


def test_a_save_that_meets_a_hand_in_between_its_read_and_its_write_writes_nothing(api, exam):
    """The guarded write checks the attempt again under its row lock (PostgreSQL) or the write
    lock (SQLite): an attempt handed in after the save read it (another tab, the deadline task)
    gets no answer, and the trainee a 409."""
    body = start(api, exam).json()
    question = next(q for q in body["questions"] if q["type"] == "single")
    handed_in = []

    def hand_in_first(execute, sql, params, many, context):
        if "INSERT" in sql and not handed_in:
            handed_in.append(sql)
            Attempt.objects.filter(pk=body["id"]).update(state=AttemptState.SUBMITTED)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(hand_in_first):
        response = api.put(
            f"/api/v1/attempts/{body['id']}/answers/{question['id']}/",
            {"answer": question["options"][0]["key"]},
            format="json",
        )
    assert handed_in
    assert response.status_code == 409
    assert not AttemptAnswer.objects.filter(attempt_id=body["id"]).exists()
    assert not AttemptStep.objects.filter(attempt_id=body["id"]).exists()


@pytest.mark.parametrize("case", ["submitted", "graded", "past the deadline", "another user's"])
def test_a_save_to_an_attempt_that_is_not_open_is_refused_and_writes_nothing(
    api, exam, quiz_user_factory, case
):
    """The guarded save (issue 20) refuses what the locking save refused, with the same status and
    message: 409 once handed in or past the deadline (then closed with the answers saved before),
    404 for someone else's attempt; no answer and no step written."""
    body = start(api, exam).json()
    question = next(q for q in body["questions"] if q["type"] == "single")
    client, status, detail = api, 409, "本次作答已结束，不能再修改答案。"
    if case == "submitted":
        Attempt.objects.filter(pk=body["id"]).update(state=AttemptState.SUBMITTED)
    elif case == "graded":
        assert api.post(f"/api/v1/attempts/{body['id']}/submit/").status_code == 200
    elif case == "past the deadline":
        Attempt.objects.filter(pk=body["id"]).update(deadline=timezone.now() - timedelta(seconds=1))
        detail = "考试时间已到，已按截止前保存的答案自动交卷。"
    else:
        client, status, detail = APIClient(), 404, None
        client.force_authenticate(quiz_user_factory("someone-else"))
    response = client.put(
        f"/api/v1/attempts/{body['id']}/answers/{question['id']}/",
        {"answer": question["options"][0]["key"]},
        format="json",
    )
    assert response.status_code == status
    if detail:
        assert response.json()["detail"] == detail
    assert not AttemptAnswer.objects.filter(attempt_id=body["id"]).exists()
    assert not AttemptStep.objects.filter(attempt_id=body["id"]).exists()
    if case == "past the deadline":
        assert Attempt.objects.get(pk=body["id"]).state == AttemptState.GRADED


def test_schema_lists_the_quiz_endpoints(api):
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/quizzes/{quiz_id}/attempts/" in paths
    assert "/api/v1/attempts/{attempt_id}/answers/{question_id}/" in paths


def _payload_through_serializers(detail: dict) -> dict:
    """What attempt_payload returned before it called the question fields directly."""
    data = dict(AttemptSerializer(detail).data)
    data = {key: value for key, value in data.items() if key in detail}
    data["questions"] = [
        {key: value for key, value in shaped.items() if key in source}
        for shaped, source in zip(data["questions"], detail["questions"], strict=True)
    ]
    return data


def test_the_attempt_payload_is_what_the_serializers_give(api, exam, quiz_bank):
    body = start(api, exam).json()
    for question in body["questions"][:4]:
        answer = True if question["type"] == "true_false" else None
        if question["options"]:
            answer = question["options"][0]["key"]
            answer = [answer] if question["type"] == "multiple" else answer
        if question["type"] == "fill":
            answer = ["为人民服务"]
        api.put(
            f"/api/v1/attempts/{body['id']}/answers/{question['id']}/",
            {"answer": answer},
            format="json",
        )
    attempt = Attempt.objects.select_related("quiz").get(pk=body["id"])
    details = [selectors.attempt_detail(attempt=attempt)]
    api.post(f"/api/v1/attempts/{body['id']}/submit/")
    exam.closes_at = timezone.now() - timedelta(minutes=1)
    exam.save()
    attempt = Attempt.objects.select_related("quiz").get(pk=body["id"])
    graded = selectors.attempt_detail(attempt=attempt)
    assert graded["review"] == "explanations"
    details.append(graded)
    # Every optional question field at once, and nulls.
    odd = dict(graded, deadline=None, remaining_seconds=None, score=None)
    odd["questions"] = [
        {**graded["questions"][0], "key_hidden": True, "comment": "很好", "awarded": None},
        {**graded["questions"][1], "blanks": 2, "awarded": Decimal("1.5")},
    ]
    details.append(odd)
    renderer = JSONRenderer()
    for detail in details:
        assert renderer.render(attempt_payload(detail)) == renderer.render(
            _payload_through_serializers(detail)
        )


def test_the_question_scores_are_shown_as_the_serializer_shows_them_every_time(api, exam):
    """A snapshot's score (text) is shown from a per-process memo after its first question: the
    same text as DecimalField gives, for any score and on every later call."""
    detail = selectors.attempt_detail(
        attempt=Attempt.objects.select_related("quiz").get(pk=start(api, exam).json()["id"])
    )
    template = detail["questions"][0]
    scores = ["2", "2.5", "0.50", "10", "1.333", "1.335", "99.999", "0", "-1", "1E+1", " 3 "]
    detail["questions"] = [{**template, "score": score} for score in scores] + [
        {**template, "score": Decimal("1.5")},
        {**template, "awarded": "1.25", "score": "1.25"},
    ]
    renderer = JSONRenderer()
    expected = renderer.render(_payload_through_serializers(detail))
    for _ in range(2):
        assert renderer.render(attempt_payload(detail)) == expected
    assert api_views._decimals_shown[("score", "1.335")] == "1.34"


@pytest.mark.parametrize(
    "answer", ["B", ["A", "C"], True, False, None, ["全心全意为人民服务", ""], 3, {"x": [1]}, ""]
)
def test_a_saves_answer_and_reply_are_what_the_serializers_give(answer):
    """The save takes a JSON body's answer without building AnswerInputSerializer and shapes its
    reply with AnswerSavedSerializer's fields built once (issue 20): the same values."""
    body = AnswerInputSerializer(data={"answer": answer})
    assert body.is_valid()
    assert answer_input({"answer": answer}) == body.validated_data["answer"]
    for remaining in (None, 5399.25):
        values = {
            "question_id": 7,
            "answer": answer,
            "saved_at": timezone.now(),
            "remaining_seconds": remaining,
        }
        renderer = JSONRenderer()
        assert renderer.render(shaped(AnswerSavedSerializer, values)) == renderer.render(
            AnswerSavedSerializer(values).data
        )


def test_a_save_without_an_answer_is_refused_as_the_serializer_refuses_it(api, exam):
    body = start(api, exam).json()
    question = next(q for q in body["questions"] if q["type"] == "single")
    url = f"/api/v1/attempts/{body['id']}/answers/{question['id']}/"
    for data in ({}, {"other": 1}, ["B"]):
        response = api.put(url, data, format="json")
        assert response.status_code == 400, response.content
    assert not AttemptAnswer.objects.exists()


def test_the_exam_routes_are_resolved_before_any_other_apps():
    """Resolving a URL tries the patterns in order, each tried in vain costs the request: the exam's
    routes (2,000 starts and saves in a minute) are the first under /api/v1/ (issue 20)."""
    from django.urls import get_resolver

    [api] = [p for p in get_resolver().url_patterns if str(p.pattern) == "api/"]
    first = next(p for p in api.url_patterns if str(p.pattern) == "v1/")
    assert first.urlconf_module.__name__ == "learning.quizzes.api_urls"
