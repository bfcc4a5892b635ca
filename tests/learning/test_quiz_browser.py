"""A trainee on a phone takes an exam: autosave with "已保存", offline answers kept and sent later, resume."""

import pytest

from learning.quizzes.models import Attempt, AttemptAnswer, QuestionType
from tests.e2e.conftest import browser, login, phone  # noqa: F401 — fixtures used by name

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_exam_on_a_phone_survives_a_lost_network(
    live_server,
    phone,  # noqa: F811 — the e2e fixture imported above
    quiz_exam_factory,
    quiz_class_factory,
    quiz_bank,
):
    from django.contrib.auth.models import User

    User.objects.create_user("kaoshi", password="Pass-Word-123")
    trainee = User.objects.get(username="kaoshi")
    klass = quiz_class_factory(trainees=[trainee])
    exam = quiz_exam_factory(
        klass,
        fixed=list(
            quiz_bank.questions.filter(type__in=[QuestionType.SINGLE, QuestionType.TRUE_FALSE])
        ),
        time_limit_minutes=90,
        shuffle_questions=False,
    )
    page = phone.new_page()
    login(page, live_server.url, "kaoshi", "Pass-Word-123", next_url=f"/quizzes/{exam.pk}/")
    page.click("text=开始考试")
    page.wait_for_selector("#countdown")
    assert ":" in page.inner_text("#countdown")
    attempt = Attempt.objects.get(user=trainee)
    first, second = attempt.questions[0], attempt.questions[1]

    # One question per screen on a phone; answering saves at once.
    page.locator(f"#q{first['id']} .option").nth(1).click()
    page.wait_for_selector(f'[data-status-for="{first["id"]}"].saved')
    assert AttemptAnswer.objects.get(attempt=attempt, question_id=first["id"]).answer == "B"

    # The network drops: the page warns and keeps the answer in the browser.
    phone.set_offline(True)
    page.click(f"#q{first['id']} .next")
    page.locator(f"#q{second['id']} .option").nth(1).click()
    page.wait_for_selector("#network-warning:not([hidden])")
    assert not AttemptAnswer.objects.filter(attempt=attempt, question_id=second["id"]).exists()
    assert str(second["id"]) in page.evaluate(
        f"localStorage.getItem('dangke-attempt-{attempt.pk}')"
    )

    # Back online: the kept answer is sent by itself.
    phone.set_offline(False)
    page.wait_for_selector(f'[data-status-for="{second["id"]}"].saved')
    assert AttemptAnswer.objects.filter(attempt=attempt, question_id=second["id"]).exists()

    # Reopening resumes the same attempt with its answers.
    page.goto(f"{live_server.url}/quizzes/{exam.pk}/")
    page.click("text=继续作答")
    page.wait_for_selector("#countdown")
    assert page.url.endswith(f"/attempts/{attempt.pk}/")
    assert page.locator(f"#q{first['id']} input[value=B]").is_checked()

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-attempt")
    page.wait_for_url(f"**/attempts/{attempt.pk}/result/")
    assert "得分" in page.inner_text("main")
    attempt.refresh_from_db()
    assert attempt.state == "graded"
