"""The trainee form places a new trainee in a 党支部 of the Party tree and writes their documented
history; on edit, unit and stage belong to the member record (issue 15)."""

from django.contrib.auth.models import User

from learning.classes.models import TraineeProfile
from learning.classes.selectors import trainee_branch_choices
from party.members.models import Member
from tests.factories import make_branch_unit, make_trainee_profile, make_user


def test_trainee_branch_choices_every_branch_for_trainers_and_staff_none_for_others(
    db, trainer, training_office
):
    law = make_branch_unit("法学院党委", "法学本科生党支部")
    direct = make_branch_unit(None, "机关直属党支部")
    expected = {(law.pk, "法学院党委"), (direct.pk, "示范大学党委")}
    assert {(u.pk, u.college_name) for u in trainee_branch_choices(trainer)} == expected
    assert {u.pk for u in trainee_branch_choices(training_office)} == {law.pk, direct.pk}
    assert list(trainee_branch_choices(make_user("nobody"))) == []
    assert list(trainee_branch_choices(make_user("learner", role="学员"))) == []


def test_create_places_the_member_in_the_unit_with_the_history(client, trainer):
    law = make_branch_unit("法学院党委", "法学本科生党支部")
    client.force_login(trainer)
    page = client.get("/admin/trainees/new/").content.decode()
    assert "法学院党委 / 法学本科生党支部" in page
    response = client.post(
        "/admin/trainees/new/",
        {
            "name": "新学员",
            "student_no": "N2026101",
            "unit": law.pk,
            "stage": "candidate",
            "applied_on": "2024-03-01",
            "activist_on": "2024-09-01",
            "candidate_on": "2025-10-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = TraineeProfile.objects.get(student_no="N2026101")
    member = Member.objects.get(student_no="N2026101")
    assert profile.member == member and member.unit == law
    history = [
        (s, d.isoformat()) for s, d in member.stage_changes.values_list("stage", "decided_on")
    ]
    assert history == [
        ("applicant", "2024-03-01"),
        ("activist", "2024-09-01"),
        ("candidate", "2025-10-01"),
    ]
    assert profile.stage_display == "发展对象"


def test_create_refuses_a_unit_that_is_not_a_branch(client, trainer):
    law = make_branch_unit("法学院党委", "法学本科生党支部")
    client.force_login(trainer)
    response = client.post(
        "/admin/trainees/new/",
        {
            "name": "新学员",
            "student_no": "N2026102",
            "unit": law.get_parent().pk,
            "stage": "activist",
        },
    )
    assert response.status_code == 200
    assert not TraineeProfile.objects.filter(student_no="N2026102").exists()
    assert not User.objects.filter(username="N2026102").exists()


def test_edit_leaves_unit_and_stage_to_the_member_record(client, training_office):
    law = make_branch_unit("法学院党委", "法学本科生党支部")
    eng = make_branch_unit("工学院党委", "机械党支部")
    profile = make_trainee_profile(name="张三", branch=law, stage="activist")
    client.force_login(training_office)
    url = f"/admin/trainees/edit/{profile.pk}/"
    page = client.get(url).content.decode()
    assert "组织关系转接" in page and "发展阶段以发展纪实为准" in page
    assert 'name="activist_on"' not in page and 'name="stage"' not in page
    response = client.post(
        url,
        {
            "name": "张三丰",
            "student_no": profile.student_no,
            "unit": eng.pk,
            "stage": "full_member",
            "activist_on": "2020-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile.refresh_from_db()
    assert profile.name == "张三丰"
    assert profile.member.unit == law
    assert profile.stage_display == "入党积极分子"
    assert profile.member.stage_changes.count() == 2
