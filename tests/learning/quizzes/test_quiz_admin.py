"""Wagtail admin of the quiz engine: banks and questions, import, duplicates, grading queue, analysis."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from openpyxl import Workbook

from cms.roles import TRAINERS
from learning.quizzes import services
from learning.quizzes.models import AttemptState, Question, QuestionBank, Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer_user(quiz_user_factory):
    user = quiz_user_factory("quiz-trainer")
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


@pytest.fixture
def trainer_client(client, trainer_user):
    client.force_login(trainer_user)
    return client


def test_trainer_role_has_quiz_permissions(trainer_user):
    for perm in ("add_question", "change_quiz", "add_quizdrawrule", "change_attemptanswer"):
        assert trainer_user.has_perm(f"quizzes.{perm}")


def test_question_list_search_filter_and_create(trainer_client, trainer_user, quiz_bank):
    quiz_bank.owner = trainer_user  # a trainer adds questions to their own banks
    quiz_bank.save()
    listing = trainer_client.get("/admin/questions/?q=纪律")
    assert listing.status_code == 200 and "多选题0" in listing.content.decode()
    assert "单选题0" not in listing.content.decode()
    filtered = trainer_client.get("/admin/questions/?type=true_false")
    assert "判断题1" in filtered.content.decode() and "单选题1" not in filtered.content.decode()
    response = trainer_client.post(
        "/admin/questions/new/",
        {
            "bank": quiz_bank.pk,
            "type": "multiple",
            "stem": "党的作风包括？",
            "option_A": "理论联系实际",
            "option_B": "密切联系群众",
            "option_C": "批评与自我批评",
            "answer_text": "A、B、C",
            "score": "3",
            "difficulty": "medium",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Question.objects.get(stem="党的作风包括？")
    assert created.options == ["理论联系实际", "密切联系群众", "批评与自我批评"]
    assert created.answer == ["A", "B", "C"] and created.stem_key


def test_question_form_rejects_a_bad_key(trainer_client, quiz_bank):
    response = trainer_client.post(
        "/admin/questions/new/",
        {
            "bank": quiz_bank.pk,
            "type": "single",
            "stem": "题",
            "option_A": "甲",
            "option_B": "乙",
            "answer_text": "D",
            "score": "1",
            "difficulty": "easy",
        },
    )
    assert response.status_code == 200 and "选项 D 不存在" in response.content.decode()


def _upload(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "bank.xlsx"
    return buffer


def test_admin_import_reports_errors_and_template_downloads(trainer_client):
    template = trainer_client.get("/admin/question_import/template.xlsx")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd")
    header, good, bad = (
        ["题型", "题干", "A", "B", "答案"],
        ["单选", "题一", "甲", "乙", "A"],
        ["单选", "题二", "甲", "乙", "C"],
    )
    response = trainer_client.post(
        "/admin/question_import/", {"file": _upload([header, good, bad]), "new_bank": "后台题库"}
    )
    response = trainer_client.get(response["Location"])
    html = response.content.decode()
    assert response.status_code == 200 and "选项 C 不存在" in html and "未导入任何试题" in html
    assert "确认导入" not in html
    assert not QuestionBank.objects.filter(name="后台题库").exists()
    response = trainer_client.post(
        "/admin/question_import/", {"file": _upload([header, good]), "new_bank": "后台题库"}
    )
    preview_url = response["Location"]
    html = trainer_client.get(preview_url).content.decode()
    # No 分值 column: every question would be worth 1 分, which the trainer must confirm.
    assert "题一" in html and "没有「分值」列" in html and "确认导入" in html
    response = trainer_client.post(preview_url)
    assert response.status_code == 200 and "请先勾选" in response.content.decode()
    assert not QuestionBank.objects.filter(name="后台题库").exists()
    response = trainer_client.post(preview_url, {"accept_warnings": "1"})
    assert response.status_code == 302
    # Confirming twice (a double click) does not import twice.
    assert trainer_client.post(preview_url, {"accept_warnings": "1"}).status_code == 404
    bank = QuestionBank.objects.get(name="后台题库")
    assert bank.questions.count() == 1
    exported = trainer_client.get(f"/admin/question_import/export/{bank.pk}.xlsx")
    assert exported.status_code == 200


def test_duplicates_view(trainer_client, quiz_bank):
    Question.objects.create(
        bank=quiz_bank,
        type="single",
        stem="单选题0：中国共产党成立于哪一年?",
        options=["a", "b"],
        answer="A",
    )
    html = trainer_client.get("/admin/question_duplicates/").content.decode()
    assert "2 道重复" in html


def test_quiz_admin_lists_only_own_class_exams(
    trainer_client, trainer_user, quiz_exam_factory, quiz_class_factory
):
    mine = quiz_exam_factory(quiz_class_factory(trainers=[trainer_user]), title="我的班考试")
    other = quiz_exam_factory(quiz_class_factory(), title="别人的班考试")
    html = trainer_client.get("/admin/quiz_admin/").content.decode()
    assert "我的班考试" in html and "别人的班考试" not in html
    assert trainer_client.get(f"/admin/quiz_admin/edit/{other.pk}/").status_code == 404
    assert trainer_client.get(f"/admin/quiz_admin/edit/{mine.pk}/").status_code == 200
    assert trainer_client.get(f"/admin/quiz_admin/inspect/{mine.pk}/").status_code == 200


def test_grading_queue_only_own_classes_and_grading(
    trainer_client,
    trainer_user,
    quiz_exam_factory,
    quiz_class_factory,
    quiz_user_factory,
    quiz_bank,
):
    short = quiz_bank.questions.filter(type="short").first()
    trainee, stranger = quiz_user_factory(), quiz_user_factory()
    mine = quiz_exam_factory(
        quiz_class_factory(trainees=[trainee], trainers=[trainer_user]), fixed=[short]
    )
    theirs = quiz_exam_factory(quiz_class_factory(trainees=[stranger]), fixed=[short])
    attempts = []
    for quiz, user in ((mine, trainee), (theirs, stranger)):
        attempt, _ = services.attempt_start(quiz=quiz, user=user)
        services.attempt_answer_save(
            attempt_id=attempt.pk, user=user, question_id=short.pk, answer="我的认识"
        )
        attempts.append(services.attempt_submit(attempt_id=attempt.pk, user=user))
    queue = trainer_client.get("/admin/quiz_grading/").content.decode()
    assert f"/admin/quiz_grading/attempts/{attempts[0].pk}/" in queue
    assert f"/admin/quiz_grading/attempts/{attempts[1].pk}/" not in queue
    assert trainer_client.get(f"/admin/quiz_grading/attempts/{attempts[1].pk}/").status_code == 404
    page = trainer_client.get(f"/admin/quiz_grading/attempts/{attempts[0].pk}/").content.decode()
    assert "我的认识" in page
    too_much = trainer_client.post(
        f"/admin/quiz_grading/attempts/{attempts[0].pk}/", {f"q{short.pk}-awarded": "11"}
    )
    assert too_much.status_code == 200
    done = trainer_client.post(
        f"/admin/quiz_grading/attempts/{attempts[0].pk}/",
        {f"q{short.pk}-awarded": "8", f"q{short.pk}-comment": "较好"},
    )
    assert done.status_code == 302
    attempts[0].refresh_from_db()
    assert attempts[0].state == AttemptState.GRADED and attempts[0].score == Decimal("8.00")


def test_item_analysis_page(
    trainer_client, trainer_user, quiz_exam_factory, quiz_class_factory, quiz_bank
):
    exam = quiz_exam_factory(
        quiz_class_factory(trainers=[trainer_user]), fixed=[quiz_bank.questions.first()]
    )
    html = trainer_client.get(f"/admin/quiz_grading/quizzes/{exam.pk}/analysis/").content.decode()
    assert "还没有已评分的作答" in html
    assert Quiz.objects.filter(pk=exam.pk).exists()


def test_create_an_exam_with_draw_rules_in_the_admin(
    trainer_client, trainer_user, quiz_class_factory, quiz_bank
):
    klass = quiz_class_factory(trainers=[trainer_user])
    other = quiz_class_factory()
    form = trainer_client.get("/admin/quiz_admin/new/")
    assert form.status_code == 200
    html = form.content.decode()
    assert str(klass) in html and str(other) not in html  # only the trainer's own classes
    data = {
        "title": "第一期结业考试",
        "kind": "exam",
        "training_class": klass.pk,
        "attempts_allowed": "2",
        "grading_method": "highest",
        "pass_mark": "60",
        "review_after_submit": "score",
        "review_after_close": "explanations",
        "time_limit_minutes": "90",
        "shuffle_questions": "on",
        "shuffle_options": "on",
        "draw_rules-TOTAL_FORMS": "1",
        "draw_rules-INITIAL_FORMS": "0",
        "draw_rules-MIN_NUM_FORMS": "0",
        "draw_rules-MAX_NUM_FORMS": "1000",
        "draw_rules-0-bank": quiz_bank.pk,
        "draw_rules-0-type": "single",
        "draw_rules-0-category": "",
        "draw_rules-0-difficulty": "",
        "draw_rules-0-count": "2",
        "draw_rules-0-score": "5",
        "draw_rules-0-ORDER": "1",
        "fixed_questions-TOTAL_FORMS": "0",
        "fixed_questions-INITIAL_FORMS": "0",
        "fixed_questions-MIN_NUM_FORMS": "0",
        "fixed_questions-MAX_NUM_FORMS": "1000",
    }
    response = trainer_client.post("/admin/quiz_admin/new/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    exam = Quiz.objects.get(title="第一期结业考试")
    assert exam.training_class == klass and exam.draw_rules.get().count == 2
    # An exam without a class is refused with a reason.
    data.update(title="无班级考试", training_class="")
    response = trainer_client.post("/admin/quiz_admin/new/", data)
    assert response.status_code == 200 and "考试须选择所属培训班" in response.content.decode()


def test_question_chooser_searches_by_stem_and_filters_by_type(trainer_client, quiz_bank):
    response = trainer_client.get("/admin/question_chooser/results/?q=纪律&type=multiple")
    html = response.content.decode()
    assert response.status_code == 200
    assert "多选题0" in html and "单选题0" not in html


def test_quiz_inspect_page_prints_words_not_python(
    trainer_client, trainer_user, quiz_exam_factory, quiz_class_factory
):
    """The exam's 检查 page: 是/否 and “—”, never None/True/False (issue 21)."""
    import re

    exam = quiz_exam_factory(
        quiz_class_factory(trainers=[trainer_user]), title="检查页考试", shuffle_questions=True
    )
    html = trainer_client.get(f"/admin/quiz_admin/inspect/{exam.pk}/").content.decode()
    fields = html.split("检查页考试", 1)[1]
    assert not re.search(r">\s*(None|True|False)\s*<", fields)
    assert re.search(r">\s*是\s*<", fields) and re.search(r">\s*—\s*<", fields)
