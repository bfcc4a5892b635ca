"""The year-end workbook (党内统计 style): every figure recounted from the records by a plain
Python walk over each person's history (on SQLite and PostgreSQL alike), the header naming the
unit, the date and who exported it, and last year's tables unchanged by today's promotions. Some
people moved between branches, came in (转入本校) or left (转出本校) on random days: the recount
walks their transfers too — the stock figures in the branch of 31 December, each stage change of
the development and pipeline figures in the branch of the day it was decided (issue 16)."""

import io
import random
import statistics
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from party.members import rules as member_rules
from party.members.models import (
    MEMBER_STAGES,
    Gender,
    Member,
    MemberTransfer,
    Stage,
    StageChange,
)
from party.members.services import member_transfer, member_transfer_in, member_transfer_out
from party.organisation.models import Unit
from party.stats import rules
from tests.party.conftest import make_member
from tests.party.stats.conftest import history

DAY = date(2025, 12, 31)
START = date(2025, 1, 1)
PATH = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY]


def _random_people(tree, n=80, seed=19):
    rng = random.Random(seed)
    branches = [tree["units"][k] for k in ("law_b1", "law_b2", "eng_b1")]
    for i in range(n):
        birth = None if rng.random() < 0.1 else date(rng.randint(1960, 2006), rng.randint(1, 12), 1)
        member = make_member(
            rng.choice(branches),
            f"随机{i}",
            f"R{i:04d}",
            gender=rng.choice([Gender.MALE, Gender.FEMALE]),
            ethnicity=rng.choice(["汉族", "汉族", "汉族", "回族", "壮族", "满族"]),
            birth_date=birth,
        )
        day = date(rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28))
        steps = []
        for stage in PATH[: rng.randint(1, 4)]:
            steps.append((stage, day))
            day += timedelta(days=rng.randint(60, 500))
        last = steps[-1][0]
        roll = rng.random()
        if last == Stage.CANDIDATE and roll < 0.2:
            steps.append((Stage.ACTIVIST, day))  # back to 积极分子
        elif last == Stage.PROBATIONARY:
            if roll < 0.2:
                steps.append((Stage.PROBATION_EXTENDED, day))
                day += timedelta(days=rng.randint(100, 300))
            if rng.random() < 0.6:
                steps.append((Stage.FULL_MEMBER, day))
            elif rng.random() < 0.2:
                steps.append((Stage.PROBATION_CANCELLED, day))
        elif last in (Stage.APPLICANT, Stage.ACTIVIST) and roll < 0.15:
            steps.append((Stage.STOPPED, day))
        history(member, *steps, extension_months=rng.choice([6, 9, 12]))
    # Extensions a 组织部 override let through: none recorded, 3 months, a second one.
    for i, (months, extensions) in enumerate([(None, 1), (3, 1), (6, 2)]):
        member = make_member(rng.choice(branches), f"放行{i}", f"O{i:04d}")
        admitted = date(2024, 1 + 3 * i, 10)
        steps = [(Stage.PROBATIONARY, admitted)]
        steps += [
            (Stage.PROBATION_EXTENDED, admitted + relativedelta(months=12 + 3 * n))
            for n in range(extensions)
        ]
        history(member, *steps, extension_months=months)


def _random_transfers(tree, seed=16):
    """Of the random people, some came in from outside (转入本校, then maybe moved on), some
    moved between the branches once or twice, some left (转出本校), on days from mid-2024 to
    mid-2026 — before and after the workbook's 31 December 2025."""
    rng = random.Random(seed)
    branches = [tree["units"][k] for k in ("law_b1", "law_b2", "eng_b1")]
    office = tree["users"]["office"]
    today = timezone.localdate()

    def some_day(after):
        return min(after + timedelta(days=rng.randint(1, 300)), today)

    for member in Member.objects.filter(student_no__startswith="R").order_by("pk"):
        roll, day = rng.random(), date(2024, 6, 1)
        if roll < 0.1:
            day = some_day(day)
            member_transfer_in(
                member=member,
                to_unit=rng.choice(branches),
                on=day,
                external_org="外校党委",
                by_user=office,
            )
        if roll < 0.35:
            for _n in range(rng.randint(1, 2)):
                member.refresh_from_db()
                day = some_day(day)
                to_unit = rng.choice([b for b in branches if b.pk != member.unit_id])
                member_transfer(member=member, to_unit=to_unit, on=day, by_user=office)
        elif roll < 0.45:
            member_transfer_out(
                member=member, on=some_day(day), external_org="外校党委", by_user=office
            )


# --- the recount: a plain walk over each person's records -------------------------------------


