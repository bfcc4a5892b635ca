"""Roster import from .xlsx: good files, every bad-row kind, all or nothing, command, admin, first login."""

from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from learning.classes.models import Branch, College, Enrolment, TraineeProfile
from learning.classes.roster import RosterError, roster_template, trainees_import

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "学号/工号", "学院", "党支部", "发展阶段", "手机号"]
GOOD = [
    ["张三", "2023001", "计算机学院", "本科生第一党支部", "入党积极分子", "13800000001"],
    ["李四", 2023002, "计算机学院", "本科生第一党支部", "发展对象", None],
    ["王五", "2023003", "外国语学院", "研究生党支部", "入党申请人", ""],
]


def xlsx(rows, header=HEADER) -> BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "roster.xlsx"
    return buffer


def errors_of(rows, header=HEADER) -> list[tuple[int, str, str]]:
    with pytest.raises(RosterError) as info:
        trainees_import(file=xlsx(rows, header))
    return [(e.row, e.column, e.message) for e in info.value.errors]


def test_good_roster_creates_accounts_profiles_and_organisations(training_class):
    result = trainees_import(file=xlsx(GOOD), training_class=training_class)
    assert (result.created, result.updated, result.enrolled) == (3, 0, 3)
    # 计算机学院 and its 本科生第一党支部 exist already (fixture); 外国语学院 and its branch are new.
    assert (result.colleges_created, result.branches_created) == (1, 1)
    profile = TraineeProfile.objects.get(student_no="2023002")
    assert profile.name == "李四" and profile.stage == "candidate"
    assert profile.must_change_password is True
    assert profile.branch.college.name == "计算机学院"
    user = User.objects.get(username="2023001")
    assert not user.check_password("2023001")  # random, see test_initial_passwords.py
    assert user.groups.filter(name="学员").exists()
    assert Enrolment.objects.filter(training_class=training_class).count() == 1 + 3


def test_reimport_updates_and_keeps_the_password():
    trainees_import(file=xlsx(GOOD))
    user = User.objects.get(username="2023001")
    user.set_password("my-own-secret-1")
    user.save()
    changed = [["张三丰", "2023001", "计算机学院", "本科生第一党支部", "入党积极分子", ""]]
    result = trainees_import(file=xlsx(changed))
    assert (result.created, result.updated) == (0, 1)
    assert TraineeProfile.objects.get(student_no="2023001").name == "张三丰"
    assert User.objects.get(username="2023001").check_password("my-own-secret-1")


def test_headers_are_matched_by_name_not_position():
    header = ["培养阶段", "姓名", "党支部", "学院", "学号"]
    rows = [["正式党员", "赵六", "教工党支部", "机关党委", "T001"]]
    trainees_import(file=xlsx(rows, header))
    assert TraineeProfile.objects.get(student_no="T001").stage == "full_member"


def test_missing_column():
    errors = errors_of(GOOD, header=["姓名", "学号/工号", "学院", "培养阶段"])
    assert (1, "党支部", "缺少此列。") in errors


def test_empty_required_cell():
    errors = errors_of([["", "2023009", "计算机学院", "一支部", "发展对象"]])
    assert errors == [(2, "姓名", "不能为空。")]


def test_unknown_stage():
    errors = errors_of([["张三", "2023001", "计算机学院", "一支部", "积极分子候选人"]])
    assert errors[0][:2] == (2, "发展阶段")
    assert "积极分子候选人" in errors[0][2] and "不是有效的发展阶段" in errors[0][2]


def test_bad_phone():
    errors = errors_of([["张三", "2023001", "计算机学院", "一支部", "发展对象", "12345"]])
    assert errors == [(2, "手机号", "应为 11 位手机号码。")]


def test_bad_student_no():
    errors = errors_of([["张三", "2023 001", "计算机学院", "一支部", "发展对象"]])
    assert errors[0][:2] == (2, "学号/工号")


def test_duplicate_student_no_in_file():
    rows = [GOOD[0], ["张三丰", "2023001", "计算机学院", "一支部", "发展对象"]]
    errors = errors_of(rows)
    assert errors == [(3, "学号/工号", "与第 2 行重复。")]


def test_student_no_of_a_non_trainee_account():
    User.objects.create_user(username="2023001", password="x")
    errors = errors_of(GOOD[:1])
    assert errors[0][:2] == (2, "学号/工号")


def test_not_an_xlsx_file():
    fake = BytesIO(b"name,no\n")
    with pytest.raises(RosterError) as info:
        trainees_import(file=fake)
    assert info.value.errors[0].column == "文件"


