"""Attempts: draw rules, shuffling, deadlines and overdue closing, idempotent submit, manual grades."""

import io
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook

from learning.quizzes import drawing, excel, selectors, services
from learning.quizzes.exceptions import AttemptClosed, NotAllowed, QuizNotAvailable
from learning.quizzes.models import Attempt, AttemptState, Question, QuestionBank, QuestionType

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee(quiz_user_factory):
    return quiz_user_factory("trainee")


@pytest.fixture
def klass(quiz_class_factory, trainee):
    return quiz_class_factory(trainees=[trainee])


def correct_response(question):
    return question["answer"]


def test_draw_rules_respected_and_no_question_twice(quiz_exam_factory, klass, trainee, quiz_bank):
    exam = quiz_exam_factory(
        klass,
        rules=[
            {"type": QuestionType.SINGLE, "count": 2, "score": Decimal("5")},
            {"type": QuestionType.MULTIPLE, "count": 3, "score": Decimal("4"), "category": "党章"},
            {"type": QuestionType.TRUE_FALSE, "count": 3, "score": Decimal("1")},
            # Overlaps the first rule's pool: must not draw a question already drawn.
            {"type": QuestionType.SINGLE, "count": 1, "score": Decimal("5")},
        ],
    )
    attempt, created = services.attempt_start(quiz=exam, user=trainee)
    assert created
    ids = [q["id"] for q in attempt.questions]
    assert len(ids) == len(set(ids)) == 9
    types = [q["type"] for q in attempt.questions]
    assert types.count("single") == 3 and types.count("multiple") == 3
    assert types.count("true_false") == 3
    by_id = Question.objects.in_bulk(ids)
    assert all(
        by_id[q["id"]].category == "党章" for q in attempt.questions if q["type"] == "multiple"
    )
    assert attempt.max_score == Decimal("30")  # 3 × 5 + 3 × 4 + 3 × 1


def test_rules_the_bank_cannot_satisfy_are_refused(quiz_exam_factory, klass, trainee):
    exam = quiz_exam_factory(klass, rules=[{"type": QuestionType.SINGLE, "count": 4, "score": 1}])
    with pytest.raises(QuizNotAvailable, match="不足"):
        services.attempt_start(quiz=exam, user=trainee)
    assert services.quiz_problems(quiz=exam)


def test_only_enrolled_trainees_may_start_an_exam(quiz_exam_factory, klass, quiz_user_factory):
    exam = quiz_exam_factory(klass, fixed=list(Question.objects.all()[:2]))
    with pytest.raises(NotAllowed):
        services.attempt_start(quiz=exam, user=quiz_user_factory())


def test_shuffling_is_per_attempt_and_grading_follows_it(
    quiz_exam_factory, quiz_class_factory, quiz_user_factory, quiz_bank
):
    users = [quiz_user_factory() for _ in range(4)]
    klass = quiz_class_factory(trainees=users)
    choices = list(quiz_bank.questions.filter(type__in=["single", "multiple"]))
    exam = quiz_exam_factory(klass, fixed=choices)
    orders, option_orders = set(), set()
    for user in users:
        attempt, _ = services.attempt_start(quiz=exam, user=user)
        orders.add(tuple(q["id"] for q in attempt.questions))
        option_orders.add(tuple(tuple(q["perm"]) for q in attempt.questions))
        for question in attempt.questions:
            original = Question.objects.get(pk=question["id"])
            # The shown options are the question's options in this attempt's order…
            assert [o["text"] for o in question["options"]] == [
                original.options[i] for i in question["perm"]
            ]
            # …and answering the shown letters of the right texts earns full marks.
            right_texts = {original.options["ABCD".index(k)] for k in original.answer}
            shown = sorted(o["key"] for o in question["options"] if o["text"] in right_texts)
            response = shown[0] if question["type"] == "single" else shown
            services.attempt_answer_save(
                attempt_id=attempt.pk, user=user, question_id=question["id"], answer=response
            )
        result = services.attempt_submit(attempt_id=attempt.pk, user=user)
        assert result.score == result.max_score
    assert len(orders) > 1 and len(option_orders) > 1


