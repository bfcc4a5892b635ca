"""Issue 12, trainer scoping: a trainer reaches only the trainees of their classes (and those in no
class yet), whatever the entry point — the roster import, the class form's drop-down, the trainee
form. Each test reproduces a way around the scope found on the old code."""

import pytest
from django.contrib.auth.models import Permission, User

from learning.classes.models import Enrolment, TraineeProfile, TrainingClass
from learning.classes.roster import RosterError, trainees_import
from tests.learning.classes.test_roster_import import xlsx
from tests.learning.conftest import make_trainee, make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    user = make_trainer("office")  # 培训管理员 who may see all classes: the training office
    user.user_permissions.add(Permission.objects.get(codename="view_all_classes"))
    return User.objects.get(pk=user.pk)


def _row(no, name="改名=HYPERLINK(1)", branch="本科生第一党支部"):
    return [name, no, "计算机学院", branch, "入党积极分子", ""]


@pytest.fixture
def units(db):
    """The 党支部 the rows name, in the Party tree (issue 15: an import creates no unit)."""
    from tests.learning.classes.test_roster_import import make_roster_units

    return make_roster_units()


# --- roster import ----------------------------------------------------------------------------


def test_roster_row_cannot_update_another_trainers_trainee(
    training_class, trainee, trainer2, units
):
    """Reproduction: a trainer with no class renamed a trainee of another trainer's class by
    importing a roster with their 学号."""
    profile = trainee.trainee_profile
    member = profile.member_id
    rows = [_row("NEW001", name="新学员"), _row(profile.student_no)]
    with pytest.raises(RosterError) as info:
        trainees_import(file=xlsx(rows), by=trainer2)
    assert [(e.row, e.message) for e in info.value.errors] == [
        (3, f"学号 {profile.student_no} 属于其他培训班，无权修改")
    ]
    profile.refresh_from_db()
    assert profile.name == "学员trainee1" and profile.member_id == member
    # All or nothing: the good row was not imported either.
    assert not TraineeProfile.objects.filter(student_no="NEW001").exists()


def test_roster_admin_upload_shows_the_scope_error(
    client, training_class, trainee, trainer2, units
):
    client.force_login(trainer2)
    # The upload goes to its preview, which lists the row's error; nothing is imported.
    response = client.post(
        "/admin/trainee_import/",
        {"file": xlsx([_row(trainee.trainee_profile.student_no)])},
        follow=True,
    )
    assert response.status_code == 200
    assert f"学号 {trainee.trainee_profile.student_no} 属于其他培训班，无权修改" in (
        response.content.decode()
    )
    assert TraineeProfile.objects.get(user=trainee).name == "学员trainee1"


def test_roster_updates_own_and_unassigned_trainees(
    training_class, trainee, trainer, branch, units
):
    loose = make_trainee("loose", branch).trainee_profile  # in no class: may be enrolled by anyone
    rows = [
        _row(trainee.trainee_profile.student_no, name="甲", branch=branch.name),
        _row(loose.student_no, name="乙", branch=branch.name),
    ]
    result = trainees_import(file=xlsx(rows), by=trainer, training_class=training_class)
    assert (result.created, result.updated, result.enrolled) == (0, 2, 1)
    assert TraineeProfile.objects.get(user=trainee).name == "甲"


def test_roster_by_staff_and_command_line_are_unscoped(training_class, trainee, staff, units):
    trainees_import(file=xlsx([_row(trainee.trainee_profile.student_no, name="丙")]), by=staff)
    assert TraineeProfile.objects.get(user=trainee).name == "丙"
    trainees_import(file=xlsx([_row(trainee.trainee_profile.student_no, name="丁")]))
    assert TraineeProfile.objects.get(user=trainee).name == "丁"


# --- the class form's trainee choices -------------------------------------------------------


def _class_form_data(trainees):
    return {
        "name": "乙班",
        "intake": "1",
        # Not a 发展对象 class: these tests are about scope, not the audience rule
        # (test_trainee_membership.py).
        "audience_stage": "activist",
        "required_hours": "",
        "pass_mark": "60",
        "trainees": [t.pk for t in trainees],
    }


