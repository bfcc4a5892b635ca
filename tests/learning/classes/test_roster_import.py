"""Roster import from .xlsx: good files, every bad-row kind, all or nothing, command, admin, first login."""

from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from learning.classes.models import Enrolment, TraineeProfile
from learning.classes.roster import RosterError, roster_plan, roster_template, trainees_import
from party.members.models import Member, StageChange
from party.organisation.models import Unit
from tests.factories import make_branch_unit

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "学号/工号", "学院", "党支部", "发展阶段", "手机号"]
GOOD = [
    ["张三", "2023001", "计算机学院", "本科生第一党支部", "入党积极分子", "13800000001"],
    ["李四", 2023002, "计算机学院", "本科生第一党支部", "发展对象", None],
    ["王五", "2023003", "外国语学院", "研究生党支部", "入党申请人", ""],
]


def make_roster_units() -> dict[str, Unit]:
    """The 党支部 the GOOD rows name, in the Party tree (an import never creates one). The tree
    calls the colleges 计算机学院党委 etc.; the rows write 计算机学院 (issue 15)."""
    return {
        "cs": make_branch_unit("计算机学院党委", "本科生第一党支部"),
        "fl": make_branch_unit("外国语学院党委", "研究生党支部"),
        "office": make_branch_unit("机关党委", "教工党支部"),
    }


@pytest.fixture(autouse=True)
def tree(db) -> dict[str, Unit]:
    return make_roster_units()


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


def test_good_roster_creates_accounts_and_members_in_existing_units(training_class, tree):
    units = Unit.objects.count()
    result = trainees_import(file=xlsx(GOOD), training_class=training_class)
    assert (result.created, result.updated, result.enrolled) == (3, 0, 3)
    assert (result.linked, result.new_records) == (0, 3)
    assert Unit.objects.count() == units  # no unit is created by an import
    profile = TraineeProfile.objects.get(student_no="2023002")
    assert profile.name == "李四" and profile.stage_now() == "candidate"
    assert profile.must_change_password is True
    # 计算机学院 is the tree's 计算机学院党委.
    assert profile.member.unit == tree["cs"]
    assert TraineeProfile.objects.get(student_no="2023003").member.unit == tree["fl"]
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
    assert (result.created, result.updated, result.linked, result.new_records) == (0, 1, 1, 0)
    assert TraineeProfile.objects.get(student_no="2023001").name == "张三丰"
    assert User.objects.get(username="2023001").check_password("my-own-secret-1")


def test_headers_are_matched_by_name_not_position():
    header = ["培养阶段", "姓名", "党支部", "学院", "学号"]
    rows = [["正式党员", "赵六", "教工党支部", "机关党委", "T001"]]
    trainees_import(file=xlsx(rows, header))
    assert TraineeProfile.objects.get(student_no="T001").stage_now() == "full_member"


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
    assert not TraineeProfile.objects.exists() and not Member.objects.exists()
    assert not User.objects.filter(username__in=["2023001", "2023002"]).exists()


def test_blank_rows_are_skipped():
    trainees_import(file=xlsx([GOOD[0], [None] * 6, GOOD[1]]))
    assert TraineeProfile.objects.count() == 2


def test_template_has_the_headers():
    sheet = load_workbook(BytesIO(roster_template())).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.freeze_panes == "A2"  # the header row stays in view (issue 21)


def test_command_imports_and_enrols(tmp_path, training_class, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(GOOD).getvalue())
    sheet = tmp_path / "passwords.xlsx"
    # No confirmation step: every unit exists, so the command imports (there is no --yes).
    call_command(
        "import_trainees",
        str(path),
        "--class",
        str(training_class.pk),
        "--passwords-out",
        str(sheet),
    )
    assert "关联已有档案 0 人，新建档案 3 人" in capsys.readouterr().out
    assert Enrolment.objects.filter(training_class=training_class).count() == 4
    rows = list(load_workbook(sheet).active.iter_rows(min_row=2, max_row=4, values_only=True))
    assert [(name, no) for name, no, _password in rows] == [
        ("张三", "2023001"),
        ("李四", "2023002"),
        ("王五", "2023003"),
    ]
    assert all(User.objects.get(username=no).check_password(pw) for _n, no, pw in rows)
    assert sheet.stat().st_mode & 0o077 == 0  # the operator's eyes only
    with pytest.raises(CommandError):
        call_command("import_trainees", str(path), "--yes")  # the old confirmation is gone


def test_command_reports_errors(tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx([["", "1", "学院", "支部", "发展对象"]]).getvalue())
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_trainees", str(path))
    assert "第 2 行【姓名】" in capsys.readouterr().err


