"""Path 4: the trainer opens the class report (table and charts), downloads the xlsx, issues a
certificate, and the public verification page confirms it; search finds a lesson by a Chinese word
inside a longer word."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from cms.roles import TRAINEES, TRAINERS
from tests.browser import admin_login
from tests.factories import (
    make_article,
    make_branch_unit,
    make_course,
    make_trainee_profile,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def finished_class():
    """A class whose trainee has met the required 学时 and passed the exam, through the real services."""
    from learning.classes.models import Enrolment, TrainingClass
    from learning.progress.models import LedgerSource, LessonProgress
    from learning.progress.services import ledger_offline_add
    from learning.quizzes import services as quiz_services
    from learning.quizzes.models import Question, QuestionBank, Quiz, QuizQuestion

    course = make_course("发展对象培训")
    lesson = make_article(course, "入党积极分子的培养与考察")
    trainer = make_user("zhanglaoshi", role=TRAINERS, password="Teach-Pass-1")
    trainee_user = make_user("wangfang", role=TRAINEES, password="Study-Pass-1")
    profile = make_trainee_profile(
        user=trainee_user,
        name="王芳",
        student_no="20250101",
        branch=make_branch_unit("马克思主义学院党委", "研究生党支部"),
        stage="candidate",
    )
    training_class = TrainingClass.objects.create(
        name="2026 年发展对象培训班",
        intake="第 1 期",
        audience_stage="candidate",
        required_hours=Decimal("24"),
    )
    training_class.required_lessons.add(lesson)
    training_class.trainers.add(trainer)
    Enrolment.objects.create(training_class=training_class, trainee=profile)
    ledger_offline_add(
        user=trainee_user,
        training_class=training_class,
        source=LedgerSource.OFFLINE_LECTURE,
        granted_by=trainer,
        note="集中培训三天",
        days=Decimal("3"),
    )
    # 结业 needs the required lessons too (issue 14): she has read the one of this class.
    LessonProgress.objects.create(user=trainee_user, lesson=lesson, completed_at=timezone.now())

    bank = QuestionBank.objects.create(name="结业考试题库")
    exam = Quiz.objects.create(
        title="结业考试",
        kind="exam",
        training_class=training_class,
        is_final_exam=True,
        pass_mark=Decimal("60"),
        attempts_allowed=1,
    )
    for i, (stem, answer) in enumerate(
        [("党的最高理想是实现共产主义。", True), ("入党积极分子无需培养考察。", False)]
    ):
        question = Question.objects.create(
            bank=bank, type="true_false", stem=stem, answer=answer, score=Decimal("50")
        )
        QuizQuestion.objects.create(quiz=exam, question=question, score=Decimal("50"), sort_order=i)
    attempt, _ = quiz_services.attempt_start(quiz=exam, user=trainee_user)
    for item in attempt.questions:
        quiz_services.attempt_answer_save(
            attempt_id=attempt.pk, user=trainee_user, question_id=item["id"], answer=item["answer"]
        )
    attempt = quiz_services.attempt_submit(attempt_id=attempt.pk, user=trainee_user)
    assert attempt.passed
    return training_class


def test_trainer_reports_exports_certifies_and_verifies(
    live_server, desktop, phone, finished_class
):
    from learning.reports.models import Certificate

    page = desktop.new_page()
    admin_login(page, live_server.url, "zhanglaoshi", "Teach-Pass-1")
    page.goto(f"{live_server.url}/admin/reports/classes/{finished_class.pk}/")
    main = page.locator("main")
    assert "王芳" in main.inner_text()
    assert main.locator("svg").count() >= 3  # status, 学时 and score charts

    with page.expect_download() as download_info:
        page.click("a[href*='format=xlsx']")
    download = download_info.value
    workbook = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)
    cells = [
        str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c is not None
    ]
    assert any("2026 年发展对象培训班" in c for c in cells)
    assert "王芳" in cells

    page.click("form[action$='/certificates/issue-all/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    # The confirmation lists who gets a certificate (and who is skipped, and why).
    assert "王芳" in page.locator("main").inner_text()
    page.click("form input[name=confirm] ~ button[type=submit]")
    page.wait_for_load_state("networkidle")
    certificate = Certificate.objects.get(training_class=finished_class)
    assert certificate.number in page.locator("main").inner_text()

    # Anyone scanning the QR code reaches the public verification page, without logging in.
    visitor = phone.new_page()
    visitor.goto(f"{live_server.url}/verify/{certificate.number}/")
    text = visitor.locator("main").inner_text()
    assert "王芳" in text and "2026 年发展对象培训班" in text
    assert "20250101" not in text  # no student number or other personal data
    visitor.goto(f"{live_server.url}/verify/DK2026NOTREAL00/")
    assert "未找到" in visitor.locator("main").inner_text()

    # Search: a word inside a longer word (积极分子 in 入党积极分子).
    visitor.goto(f"{live_server.url}/search/?q=积极分子")
    results = visitor.locator("main").inner_text()
    assert "入党积极分子的培养与考察" in results
    assert visitor.locator("main mark").count() >= 1