def test_second_start_resumes_the_attempt_in_progress(quiz_exam_factory, klass, trainee):
    exam = quiz_exam_factory(klass, fixed=list(Question.objects.all()[:3]))
    first, created = services.attempt_start(quiz=exam, user=trainee)
    again, created_again = services.attempt_start(quiz=exam, user=trainee)
    assert created and not created_again and first.pk == again.pk


def test_attempts_allowed_and_window(quiz_exam_factory, klass, trainee):
    exam = quiz_exam_factory(klass, fixed=list(Question.objects.all()[:2]), attempts_allowed=1)
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    services.attempt_submit(attempt_id=attempt.pk, user=trainee)
    with pytest.raises(QuizNotAvailable, match="次数"):
        services.attempt_start(quiz=exam, user=trainee)
    later = quiz_exam_factory(
        klass, fixed=list(Question.objects.all()[:2]), opens_at=timezone.now() + timedelta(hours=1)
    )
    with pytest.raises(QuizNotAvailable, match="开放"):
        services.attempt_start(quiz=later, user=trainee)


def test_submit_is_idempotent(quiz_exam_factory, klass, trainee, quiz_bank):
    single = quiz_bank.questions.filter(type="single").first()
    exam = quiz_exam_factory(klass, fixed=[single], shuffle_options=False)
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    services.attempt_answer_save(
        attempt_id=attempt.pk, user=trainee, question_id=single.pk, answer="B"
    )
    first = services.attempt_submit(attempt_id=attempt.pk, user=trainee)
    second = services.attempt_submit(attempt_id=attempt.pk, user=trainee)
    assert first.state == second.state == AttemptState.GRADED
    assert first.score == second.score == Decimal("2.00")
    assert first.submitted_at == second.submitted_at
    assert first.passed is True
    with pytest.raises(AttemptClosed):
        services.attempt_answer_save(
            attempt_id=attempt.pk, user=trainee, question_id=single.pk, answer="A"
        )


def test_deadline_refuses_answers_and_closes_with_answers_saved_by_then(
    quiz_exam_factory, klass, trainee, quiz_bank
):
    singles = list(quiz_bank.questions.filter(type="single")[:2])
    exam = quiz_exam_factory(klass, fixed=singles, time_limit_minutes=30, shuffle_options=False)
    start = timezone.now()
    attempt, _ = services.attempt_start(quiz=exam, user=trainee, now=start)
    assert attempt.deadline == start + timedelta(minutes=30)
    services.attempt_answer_save(
        attempt_id=attempt.pk,
        user=trainee,
        question_id=singles[0].pk,
        answer="B",
        now=start + timedelta(minutes=29),
    )
    with pytest.raises(AttemptClosed):
        services.attempt_answer_save(
            attempt_id=attempt.pk,
            user=trainee,
            question_id=singles[1].pk,
            answer="B",
            now=start + timedelta(minutes=31),
        )
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED
    assert attempt.closed_by_deadline and attempt.submitted_at == attempt.deadline
    assert attempt.score == Decimal("2.00")  # only the answer saved before the deadline


def test_overdue_attempts_are_closed_by_the_task(quiz_exam_factory, klass, trainee, quiz_bank):
    from learning.quizzes.tasks import attempts_close_overdue_task

    exam = quiz_exam_factory(klass, fixed=list(quiz_bank.questions.all()[:2]), time_limit_minutes=1)
    past = timezone.now() - timedelta(minutes=5)
    attempt, _ = services.attempt_start(quiz=exam, user=trainee, now=past)
    fresh = quiz_exam_factory(
        klass, fixed=list(quiz_bank.questions.all()[:2]), time_limit_minutes=60
    )
    running, _ = services.attempt_start(quiz=fresh, user=trainee)
    assert attempts_close_overdue_task.enqueue().return_value == 1
    attempt.refresh_from_db()
    running.refresh_from_db()
    assert attempt.state != AttemptState.IN_PROGRESS and attempt.closed_by_deadline
    assert running.state == AttemptState.IN_PROGRESS


def test_overdue_attempt_is_closed_when_touched_by_start(
    quiz_exam_factory, klass, trainee, quiz_bank
):
    exam = quiz_exam_factory(klass, fixed=list(quiz_bank.questions.all()[:2]), time_limit_minutes=1)
    past = timezone.now() - timedelta(minutes=5)
    old, _ = services.attempt_start(quiz=exam, user=trainee, now=past)
    new, created = services.attempt_start(quiz=exam, user=trainee)
    old.refresh_from_db()
    assert created and new.pk != old.pk and old.closed_by_deadline