def test_class_form_cannot_enrol_another_classs_trainee(client, training_class, trainee, trainer2):
    """Reproduction: the class form offered every trainee, so a trainer enrolled another class's
    trainee in their own class (and then read their record and corrected their 学时)."""
    client.force_login(trainer2)
    page = client.get("/admin/training_classes/new/").content.decode()
    assert trainee.trainee_profile.student_no not in page
    response = client.post(
        "/admin/training_classes/new/", _class_form_data([trainee.trainee_profile])
    )
    assert response.status_code == 200  # the form comes back with an error
    assert not TrainingClass.objects.filter(name="乙班").exists()
    assert list(Enrolment.objects.filter(trainee__user=trainee)) == list(
        Enrolment.objects.filter(training_class=training_class)
    )


def test_class_form_offers_own_and_unassigned_trainees(
    client, training_class, trainee, trainer, trainer2, branch
):
    loose = make_trainee("loose", branch).trainee_profile
    client.force_login(trainer2)
    response = client.post("/admin/training_classes/new/", _class_form_data([loose]))
    assert response.status_code == 302
    assert Enrolment.objects.filter(training_class__name="乙班", trainee=loose).exists()
    client.force_login(trainer)
    page = client.get(f"/admin/training_classes/edit/{training_class.pk}/").content.decode()
    assert trainee.trainee_profile.student_no in page
    # loose is now in trainer2's class: no longer offered to trainer.
    assert loose.student_no not in page


def test_staff_may_enrol_anyone(client, training_class, trainee, staff):
    client.force_login(staff)
    response = client.post(
        "/admin/training_classes/new/", _class_form_data([trainee.trainee_profile])
    )
    assert response.status_code == 302
    assert Enrolment.objects.filter(training_class__name="乙班", trainee__user=trainee).exists()


# --- the trainee form ---------------------------------------------------------------------------