def _records(unit):
    """Every person (any may have been in `unit`'s subtree on some day), their stage changes and
    a function giving their branch on a day (None: outside the university)."""
    members = list(Member.objects.select_related("unit"))
    changes = {m.pk: [] for m in members}
    for change in StageChange.objects.order_by("decided_on", "id"):
        changes[change.member_id].append(change)
    transfers = {m.pk: [] for m in members}
    for t in MemberTransfer.objects.select_related("from_unit", "to_unit"):
        transfers[t.member_id].append(t)

    def unit_on(member, day):
        moves = sorted(transfers[member.pk], key=lambda t: (t.on, t.pk))
        if not moves:
            return member.unit
        branch = moves[0].from_unit  # before the first transfer (None: it was a 转入本校)
        for t in moves:
            if t.on <= day:
                branch = t.to_unit  # None after a 转出本校
        return branch

    return members, changes, unit_on


def _stage_on(changes, day):
    before = [c for c in changes if c.decided_on <= day]
    return before[-1] if before else None


def _child_name(unit, branch):
    """The name of the unit directly under `unit` that `branch` lies in (None: not in `unit`'s
    subtree, or no branch at all: outside the university)."""
    if branch is None or not branch.path.startswith(unit.path):
        return None
    for child in Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1):
        if branch.path.startswith(child.path):
            return child.name
    return unit.name


def _band(birth, day):
    if birth is None:
        return "未登记出生日期"
    age = relativedelta(day, birth).years
    for band in rules.AGE_BANDS:
        if age >= band.low and (band.high is None or age <= band.high):
            return str(band.label)
    raise AssertionError(age)


def _is_return(changes, change):
    earlier = changes[: changes.index(change)]
    return change.stage == Stage.ACTIVIST and any(c.stage == Stage.CANDIDATE for c in earlier)


def recount(unit):
    members, changes, unit_on = _records(unit)
    stages = list(rules.ACTIVE_STAGES)
    by_unit, totals = {}, dict.fromkeys(stages, 0)
    gender, ethnicity, age = {}, {}, {}
    minority = [0, 0, 0]
    events = [s for s, _ in rules.DEVELOPMENT_EVENTS]
    dev_unit, dev_total = {}, dict.fromkeys(events, 0)
    medians = {to: [] for _frm, to in rules.PIPELINE_STEPS}
    previous = {to: frm for frm, to in rules.PIPELINE_STEPS}
    stuck = {"probation": 0, "activist": 0}
    for member in members:
        history_ = changes[member.pk]
        for change in history_:
            child = _child_name(unit, unit_on(member, change.decided_on))
            if child is None:
                continue  # not in the subtree on the day it was decided
            if START <= change.decided_on <= DAY and not _is_return(history_, change):
                dev_unit.setdefault(child, dict.fromkeys(events, 0))[change.stage] += 1
                dev_total[change.stage] += 1
                if change.stage in previous:
                    earlier = history_[: history_.index(change)]
                    starts = [c for c in earlier if c.stage == previous[change.stage]]
                    if starts:
                        medians[change.stage].append(
                            (change.decided_on - starts[-1].decided_on).days
                        )
        now = _stage_on(history_, DAY)
        child = _child_name(unit, unit_on(member, DAY))
        if now is None or now.stage not in stages or child is None:
            continue
        by_unit.setdefault(child, dict.fromkeys(stages, 0))[now.stage] += 1
        totals[now.stage] += 1
        if (
            now.stage == Stage.ACTIVIST
            and now.decided_on + relativedelta(months=member_rules.ACTIVIST_ONE_YEAR.setting) < DAY
        ):
            stuck["activist"] += 1
        if now.stage in (Stage.PROBATIONARY, Stage.PROBATION_EXTENDED):
            upto = [c for c in history_ if c.decided_on <= DAY]
            admitted = [c for c in upto if c.stage == Stage.PROBATIONARY][-1].decided_on
            months = member_rules.PROBATION_ONE_YEAR.setting + sum(
                c.extension_months or 0 for c in upto if c.stage == Stage.PROBATION_EXTENDED
            )
            if admitted + relativedelta(months=months) < DAY:
                stuck["probation"] += 1
        if now.stage not in MEMBER_STAGES:
            continue
        column = 1 if now.stage == Stage.FULL_MEMBER else 2
        label = str(Gender(member.gender).label)
        for table, key in (
            (gender, label),
            (ethnicity, member.ethnicity),
            (age, _band(member.birth_date, DAY)),
        ):
            cells = table.setdefault(key, [0, 0, 0])
            cells[0] += 1
            cells[column] += 1
        if member.ethnicity != "汉族":
            minority[0] += 1
            minority[column] += 1
    return {
        "by_unit": by_unit,
        "totals": totals,
        "gender": gender,
        "ethnicity": ethnicity,
        "minority": minority,
        "age": age,
        "dev_unit": dev_unit,
        "dev_total": dev_total,
        "medians": {k: statistics.median(v) if v else None for k, v in medians.items()},
        "completed": {k: len(v) for k, v in medians.items()},
        "stuck": stuck,
    }


# --- reading the workbook ---------------------------------------------------------------------