def test_every_bad_row_is_reported_and_nothing_is_imported():
    rows = [
        GOOD[0],
        ["", "2023010", "计算机学院", "一支部", "发展对象"],
        GOOD[1],
        ["李雷", "2023011", "计算机学院", "一支部", "未知阶段"],
    ]
    errors = errors_of(rows)
    assert [e[0] for e in errors] == [3, 5]
    assert not TraineeProfile.objects.exists()
    assert not College.objects.exists() and not Branch.objects.exists()
    assert not User.objects.filter(username__in=["2023001", "2023002"]).exists()


def test_blank_rows_are_skipped():
    trainees_import(file=xlsx([GOOD[0], [None] * 6, GOOD[1]]))
    assert TraineeProfile.objects.count() == 2


def test_template_has_the_headers():
    sheet = load_workbook(BytesIO(roster_template())).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.freeze_panes == "A2"  # the header row stays in view (issue 21)


def test_command_imports_and_enrols(tmp_path, training_class):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(GOOD).getvalue())
    sheet = tmp_path / "passwords.xlsx"
    # 外国语学院 and its branch are new: the command names them and waits for --yes.
    with pytest.raises(CommandError, match="--yes"):
        call_command("import_trainees", str(path), "--class", str(training_class.pk))
    assert not TraineeProfile.objects.filter(student_no="2023001").exists()
    call_command(
        "import_trainees",
        str(path),
        "--class",
        str(training_class.pk),
        "--passwords-out",
        str(sheet),
        "--yes",
    )
    assert Enrolment.objects.filter(training_class=training_class).count() == 4
    rows = list(load_workbook(sheet).active.iter_rows(min_row=2, max_row=4, values_only=True))
    assert [(name, no) for name, no, _password in rows] == [
        ("张三", "2023001"),
        ("李四", "2023002"),
        ("王五", "2023003"),
    ]
    assert all(User.objects.get(username=no).check_password(pw) for _n, no, pw in rows)
    assert sheet.stat().st_mode & 0o077 == 0  # the operator's eyes only


def test_command_reports_errors(tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx([["", "1", "学院", "支部", "发展对象"]]).getvalue())
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_trainees", str(path))
    assert "第 2 行【姓名】" in capsys.readouterr().err


def test_admin_upload_preview_confirm_and_template(client, training_office, training_class):
    client.force_login(training_office)
    assert client.get("/admin/trainee_import/template.xlsx").status_code == 200
    response = client.post(
        "/admin/trainee_import/",
        {"file": xlsx(GOOD), "training_class": training_class.pk},
    )
    assert response.status_code == 302
    preview_url = response["Location"]
    preview = client.get(preview_url)
    html = preview.content.decode()
    assert "确认导入" in html and "外国语学院" in html and "新建 3 人" in html
    assert not TraineeProfile.objects.filter(student_no__startswith="2023").exists()
    new_names = ["外国语学院", "外国语学院 / 研究生党支部"]
    # Not ticking the confirmation of the new 学院/党支部 imports nothing.
    response = client.post(preview_url, {"new_name": new_names})
    assert response.status_code == 200 and "请先勾选" in response.content.decode()
    assert not TraineeProfile.objects.filter(student_no__startswith="2023").exists()
    response = client.post(preview_url, {"new_name": new_names, "confirm_new": "1"})
    assert response.status_code == 302 and response["Location"].endswith("/result/")
    assert TraineeProfile.objects.filter(student_no__startswith="2023").count() == 3
    result = client.get(response["Location"]).content.decode()
    assert "新建学员 3 人" in result and "外国语学院 / 研究生党支部" in result


def test_admin_upload_shows_row_errors(client, trainer):
    client.force_login(trainer)
    response = client.post(
        "/admin/trainee_import/", {"file": xlsx([["", "1", "学院", "支部", "发展对象"]])}
    )
    response = client.get(response["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "不能为空" in html and "确认导入" not in html
    assert not TraineeProfile.objects.exists()


def test_admin_import_needs_permission(client, trainee):
    client.force_login(trainee)
    assert client.get("/admin/trainee_import/").status_code in (302, 403)


def test_first_login_goes_to_password_change_first(client):
    [initial] = trainees_import(file=xlsx(GOOD[:1])).initial_passwords
    response = client.post(
        "/accounts/login/", {"username": "2023001", "password": initial.password}
    )
    assert response.status_code == 302
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/accounts/password/change/"
    )
    assert client.get("/api/v1/me/").status_code == 403
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": initial.password,
            "new_password1": "Hong-Qi-2026!x",
            "new_password2": "Hong-Qi-2026!x",
        },
    )
    assert response.status_code == 302
    assert TraineeProfile.objects.get(student_no="2023001").must_change_password is False
    assert client.get("/me/").status_code == 200