def test_short_answers_wait_for_a_trainer_then_pass(
    quiz_exam_factory, klass, trainee, quiz_bank, quiz_user_factory
):
    short = quiz_bank.questions.filter(type="short").first()
    single = quiz_bank.questions.filter(type="single").first()
    exam = quiz_exam_factory(klass, fixed=[single, short], shuffle_options=False)
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    services.attempt_answer_save(
        attempt_id=attempt.pk, user=trainee, question_id=short.pk, answer="为共产主义奋斗终身"
    )
    services.attempt_answer_save(
        attempt_id=attempt.pk, user=trainee, question_id=single.pk, answer="B"
    )
    attempt = services.attempt_submit(attempt_id=attempt.pk, user=trainee)
    assert attempt.state == AttemptState.NEEDS_GRADING and attempt.passed is None
    trainer = quiz_user_factory()
    klass.trainers.add(trainer)
    assert list(selectors.grading_queue(user=trainer)) == [attempt]
    assert list(selectors.grading_queue(user=quiz_user_factory())) == []
    attempt = services.answer_grade(
        attempt_id=attempt.pk,
        question_id=short.pk,
        grader=trainer,
        awarded=Decimal("7"),
        comment="认识较深刻",
    )
    assert attempt.state == AttemptState.GRADED
    assert attempt.score == Decimal("9.00") and attempt.passed is True
    row = attempt.answers.get(question_id=short.pk)
    assert row.grader == trainer and row.comment == "认识较深刻"


def test_counted_attempt_follows_the_grading_method(quiz_exam_factory, klass, trainee, quiz_bank):
    single = quiz_bank.questions.filter(type="single").first()
    exam = quiz_exam_factory(klass, fixed=[single], shuffle_options=False, grading_method="last")
    for answer in ("B", "A"):
        attempt, _ = services.attempt_start(quiz=exam, user=trainee)
        services.attempt_answer_save(
            attempt_id=attempt.pk, user=trainee, question_id=single.pk, answer=answer
        )
        services.attempt_submit(attempt_id=attempt.pk, user=trainee)
    counted = selectors.quiz_result(quiz=exam, user=trainee)
    assert counted.number == 2 and counted.passed is False and counted.percent == Decimal("0.00")
    exam.grading_method = "highest"
    exam.save()
    counted = selectors.quiz_result(quiz=exam, user=trainee)
    assert counted.number == 1 and counted.passed is True
    assert counted.percent == Decimal("100.00")


def test_editing_a_question_later_never_changes_a_past_attempt(
    quiz_exam_factory, klass, trainee, quiz_bank
):
    single = quiz_bank.questions.filter(type="single").first()
    exam = quiz_exam_factory(klass, fixed=[single], shuffle_options=False)
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    services.attempt_answer_save(
        attempt_id=attempt.pk, user=trainee, question_id=single.pk, answer="B"
    )
    services.attempt_submit(attempt_id=attempt.pk, user=trainee)
    single.answer = "C"
    single.stem = "改过的题干"
    single.save()
    regraded = services.attempt_regrade(attempt_id=attempt.pk)
    assert regraded.score == Decimal("2.00")
    assert Attempt.objects.get(pk=attempt.pk).questions[0]["stem"] != "改过的题干"