def test_admin_upload_preview_confirm_and_template(client, training_office, training_class):
    client.force_login(training_office)
    page = client.get("/admin/trainee_import/").content.decode()
    assert "导入不会新建党组织" in page and "要新建的学院" not in page
    assert client.get("/admin/trainee_import/template.xlsx").status_code == 200
    response = client.post(
        "/admin/trainee_import/",
        {"file": xlsx(GOOD), "training_class": training_class.pk},
    )
    assert response.status_code == 302
    preview_url = response["Location"]
    html = client.get(preview_url).content.decode()
    # The rows as they will be placed: the tree's names, and whose 党员档案 is new.
    assert "确认导入" in html and "新建 3 人" in html and "外国语学院党委" in html
    assert "关联已有档案 0 人，新建档案 3 人" in html and "<td>新建档案</td>" in html
    assert "confirm_new" not in html  # no step confirming new 学院/党支部: none are created
    assert not TraineeProfile.objects.filter(student_no__startswith="2023").exists()
    response = client.post(preview_url)
    assert response.status_code == 302 and response["Location"].endswith("/result/")
    assert TraineeProfile.objects.filter(student_no__startswith="2023").count() == 3
    result = client.get(response["Location"]).content.decode()
    assert "新建学员 3 人" in result and "关联已有档案 0 人，新建档案 3 人" in result


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


def test_new_trainees_become_members_of_the_tree_with_a_history(tree):
    from party.members.selectors import with_current_stage

    trainees_import(file=xlsx(GOOD))
    profiles = {p.student_no: p for p in TraineeProfile.objects.select_related("member__unit")}
    assert all(p.member is not None for p in profiles.values())
    member = profiles["2023002"].member
    assert (member.user_id, member.name, member.gender) == (profiles["2023002"].user_id, "李四", "")
    assert member.unit == tree["cs"] and member.unit.get_parent().name == "计算机学院党委"
    stages = dict(
        with_current_stage(Member.objects.all()).values_list("student_no", "current_stage")
    )
    assert stages == {"2023001": "activist", "2023002": "candidate", "2023003": "applicant"}
    history = list(member.stage_changes.order_by("decided_on", "id"))
    assert [c.stage for c in history] == ["applicant", "activist", "candidate"]
    assert {c.decided_by for c in history} == {"records"}
    assert all("未提供" in c.note for c in history)  # the roster has no dates: said, not hidden


def test_a_person_already_in_the_registry_is_linked_and_keeps_their_record(tree):
    from datetime import date

    from party.members.services import stage_history_import

    member = Member.objects.create(
        name="张三", gender="male", student_no="2023001", unit=tree["cs"]
    )
    stage_history_import(
        member=member,
        entries=[("applicant", date(2023, 3, 1)), ("activist", date(2024, 3, 1))],
        by_user=None,
    )
    plan = roster_plan(xlsx(GOOD))
    assert [r.record_label for r in plan.rows] == ["关联已有档案", "新建档案", "新建档案"]
    assert (plan.to_link, plan.to_new_record) == (1, 2)
    result = trainees_import(file=xlsx(GOOD))
    assert (result.linked, result.new_records) == (1, 2)
    profile = TraineeProfile.objects.get(student_no="2023001")
    member.refresh_from_db()
    assert profile.member_id == member.pk and member.user_id == profile.user_id
    # The record keeps its own data and history: nothing of the row overwrites them.
    assert member.gender == "male" and member.stage_changes.count() == 2


def test_a_row_may_not_change_the_documented_stage():
    trainees_import(file=xlsx(GOOD))
    changed = [["张三", "2023001", "计算机学院", "本科生第一党支部", "发展对象", ""]]
    errors = errors_of(changed)
    assert errors[0][:2] == (2, "发展阶段")
    assert "当前阶段为“入党积极分子”" in errors[0][2] and "发展纪实" in errors[0][2]
    assert TraineeProfile.objects.get(student_no="2023001").stage_now() == "activist"


@pytest.mark.parametrize("word", ["中共党员", "中共预备党员", "共青团员", "群众"])
def test_political_status_is_not_a_stage(word):
    errors = errors_of(
        [["张三", "2023001", "计算机学院", "一支部", word]], header=HEADER[:4] + ["政治面貌"]
    )
    assert errors[0][:2] == (2, "发展阶段")
    assert f"“{word}”是政治面貌，不是发展阶段" in errors[0][2]
    assert not TraineeProfile.objects.exists()


# --- rows name existing units of the Party tree (issue 15, slice 5) -------------------------------


def _written() -> tuple[int, ...]:
    return (
        User.objects.count(),
        TraineeProfile.objects.count(),
        Member.objects.count(),
        StageChange.objects.count(),
        Unit.objects.count(),
        Enrolment.objects.count(),
    )


