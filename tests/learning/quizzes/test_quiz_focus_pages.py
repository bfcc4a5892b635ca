"""切屏检测 on the pages: the rule on the quiz and exam pages, the count on the result page and in the admin."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from cms.roles import TRAINERS
from learning.quizzes import services
from learning.quizzes.demo import DEMO_MAX_FOCUS_LOSSES, demo_quizzes_ensure
from learning.quizzes.models import Attempt, QuestionType, Quiz

pytestmark = pytest.mark.django_db

RULE = "离开考试页面超过 3 次将自动交卷"
CLOSED = "离开考试页面次数超过限制，已自动交卷。"


@pytest.fixture
def trainee(quiz_user_factory):
    return quiz_user_factory("focus-page-trainee")


@pytest.fixture
def trainer(quiz_user_factory):
    user = quiz_user_factory("focus-trainer")
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


@pytest.fixture
def exam(quiz_exam_factory, quiz_class_factory, trainee, trainer, quiz_bank):
    klass = quiz_class_factory(trainees=[trainee], trainers=[trainer])
    return quiz_exam_factory(
        klass,
        fixed=list(quiz_bank.questions.filter(type=QuestionType.SINGLE)[:1])
        + list(quiz_bank.questions.filter(type=QuestionType.SHORT)[:1]),
        time_limit_minutes=90,
        max_focus_losses=3,
        shuffle_options=False,
    )


def leave(attempt, user, times: int, *, prefix: str = "e"):
    for n in range(times):
        services.attempt_focus_lost(attempt_id=attempt.pk, user=user, event_id=f"{prefix}{n}")


def test_quiz_and_exam_pages_state_the_rule_and_the_count(client, trainee, exam):
    client.force_login(trainee)
    assert RULE in client.get(f"/quizzes/{exam.pk}/").content.decode()
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    leave(attempt, trainee, 1)
    html = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert RULE in html and 'id="focus-counter"' in html and 'id="focus-warning"' in html
    assert '"focusLosses": 1' in html and '"maxFocusLosses": 3' in html
    assert "已离开 %(n)s/%(max)s 次" in html  # the live counter's text, filled in by attempt.js


def test_unlimited_quiz_says_it_only_records(client, trainee, exam):
    Quiz.objects.filter(pk=exam.pk).update(max_focus_losses=0)
    client.force_login(trainee)
    html = client.get(f"/quizzes/{exam.pk}/").content.decode()
    assert "不限制，只记录次数。" in html and "将自动交卷" not in html
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    html = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert 'id="focus-counter" hidden' in html and "将自动交卷（" not in html


def test_result_page_shows_the_count_and_why_it_was_handed_in(client, trainee, exam):
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    leave(attempt, trainee, 4)
    attempt.refresh_from_db()
    assert attempt.closed_by_focus_loss
    client.force_login(trainee)
    # The exam page itself now sends the trainee to the result.
    taken = client.get(f"/attempts/{attempt.pk}/")
    assert taken.status_code == 302 and taken.url.endswith("/result/")
    html = client.get(taken.url).content.decode()
    assert CLOSED in html and "离开考试页面 4 次（上限 3 次）" in html


def test_result_page_of_a_normal_submit_has_no_message(client, trainee, exam):
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    leave(attempt, trainee, 2)
    services.attempt_submit(attempt_id=attempt.pk, user=trainee)
    client.force_login(trainee)
    html = client.get(f"/attempts/{attempt.pk}/result/").content.decode()
    assert CLOSED not in html and "离开考试页面 2 次（上限 3 次）" in html


def test_trainer_sees_the_count_in_grading_and_analysis(client, trainer, trainee, exam, quiz_bank):
    short = quiz_bank.questions.filter(type=QuestionType.SHORT).first()
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    services.attempt_answer_save(
        attempt_id=attempt.pk, user=trainee, question_id=short.pk, answer="我的认识"
    )
    leave(attempt, trainee, 4)
    client.force_login(trainer)
    queue = client.get("/admin/quiz_grading/").content.decode()
    assert f"/admin/quiz_grading/attempts/{attempt.pk}/" in queue
    assert "离开考试页面次数" in queue and "超限自动交卷" in queue
    page = client.get(f"/admin/quiz_grading/attempts/{attempt.pk}/").content.decode()
    assert "离开考试页面 4 次" in page
    analysis = client.get(f"/admin/quiz_grading/quizzes/{exam.pk}/analysis/").content.decode()
    assert "离开考试页面（切屏）" in analysis and "4 / 3" in analysis
    assert trainee.username in analysis  # no trainee profile: the user name


def test_item_analysis_focus_list_query_count(
    client, trainer, exam, quiz_user_factory, quiz_class_factory, django_assert_max_num_queries
):
    users = [quiz_user_factory() for _ in range(5)]
    # Enrol them (with profiles) in the exam's class.
    from learning.classes.models import Enrolment

    other = quiz_class_factory(trainees=users)
    for enrolment in Enrolment.objects.filter(training_class=other):
        enrolment.training_class = exam.training_class
        enrolment.save()
    for user in users:
        attempt, _ = services.attempt_start(quiz=exam, user=user)
        leave(attempt, user, 2)
    from learning.quizzes.selectors import focus_loss_attempts

    with django_assert_max_num_queries(1):
        rows = focus_loss_attempts(quiz=exam)
        names = [a.user.trainee_profile.name for a in rows]
    assert sorted(names) == sorted(u.username for u in users)


def test_admin_form_edits_the_limit(client, trainer, exam):
    client.force_login(trainer)
    form = client.get(f"/admin/quiz_admin/edit/{exam.pk}/")
    assert form.status_code == 200 and 'name="max_focus_losses"' in form.content.decode()
    assert "离开考试页面次数上限" in form.content.decode()


def test_demo_exam_has_a_limit(quiz_lesson, quiz_class_factory, quiz_user_factory):
    klass = quiz_class_factory(trainees=[quiz_user_factory()])
    demo_quizzes_ensure()
    assert Quiz.objects.get(
        kind="exam", training_class=klass, is_final_exam=True
    ).max_focus_losses == (DEMO_MAX_FOCUS_LOSSES)
    assert Quiz.objects.get(kind="practice").max_focus_losses == 0


def test_handed_in_attempt_keeps_its_graded_answers(trainee, exam, quiz_bank):
    single = quiz_bank.questions.filter(type=QuestionType.SINGLE).first()
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    services.attempt_answer_save(
        attempt_id=attempt.pk, user=trainee, question_id=single.pk, answer="B"
    )
    leave(attempt, trainee, 4)
    attempt = Attempt.objects.get(pk=attempt.pk)
    # The short answer was left empty: graded 0, so the attempt is graded at once.
    assert attempt.state == "graded" and attempt.score == Decimal("2.00")
    assert attempt.answers.get(question_id=single.pk).awarded == Decimal("2.00")