def test_passing_an_exam_with_a_credit_adds_hours_to_the_ledger_once(
    quiz_exam_factory, klass, trainee, quiz_bank, django_capture_on_commit_callbacks
):
    from learning.progress.models import HoursLedgerEntry

    single = quiz_bank.questions.filter(type="single").first()
    exam = quiz_exam_factory(
        klass, fixed=[single], shuffle_options=False, class_hours_credit=Decimal("0.5")
    )
    for _ in range(2):
        attempt, _ = services.attempt_start(quiz=exam, user=trainee)
        services.attempt_answer_save(
            attempt_id=attempt.pk, user=trainee, question_id=single.pk, answer="B"
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.attempt_submit(attempt_id=attempt.pk, user=trainee)
    entry = HoursLedgerEntry.objects.get(user=trainee)
    assert entry.source == "exam" and entry.amount == Decimal("0.50")
    assert entry.training_class == klass


def test_a_timed_attempt_schedules_the_closing_of_its_deadline_window(
    settings, quiz_exam_factory, klass, trainee, quiz_bank
):
    from django_tasks import default_task_backend

    from learning.quizzes import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    tasks.deadline_windows_forget()
    exam = quiz_exam_factory(
        klass, fixed=list(quiz_bank.questions.all()[:2]), time_limit_minutes=30
    )
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    [result] = [
        r for r in default_task_backend.results if r.task.name == "quiz_attempts_close_overdue_task"
    ]
    window_end = tasks.deadline_window_end(attempt.deadline)
    assert result.kwargs == {"quiz_id": exam.pk, "window_end": window_end.isoformat()}
    assert window_end - timedelta(seconds=10) < attempt.deadline <= window_end
    assert result.task.run_after == window_end + timedelta(seconds=5)
    # An abandoned attempt is closed 5–15 s after its deadline (docs/exams.md).
    delay = result.task.run_after - attempt.deadline
    assert timedelta(seconds=5) <= delay < timedelta(seconds=15)
    assert not [
        r for r in default_task_backend.results if r.task.name == "attempt_close_overdue_task"
    ]
    tasks.deadline_windows_forget()


def test_the_deadline_window_ends_on_the_next_multiple_of_ten_seconds():
    from datetime import UTC, datetime

    from learning.quizzes.tasks import DEADLINE_WINDOW_SECONDS, deadline_window_end

    assert DEADLINE_WINDOW_SECONDS == 10
    on_the_grid = datetime(2026, 12, 7, 3, 0, 10, tzinfo=UTC)
    assert deadline_window_end(on_the_grid) == on_the_grid
    assert deadline_window_end(on_the_grid + timedelta(microseconds=1)) == on_the_grid + timedelta(
        seconds=10
    )
    assert deadline_window_end(on_the_grid - timedelta(seconds=9, microseconds=999_999)) == (
        on_the_grid
    )


def _window_tasks():
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(
            task_path="learning.quizzes.tasks.quiz_attempts_close_overdue_task"
        ).order_by("run_after")
    )


def test_one_deadline_task_per_quiz_and_window(
    database_tasks,
    quiz_exam_factory,
    quiz_class_factory,
    quiz_user_factory,
    quiz_bank,
    django_capture_on_commit_callbacks,
):
    from learning.quizzes.tasks import deadline_window_end

    users = [quiz_user_factory(f"window-{n}") for n in range(4)]
    klass = quiz_class_factory(trainees=users)
    fixed = list(quiz_bank.questions.all()[:2])
    exam = quiz_exam_factory(klass, fixed=fixed, time_limit_minutes=30)
    other_exam = quiz_exam_factory(klass, fixed=fixed, time_limit_minutes=30)
    grid = deadline_window_end(timezone.now())  # a multiple of 10 s: the windows are known

    def start_at(quiz, user, seconds):
        with django_capture_on_commit_callbacks(execute=True):
            attempt, created = services.attempt_start(
                quiz=quiz, user=user, now=grid + timedelta(seconds=seconds)
            )
        assert created
        return attempt

    first = start_at(exam, users[0], 1)
    start_at(exam, users[1], 8)  # deadline in the same window: nothing more enqueued
    [task] = _window_tasks()
    window_end = grid + timedelta(minutes=30, seconds=10)
    assert task.args_kwargs == {
        "args": [],
        "kwargs": {"quiz_id": exam.pk, "window_end": window_end.isoformat()},
    }
    assert task.run_after == window_end + timedelta(seconds=5)
    assert first.deadline + timedelta(seconds=5) < task.run_after
    start_at(exam, users[2], 12)  # the next window: its own task
    start_at(other_exam, users[3], 2)  # another quiz, same window: its own task
    rows = _window_tasks()
    assert len(rows) == 3
    assert sorted((r.args_kwargs["kwargs"]["quiz_id"], r.run_after) for r in rows) == sorted(
        [
            (exam.pk, window_end + timedelta(seconds=5)),
            (exam.pk, window_end + timedelta(seconds=15)),
            (other_exam.pk, window_end + timedelta(seconds=5)),
        ]
    )
    # The old per-attempt task is no longer enqueued.
    from django_tasks_db.models import DBTaskResult

    assert not DBTaskResult.objects.filter(
        task_path="learning.quizzes.tasks.attempt_close_overdue_task"
    ).exists()


