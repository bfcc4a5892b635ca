"""learning.classes 0005 moves College/Branch into the Party tree and links every trainee to a
member with a stage history, losing no trainee, class, enrolment or ledger entry (issue 15).

Runs the real migration with Django's MigrationExecutor: migrate back to 0004, build data with the
historical models (the shape the demo had: the party demo's tree and people already present, and
the training core's own 演示学院/本科生第一党支部 with its trainees), migrate forward, compare."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection

from party.members.selectors import with_current_stage
from tests.migration_helpers import migrate, state_at

BEFORE = [("classes", "0004_traineeprofile_member")]
AFTER = [("classes", "0005_trainees_into_party_tree")]

pytestmark = pytest.mark.django_db(transaction=True)

at_0004 = state_at(BEFORE)


def _unit(Unit, path, kind, name, numchild=0):
    return Unit.objects.create(
        path=path, depth=len(path) // 4, numchild=numchild, kind=kind, name=name
    )


def _build(apps):
    """The demo's shape, with the awkward cases of real rosters."""
    User = apps.get_model("auth", "User")
    College = apps.get_model("classes", "College")
    Branch = apps.get_model("classes", "Branch")
    Profile = apps.get_model("classes", "TraineeProfile")
    TrainingClass = apps.get_model("classes", "TrainingClass")
    Enrolment = apps.get_model("classes", "Enrolment")
    Ledger = apps.get_model("progress", "HoursLedgerEntry")
    Unit = apps.get_model("organisation", "Unit")
    Member = apps.get_model("members", "Member")
    StageChange = apps.get_model("members", "StageChange")

    # The party demo's tree and one of its people (the demo account `activist`, D2025001).
    _unit(Unit, "0001", "university", "示范大学党委", numchild=1)
    _unit(Unit, "00010001", "college", "演示学院党委", numchild=1)
    demo_branch = _unit(Unit, "000100010001", "branch", "本科生第一党支部")
    joined = datetime(2023, 9, 1, 8, tzinfo=UTC)
    users = {
        name: User.objects.create(username=name, date_joined=joined)
        for name in ("activist", "candidate", "gap", "unordered", "beyond", "byno", "law1")
    }
    party_activist = Member.objects.create(
        name="陈晓明",
        gender="male",
        student_no="D2025001",
        unit=demo_branch,
        user=users["activist"],
    )
    for stage, day in (("applicant", date(2024, 3, 1)), ("activist", date(2025, 1, 5))):
        StageChange.objects.create(
            member=party_activist, stage=stage, decided_on=day, decided_by="records"
        )
    unlinked = Member.objects.create(
        name="孙一", gender="female", student_no="D2025009", unit=demo_branch
    )

    demo = College.objects.create(name="演示学院", code="YS")
    law = College.objects.create(name="法学院", code="FX")
    b_demo = Branch.objects.create(college=demo, name="本科生第一党支部")
    b_law = Branch.objects.create(college=law, name="法学本科生党支部")
    b_law2 = Branch.objects.create(college=law, name="法学研究生党支部")

    def profile(user, no, branch, stage, **dates):
        return Profile.objects.create(
            user=users[user],
            name=f"学员{no}",
            student_no=no,
            college=branch.college,
            branch=branch,
            stage=stage,
            phone="13800000000",
            **dates,
        )

    profiles = [
        profile("activist", "D2025001", b_demo, "activist", applied_on=date(2024, 3, 1)),
        profile(
            "candidate",
            "D2025002",
            b_demo,
            "candidate",
            applied_on=date(2022, 9, 1),
            activist_on=date(2023, 3, 1),
            candidate_on=date(2024, 10, 1),
        ),
        # No dates at all: every stage takes the best documented date.
        profile("gap", "L001", b_law, "activist", candidate_on=None),
        # activist_on earlier than applied_on.
        profile(
            "unordered",
            "L002",
            b_law,
            "activist",
            applied_on=date(2024, 5, 1),
            activist_on=date(2024, 4, 1),
        ),
        # A date beyond the current stage (sent back from 发展对象 to 积极分子).
        profile(
            "beyond",
            "L003",
            b_law2,
            "activist",
            applied_on=date(2022, 1, 1),
            activist_on=date(2022, 9, 1),
            candidate_on=date(2023, 9, 1),
        ),
        # Registered in the party registry by 学号 without an account yet.
        profile("byno", "D2025009", b_demo, "applicant", applied_on=date(2025, 3, 1)),
        profile("law1", "L004", b_law, "full_member", applied_on=date(2019, 3, 1)),
    ]
    klass = TrainingClass.objects.create(name="发展对象培训班", audience_stage="candidate")
    for p in profiles:
        Enrolment.objects.create(training_class=klass, trainee=p)
        Ledger.objects.create(
            user=p.user, source="online_lesson", amount=Decimal("1.5"), training_class=klass
        )
    return {"party_activist": party_activist.pk, "unlinked": unlinked.pk}


