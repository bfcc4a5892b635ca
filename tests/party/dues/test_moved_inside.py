"""党费 after a 校内组织关系转接 (issue 16): each month's dues belong to the branch the member was in
that month (selectors.branch_of_month, the rule the summary and the report already count by). The
old branch keeps the months before the move — its grid, behind list, bulk form, payment select and
API rows show them, the member marked 已转至<new branch>（date） — and may still record and reverse
payments for them; the new branch sees and handles only the months from the move (marked
自<old branch>转入（date）), and a payment of a month of the other branch is refused naming it. The
unpaid run of 党章第九条 is the member's, across the move, and is shown by the branch of its last
month. The member's own pages name the branch of each month; the branches' grids add up to them
and to the report."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from party.dues import selectors, services
from party.dues.exceptions import DuesError, OutOfScopeError
from party.dues.models import Payment
from party.dues.rules import Category
from party.members.services import member_transfer
from party.organisation.models import PostRole
from party.organisation.services import post_assign
from tests.factories import make_user
from tests.party.conftest import make_member
from tests.party.dues.conftest import set_stage
from tests.party.dues.test_statement import upload, xlsx

pytestmark = pytest.mark.django_db
OCT, NOV, DEC = (date(2025, m, 1) for m in (10, 11, 12))
JAN, FEB, MAR, APR, MAY, JUN = (date(2026, m, 1) for m in range(1, 7))
MOVED = date(2026, 4, 10)
OLD, NEW = "法学本科生党支部", "法学研究生党支部"


@pytest.fixture
def moved(dues):
    """张三 owes 40.00 a month from January, pays January in 法学本科生党支部 (A) and moves to
    法学研究生党支部 (B) on 10 April; B's 书记 keeps B's dues. 钱六 owes 0.20 from October 2025,
    pays nothing and moves on the same day (seven months unpaid up to May)."""
    users, members, units = dues["users"], dues["members"], dues["units"]
    treasurer = users["treasurer"]
    users["b_secretary"] = make_user("b-secretary")
    members["b_secretary"] = make_member(
        units["law_b2"], "周书记", "T020", user=users["b_secretary"]
    )
    set_stage(members["b_secretary"], "full_member")
    post_assign(
        unit=units["law_b2"],
        member=members["b_secretary"],
        role=PostRole.SECRETARY,
        starts_on=date(2024, 9, 1),
    )
    zhang = members["law_b1"]
    services.base_set(
        by_user=treasurer,
        member=zhang,
        starts_on=JAN,
        category=Category.SALARIED,
        declared_base="4000",
    )
    services.payment_record(by_user=treasurer, member=zhang, months=[JAN], amount="40")
    qian = make_member(units["law_b1"], "钱六", "S030")
    set_stage(qian, "full_member")
    services.base_set(by_user=treasurer, member=qian, starts_on=OCT, category=Category.STUDENT)
    members["qian"] = qian
    for member in (zhang, qian):
        member_transfer(
            member=member, to_unit=units["law_b2"], on=MOVED, by_user=users["organiser"]
        )
        member.refresh_from_db()
    return dues


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def grid(client, unit, **query):
    response = client.get(reverse("dues:branch", args=[unit.pk]), query)
    assert response.status_code == 200
    return response


def test_the_old_branch_keeps_the_months_before_the_move(moved):
    units, zhang = moved["units"], moved["members"]["law_b1"]
    response = grid(client_for(moved["users"]["treasurer"]), units["law_b1"])
    (row,) = [r for r in response.context["rows"] if r.member.pk == zhang.pk]
    assert [line.owed for line in row.lines] == [Decimal("40.00")] * 3 + [Decimal("0")] * 3
    assert [line.in_branch for line in row.lines] == [True] * 3 + [False] * 3
    assert row.outstanding == Decimal("80.00")  # February and March, still A's to collect
    page = response.content.decode()
    assert f"已转至{NEW}（2026-04-10）" in page
    behind = {a.member.name: a for a in response.context["behind"]}
    assert behind["张三"].late_months == [FEB, MAR] and behind["张三"].unpaid_run == 0
    # 钱六: six months owed in A (October to March), but the run is shown by B, where it ends.
    assert behind["钱六"].late_months == [OCT, NOV, DEC, JAN, FEB, MAR]
    assert behind["钱六"].unpaid_run == 0 and not behind["钱六"].flagged
    # The bulk form of June does not offer him; March's does; so does the payment select.
    assert zhang.pk not in {r["member"].pk for r in response.context["bulk_rows"]}
    march = grid(client_for(moved["users"]["treasurer"]), units["law_b1"], month="2026-03")
    assert zhang.pk in {r["member"].pk for r in march.context["bulk_rows"]}
    assert f'<option value="{zhang.pk}">张三（S001）已转至{NEW}（2026-04-10）</option>' in page


def test_the_new_branch_sees_only_the_months_from_the_move(moved):
    units, zhang = moved["units"], moved["members"]["law_b1"]
    client = client_for(moved["users"]["b_secretary"])
    response = grid(client, units["law_b2"])
    (row,) = [r for r in response.context["rows"] if r.member.pk == zhang.pk]
    assert [line.owed for line in row.lines] == [Decimal("0")] * 3 + [Decimal("40.00")] * 3
    assert [line.paid for line in row.lines][0] == Decimal("0")  # January's payment is A's
    assert row.outstanding == Decimal("120.00")
    assert f"自{OLD}转入（2026-04-10）" in response.content.decode()
    behind = {a.member.name: a for a in response.context["behind"]}
    assert behind["张三"].late_months == [APR, MAY]
    assert behind["张三"].unpaid_run == 4  # February to May: the member's run, across the move
    # 钱六: two months owed in B, but eight months unpaid in a row: flagged in B (党章第九条).
    assert behind["钱六"].late_months == [APR, MAY] and behind["钱六"].flagged
    march = grid(client, units["law_b2"], month="2026-03")
    assert zhang.pk not in {r["member"].pk for r in march.context["bulk_rows"]}
    assert zhang.pk in {r["member"].pk for r in response.context["bulk_rows"]}


def test_a_month_of_the_other_branch_is_refused_naming_it(moved):
    users, zhang = moved["users"], moved["members"]["law_b1"]
    with pytest.raises(DuesError) as caught:
        services.payment_record(
            by_user=users["b_secretary"], member=zhang, months=[MAR, APR], amount="80"
        )
    assert caught.value.code == "other_branch" and caught.value.status == 400
    assert OLD in caught.value.message and "2026-03" in caught.value.message
    assert "2026-04" not in caught.value.message
    with pytest.raises(DuesError) as caught:
        services.payment_record(by_user=users["treasurer"], member=zhang, months=[MAY], amount="40")
    assert caught.value.code == "other_branch" and NEW in caught.value.message
    assert Payment.objects.filter(member=zhang).count() == 1  # nothing written
    # Each branch records its own months; A although 张三 is in B today.
    services.payment_record(by_user=users["b_secretary"], member=zhang, months=[APR], amount="40")
    services.payment_record(by_user=users["treasurer"], member=zhang, months=[FEB], amount="40")
    # A branch he never belonged to: not found.
    with pytest.raises(OutOfScopeError):
        services.payment_record(
            by_user=users["secretary2"], member=zhang, months=[APR], amount="40"
        )


def test_the_pages_and_the_api_record_and_refuse_alike(moved):
    users, units, zhang = moved["users"], moved["units"], moved["members"]["law_b1"]
    client = client_for(users["treasurer"])
    done = client.post(
        reverse("dues:pay", args=[units["law_b1"].pk]),
        {"member": zhang.pk, "months": ["2026-02"], "amount": "40"},
    )
    assert done.status_code == 302
    refused = client.post(
        reverse("dues:pay", args=[units["law_b1"].pk]),
        {"member": zhang.pk, "months": ["2026-05"], "amount": "40"},
        follow=True,
    )
    (message,) = [str(m) for m in refused.context["messages"] if "由该党支部收缴" in str(m)]
    assert NEW in message and "2026-05" in message
    api = api_for(users["b_secretary"])
    answer = api.post(
        "/api/v1/dues/payments/",
        {"member": zhang.pk, "months": ["2026-03"], "amount": "40"},
        format="json",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "other_branch"
    mine = api_for(users["treasurer"]).post(
        "/api/v1/dues/payments/",
        {"member": zhang.pk, "months": ["2026-03"], "amount": "40"},
        format="json",
    )
    assert mine.status_code == 201
    # 冲正 follows the same rule: B may not reverse A's month; A may.
    refused = api.post(f"/api/v1/dues/payments/{mine.json()['id']}/reverse/", {"note": "错"})
    assert refused.status_code == 400 and refused.json()["code"] == "other_branch"
    reversed_ = api_for(users["treasurer"]).post(
        f"/api/v1/dues/payments/{mine.json()['id']}/reverse/", {"note": "重复登记"}
    )
    assert reversed_.status_code == 201
    assert Payment.objects.filter(member=zhang).count() == 4  # January, February, March, 冲正


def test_a_statement_row_of_the_other_branchs_month_is_a_row_error(moved):
    unit = moved["units"]["law_b1"]
    client = client_for(moved["users"]["treasurer"])
    response = upload(
        client, unit, xlsx([[1, "张三", "S001", "40", "2026-05", "2026-06-01", None, None]])
    )
    assert response.status_code == 400
    (error,) = response.context["result"]["errors"]
    assert NEW in error.message
    ok = upload(
        client, unit, xlsx([[1, "张三", "S001", "40", "2026-03", "2026-06-01", None, None]])
    )
    assert ok.status_code == 302


def test_the_api_month_rows_and_behind_lists(moved):
    units, zhang = moved["units"], moved["members"]["law_b1"]
    api = api_for(moved["users"]["organiser"])  # reads both branches
    a, b = units["law_b1"], units["law_b2"]

    def row(unit, month):
        rows = api.get(f"/api/v1/units/{unit.pk}/dues/", {"month": month}).json()
        return next((r for r in rows if r["member"] == zhang.pk), None)

    assert row(b, "2026-03") is None and row(a, "2026-05") is None
    old = row(a, "2026-03")
    assert old["moved_to"] == {"unit": b.pk, "unit_name": NEW, "on": "2026-04-10"}
    assert old["moved_from"] is None and old["outstanding"] == "40.00"
    new = row(b, "2026-05")
    assert new["moved_from"] == {"unit": a.pk, "unit_name": OLD, "on": "2026-04-10"}
    assert new["moved_to"] is None and new["owed"] == "40.00"
    behind_a = {r["name"]: r for r in api.get(f"/api/v1/units/{a.pk}/dues/behind/").json()}
    behind_b = {r["name"]: r for r in api.get(f"/api/v1/units/{b.pk}/dues/behind/").json()}
    assert behind_a["张三"]["late_months"] == ["2026-02", "2026-03"]
    assert behind_b["张三"]["late_months"] == ["2026-04", "2026-05"]
    assert (behind_a["钱六"]["flagged"], behind_b["钱六"]["flagged"]) == (False, True)


def test_the_branches_add_up_to_the_member_and_the_report(moved):
    """One rule: for each month, A's grid line plus B's equals the member's own line, and each
    branch's grid sums to the report's cell of that branch and month (cells_compute)."""
    units, members = moved["units"], moved["members"]
    people = [members["law_b1"], members["qian"]]
    months = [OCT, NOV, DEC, JAN, FEB, MAR, APR, MAY, JUN]
    whole = selectors.ledgers(members=people, first=OCT, last=JUN)
    branches = (units["law_b1"], units["law_b2"])
    books = {
        unit.pk: selectors.branch_ledgers(unit=unit, members=people, first=OCT, last=JUN)
        for unit in branches
    }
    cells = selectors.cells_compute(unit_ids={u.pk for u in branches}, months=months)
    for index, month in enumerate(months):
        for person in people:
            line = whole[person.pk].lines[index]
            a, b = (books[unit.pk][person.pk].lines[index] for unit in branches)
            assert a.in_branch != b.in_branch
            assert (a.owed + b.owed, a.paid + b.paid) == (line.owed, line.paid)
        for unit in branches:
            owed = sum(books[unit.pk][p.pk].lines[index].owed for p in people)
            paid = sum(books[unit.pk][p.pk].lines[index].paid for p in people)
            cell = cells.get((unit.pk, month), [0, 0, 0, 0])
            assert (cell[0], cell[1]) == (int(owed * 100), int(paid * 100)), (unit.name, month)


def test_the_members_own_pages_name_the_branch_of_each_month(moved):
    users, zhang = moved["users"], moved["members"]["law_b1"]
    # The old branch's 书记 still opens his dues page (linked from the grid), and may reverse.
    page = client_for(users["treasurer"]).get(reverse("dues:member", args=[zhang.pk]))
    assert page.status_code == 200
    months = page.context["ledger"].lines
    assert [line.unit_name for line in months[:6]] == [OLD] * 3 + [NEW] * 3
    assert "冲正" in page.content.decode()
    mine = client_for(users["member"]).get(reverse("dues:my"))
    text = mine.content.decode()
    assert OLD in text and NEW in text
    body = api_for(users["member"]).get("/api/v1/me/dues/", {"year": 2026}).json()
    assert [m["unit_name"] for m in body["months"]] == [OLD] * 3 + [NEW] * 3
    assert body["outstanding"] == "200.00"  # the member owes both branches: 80 + 120
    # A member who never moved: no branch column, empty names.
    other = api_for(users["treasurer"]).get("/api/v1/me/dues/", {"year": 2026}).json()
    assert {m["unit_name"] for m in other["months"]} == {""}


def test_each_branch_lists_the_entries_of_its_own_months_as_recent(moved):
    """The branch page's recent entries (with their 冲正 buttons): A keeps what it recorded for its
    months of a member who moved to B; B lists only the entries of its own months."""
    users, units, zhang = moved["users"], moved["units"], moved["members"]["law_b1"]
    january = Payment.objects.get(member=zhang)  # recorded by A before the move
    april = services.payment_record(
        by_user=users["b_secretary"], member=zhang, months=[APR], amount="40"
    )
    february = services.payment_record(
        by_user=users["treasurer"], member=zhang, months=[FEB], amount="40"
    )
    a_recent = grid(client_for(users["treasurer"]), units["law_b1"]).context["recent"]
    b_recent = grid(client_for(users["b_secretary"]), units["law_b2"]).context["recent"]
    assert {p.pk for p in a_recent if p.member_id == zhang.pk} == {january.pk, february.pk}
    assert {p.pk for p in b_recent if p.member_id == zhang.pk} == {april.pk}
    # A reverses its own entry from its page; B cannot reverse A's (the month is A's).
    services.payment_reverse(by_user=users["treasurer"], payment=february, note="录错")
    with pytest.raises(DuesError):
        services.payment_reverse(by_user=users["b_secretary"], payment=january, note="录错")
    a_recent = grid(client_for(users["treasurer"]), units["law_b1"]).context["recent"]
    assert len([p for p in a_recent if p.member_id == zhang.pk]) == 3  # + the reversal