def test_a_rolled_back_start_leaves_no_task_and_the_window_to_the_next_start(
    database_tasks,
    quiz_exam_factory,
    quiz_class_factory,
    quiz_user_factory,
    quiz_bank,
    django_capture_on_commit_callbacks,
):
    from django.db import transaction

    first_user, second_user = quiz_user_factory("rolled-1"), quiz_user_factory("rolled-2")
    klass = quiz_class_factory(trainees=[first_user, second_user])
    exam = quiz_exam_factory(
        klass, fixed=list(quiz_bank.questions.all()[:2]), time_limit_minutes=30
    )
    now = timezone.now()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.attempt_start(quiz=exam, user=first_user, now=now)
        assert len(_window_tasks()) == 1
        raise RuntimeError("the request failed after the start")
    assert callbacks == []
    assert _window_tasks() == [] and not Attempt.objects.filter(quiz=exam).exists()
    # This process did not remember the window: the next start of it enqueues the task.
    with django_capture_on_commit_callbacks(execute=True):
        services.attempt_start(quiz=exam, user=second_user, now=now)
    assert len(_window_tasks()) == 1


def test_the_window_task_closes_the_quiz_overdue_attempts_only(
    quiz_exam_factory, quiz_class_factory, quiz_user_factory, quiz_bank
):
    from learning.quizzes.tasks import quiz_attempts_close_overdue_task

    users = [quiz_user_factory(f"overdue-{n}") for n in range(3)]
    klass = quiz_class_factory(trainees=users)
    fixed = list(quiz_bank.questions.all()[:2])
    exam = quiz_exam_factory(klass, fixed=fixed, time_limit_minutes=1)
    other_exam = quiz_exam_factory(klass, fixed=fixed, time_limit_minutes=1)
    past = timezone.now() - timedelta(minutes=5)
    overdue = [services.attempt_start(quiz=exam, user=user, now=past)[0] for user in users[:2]]
    not_due, _ = services.attempt_start(quiz=exam, user=users[2])
    other_quiz, _ = services.attempt_start(quiz=other_exam, user=users[0], now=past)
    closed = quiz_attempts_close_overdue_task.call(
        quiz_id=exam.pk, window_end=overdue[0].deadline.isoformat()
    )
    assert closed == 2
    for attempt in overdue:
        attempt.refresh_from_db()
        assert attempt.state != AttemptState.IN_PROGRESS and attempt.closed_by_deadline
        assert attempt.submitted_at == attempt.deadline
    not_due.refresh_from_db()
    other_quiz.refresh_from_db()
    assert not_due.state == AttemptState.IN_PROGRESS
    assert other_quiz.state == AttemptState.IN_PROGRESS
    # Idempotent: run again (another process enqueued the same window), nothing more to close.
    assert quiz_attempts_close_overdue_task.call(quiz_id=exam.pk, window_end="") == 0


def test_a_per_attempt_task_queued_before_the_upgrade_still_runs(
    database_tasks, quiz_exam_factory, klass, trainee, quiz_bank
):
    from django_tasks_db.models import DBTaskResult

    from learning.quizzes.tasks import attempt_close_overdue_task

    exam = quiz_exam_factory(klass, fixed=list(quiz_bank.questions.all()[:2]), time_limit_minutes=1)
    attempt, _ = services.attempt_start(
        quiz=exam, user=trainee, now=timezone.now() - timedelta(minutes=5)
    )
    # The row the old code wrote at the start, as the worker reads it after the upgrade.
    attempt_close_overdue_task.using(run_after=attempt.deadline + timedelta(seconds=5)).enqueue(
        attempt_id=attempt.pk
    )
    row = DBTaskResult.objects.get(task_path="learning.quizzes.tasks.attempt_close_overdue_task")
    assert row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]) is True
    attempt.refresh_from_db()
    assert attempt.closed_by_deadline and attempt.submitted_at == attempt.deadline