def _models(apps):
    """The models as the database stands (the profile's legacy fields are gone from the code)."""
    return (
        apps.get_model("classes", "TraineeProfile"),
        apps.get_model("classes", "TrainingClass"),
        apps.get_model("classes", "Enrolment"),
        apps.get_model("progress", "HoursLedgerEntry"),
    )


def test_every_trainee_class_and_ledger_entry_survives_and_maps(at_0004):
    from party.members.models import Member, StageChange
    from party.organisation.models import Unit

    known = _build(at_0004)
    TraineeProfile, TrainingClass, Enrolment, HoursLedgerEntry = _models(at_0004)
    before = {
        "profiles": set(TraineeProfile.objects.values_list("pk", "student_no", "user_id", "name")),
        "classes": set(TrainingClass.objects.values_list("pk", "name")),
        "enrolments": set(Enrolment.objects.values_list("pk", "training_class_id", "trainee_id")),
        "ledger": set(HoursLedgerEntry.objects.values_list("pk", "user_id", "amount")),
    }
    TraineeProfile, TrainingClass, Enrolment, HoursLedgerEntry = _models(migrate(AFTER))

    after = {
        "profiles": set(TraineeProfile.objects.values_list("pk", "student_no", "user_id", "name")),
        "classes": set(TrainingClass.objects.values_list("pk", "name")),
        "enrolments": set(Enrolment.objects.values_list("pk", "training_class_id", "trainee_id")),
        "ledger": set(HoursLedgerEntry.objects.values_list("pk", "user_id", "amount")),
    }
    assert after == before
    assert not TraineeProfile.objects.filter(member__isnull=True).exists()

    # The tree: 演示学院 reused the demo's 演示学院党委 and its branch; 法学院 is new under the root.
    assert Unit.objects.filter(kind="university").count() == 1
    demo_college = Unit.objects.get(kind="college", name="演示学院党委")
    assert not Unit.objects.filter(name="演示学院").exists()
    assert Unit.objects.filter(kind="branch", name="本科生第一党支部").count() == 1
    law = Unit.objects.get(kind="college", name="法学院")
    assert law.code == "FX" and law.depth == 2 and law.numchild == 2
    assert Unit.objects.get(kind="university").numchild == 2
    assert demo_college.numchild == 1
    law_branches = {u.name for u in Unit.objects.filter(path__startswith=law.path, depth=3)}
    assert law_branches == {"法学本科生党支部", "法学研究生党支部"}
    assert len(set(Unit.objects.values_list("path", flat=True))) == Unit.objects.count()

    # Every trainee is a member of their branch, their stage derived from the history.
    profiles = {
        p.student_no: p for p in TraineeProfile.objects.select_related("member__unit", "branch")
    }
    stages = dict(
        with_current_stage(Member.objects.all()).values_list("student_no", "current_stage")
    )
    for no, p in profiles.items():
        assert p.member.student_no == no
        assert p.member.user_id == p.user_id
        assert p.member.unit.name == p.branch.name
        assert stages[no] == p.stage, no

    # Existing registry records are linked, not duplicated, and keep their history.
    assert profiles["D2025001"].member_id == known["party_activist"]
    assert profiles["D2025009"].member_id == known["unlinked"]
    assert StageChange.objects.filter(member_id=known["party_activist"]).count() == 2
    assert Member.objects.count() == 7

    # A new member's history comes from the dated fields, 档案补录, no invented personal data.
    cand = profiles["D2025002"].member
    history = list(
        cand.stage_changes.order_by("decided_on", "id").values_list("stage", "decided_on")
    )
    assert history == [
        ("applicant", date(2022, 9, 1)),
        ("activist", date(2023, 3, 1)),
        ("candidate", date(2024, 10, 1)),
    ]
    assert set(cand.stage_changes.values_list("decided_by", flat=True)) == {"records"}
    assert (cand.gender, cand.ethnicity, cand.birth_date) == ("", "", None)
    assert cand.phone == "13800000000"

    # Missing dates: the account's creation day, and the note says so.
    gap = list(profiles["L001"].member.stage_changes.order_by("decided_on", "id"))
    assert [c.decided_on for c in gap] == [date(2023, 9, 1)] * 2
    assert "按账号创建日期" in gap[0].note and "按上一阶段日期" in gap[1].note
    # A missing earlier date takes the next documented one.
    full = list(profiles["L004"].member.stage_changes.order_by("decided_on", "id"))
    assert [c.stage for c in full] == [
        "applicant",
        "activist",
        "candidate",
        "probationary",
        "full_member",
    ]
    assert full[0].decided_on == date(2019, 3, 1) and full[0].note == ""
    assert "按上一阶段日期" in full[1].note
    # Out of order: clamped to the stage before, the recorded date kept in the note.
    unordered = list(profiles["L002"].member.stage_changes.order_by("decided_on", "id"))
    assert [c.decided_on for c in unordered] == [date(2024, 5, 1)] * 2
    assert "2024-04-01" in unordered[1].note
    # A date beyond the current stage is not a stage, but it is not lost.
    beyond = list(profiles["L003"].member.stage_changes.order_by("decided_on", "id"))
    assert [c.stage for c in beyond] == ["applicant", "activist"]
    assert "确定为发展对象日期 2023-09-01" in beyond[-1].note


