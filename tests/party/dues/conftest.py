"""A branch (法学本科生党支部) with a 组织委员 and its 书记, Party members of each category, an
activist who owes nothing, and "today" pinned to 2026-06-15; `zhang_pays_january`: 张三 on the
books from January, January paid."""

from datetime import date

import pytest
from freezegun import freeze_time

from party.dues import services
from party.dues.rules import Category
from party.members.models import DecidingBody, Stage, StageChange
from party.organisation.models import PostRole
from party.organisation.services import post_assign
from tests.factories import make_user
from tests.party.conftest import make_member

TODAY = "2026-06-15"


def set_stage(member, stage, on=date(2020, 1, 1)):
    StageChange.objects.create(
        member=member, stage=stage, decided_on=on, decided_by=DecidingBody.RECORDS
    )


@pytest.fixture
def frozen():
    with freeze_time(TODAY):
        yield


@pytest.fixture
def dues(tree, frozen):
    units, users, members = tree["units"], tree["users"], tree["members"]
    for key in ("law_b1", "law_b2", "eng_b1", "secretary", "secretary2"):
        set_stage(members[key], Stage.FULL_MEMBER)
    users["treasurer"] = make_user("zuzhi")
    members["treasurer"] = make_member(units["law_b1"], "赵委员", "T010", user=users["treasurer"])
    set_stage(members["treasurer"], Stage.FULL_MEMBER)
    post_assign(
        unit=units["law_b1"],
        member=members["treasurer"],
        role=PostRole.ORGANISATION,
        starts_on=date(2024, 9, 1),
    )
    users["publicity"] = make_user("xuanchuan")
    members["publicity"] = make_member(units["law_b1"], "钱委员", "T011", user=users["publicity"])
    set_stage(members["publicity"], Stage.FULL_MEMBER)
    post_assign(
        unit=units["law_b1"],
        member=members["publicity"],
        role=PostRole.PUBLICITY,
        starts_on=date(2024, 9, 1),
    )
    members["probationary"] = make_member(units["law_b1"], "孙预备", "S010")
    set_stage(members["probationary"], Stage.PROBATIONARY, on=date(2026, 3, 10))
    members["activist"] = make_member(units["law_b1"], "周积极", "A010")
    set_stage(members["activist"], Stage.ACTIVIST)
    return tree


@pytest.fixture
def zhang_pays_january(dues):
    """张三 (law_b1) owes 40.00 a month from January 2026 (salaried, declared base 4,000) and the
    组织委员 records his payment for January: the start of the pages', the API's and the 转出本校
    tests' books."""
    treasurer, zhang = dues["users"]["treasurer"], dues["members"]["law_b1"]
    january = date(2026, 1, 1)
    services.base_set(
        by_user=treasurer,
        member=zhang,
        starts_on=january,
        category=Category.SALARIED,
        declared_base="4000",
    )
    services.payment_record(by_user=treasurer, member=zhang, months=[january], amount="40")
    return dues