def test_a_process_remembers_a_bounded_number_of_windows(monkeypatch):
    from learning.quizzes import tasks

    monkeypatch.setattr(tasks, "DEADLINE_WINDOWS_REMEMBERED", 2)
    tasks.deadline_windows_forget()
    for key in [(1, 10), (1, 20), (2, 20)]:
        tasks._deadline_window_remember(key)
    assert list(tasks._enqueued_windows) == [(1, 20), (2, 20)]
    tasks.deadline_windows_forget()
    assert not tasks._enqueued_windows


# --- the draw's cached candidate ids (issue 20) ---------------------------------------------


@pytest.fixture
def single_rule_exam(quiz_exam_factory, klass):
    """An exam drawing every single-choice question of the bank (3), pools cached by a first draw."""
    drawing.candidates_cache_clear()
    exam = quiz_exam_factory(klass, rules=[{"type": QuestionType.SINGLE, "count": 3, "score": 1}])
    assert len(services.quiz_draw(quiz=exam)) == 3
    return exam


def _single(bank, n: int = 0, **fields) -> Question:
    return Question.objects.create(
        bank=bank,
        type=QuestionType.SINGLE,
        stem=f"新增单选题{n}：党的最高领导机关是？",
        options=["全国代表大会和中央委员会", "政治局"],
        answer="A",
        **fields,
    )


def test_a_question_added_to_the_bank_is_drawn_at_once(single_rule_exam, quiz_bank):
    added = _single(quiz_bank)
    single_rule_exam.draw_rules.update(count=4)
    assert added.pk in {q["id"] for q in services.quiz_draw(quiz=single_rule_exam)}


def test_a_question_whose_type_changed_leaves_the_rules_pool(single_rule_exam, quiz_bank):
    question = quiz_bank.questions.filter(type=QuestionType.SINGLE).first()
    question.type = QuestionType.TRUE_FALSE
    question.options = []
    question.answer = True
    question.save()
    with pytest.raises(QuizNotAvailable, match="不足"):
        services.quiz_draw(quiz=single_rule_exam)


def test_a_question_moved_to_another_bank_changes_both_banks(
    single_rule_exam, quiz_bank, quiz_exam_factory, klass
):
    other = QuestionBank.objects.create(name="另一个题库")
    other_exam = quiz_exam_factory(
        klass, rules=[{"type": QuestionType.SINGLE, "count": 1, "score": 1, "bank": other}]
    )
    with pytest.raises(QuizNotAvailable):
        services.quiz_draw(quiz=other_exam)  # empty, and cached empty
    question = Question.objects.get(pk=quiz_bank.questions.filter(type="single").first().pk)
    question.bank = other
    question.save()
    with pytest.raises(QuizNotAvailable, match="不足"):
        services.quiz_draw(quiz=single_rule_exam)
    assert [q["id"] for q in services.quiz_draw(quiz=other_exam)] == [question.pk]


def test_deleting_questions_gives_the_bank_a_new_version(single_rule_exam, quiz_bank):
    versions = [quiz_bank.questions_version]
    quiz_bank.questions.filter(type=QuestionType.SHORT).first().delete()
    quiz_bank.refresh_from_db()
    versions.append(quiz_bank.questions_version)
    quiz_bank.questions.filter(type=QuestionType.FILL).delete()  # a queryset delete too
    quiz_bank.refresh_from_db()
    versions.append(quiz_bank.questions_version)
    assert len(set(versions)) == 3


