"""Demo Party organisation for `load_demo`: a small university (one 党委, two 院系党委, four
branches, 党小组) with people at every stage, overdue items on the boards, the demo trainees as
members, and the `secretary`/`secretary2` accounts as 支部书记. Idempotent."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.utils import timezone

from party.members.demo_documents import demo_documents_ensure
from party.members.models import (
    Gender,
    GroupChange,
    Member,
    MemberTransfer,
    Sponsor,
    SponsorRole,
    Stage,
    StepDefinition,
    TransferDirection,
)
from party.members.services import stage_history_import
from party.organisation.models import PostRole, Unit, UnitKind, UnitPost
from party.organisation.services import post_assign, term_end, unit_create

UNIVERSITY = "示范大学党委"
# college: {branch: [groups]}
TREE = {
    "演示学院党委": {"本科生第一党支部": ["第一党小组", "第二党小组"], "研究生党支部": []},
    "马克思主义学院党委": {"本科生党支部": ["第一党小组"], "教工党支部": []},
}
SECRETARY_BRANCHES = {
    "secretary": ("演示学院党委", "本科生第一党支部"),
    "secretary2": ("马克思主义学院党委", "本科生党支部"),
}

A, ACT, CAND, PROB, EXT, FULL = (
    Stage.APPLICANT,
    Stage.ACTIVIST,
    Stage.CANDIDATE,
    Stage.PROBATIONARY,
    Stage.PROBATION_EXTENDED,
    Stage.FULL_MEMBER,
)

# 组织关系转接: student_no → (college, branch, group left, months ago, 介绍信编号); PEOPLE has the
# branch the member is in today.
TRANSFERS = {
    "D2025008": ("演示学院党委", "本科生第一党支部", "第二党小组", 3, "演示组转〔2026〕1 号"),
}

# 转入/转出本校: student_no → (direction, the organisation outside, months ago, 介绍信编号).
EXTERNAL_TRANSFERS = {
    "T1004": (TransferDirection.OUT, "示范市教育局机关党委", 1, "示范大学组转〔2026〕5 号"),
    "T2003": (TransferDirection.IN, "示范市第一中学党支部", 4, "示范教组〔2026〕12 号"),
}

# 党小组调整 inside a branch: student_no → (college, branch, new group, months ago).
GROUP_CHANGES = {"D2025005": ("演示学院党委", "本科生第一党支部", "第二党小组", 2)}

# Posts around that transfer, to try how a transfer ends a post (member_transfer, docs/party.md):
# student_no → (college, branch, group led, whose transfer the term is placed around, before or
# after it). 冯六一 led 第二党小组 for two years until the day before he moved (the end
# member_transfer gives the term); 赵老师 has led it since. Moving 赵老师 on his page ends his
# term the day before the date chosen; a date before his term began is refused.
GROUP_LEADERS = {
    "D2025008": ("演示学院党委", "本科生第一党支部", "第二党小组", "D2025008", "before"),
    "T1003": ("演示学院党委", "本科生第一党支部", "第二党小组", "D2025008", "after"),
}

# student_no, name, gender, college, branch, group, username, history as (stage, months ago)
PEOPLE = [
    ("T1001", "李书记", "male", "演示学院党委", "本科生第一党支部", "", "secretary", [(FULL, 150)]),
    (
        "T1002",
        "王老师",
        "female",
        "演示学院党委",
        "本科生第一党支部",
        "第一党小组",
        "member",
        [(FULL, 120)],
    ),
    ("T1003", "赵老师", "male", "演示学院党委", "本科生第一党支部", "第二党小组", "", [(FULL, 96)]),
    (
        "D2025001",
        "陈晓明",
        "male",
        "演示学院党委",
        "本科生第一党支部",
        "第一党小组",
        "activist",
        [(A, 20), (ACT, 11)],
    ),
    (
        "D2025002",
        "刘思远",
        "female",
        "演示学院党委",
        "本科生第一党支部",
        "第一党小组",
        "candidate",
        [(A, 36), (ACT, 26), (CAND, 2)],
    ),
    (
        "D2025003",
        "周一诺",
        "female",
        "演示学院党委",
        "本科生第一党支部",
        "第二党小组",
        "",
        [(A, 2)],
    ),
    (
        "D2025004",
        "吴二川",
        "male",
        "演示学院党委",
        "本科生第一党支部",
        "第二党小组",
        "",
        [(A, 30), (ACT, 14)],
    ),
    (
        "D2025005",
        "郑三立",
        "male",
        "演示学院党委",
        "本科生第一党支部",
        "第一党小组",
        "",
        [(A, 40), (ACT, 30), (CAND, 16), (PROB, 11.5)],
    ),
    (
        "D2025006",
        "孙四海",
        "female",
        "演示学院党委",
        "本科生第一党支部",
        "第二党小组",
        "",
        [(A, 50), (ACT, 40), (CAND, 26), (PROB, 20), (EXT, 8)],
    ),
    ("D2025007", "钱五月", "female", "演示学院党委", "研究生党支部", "", "", [(A, 7), (ACT, 5)]),
    ("D2025008", "冯六一", "male", "演示学院党委", "研究生党支部", "", "", [(FULL, 60)]),
    (
        "T2001",
        "马书记",
        "female",
        "马克思主义学院党委",
        "本科生党支部",
        "",
        "secretary2",
        [(FULL, 180)],
    ),
    (
        "T2002",
        "何老师",
        "male",
        "马克思主义学院党委",
        "本科生党支部",
        "第一党小组",
        "",
        [(FULL, 100)],
    ),
    (
        "M2025001",
        "许七星",
        "male",
        "马克思主义学院党委",
        "本科生党支部",
        "第一党小组",
        "",
        [(A, 1)],
    ),
    (
        "M2025002",
        "韩八方",
        "female",
        "马克思主义学院党委",
        "本科生党支部",
        "第一党小组",
        "",
        [(A, 18), (ACT, 13)],
    ),
    (
        "M2025003",
        "吕九州",
        "male",
        "马克思主义学院党委",
        "本科生党支部",
        "",
        "",
        [(A, 30), (ACT, 20), (CAND, 6)],
    ),
    ("M2025004", "曹十全", "female", "马克思主义学院党委", "教工党支部", "", "", [(FULL, 200)]),
    ("T1004", "孙老师", "female", "演示学院党委", "本科生第一党支部", "", "", [(FULL, 84)]),
    ("T2003", "周老师", "male", "马克思主义学院党委", "教工党支部", "", "", [(FULL, 48)]),
]
# member: [(sponsor, role)]
SPONSORS = {
    "D2025001": [("T1002", SponsorRole.CONTACT)],
    "D2025002": [
        ("T1002", SponsorRole.CONTACT),
        ("T1002", SponsorRole.INTRODUCER),
        ("T1003", SponsorRole.INTRODUCER),
    ],
    "D2025004": [("T1003", SponsorRole.CONTACT)],
    "D2025007": [("D2025008", SponsorRole.CONTACT)],
    "M2025002": [("T2002", SponsorRole.CONTACT)],
    "M2025003": [("T2002", SponsorRole.CONTACT)],
}
# Quarterly 思想汇报 handed in (months ago): the others show as overdue on the boards.
THOUGHT_REPORTS = {"D2025001": [2], "D2025002": [1], "D2025005": [1], "M2025002": [5]}


def _months_ago(today: date, months: float) -> date:
    whole = int(months)
    days = round((months - whole) * 30)
    return today - relativedelta(months=whole, days=days)


def _unit(name: str, kind: str, parent: Unit | None) -> Unit:
    siblings = parent.get_children() if parent else Unit.get_root_nodes()
    found = siblings.filter(name=name).first()
    return found or unit_create(kind=kind, name=name, parent=parent)


def _group_first_records(member: Member) -> None:
    """The demo's 党小组 history as members 0013 writes it for existing records (docs/party.md):
    each transfer's from_group until that transfer, today's group from the last transfer or from
    the earliest stage change. Only for a member without any 党小组 record."""
    if member.group_changes.exists():
        return
    moves = list(member.transfers.order_by("on", "id"))
    first = member.stage_changes.order_by("decided_on").values_list("decided_on", flat=True)
    days = [timezone.localdate(member.created_at), *first[:1], *(m.on for m in moves[:1])]
    since = min(days)
    registering = True  # the first row is the 建档 one (as members 0015 marks it)
    for move in moves:
        if move.from_group_id:
            GroupChange.objects.create(
                member=member, to_group_id=move.from_group_id, on=since, at_registration=registering
            )
            GroupChange.objects.create(
                member=member,
                from_group_id=move.from_group_id,
                on=move.on,
                transfer=move,
                note="组织关系转接",
            )
        since, registering = move.on, False
    if member.group_id:
        GroupChange.objects.create(
            member=member, to_group_id=member.group_id, on=since, at_registration=registering
        )


def demo_party_ensure() -> None:
    today = timezone.localdate()
    users = {u.username: u for u in get_user_model().objects.all()}
    uni = _unit(UNIVERSITY, UnitKind.UNIVERSITY, None)
    branches, groups = {}, {}
    for college_name, branch_map in TREE.items():
        college = _unit(college_name, UnitKind.COLLEGE, uni)
        for branch_name, group_names in branch_map.items():
            branch = _unit(branch_name, UnitKind.BRANCH, college)
            branches[(college_name, branch_name)] = branch
            for group_name in group_names:
                groups[(college_name, branch_name, group_name)] = _unit(
                    group_name, UnitKind.GROUP, branch
                )
    members = {}
    for no, name, gender, college, branch_name, group_name, username, path in PEOPLE:
        user = users.get(username) if username else None
        member, _ = Member.objects.get_or_create(
            student_no=no,
            defaults={
                "name": name,
                "gender": Gender(gender),
                "birth_date": date(2003 if no.startswith(("D", "M")) else 1980, 5, 1),
                "unit": branches[(college, branch_name)],
                "group": groups.get((college, branch_name, group_name)),
                "user": user if user and not hasattr(user, "party_member") else None,
            },
        )
        if user and member.user_id is None and not hasattr(user, "party_member"):
            member.user = user  # an account added to the demo after its member was
            member.save(update_fields=["user"])
        if not member.stage_changes.exists():
            stage_history_import(
                member=member,
                entries=[(stage, _months_ago(today, ago)) for stage, ago in path],
                by_user=None,
            )
            extension = member.stage_changes.filter(stage=EXT).first()
            if extension:
                extension.extension_months = 6
                extension.save(update_fields=["extension_months"])
        members[no] = member
    for no, pairs in SPONSORS.items():
        for sponsor_no, role in pairs:
            Sponsor.objects.get_or_create(
                member=members[no],
                sponsor=members[sponsor_no],
                role=role,
                defaults={"assigned_on": members[no].stage_changes.last().decided_on},
            )
    for username, (college, branch_name) in SECRETARY_BRANCHES.items():
        user = users.get(username)
        member = getattr(user, "party_member", None) if user else None
        if member is None:
            continue
        branch = branches[(college, branch_name)]
        starts = date(today.year - 1, 9, 1)
        UnitPost.objects.get_or_create(
            unit=branch,
            member=member,
            role=PostRole.SECRETARY,
            defaults={"starts_on": starts, "ends_on": term_end(starts)},
        )
    for no, (college, branch_name, group_name, ago, letter) in TRANSFERS.items():
        member = members[no]
        if not member.transfers.exists():
            MemberTransfer.objects.create(
                member=member,
                from_unit=branches[(college, branch_name)],
                from_group=groups.get((college, branch_name, group_name)),
                to_unit=member.unit,
                on=_months_ago(today, ago),
                letter_no=letter,
                note="升学转入研究生党支部",
            )
    for no, (direction, organisation, ago, letter) in EXTERNAL_TRANSFERS.items():
        member = members[no]
        if member.transfers.exists():
            continue
        on = _months_ago(today, ago)
        inside = {"to_unit": member.unit} if direction == TransferDirection.IN else {}
        if direction == TransferDirection.OUT:
            inside = {"from_unit": member.unit, "from_group": member.group}
        MemberTransfer.objects.create(
            member=member,
            external_org=organisation,
            on=on,
            letter_no=letter,
            letter_date=on - timedelta(days=3),
            note="调动工作" if direction == TransferDirection.OUT else "调入本校任教",
            **inside,
        )
        if direction == TransferDirection.OUT:
            member.left_on = on
            member.save(update_fields=["left_on"])
    for member in members.values():
        _group_first_records(member)
    for no, (college, branch_name, group_name, ago) in GROUP_CHANGES.items():
        member, group = members[no], groups[(college, branch_name, group_name)]
        done = member.group_changes.filter(from_group__isnull=False, transfer__isnull=True)
        if member.group_id != group.pk and not done.exists():
            GroupChange.objects.create(
                member=member,
                from_group_id=member.group_id,
                to_group=group,
                on=_months_ago(today, ago),
                note="按宿舍调整党小组",
            )
            member.group = group
            member.save(update_fields=["group"])
    for no, (college, branch_name, group_name, mover, side) in GROUP_LEADERS.items():
        moved_on = members[mover].transfers.order_by("on").values_list("on", flat=True).first()
        group = groups[(college, branch_name, group_name)]
        if moved_on is None or UnitPost.objects.filter(member=members[no], unit=group).exists():
            continue
        if side == "before":
            starts, ends = moved_on - relativedelta(years=2), moved_on - timedelta(days=1)
        else:
            starts, ends = moved_on, None
        post_assign(
            unit=group,
            member=members[no],
            role=PostRole.GROUP_LEADER,
            starts_on=starts,
            ends_on=ends,
        )
    report = StepDefinition.objects.filter(code="6.1").first()
    if report is not None:
        for no, months in THOUGHT_REPORTS.items():
            member = members[no]
            if member.step_records.filter(step=report).exists():
                continue
            for ago in months:
                member.step_records.create(
                    step=report, done_on=_months_ago(today, ago), responsible=member.name
                )
    demo_documents_ensure(members=members, secretary=users.get("secretary"))