def test_chinese_stage_names_are_read_whatever_the_interface_language():
    from django.utils import translation

    from learning.classes.models import TraineeStage

    with translation.override("en"):
        assert TraineeStage.from_label("入党积极分子") == TraineeStage.ACTIVIST
        assert TraineeStage.from_label("Activist") == TraineeStage.ACTIVIST


# --- trainees are members of units (issue 15) ----------------------------------------------------


def test_new_trainees_become_members_of_the_tree_with_a_history():
    from party.members.models import Member
    from party.members.selectors import with_current_stage
    from party.organisation.models import Unit

    trainees_import(file=xlsx(GOOD))
    profiles = {p.student_no: p for p in TraineeProfile.objects.select_related("member__unit")}
    assert all(p.member is not None for p in profiles.values())
    member = profiles["2023002"].member
    assert (member.user_id, member.name, member.gender) == (profiles["2023002"].user_id, "李四", "")
    assert member.unit.kind == "branch" and member.unit.name == "本科生第一党支部"
    college = Unit.objects.get(pk=member.unit.get_parent().pk)
    assert (college.kind, college.name) == ("college", "计算机学院")
    assert college.get_parent().kind == "university"
    stages = dict(
        with_current_stage(Member.objects.all()).values_list("student_no", "current_stage")
    )
    assert stages == {"2023001": "activist", "2023002": "candidate", "2023003": "applicant"}
    history = list(member.stage_changes.order_by("decided_on", "id"))
    assert [c.stage for c in history] == ["applicant", "activist", "candidate"]
    assert {c.decided_by for c in history} == {"records"}
    assert all("未提供" in c.note for c in history)  # the roster has no dates: said, not hidden


def test_a_person_already_in_the_registry_is_linked_and_keeps_their_record():
    from datetime import date

    from party.members.models import Member
    from party.members.services import stage_history_import
    from party.organisation.models import Unit, UnitKind
    from party.organisation.services import unit_create

    uni = unit_create(kind=UnitKind.UNIVERSITY, name="示范大学党委")
    college = unit_create(kind=UnitKind.COLLEGE, name="计算机学院党委", parent=uni)
    branch = unit_create(kind=UnitKind.BRANCH, name="本科生第一党支部", parent=college)
    member = Member.objects.create(name="张三", gender="male", student_no="2023001", unit=branch)
    stage_history_import(
        member=member,
        entries=[("applicant", date(2023, 3, 1)), ("activist", date(2024, 3, 1))],
        by_user=None,
    )
    trainees_import(file=xlsx(GOOD[:1]))
    profile = TraineeProfile.objects.get(student_no="2023001")
    member.refresh_from_db()
    assert profile.member_id == member.pk and member.user_id == profile.user_id
    assert member.gender == "male" and member.stage_changes.count() == 2
    # 计算机学院 is the tree's 计算机学院党委: no second college unit.
    college.refresh_from_db()
    assert college.get_children().filter(name="本科生第一党支部").count() == 1
    assert Unit.objects.filter(kind="college").count() == 1
    assert not Member.objects.exclude(pk=member.pk).exists()


def test_a_row_may_not_change_the_documented_stage():
    trainees_import(file=xlsx(GOOD))
    changed = [["张三", "2023001", "计算机学院", "本科生第一党支部", "发展对象", ""]]
    errors = errors_of(changed)
    assert errors[0][:2] == (2, "发展阶段")
    assert "当前阶段为“入党积极分子”" in errors[0][2] and "发展纪实" in errors[0][2]
    assert TraineeProfile.objects.get(student_no="2023001").stage == "activist"


@pytest.mark.parametrize("word", ["中共党员", "中共预备党员", "共青团员", "群众"])
def test_political_status_is_not_a_stage(word):
    errors = errors_of(
        [["张三", "2023001", "计算机学院", "一支部", word]], header=HEADER[:4] + ["政治面貌"]
    )
    assert errors[0][:2] == (2, "发展阶段")
    assert f"“{word}”是政治面貌，不是发展阶段" in errors[0][2]
    assert not TraineeProfile.objects.exists()