def test_an_excel_import_into_the_bank_is_drawn_at_once(single_rule_exam, quiz_bank):
    workbook = Workbook()
    workbook.active.append(["题型", "题干", "选项A", "选项B", "答案", "分值"])
    workbook.active.append(["单选", "导入的单选题：党的根本宗旨是？", "为人民服务", "发展", "A", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    result = excel.import_questions(file=buffer, bank_name=quiz_bank.name)
    assert result.created == 1, result.errors
    single_rule_exam.draw_rules.update(count=4)
    assert len(services.quiz_draw(quiz=single_rule_exam)) == 4


def test_a_question_deleted_behind_the_cache_is_never_drawn(single_rule_exam, quiz_bank):
    """A deletion the version did not announce yet (another transaction): the draw reads again."""
    gone = _single(quiz_bank, 1)
    single_rule_exam.draw_rules.update(count=4)
    assert len(services.quiz_draw(quiz=single_rule_exam)) == 4  # the pool of 4 is cached
    # Deleted without signals, so the bank keeps its version and the cached pool still has it.
    Question.objects.filter(pk=gone.pk)._raw_delete(Question.objects.db)
    with pytest.raises(QuizNotAvailable, match="不足"):
        services.quiz_draw(quiz=single_rule_exam)
    single_rule_exam.draw_rules.update(count=3)
    for seed in range(5):
        drawn = services.quiz_draw(quiz=single_rule_exam, rng=random.Random(seed))
        assert gone.pk not in {q["id"] for q in drawn}


def test_the_cached_draw_is_the_draw_of_a_fresh_read(quiz_exam_factory, klass, quiz_bank):
    """Same seed, cold and warm cache: the same questions in the same order and option order."""
    exam = quiz_exam_factory(
        klass,
        fixed=[quiz_bank.questions.filter(type=QuestionType.SINGLE).first()],
        rules=[
            {"type": QuestionType.SINGLE, "count": 2, "score": Decimal("5")},
            {"type": QuestionType.MULTIPLE, "count": 2, "score": 4, "category": "党章"},
            {"type": QuestionType.TRUE_FALSE, "count": 2, "score": 1},
        ],
        shuffle_questions=True,
        shuffle_options=True,
    )
    drawing.candidates_cache_clear()
    cold = services.quiz_draw(quiz=exam, rng=random.Random(7))
    warm = services.quiz_draw(quiz=exam, rng=random.Random(7))
    assert cold == warm and len(cold) == 7


def test_the_snapshot_rows_are_what_the_orm_reads(quiz_bank):
    """The chosen rows are read by the values_list queryset's SQL compiled once, with the ids as
    one parameter (issue 20): the same rows, types and values as the ORM gives, JSON options and
    keys parsed, scores as Decimal; ids not in the bank are simply absent."""
    ids = list(quiz_bank.questions.values_list("id", flat=True)) + [-1]
    expected = sorted(Question.objects.filter(pk__in=ids).values_list(*drawing._SNAPSHOT_FIELDS))
    drawing._SNAPSHOT_ROWS._compiled.clear()
    for _ in range(2):  # compiled, then reused
        rows = sorted(drawing._snapshot_rows(ids))
        assert rows == expected and len(rows) == len(ids) - 1
        assert [type(value) for value in rows[0]] == [type(value) for value in expected[0]]
        assert [str(row[6]) for row in rows] == [str(row[6]) for row in expected]  # "2.00"
    assert len(drawing._SNAPSHOT_ROWS._compiled) == 1
    assert drawing._snapshot_rows([]) == []


def test_the_cached_pools_stay_within_their_bound(monkeypatch, quiz_exam_factory, klass):
    drawing.candidates_cache_clear()
    monkeypatch.setattr(drawing, "_CANDIDATES_MAX_IDS", 5)
    exams = [
        quiz_exam_factory(klass, rules=[{"type": type_, "count": 1, "score": 1}])
        for type_ in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE)
    ]
    for exam in exams * 2:
        assert len(services.quiz_draw(quiz=exam)) == 1
        assert drawing._candidates_size <= 5  # 3 ids + 1 a pool: one pool kept at a time
    assert len(drawing._CANDIDATES) == 1


def test_the_draw_plan_read_in_the_quiz_row_is_what_the_models_hold(
    quiz_exam_factory, klass, trainee, quiz_bank, quiz_user_factory
):
    """selectors.quiz_for_start reads the fixed questions and the rules as JSON in the quiz's row
    (issue 20): the same ids, order, scores (as Decimal with 2 places, 2.5 and 2 included),
    categories and bank versions as the models; the draw from it is the draw of a plain quiz."""
    singles = list(quiz_bank.questions.filter(type=QuestionType.SINGLE).order_by("id")[:2])
    exam = quiz_exam_factory(
        klass,
        fixed=singles,
        rules=[
            {
                "type": QuestionType.MULTIPLE,
                "count": 2,
                "score": Decimal("2.5"),
                "category": "党章",
            },
            {"type": QuestionType.TRUE_FALSE, "count": 2, "score": 2},
        ],
        shuffle_questions=True,
        shuffle_options=True,
    )
    first, second = exam.fixed_questions.order_by("sort_order")
    first.score = Decimal("1.25")
    first.save()
    second.sort_order, first.sort_order = 0, 1
    second.save()
    first.save()
    # Compiled once per vendor with two sentinel ids in its parameters, replaced on every call.
    selectors._START_SQL.clear()
    read = selectors.quiz_for_start(quiz_id=exam.pk, user=trainee)
    _sql, params = next(iter(selectors._START_SQL.values()))
    assert params.count(selectors._QUIZ_SENTINEL) == 1
    assert params.count(selectors._USER_SENTINEL) == 3  # start_user, enrolment, attempts
    assert read.start_enrolled is True and read.start_previous is None
    outsider = selectors.quiz_for_start(quiz_id=exam.pk, user=quiz_user_factory("outsider"))
    assert outsider.start_enrolled is False and outsider.pk == exam.pk
    plan = drawing.draw_plan(read)
    assert plan.fixed == [(second.question_id, None), (first.question_id, Decimal("1.25"))]
    assert [str(score) for _qid, score in plan.fixed if score is not None] == ["1.25"]
    models = list(exam.draw_rules.select_related("bank").order_by("sort_order", "id"))
    fields = ("id", "bank_id", "type", "category", "difficulty", "count", "score")
    assert [tuple(getattr(r, f) for f in fields) for r in plan.rules] == [
        tuple(getattr(r, f) for f in fields) for r in models
    ]
    assert [str(r.score) for r in plan.rules] == ["2.50", "2.00"]
    assert [r.bank.questions_version for r in plan.rules] == [
        r.bank.questions_version for r in models
    ]
    assert [str(r) for r in plan.rules] == [str(r) for r in models]
    assert drawing.draw_plan(exam) == plan
    assert services.quiz_draw(quiz=read, rng=random.Random(3)) == services.quiz_draw(
        quiz=exam, rng=random.Random(3)
    )
    # The attempts so far come in the same row.
    attempt, created = services.attempt_start(quiz=read, user=trainee)
    assert created and attempt.questions[0]["score"] in {"1.25", "2.50", "2.00", "1.00"}
    again = selectors.quiz_for_start(quiz_id=exam.pk, user=trainee)
    assert [(a["id"], a["state"], a["number"]) for a in again.start_previous] == [
        (attempt.pk, AttemptState.IN_PROGRESS, 1)
    ]
    resumed, created = services.attempt_start(quiz=again, user=trainee)
    assert resumed.pk == attempt.pk and not created


def test_a_new_attempt_is_the_row_the_orm_would_write(quiz_exam_factory, klass, trainee, quiz_bank):
    """attempt_start writes the attempt with hot_sql.insert_row, not save() (issue 20): allowed
    while Attempt adds nothing in a save() of its own, nobody receives its post_save and Wagtail's
    reference index ignores it; the row holds what the ORM would have written."""
    from django.db.models import Model
    from django.db.models.signals import post_save, pre_save
    from wagtail.models import ReferenceIndex, TranslatableMixin
    from wagtail.models.i18n import set_locale_on_new_instance

    assert Attempt.save is Model.save
    assert not post_save.has_listeners(Attempt)
    # The one pre_save receiver is Wagtail's, for every model; it sets a translatable's locale.
    sync_receivers, async_receivers = pre_save._live_receivers(Attempt)
    assert set(sync_receivers) <= {set_locale_on_new_instance} and not async_receivers
    assert not issubclass(Attempt, TranslatableMixin)
    assert not ReferenceIndex.is_indexed(Attempt) and Attempt not in ReferenceIndex.tracked_models
    exam = quiz_exam_factory(
        klass, fixed=list(quiz_bank.questions.all()[:4]), time_limit_minutes=30
    )
    attempt, created = services.attempt_start(quiz=exam, user=trainee)
    assert created and not attempt._state.adding and attempt._state.db == "default"
    stored = Attempt.objects.get(pk=attempt.pk)
    fields = [f.attname for f in Attempt._meta.concrete_fields]
    assert [getattr(stored, name) for name in fields] == [getattr(attempt, name) for name in fields]
    assert stored.questions == attempt.questions and len(stored.questions) == 4
    assert stored.state == AttemptState.IN_PROGRESS and stored.score is None