def test_trainee_form_lists_no_accounts(client, trainer, trainee, branch, branch_unit):
    """The trainee form's `user` drop-down listed every account of the site (admins included)."""
    User.objects.create_user("secret-admin-name", is_superuser=True)
    client.force_login(trainer)
    page = client.get("/admin/trainees/new/").content.decode()
    assert "secret-admin-name" not in page and 'name="user"' not in page
    response = client.post(
        "/admin/trainees/new/",
        {
            "name": "新学员",
            "student_no": "N2026001",
            "unit": branch_unit.pk,
            "stage": "activist",
            "must_change_password": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = TraineeProfile.objects.get(student_no="N2026001")
    assert profile.user.username == "N2026001" and profile.must_change_password
    assert profile.user.groups.filter(name="学员").exists()


def test_trainee_form_refuses_a_taken_username(client, trainer, branch, branch_unit):
    client.force_login(trainer)
    response = client.post(
        "/admin/trainees/new/",
        {
            "name": "冒名",
            "student_no": "trainer",
            "unit": branch_unit.pk,
            "stage": "activist",
        },
    )
    assert response.status_code == 200
    assert "已有同名的账号" in response.content.decode()
    assert not TraineeProfile.objects.filter(student_no="trainer").exists()


# --- question banks: owned, shared read-only ------------------------------------------------


@pytest.fixture
def banks(training_class, trainer, trainer2):
    """trainer's class exam draws from trainer's own bank; trainer2 owns another bank."""
    from learning.quizzes.models import Question, QuestionBank, Quiz, QuizDrawRule

    own = QuestionBank.objects.create(name="甲的题库", owner=trainer)
    other = QuestionBank.objects.create(name="乙的题库", owner=trainer2)
    question = Question.objects.create(
        bank=own, type="single", stem="党的最高领导机关？", options=["甲", "乙"], answer="A"
    )
    exam = Quiz.objects.create(
        title="结业考试", kind="exam", training_class=training_class, is_final_exam=True
    )
    QuizDrawRule.objects.create(quiz=exam, bank=own, type="single", count=1, score=100)
    return {"own": own, "other": other, "question": question}


def _refused(response) -> bool:
    """Wagtail's admin answers a PermissionDenied with a redirect to the dashboard and a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def _question_post(bank, answer="B"):
    return {
        "bank": bank.pk,
        "type": "single",
        "stem": "党的最高领导机关？",
        "option_A": "甲",
        "option_B": "乙",
        "answer_text": answer,
        "score": "1",
        "difficulty": "medium",
    }


def test_trainer_cannot_change_the_key_of_another_trainers_exam_bank(client, banks, trainer2):
    """Reproduction: any trainer could change the answer key of questions another trainer's exam
    draws from (question edit, bank edit, adding questions, importing into the bank)."""
    from learning.quizzes.models import Question

    question = banks["question"]
    client.force_login(trainer2)
    assert _refused(client.get(f"/admin/questions/edit/{question.pk}/"))
    response = client.post(f"/admin/questions/edit/{question.pk}/", _question_post(banks["own"]))
    assert _refused(response)
    question.refresh_from_db()
    assert question.answer == "A"
    assert _refused(client.post(f"/admin/questions/delete/{question.pk}/"))
    assert Question.objects.filter(pk=question.pk).exists()
    assert _refused(client.post(f"/admin/question_banks/edit/{banks['own'].pk}/", {"name": "x"}))
    assert _refused(client.post(f"/admin/question_banks/delete/{banks['own'].pk}/"))
    banks["own"].refresh_from_db()
    assert banks["own"].name == "甲的题库"
    # Adding a question to the bank: not among the choices.
    response = client.post("/admin/questions/new/", _question_post(banks["own"]))
    assert response.status_code == 200
    assert Question.objects.filter(bank=banks["own"]).count() == 1
    # Importing into it: not among the choices either.
    header = ["题型", "题干", "A", "B", "答案"]
    response = client.post(
        "/admin/question_import/",
        {"file": xlsx([["单选", "新题", "甲", "乙", "A"]], header=header), "bank": banks["own"].pk},
    )
    assert response.status_code == 200
    assert Question.objects.filter(bank=banks["own"]).count() == 1


def test_other_banks_stay_readable(client, banks, trainer2):
    client.force_login(trainer2)
    question = banks["question"]
    assert client.get(f"/admin/questions/inspect/{question.pk}/").status_code == 200
    assert "甲的题库" in client.get("/admin/question_banks/").content.decode()
    export = client.get(f"/admin/question_import/export/{banks['own'].pk}.xlsx")
    assert export.status_code == 200


def test_owner_and_staff_edit_and_staff_share_for_editing(client, banks, trainer, trainer2, staff):
    question = banks["question"]
    client.force_login(trainer)
    response = client.post(f"/admin/questions/edit/{question.pk}/", _question_post(banks["own"]))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "B"
    client.force_login(staff)
    response = client.post(
        f"/admin/question_banks/edit/{banks['own'].pk}/",
        {"name": "甲的题库", "description": "", "shared_for_editing": "on"},
    )
    assert response.status_code == 302
    client.force_login(trainer2)
    assert client.get(f"/admin/questions/edit/{question.pk}/").status_code == 200


def test_a_new_bank_is_owned_by_its_creator_who_cannot_share_it(client, trainer2):
    from learning.quizzes.models import QuestionBank

    client.force_login(trainer2)
    page = client.get("/admin/question_banks/new/").content.decode()
    assert 'name="shared_for_editing"' not in page
    response = client.post(
        "/admin/question_banks/new/", {"name": "新题库", "shared_for_editing": "on"}
    )
    assert response.status_code == 302
    bank = QuestionBank.objects.get(name="新题库")
    assert bank.owner == trainer2 and not bank.shared_for_editing


def test_a_class_bank_is_editable_by_the_classs_trainers(client, banks, training_class, trainer2):
    from learning.quizzes.selectors import banks_editable_by

    banks["other"].training_class = training_class
    banks["other"].save()
    assert set(banks_editable_by(user=training_class.trainers.get())) == {
        banks["own"],
        banks["other"],
    }
    assert set(banks_editable_by(user=trainer2)) == {banks["other"]}


# --- the 学时 ledger and the trainee record (学习档案) ----------------------------------------


@pytest.fixture
def shared_trainee(training_class, trainee, trainer, trainer2, video_lesson, article_lesson):
    """`trainee` is in trainer's class A (requires both lessons) and trainer2's class B (requires
    the video lesson only): the video credit counts for both classes, the article's for A only."""
    from decimal import Decimal

    from learning.progress.models import HoursLedgerEntry

    class_b = TrainingClass.objects.create(name="乙班", intake="1")
    class_b.trainers.add(trainer2)
    class_b.required_lessons.add(video_lesson)
    Enrolment.objects.create(training_class=class_b, trainee=trainee.trainee_profile)
    entries = {
        "shared": HoursLedgerEntry.objects.create(
            user=trainee, source="online_lesson", amount=Decimal("0.5"), lesson=video_lesson
        ),
        "a_online": HoursLedgerEntry.objects.create(
            user=trainee, source="online_lesson", amount=Decimal("0.25"), lesson=article_lesson
        ),
        "a_offline": HoursLedgerEntry.objects.create(
            user=trainee,
            source="offline_lecture",
            amount=Decimal("8"),
            training_class=training_class,
            note="甲班专用备注",
        ),
        "b_offline": HoursLedgerEntry.objects.create(
            user=trainee,
            source="offline_lecture",
            amount=Decimal("4"),
            training_class=class_b,
            note="乙班备注",
        ),
    }
    return {"class_b": class_b, "entries": entries}


def _correct(client, entry, amount="39.75"):
    return client.post(
        "/admin/hours_ledger/new/",
        {"source": "correction", "corrects": entry.pk, "amount": amount, "note": "补足学时"},
    )


def test_trainer_cannot_correct_an_online_credit_that_counts_in_another_class(
    client, shared_trainee, trainer2, training_class, trainee
):
    """Reproduction: a trainer added +39.75 to a trainee's online credit, which also counts in
    another trainer's class, and made that class's trainee 40/40."""
    from learning.progress.models import HoursLedgerEntry
    from learning.progress.selectors import class_earned_hours

    before = class_earned_hours(training_class=training_class, user=trainee)
    client.force_login(trainer2)
    for key in ("shared", "a_online", "a_offline"):
        response = _correct(client, shared_trainee["entries"][key])
        assert response.status_code == 200, key  # the form comes back: not a valid choice
    assert not HoursLedgerEntry.objects.filter(source="correction").exists()
    assert class_earned_hours(training_class=training_class, user=trainee) == before
    # Their own class's entry they may correct.
    assert _correct(client, shared_trainee["entries"]["b_offline"], "-1").status_code == 302


def test_staff_and_the_sole_trainer_may_correct(client, shared_trainee, trainer, staff):
    from learning.progress.models import HoursLedgerEntry

    entries = shared_trainee["entries"]
    client.force_login(trainer)
    assert _correct(client, entries["a_online"], "-0.25").status_code == 302  # counts for A only
    assert _correct(client, entries["shared"], "-0.5").status_code == 200  # also counts for B
    client.force_login(staff)
    assert _correct(client, entries["shared"], "-0.5").status_code == 302
    assert HoursLedgerEntry.objects.filter(source="correction").count() == 2


def test_ledger_admin_lists_only_entries_that_count_for_the_trainers_classes(
    client, shared_trainee, trainer2
):
    from learning.progress.selectors import ledger_entries_for_trainer

    entries = shared_trainee["entries"]
    visible = set(ledger_entries_for_trainer(user=trainer2))
    assert visible == {entries["shared"], entries["b_offline"]}
    client.force_login(trainer2)
    assert client.get(f"/admin/hours_ledger/inspect/{entries['a_offline'].pk}/").status_code == 404


def test_trainee_record_shows_a_trainer_only_their_classes(
    client, shared_trainee, trainer2, trainee
):
    """Reproduction: a trainer who enrolled someone else's trainee read their whole 学习档案,
    other classes' entries included."""
    class_b = shared_trainee["class_b"]
    profile = trainee.trainee_profile
    client.force_login(trainer2)
    page = client.get(f"/admin/reports/classes/{class_b.pk}/trainees/{profile.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "乙班备注" in html and "学习党章" in html  # B's entry, the lesson B requires
    assert "甲班专用备注" not in html and "入党誓词" not in html  # A's entry, A's lesson
    assert "第一期入党积极分子培训班" not in html
    pdf = client.get(f"/admin/reports/classes/{class_b.pk}/trainees/{profile.pk}/record.pdf")
    assert pdf.status_code == 200


def test_trainee_record_selector_for_staff_and_for_the_trainee(shared_trainee, trainee, staff):
    from learning.reports.selectors import trainee_record

    everything = {e.pk for e in shared_trainee["entries"].values()}
    own = trainee_record(trainee=trainee.trainee_profile)
    assert {e.pk for e in own.ledger} == everything
    assert {e.pk for e in trainee_record(trainee=trainee.trainee_profile, viewer=staff).ledger} == (
        everything
    )
