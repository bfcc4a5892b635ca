"""Every trainee is a member of a unit (issue 15): the trainee admin and the demo link each
profile to its party.members record; a linked trainee's stage is the documented history's."""

import pytest
from django.contrib.auth.models import User

from learning.classes.models import TraineeProfile

pytestmark = pytest.mark.django_db


def test_a_trainee_made_in_the_admin_is_a_member_of_the_branch(
    client, trainer, branch, branch_unit
):
    from party.members.selectors import member_of_user

    client.force_login(trainer)
    response = client.post(
        "/admin/trainees/new/",
        {
            "name": "新学员",
            "student_no": "N2026001",
            "unit": branch_unit.pk,
            "stage": "activist",
            "activist_on": "2025-09-01",
            "applied_on": "2025-03-01",
            "must_change_password": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="N2026001")
    member = member_of_user(user=user)
    assert member is not None and user.trainee_profile.member_id == member.pk
    assert member.unit.name == branch.name and member.current_stage == "activist"
    history = list(member.stage_changes.values_list("stage", "decided_on", "note"))
    assert [(s, d.isoformat(), n) for s, d, n in history] == [
        ("applicant", "2025-03-01", ""),
        ("activist", "2025-09-01", ""),
    ]
    # Once linked, the stage is no longer the form's to change.
    profile = user.trainee_profile
    page = client.get(f"/admin/trainees/edit/{profile.pk}/").content.decode()
    assert "发展阶段以发展纪实为准" in page
    client.post(
        f"/admin/trainees/edit/{profile.pk}/",
        {
            "name": "新学员",
            "student_no": "N2026001",
            "unit": branch_unit.pk,
            "stage": "full_member",
        },
    )
    assert TraineeProfile.objects.get(pk=profile.pk).stage_now() == "activist"


def test_demo_trainees_are_the_party_demos_members():
    from cms.demo import demo_accounts_ensure
    from learning.classes.demo import demo_classes_ensure
    from party.members.demo import demo_party_ensure
    from party.members.models import Member
    from party.organisation.models import Unit

    users = demo_accounts_ensure()
    demo_party_ensure()
    demo_classes_ensure()
    demo_classes_ensure()  # idempotent
    for username, number in (("activist", "D2025001"), ("candidate", "D2025002")):
        profile = users[username].trainee_profile
        assert profile.member == Member.objects.get(student_no=number)
        assert profile.member.user == users[username]
    # No second tree: 演示学院 is the party demo's 演示学院党委.
    assert Unit.objects.filter(kind="university").count() == 1
    assert not Unit.objects.filter(name="演示学院").exists()


def test_the_report_and_me_read_the_stage_from_the_history(report_factory, client, trainer):
    """A stage changed on the timeline (支部委员会 确定为发展对象) is what the class report, its
    filter and sort, and /api/v1/me/ show; the profile's old field is not read."""
    from datetime import date

    from learning.reports.selectors import ReportFilters, class_report, to_row
    from party.members.models import StageChange

    tc = report_factory.klass(trainers=[trainer])
    moved, stays = report_factory.trainees(tc, 2, stage="activist")
    StageChange.objects.create(
        member=moved.member,
        stage="candidate",
        decided_on=date.today(),
        decided_by="branch_committee",
    )

    def rows(**filters):
        return {
            r.student_no: r
            for r in map(to_row, class_report(training_class=tc, filters=ReportFilters(**filters)))
        }

    assert {n: r.stage for n, r in rows().items()} == {
        moved.student_no: "candidate",
        stays.student_no: "activist",
    }
    assert rows()[moved.student_no].stage_label == "发展对象"
    assert list(rows(stage="candidate")) == [moved.student_no]
    assert list(rows(stage="activist")) == [stays.student_no]
    assert [r.student_no for r in rows(sort="stage").values()] == [
        stays.student_no,
        moved.student_no,
    ]
    client.force_login(moved.user)
    me = client.get("/api/v1/me/").json()
    assert (me["stage"], me["stage_display"]) == ("candidate", "发展对象")


# --- enrolment matches the audience (issue 14) ---------------------------------------------------


def _class_form(tc_name, trainees, **extra):
    return {
        "name": tc_name,
        "intake": "第 1 期",
        "audience_stage": "candidate",
        "required_hours": "",
        "pass_mark": "60",
        "trainees": [p.pk for p in trainees],
        **extra,
    }


def test_a_candidate_class_takes_candidates_only(client, trainer, training_office, branch):
    from learning.classes.models import Enrolment, TrainingClass
    from tests.learning.conftest import make_trainee

    activist = make_trainee("act1", branch, stage="activist").trainee_profile
    candidate = make_trainee("cand1", branch, stage="candidate").trainee_profile
    client.force_login(training_office)
    response = client.post(
        "/admin/training_classes/new/", _class_form("发展对象班", [activist, candidate])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "发展对象培训班只编入发展阶段为发展对象的学员" in page and "第十七条" in page
    assert f"{activist.name}（入党积极分子）" in page and "确需编入请填写理由" in page
    assert not TrainingClass.objects.exists()

    # Staff may enrol them anyway, and the reason is kept with that enrolment only.
    response = client.post(
        "/admin/training_classes/new/",
        _class_form(
            "发展对象班", [activist, candidate], audience_override_reason="支部已上报，待备案"
        ),
    )
    assert response.status_code == 302
    enrolments = {e.trainee_id: e for e in Enrolment.objects.all()}
    assert enrolments[activist.pk].audience_override_reason == "支部已上报，待备案"
    assert enrolments[activist.pk].audience_override_by == training_office
    assert enrolments[candidate.pk].audience_override_reason == ""


def test_a_trainer_cannot_override_the_audience(client, trainer, branch):
    from learning.classes.models import TrainingClass
    from tests.learning.conftest import make_trainee

    activist = make_trainee("act2", branch, stage="activist").trainee_profile
    client.force_login(trainer)
    response = client.post(
        "/admin/training_classes/new/",
        _class_form("发展对象班", [activist], audience_override_reason="想来听听"),
    )
    assert response.status_code == 200
    assert "发展对象培训班只编入发展阶段为发展对象的学员" in response.content.decode()
    assert not TrainingClass.objects.exists()


def test_the_audience_is_the_derived_stage_and_the_roster_checks_it(branch, branch_unit):
    from datetime import date
    from io import BytesIO

    from openpyxl import Workbook

    from learning.classes.membership import audience_mismatches
    from learning.classes.models import TrainingClass
    from learning.classes.roster import RosterError, trainees_import
    from party.members.models import StageChange
    from tests.learning.conftest import make_trainee

    tc = TrainingClass.objects.create(name="发展对象班", audience_stage="candidate")
    profile = make_trainee("act3", branch, stage="activist").trainee_profile
    assert [p.pk for p, _s in audience_mismatches(tc, [profile])] == [profile.pk]
    StageChange.objects.create(
        member=profile.member,
        stage="candidate",
        decided_on=date.today(),
        decided_by="branch_committee",
    )
    assert audience_mismatches(tc, [profile]) == []

    book = Workbook()
    book.active.append(["姓名", "学号/工号", "学院", "党支部", "培养阶段"])
    book.active.append(["新人", "X001", branch.get_parent().name, branch.name, "入党积极分子"])
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with pytest.raises(RosterError) as info:
        trainees_import(file=buffer, training_class=tc)
    [error] = info.value.errors
    assert (error.row, error.column) == (
        2,
        "发展阶段",
    ) and "只编入发展阶段为发展对象" in error.message
    assert not TraineeProfile.objects.filter(student_no="X001").exists()


def test_stage_dates_in_order(client, trainer, branch, branch_unit):
    client.force_login(trainer)
    response = client.post(
        "/admin/trainees/new/",
        {
            "name": "新学员",
            "student_no": "N2026009",
            "unit": branch_unit.pk,
            "stage": "activist",
            "applied_on": "2025-09-01",
            "activist_on": "2025-03-01",
        },
    )
    assert response.status_code == 200
    assert "不能早于递交入党申请书日期（2025-09-01）" in response.content.decode()
    assert not TraineeProfile.objects.filter(student_no="N2026009").exists()


def test_the_trainee_list_shows_the_documented_stage(client, training_office, branch):
    from datetime import date

    from party.members.models import StageChange
    from tests.learning.conftest import make_trainee

    profile = make_trainee("act9", branch, stage="activist").trainee_profile
    StageChange.objects.create(
        member=profile.member,
        stage="candidate",
        decided_on=date.today(),
        decided_by="branch_committee",
    )
    client.force_login(training_office)
    page = client.get("/admin/trainees/").content.decode()
    start = page.rindex("<tr", 0, page.index(profile.student_no))
    row = page[start : page.index("</tr>", start)]
    assert "发展对象" in row and "入党积极分子" not in row


def test_load_demo_makes_every_demo_trainee_a_member_of_the_demo_tree(monkeypatch):
    from django.core.management import call_command

    from party.organisation.models import Unit

    monkeypatch.setenv("DEMO_PASSWORD", "Demo-Pass-2026")
    call_command("load_demo", "--no-video")
    profiles = list(TraineeProfile.objects.select_related("member__unit"))
    assert profiles
    for profile in profiles:
        assert profile.member is not None and profile.member.user_id == profile.user_id
        assert profile.member.unit.kind == "branch"
    assert Unit.objects.filter(kind="university").count() == 1
    assert not Unit.objects.filter(name="演示学院").exists()