def test_a_misspelled_branch_is_a_row_error_naming_the_near_match():
    before = _written()
    rows = [GOOD[0], ["赵六", "2023004", "计算机学院", "本科生第一党支布", "入党积极分子", ""]]
    errors = errors_of(rows)
    assert errors == [
        (
            3,
            "党支部",
            "「计算机学院党委」下没有党支部「本科生第一党支布」（相近：本科生第一党支部）。"
            "导入不会新建党组织：请核对拼写；党支部由组织部在「党组织」中维护。",
        )
    ]
    assert _written() == before  # the good row is not imported either


def test_a_misspelled_college_is_one_error_for_all_its_rows():
    rows = [
        ["赵六", "2023004", "计算机学阮", "本科生第一党支部", "入党积极分子", ""],
        ["钱七", "2023005", "计算机学阮", "本科生第一党支部", "入党积极分子", ""],
    ]
    [(row, column, message)] = errors_of(rows)
    assert (row, column) == (2, "学院")
    assert message.startswith("「计算机学阮」不是系统中的院系党委或校党委（相近：计算机学院党委）")
    assert "本文件共 2 行写了此名称（第 2、3 行）" in message
    assert not TraineeProfile.objects.exists()


def test_college_names_match_with_or_without_the_suffix_full_width_and_spaces(tree):
    mba = make_branch_unit("经济管理学院党总支", "MBA党支部")
    rows = [
        ["赵六", "2023004", "计算机学院党委", "本科生第一党支部", "入党积极分子", ""],
        ["钱七", "2023005", "经济管理学院", "ＭＢＡ 党支部", "入党积极分子", ""],
        ["孙八", "2023006", "外国语 学院", "研究生党支部", "入党申请人", ""],
    ]
    plan = roster_plan(xlsx(rows))
    assert [r.unit for r in plan.rows] == [tree["cs"], mba, tree["fl"]]
    assert [r.college_unit.name for r in plan.rows] == [
        "计算机学院党委",
        "经济管理学院党总支",
        "外国语学院党委",
    ]


def test_a_direct_branch_is_named_with_the_university_committee_as_its_college():
    direct = make_branch_unit(None, "机关直属党支部")
    rows = [["赵六", "2023004", "示范大学党委", "机关直属党支部", "入党积极分子", ""]]
    trainees_import(file=xlsx(rows))
    assert Member.objects.get(student_no="2023004").unit == direct
    # A branch of a 院系党委 is not a 直属党支部 of the 校党委.
    errors = errors_of([["钱七", "2023005", "示范大学党委", "本科生第一党支部", "入党积极分子"]])
    assert errors[0][:2] == (2, "党支部") and "「示范大学党委」下没有党支部" in errors[0][2]


def test_a_branch_outside_the_importers_scope_is_a_row_error(tree):
    """A user who may import trainees but is neither a trainer nor staff (here the 组织员 of
    外国语学院党委) imports into the branches of their unit scope only."""
    from django.contrib.auth.models import Permission

    from party.organisation.models import OrganiserAssignment
    from tests.factories import make_user

    organiser = make_user("organiser")
    organiser.user_permissions.add(Permission.objects.get(codename="add_traineeprofile"))
    OrganiserAssignment.objects.create(user=organiser, unit=tree["fl"].get_parent())
    organiser = User.objects.get(pk=organiser.pk)
    with pytest.raises(RosterError) as info:
        trainees_import(file=xlsx(GOOD), by=organiser)
    assert [(e.row, e.column, e.message) for e in info.value.errors] == [
        (
            2,
            "党支部",
            "「计算机学院党委 / 本科生第一党支部」不在您可以导入学员的党支部范围内。"
            "本文件共 2 行写了此名称（第 2、3 行）。",
        )
    ]
    assert not TraineeProfile.objects.exists()
    result = trainees_import(file=xlsx(GOOD[2:]), by=organiser)
    assert result.created == 1 and Member.objects.get().unit == tree["fl"]


def test_a_student_number_registered_in_another_branch_is_a_row_error(tree):
    """No silent transfer: moving a member is 组织关系转接 (member_transfer), with its record. The
    error does not say where the record is, nor its stage (not the importer's to read)."""
    from datetime import date

    from party.members.services import stage_history_import

    member = Member.objects.create(
        name="张三", gender="male", student_no="2023001", unit=tree["fl"]
    )
    stage_history_import(member=member, entries=[("applicant", date(2024, 3, 1))], by_user=None)
    before = _written()
    errors = errors_of(GOOD)
    assert errors == [
        (
            2,
            "党支部",
            "学号 2023001 已在其他党支部登记党员档案，不在本行的「计算机学院党委 / 本科生第一党支部」。"
            "导入不转移档案：组织关系转接请在党员档案中办理；请改正本行。",
        )
    ]
    assert _written() == before
    assert Member.objects.get(student_no="2023001").unit == tree["fl"]


