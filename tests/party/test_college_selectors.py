"""The 院系党委 of a unit, read from its path (issue 15): the class report and every trainee reader
show it as 学院, one indexed lookup per row or one query for many units."""

from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from party.organisation.models import CHILD_KINDS, ROOT_KINDS, Unit, UnitKind
from party.organisation.selectors import (
    COLLEGE_PATH_LENGTH,
    college_subquery,
    colleges_of_units,
)
from party.organisation.services import unit_create


def test_a_college_unit_can_only_sit_at_depth_two():
    """What COLLEGE_PATH_LENGTH relies on: 院系党委 only directly under a root 校党委."""
    assert {UnitKind.UNIVERSITY} == ROOT_KINDS
    assert UnitKind.COLLEGE not in ROOT_KINDS
    parents = {kind for kind, children in CHILD_KINDS.items() if UnitKind.COLLEGE in children}
    assert parents == {UnitKind.UNIVERSITY}
    assert 2 * Unit.steplen == COLLEGE_PATH_LENGTH


def _tree():
    uni = unit_create(kind=UnitKind.UNIVERSITY, name="示范大学党委")
    law = unit_create(kind=UnitKind.COLLEGE, name="法学院党委", parent=uni)
    eng = unit_create(kind=UnitKind.COLLEGE, name="工学院党委", parent=uni)
    law_b = unit_create(kind=UnitKind.BRANCH, name="法学本科生党支部", parent=law)
    eng_b = unit_create(kind=UnitKind.BRANCH, name="机械党支部", parent=eng)
    group = unit_create(kind=UnitKind.GROUP, name="第一党小组", parent=law_b)
    direct = unit_create(kind=UnitKind.BRANCH, name="机关直属党支部", parent=uni)
    return uni, law, eng, law_b, eng_b, group, direct


def test_college_subquery_names_the_college_of_every_unit_in_one_query(db):
    uni, law, eng, law_b, eng_b, group, direct = _tree()
    with CaptureQueriesContext(connection) as ctx:
        rows = dict(
            Unit.objects.annotate(
                college=college_subquery("path"), college_id=college_subquery("path", "pk")
            ).values_list("name", "college")
        )
    assert len(ctx.captured_queries) == 1
    assert rows == {
        "示范大学党委": "示范大学党委",
        "法学院党委": "法学院党委",
        "工学院党委": "工学院党委",
        "法学本科生党支部": "法学院党委",
        "机械党支部": "工学院党委",
        "第一党小组": "法学院党委",
        # A 直属党支部 has no 院系党委: the 校党委 is shown.
        "机关直属党支部": "示范大学党委",
    }


def test_college_subquery_follows_a_reference_through_a_relation(db):
    """Reached from another model (e.g. member__unit__path), and by id as well as name."""
    from party.members.models import Member

    _uni, law, _eng, law_b, _eng_b, _group, _direct = _tree()
    Member.objects.create(name="张三", student_no="S001", gender="female", unit=law_b)
    row = Member.objects.annotate(
        college_id=college_subquery("unit__path", "pk"), unit_name=F("unit__name")
    ).values("college_id", "unit_name")[0]
    assert row == {"college_id": law.pk, "unit_name": "法学本科生党支部"}


def test_colleges_of_units_answers_many_units_in_one_query(db, django_assert_num_queries):
    uni, law, eng, law_b, eng_b, group, direct = _tree()
    units = [law_b, eng_b, group, direct, law, uni]
    with django_assert_num_queries(1):
        colleges = colleges_of_units(units)
    assert colleges == {
        law_b.pk: law,
        eng_b.pk: eng,
        group.pk: law,
        direct.pk: uni,
        law.pk: law,
        uni.pk: uni,
    }
    with django_assert_num_queries(0):
        assert colleges_of_units([]) == {}