def test_nothing_to_move_creates_nothing(at_0004):
    from party.organisation.models import Unit

    migrate(AFTER)
    assert not Unit.objects.exists()


# --- 0014: every trainee a member before 0015 drops the legacy fields ---------------------------

AT_0013 = [("classes", "0013_trainee_legacy_org_optional")]
AT_0015 = [("classes", "0015_legacy_organisation_and_stage_removed")]


at_0013 = state_at(AT_0013)


def _left_over(apps):
    """What 0013 allowed and 0005 did not link: a profile with a legacy branch and no member, one
    with no branch whose 学号 is in the registry, one already linked."""
    User = apps.get_model("auth", "User")
    College = apps.get_model("classes", "College")
    Branch = apps.get_model("classes", "Branch")
    Profile = apps.get_model("classes", "TraineeProfile")
    Unit = apps.get_model("organisation", "Unit")
    Member = apps.get_model("members", "Member")
    StageChange = apps.get_model("members", "StageChange")

    _unit(Unit, "0001", "university", "示范大学党委", numchild=1)
    _unit(Unit, "00010001", "college", "法学院党委", numchild=1)
    law_b1 = _unit(Unit, "000100010001", "branch", "法学本科生党支部")
    legacy = Branch.objects.create(
        college=College.objects.create(name="法学院"), name="法学本科生党支部"
    )
    joined = datetime(2024, 9, 1, 8, tzinfo=UTC)
    users = {
        n: User.objects.create(username=n, date_joined=joined) for n in ("new", "byno", "done")
    }
    registered = Member.objects.create(name="李四", gender="male", student_no="S002", unit=law_b1)
    StageChange.objects.create(
        member=registered, stage="candidate", decided_on=date(2025, 6, 1), decided_by="records"
    )
    done = Member.objects.create(
        name="王五", gender="female", student_no="S003", unit=law_b1, user=users["done"]
    )
    Profile.objects.create(
        user=users["new"],
        name="张三",
        student_no="S001",
        college=legacy.college,
        branch=legacy,
        stage="activist",
        applied_on=date(2024, 3, 1),
        activist_on=date(2025, 3, 1),
    )
    Profile.objects.create(user=users["byno"], name="李四", student_no="S002", stage="activist")
    Profile.objects.create(user=users["done"], name="王五", student_no="S003", member=done)
    return {"law_b1": law_b1.pk, "registered": registered.pk, "done": done.pk}