def test_an_ambiguous_college_name_asks_for_the_full_name(tree):
    make_branch_unit("计算机学院党总支", "本科生第一党支部")
    [(row, column, message)] = errors_of(GOOD[:2])
    assert (row, column) == (2, "学院")
    assert message.startswith(
        "「计算机学院」对应多个党组织（计算机学院党委、计算机学院党总支），请写出全称。"
    )
    rows = [["张三", "2023001", "计算机学院党总支", "本科生第一党支部", "入党积极分子", ""]]
    assert roster_plan(xlsx(rows)).rows[0].college_unit.name == "计算机学院党总支"


def test_the_plan_costs_the_same_queries_for_3_rows_or_30(tree, django_assert_num_queries):
    """Units, records and trainees are read once for the whole file, never per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    trainees_import(file=xlsx(GOOD[:1]))  # one existing trainee with a record
    small = GOOD
    large = GOOD + [
        [f"学员{i}", f"2024{i:03d}", "计算机学院", "本科生第一党支部", "入党申请人", ""]
        for i in range(27)
    ]
    with CaptureQueriesContext(connection) as few:
        roster_plan(xlsx(small))
    with django_assert_num_queries(len(few.captured_queries)):
        plan = roster_plan(xlsx(large))
    assert (plan.to_link, plan.to_new_record) == (1, 29)


def test_the_preview_shows_the_class_audience_errors(client, training_office):
    """The 发展对象 class's audience check is in the preview, before anyone confirms."""
    from learning.classes.models import TrainingClass

    tc = TrainingClass.objects.create(name="发展对象班", audience_stage="candidate")
    tc.trainers.add(training_office)
    client.force_login(training_office)
    response = client.post("/admin/trainee_import/", {"file": xlsx(GOOD), "training_class": tc.pk})
    html = client.get(response["Location"]).content.decode()
    # 张三 (row 2, 入党积极分子) and 王五 (row 4, 入党申请人); 李四 is a 发展对象.
    assert html.count("发展对象培训班只编入发展阶段为发展对象的学员") == 2
    assert "<td>2</td><td>发展阶段</td>" in html and "<td>4</td><td>发展阶段</td>" in html
    assert "确认导入" not in html
    assert not TraineeProfile.objects.exists()


def _upload_of(client, user, training_class):
    from tabular.models import TableUpload

    client.force_login(user)
    client.post("/admin/trainee_import/", {"file": xlsx(GOOD), "training_class": training_class.pk})
    return TableUpload.objects.latest("pk")


def test_an_upload_losing_a_race_for_a_student_number_fails_cleanly(
    client, training_office, training_class, monkeypatch
):
    """The rows are checked before the import's transaction; if another import (or the trainee
    form) writes one of the same 学号 in between, the database refuses the second account: the
    upload is marked failed with what to do, nothing of it is written, and it does not stay
    "running" for ever (it did: only RosterError was caught)."""
    from learning.classes.roster import importing
    from tabular import services as tabular_services
    from tabular.models import UploadStatus

    upload = _upload_of(client, training_office, training_class)
    enrolments = Enrolment.objects.count()
    real_progress = tabular_services.upload_progress

    def progress_after_a_concurrent_writer(*, upload_id, done, total):
        if done == 0:  # after the checks, before the transaction: the other writer wins
            User.objects.create_user(username="2023002", password="x")
        real_progress(upload_id=upload_id, done=done, total=total)

    monkeypatch.setattr(tabular_services, "upload_progress", progress_after_a_concurrent_writer)
    assert importing.roster_upload_run(upload_id=upload.pk) == "failed"
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED and upload.data == b""
    assert "相同学号" in upload.result["errors"][0]
    assert not TraineeProfile.objects.filter(student_no__startswith="2023").exists()
    assert Enrolment.objects.count() == enrolments
    assert list(
        User.objects.filter(username__startswith="2023").values_list("username", flat=True)
    ) == ["2023002"]


def test_an_upload_stopped_by_an_unexpected_error_is_marked_failed(
    client, training_office, training_class, monkeypatch
):
    from learning.classes.roster import importing
    from tabular.models import UploadStatus

    upload = _upload_of(client, training_office, training_class)

    def broken_link(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "trainee_member_link", broken_link)
    with pytest.raises(RuntimeError):
        importing.roster_upload_run(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert "未写入任何数据" in upload.result["errors"][0]
    assert not TraineeProfile.objects.filter(student_no__startswith="2023").exists()
