"""Issue 12, trainer scoping: a trainer reaches only the trainees of their classes (and those in no
class yet), whatever the entry point — the roster import, the class form's drop-down, the trainee
form. Each test reproduces a way around the scope found on the old code."""

import pytest
from django.contrib.auth.models import Permission, User

from learning.classes.models import Enrolment, TraineeProfile, TrainingClass
from learning.classes.roster import RosterError, trainees_import
from tests.learning.conftest import make_trainee, make_trainer
from tests.learning.test_roster_import import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    user = make_trainer("office")  # 培训管理员 who may see all classes: the training office
    user.user_permissions.add(Permission.objects.get(codename="view_all_classes"))
    return User.objects.get(pk=user.pk)


def _row(no, name="改名=HYPERLINK(1)", branch="另一个支部"):
    return [name, no, "计算机学院", branch, "入党积极分子", ""]


# --- roster import ----------------------------------------------------------------------------


def test_roster_row_cannot_update_another_trainers_trainee(training_class, trainee, trainer2):
    """Reproduction: a trainer with no class renamed a trainee of another trainer's class and moved
    them to another branch by importing a roster with their 学号."""
    profile = trainee.trainee_profile
    rows = [_row("NEW001", name="新学员"), _row(profile.student_no)]
    with pytest.raises(RosterError) as info:
        trainees_import(file=xlsx(rows), by=trainer2)
    assert [(e.row, e.message) for e in info.value.errors] == [
        (3, f"学号 {profile.student_no} 属于其他培训班，无权修改")
    ]
    profile.refresh_from_db()
    assert profile.name == "学员trainee1" and profile.branch.name == "本科生第一党支部"
    # All or nothing: the good row was not imported either.
    assert not TraineeProfile.objects.filter(student_no="NEW001").exists()


def test_roster_admin_upload_shows_the_scope_error(client, training_class, trainee, trainer2):
    client.force_login(trainer2)
    response = client.post(
        "/admin/trainee_import/", {"file": xlsx([_row(trainee.trainee_profile.student_no)])}
    )
    assert response.status_code == 200
    assert f"学号 {trainee.trainee_profile.student_no} 属于其他培训班，无权修改" in (
        response.content.decode()
    )
    assert TraineeProfile.objects.get(user=trainee).name == "学员trainee1"


def test_roster_updates_own_and_unassigned_trainees(training_class, trainee, trainer, branch):
    loose = make_trainee("loose", branch).trainee_profile  # in no class: may be enrolled by anyone
    rows = [_row(trainee.trainee_profile.student_no, name="甲"), _row(loose.student_no, name="乙")]
    result = trainees_import(file=xlsx(rows), by=trainer, training_class=training_class)
    assert (result.created, result.updated, result.enrolled) == (0, 2, 1)
    assert TraineeProfile.objects.get(user=trainee).name == "甲"


def test_roster_by_staff_and_command_line_are_unscoped(training_class, trainee, staff):
    trainees_import(file=xlsx([_row(trainee.trainee_profile.student_no, name="丙")]), by=staff)
    assert TraineeProfile.objects.get(user=trainee).name == "丙"
    trainees_import(file=xlsx([_row(trainee.trainee_profile.student_no, name="丁")]))
    assert TraineeProfile.objects.get(user=trainee).name == "丁"


# --- the class form's trainee choices -------------------------------------------------------


def _class_form_data(trainees):
    return {
        "name": "乙班",
        "intake": "1",
        "audience_stage": "candidate",
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


def test_trainee_form_lists_no_accounts(client, trainer, trainee, branch):
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
            "college": branch.college.pk,
            "branch": branch.pk,
            "stage": "activist",
            "must_change_password": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = TraineeProfile.objects.get(student_no="N2026001")
    assert profile.user.username == "N2026001" and profile.must_change_password
    assert profile.user.groups.filter(name="学员").exists()


def test_trainee_form_refuses_a_taken_username(client, trainer, branch):
    client.force_login(trainer)
    response = client.post(
        "/admin/trainees/new/",
        {
            "name": "冒名",
            "student_no": "trainer",
            "college": branch.college.pk,
            "branch": branch.pk,
            "stage": "activist",
        },
    )
    assert response.status_code == 200
    assert "已有同名的账号" in response.content.decode()
    assert not TraineeProfile.objects.filter(student_no="trainer").exists()