def _download(user, unit, year=2025):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(reverse("api-unit-stats-xlsx", kwargs={"pk": unit.pk}), {"year": year})
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(response.content))


def _sheet(book, title):
    sheet = book[title]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return rows[:5], rows[5], {r[0]: tuple(r[1:]) for r in rows[6:] if r and r[0] is not None}


@pytest.fixture
def university(people, tree):
    _random_people(tree)
    _random_transfers(tree)
    return tree


def test_every_figure_recounts_from_the_records(university):
    tree = university
    uni = tree["units"]["uni"]
    book = _download(tree["users"]["office"], uni)
    expected = recount(uni)
    assert len(book.sheetnames) == 6

    head, columns, rows = _sheet(book, "党员和入党积极分子等数量（按单位）")
    assert head[1][0] == f"单位：{uni.name}"
    assert head[2][0] == "统计日期：2025-12-31"
    assert head[3][0] == "导出人：office"
    stages = list(rules.ACTIVE_STAGES)
    assert columns == ["单位", *(str(Stage(s).label) for s in stages), "党员合计"]
    for name in ("法学院党委", "工学院党委"):
        counts = expected["by_unit"].get(name, dict.fromkeys(stages, 0))
        members = sum(counts[s] for s in rules.MEMBER_STAGE_ORDER)
        assert rows[name] == (*(counts[s] for s in stages), members), name
    total_members = sum(expected["totals"][s] for s in rules.MEMBER_STAGE_ORDER)
    assert rows["合计"] == (*(expected["totals"][s] for s in stages), total_members)

    members = sum(v[0] for v in expected["gender"].values())
    _head, _cols, rows = _sheet(book, "党员性别")
    for label, cells in expected["gender"].items():
        assert list(rows[label]) == cells, label
    assert rows["合计"][0] == members
    _head, _cols, rows = _sheet(book, "党员民族")
    for label, cells in expected["ethnicity"].items():
        assert list(rows[label]) == cells, label
    assert list(rows["其中：少数民族"]) == expected["minority"]
    _head, _cols, rows = _sheet(book, "党员年龄")
    for band in [*(str(b.label) for b in rules.AGE_BANDS), "未登记出生日期"]:
        assert list(rows[band]) == expected["age"].get(band, [0, 0, 0]), band

    head, columns, rows = _sheet(book, "发展党员情况（期间内）")
    assert head[2][0] == "统计期间：2025-01-01 至 2025-12-31"
    events = [s for s, _ in rules.DEVELOPMENT_EVENTS]
    for name in ("法学院党委", "工学院党委"):
        counts = expected["dev_unit"].get(name, dict.fromkeys(events, 0))
        assert rows[name] == tuple(counts[e] for e in events), name
    assert rows["合计"] == tuple(expected["dev_total"][e] for e in events)

    _head, _cols, rows = _sheet(book, "发展流程（期间内完成的步骤与超过规定期限的人员）")
    for frm, to in rules.PIPELINE_STEPS:
        label = f"{Stage(frm).label} → {Stage(to).label}"
        assert rows[label][0] == expected["completed"][to]
        assert rows[label][1] == expected["medians"][to]
    assert rows["预备期满未讨论转正"][0] == expected["stuck"]["probation"]
    assert rows["培养满一年仍未列为发展对象"][0] == expected["stuck"]["activist"]
    assert sum(expected["totals"].values()) > 20 and expected["stuck"]["probation"] > 0
    moves = MemberTransfer.objects
    assert moves.filter(from_unit__isnull=False, to_unit__isnull=False).count() > 10
    assert moves.filter(from_unit=None).exists() and moves.filter(to_unit=None).exists()


def test_a_college_workbook_recounts_its_subtree(university):
    tree = university
    law = tree["units"]["law"]
    book = _download(tree["users"]["organiser"], law)
    expected = recount(law)
    _head, _cols, rows = _sheet(book, "党员和入党积极分子等数量（按单位）")
    stages = list(rules.ACTIVE_STAGES)
    assert rows["合计"][: len(stages)] == tuple(expected["totals"][s] for s in stages)


def test_last_years_tables_do_not_change_when_someone_is_promoted_today(university):
    tree = university
    uni = tree["units"]["uni"]
    office = tree["users"]["office"]

    def data(book):
        return {
            title: [list(r) for r in book[title].iter_rows(values_only=True)][4:]
            for title in book.sheetnames
        }

    before = data(_download(office, uni))
    today = timezone.localdate()
    for member in Member.objects.all():
        last = member.stage_changes.order_by("-decided_on", "-id").first()
        if last and last.stage in (Stage.PROBATIONARY, Stage.PROBATION_EXTENDED):
            history(member, (Stage.FULL_MEMBER, today))
        elif last and last.stage == Stage.ACTIVIST:
            history(member, (Stage.CANDIDATE, today))
    assert data(_download(office, uni)) == before
    this_year = data(_download(office, uni, year=today.year))
    assert this_year != before