def test_0014_links_every_trainee_left_and_0015_drops_the_legacy_fields(at_0013):
    from party.members.models import Member

    known = _left_over(at_0013)
    apps = migrate(AT_0015)
    Profile = apps.get_model("classes", "TraineeProfile")
    field_names = {f.name for f in Profile._meta.get_fields()}
    assert not field_names & {"college", "branch", "stage", "applied_on", "activist_on"}
    assert not Profile._meta.get_field("member").null
    with connection.cursor() as cursor:
        columns = {
            c.name
            for c in connection.introspection.get_table_description(
                cursor, "classes_traineeprofile"
            )
        }
        tables = connection.introspection.table_names(cursor)
    assert "stage" not in columns and "branch_id" not in columns
    assert "classes_college" not in tables and "classes_branch" not in tables

    profiles = {p.student_no: p for p in Profile.objects.all()}
    assert set(profiles) == {"S001", "S002", "S003"}
    # A new member in the branch the legacy Branch maps onto, with the dated history.
    zhang = Member.objects.get(pk=profiles["S001"].member_id)
    assert (zhang.name, zhang.unit_id, zhang.user_id) == (
        "张三",
        known["law_b1"],
        profiles["S001"].user_id,
    )
    assert list(zhang.stage_changes.order_by("decided_on").values_list("stage", "decided_on")) == [
        ("applicant", date(2024, 3, 1)),
        ("activist", date(2025, 3, 1)),
    ]
    # No branch, but the 学号 is registered: that record, its unit and its history are kept.
    assert profiles["S002"].member_id == known["registered"]
    li = Member.objects.get(pk=known["registered"])
    assert li.user_id == profiles["S002"].user_id
    assert list(li.stage_changes.values_list("stage", flat=True)) == ["candidate"]
    assert profiles["S003"].member_id == known["done"]
    assert Member.objects.count() == 3


def test_0014_stops_on_a_trainee_it_cannot_link_and_changes_nothing(at_0013):
    User = at_0013.get_model("auth", "User")
    Profile = at_0013.get_model("classes", "TraineeProfile")
    _left_over(at_0013)
    stranded = Profile.objects.create(
        user=User.objects.create(username="stranded"), name="赵六", student_no="S009"
    )
    with pytest.raises(Exception, match=r"赵六（S009）") as raised:
        migrate(AT_0015)
    assert type(raised.value).__name__ == "TraineesWithoutMember"
    assert "S001" not in str(raised.value)  # only the one it cannot link is named
    apps = migrate(AT_0013)  # where it stopped: nothing was written
    Profile = apps.get_model("classes", "TraineeProfile")
    assert Profile.objects.filter(member__isnull=True).count() == 3
    assert not apps.get_model("members", "Member").objects.filter(student_no="S001").exists()
    # Once the operator settles it (here: the profile goes), the migration runs.
    Profile.objects.filter(pk=stranded.pk).delete()
    migrate(AT_0015)
