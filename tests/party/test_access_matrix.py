"""Permission matrix of every party route × the party roles, and a check that every party route
(site pages, API, admin viewsets) has a row, read from the URL conf.

Roles (columns, in this order): anon; member (张三, own record, branch 法学本科生党支部); secretary
(书记 of that branch); secretary2 (书记 of another college's branch); organiser (组织员 of the
法学院党委, the branch's college); office (组织部); trainer (培训管理员, no party scope).
Arguments are the own objects: the branch 法学本科生党支部 and 张三. "+" = reached (2xx, 400/409
for an empty POST, a redirect elsewhere than a login or the admin dashboard); "-" = refused (401,
403, 404, a redirect to a login page or to the dashboard).
"""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from cms.roles import TRAINERS
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ROLES = ("anon", "member", "secretary", "secretary2", "organiser", "office", "trainer")

MATRIX = {
    # site pages
    "party:my_progress": "-++++++",
    "party:board_home": "--++++-",
    "party:unit_board": "--+-++-",
    "party:unit_board_export": "--+-++-",
    "party:member_timeline": "-++-++-",
    # a 思想汇报 the branch uploaded for 张三: his managers only (the member downloads only what
    # they uploaded themself: tests/party/test_documents.py)
    "party:document_download": "--+-++-",
    "party:registry_upload": "--++++-",
    "party:registry_template": "--++++-",
    "party:registry_preview": "-------",  # an upload is its uploader's only (none here: 404)
    "party:registry_export": "--+-++-",
    # 转入本校 of a person not on record yet: the 组织员 of a 院系党委 and 组织部 (not a 支部书记)
    "party:transfer_in_new": "----++-",
    # API (lists are scoped: empty, not refused)
    "api-org-units": "-++++++",
    "api-members": "-++++++",
    "api-member": "-++-++-",
    "api-member-timeline": "-++-++-",
    "api-member-stage-changes": "--+-++-",
    "api-unit-pipeline": "--+-++-",
    "api-member-sponsors": "-++-++-",
    "api-member-transfers": "-++-++-",  # GET the history; POST: tests/party/test_transfers_api.py
    "api-member-group-changes": "-++-++-",  # GET the history; POST: tests/party/test_group_changes.py
    "api-member-sponsor-end": "-------",  # POST-only; no such sponsor row (404 for managers)
    "api-members-import": "--++++-",  # POST-only: the empty body is 400 for those with a scope
    "api-members-transfer-in": "----++-",  # POST-only: empty is 400 for 组织员 and 组织部
    "api-unit-members-export": "--+-++-",
    # documents of the path: the list is scoped (the member: their own uploads, none here);
    # the branch's 思想汇报 of 张三 for his managers; uploads POSTed empty (400 for managers, 403
    # for the member's own record); the step record POSTed empty is 400 for the member too (they
    # may submit their own 思想汇报); confirm on a record nobody has is 404
    "api-member-documents": "-++-++-",
    "api-member-step-records": "-++-++-",
    "api-member-stage-change-documents": "--+-++-",
    "api-member-step-record-documents": "--+-++-",
    "api-member-step-record-confirm": "-------",
    "api-member-step-record-return": "-------",
    "api-document": "--+-++-",
    # admin (组织部 everything; 组织员 member records and posts, units read-only, steps read-only)
    "party_units:index": "----++-",
    "party_units:index_results": "----++-",
    "party_units:add": "----++-",  # 组织员: inside their 院系党委 (unit_create checks the parent)
    "party_units:edit": "-----+-",
    "party_members:index": "----++-",
    "party_members:index_results": "----++-",
    "party_members:add": "----++-",
    "party_members:edit": "----++-",
    "party_posts:index": "----++-",
    "party_posts:index_results": "----++-",
    "party_posts:edit": "----++-",
    "party_posts:add": "----++-",
    "party_organisers:index": "-----+-",
    "party_organisers:index_results": "-----+-",
    "party_organisers:edit": "-----+-",
    "party_organisers:add": "-----+-",
    "party_steps:index": "----++-",
    "party_steps:add": "-----+-",
    "party_access_log:index": "-----+-",
    "party_access_log:index_results": "-----+-",
    # Only the pages write the access log: nobody adds or edits a row.
    "party_access_log:add": "-------",
    "party_access_log:edit": "-------",
    # organisation life (party.meetings). The tree has no meeting: routes of one meeting use an id
    # nobody has (404 for all; POST-only pages 405). The roles on a real meeting are in
    # tests/security/test_meetings_matrix.py.
    "meetings:list": "-++++++",  # scoped: a member sees their branch's meetings, others none
    "meetings:plan": "--++++-",
    "meetings:notices": "-++++++",
    "meetings:compliance": "--++++-",
    "meetings:unit-compliance": "--+-++-",
    "meetings:detail": "-------",
    "meetings:qr": "-------",
    "meetings:check-in": "-------",
    "meetings:leave": "-------",
    "meetings:attendance": "-------",
    "meetings:attendance-bulk": "-------",
    "meetings:minutes": "-------",
    "api-meetings": "-++++++",
    "api-meeting": "-------",
    "api-meeting-check-in": "-------",
    "api-meeting-leave": "-------",
    "api-meeting-attendance": "-------",
    "api-meeting-attendance-bulk": "-------",
    "api-meeting-minutes": "-------",
    "api-meeting-minutes-sign-off": "-------",
    # 民主评议 (party.appraisal). The tree has no campaign: routes of one campaign use an id nobody
    # has (404 for all; POST/PUT-only routes 405). The roles on real campaigns are in
    # tests/security/test_appraisal_matrix.py.
    "appraisal:list": "-++++++",  # scoped: managed campaigns and the caller's own
    "appraisal:open": "-------",  # POST only
    "appraisal:report": "--++++-",
    "appraisal:report-xlsx": "--++++-",
    "appraisal:detail": "-------",
    "appraisal:advance": "-------",
    "appraisal:self": "-------",
    "appraisal:ballot": "-------",
    "appraisal:committee": "-------",
    "api-appraisals": "-++++++",  # scoped: managed campaigns and the caller's own
    "api-appraisal": "-------",
    "api-appraisal-advance": "-------",
    "api-appraisal-self-assessment": "-------",
    "api-appraisal-ballot": "-------",
    "api-appraisal-votes": "-------",
    "api-appraisal-results": "-------",
    "api-appraisal-proposals": "-------",
    "api-appraisal-decision": "-------",
    "api-appraisal-follow-ups": "-------",
    "api-appraisal-follow-up-close": "-------",
    "api-appraisal-report": "--+-++-",
    "api-unit-compliance": "--+-++-",
    # 党费 (party.dues): amounts for everyone with the branch in scope; writes for its finance
    # roles (组织委员, 书记) only — 组织员 and 组织部 read. POST-only routes are POSTed empty.
    "dues:my": "-++++++",  # 我的党费: a page for every signed-in user (no record: says so)
    "dues:home": "--++++-",
    "dues:branch": "--+-++-",
    "dues:member": "--+-++-",
    "dues:pay": "--+----",
    "dues:bulk": "--+----",
    "dues:reason": "--+----",
    "dues:base": "--+----",
    "dues:reverse": "-------",  # no such payment (404)
    # party.stats: the branch's figures for its 书记, its 组织员 and 组织部; a member none
    "api-unit-stats": "--+-++-",
    "api-unit-stats-xlsx": "--+-++-",
    "dues:import": "--+----",
    "dues:report": "--++++-",  # the caller's own units (another branch's 书记 sees theirs)
    "dues:report_xlsx": "--++++-",
    "api-unit-dues": "--+-++-",
    "api-unit-dues-behind": "--+-++-",
    "api-unit-dues-import": "--+----",  # POST-only: the empty body is 400 for the finance role
    "api-unit-dues-report": "--+-++-",
    "api-dues-payments": "-++++++",  # POST-only: the empty body is 400 (checked before the member)
    "api-dues-payment-reverse": "-------",  # no such payment (404)
    "api-me-dues": "-+++---",  # those with a member record (organiser, office, trainer: 404)
    "dues:import_preview": "-------",  # a staged statement is its uploader's only (none: 404)
    "stats:dashboard": "--++++-",  # the top of the caller's own scope (secretary2: their branch)
    "stats:table-xlsx": "--+-++-",
    "stats:year-end-xlsx": "--+-++-",
    # yearly 学时 (party.meetings.yearly): a unit's list for its managers; one's own line for a
    # Party member only (nobody in the tree has a stage: 404 for all)
    "meetings:unit-yearly-hours": "--+-++-",
    "meetings:unit-yearly-hours-xlsx": "--+-++-",
    "api-unit-yearly-hours": "--+-++-",
    "api-my-yearly-hours": "-------",
    # the six-month absence flag: the unit's managers
    "meetings:unit-absence": "--+-++-",
    "api-unit-absence": "--+-++-",
}
NO_MEETING = 987654  # also the campaign id nobody has
APPRAISAL_UNSCOPED = (
    "api-appraisals",
    "api-appraisal-report",
    "appraisal:list",
    "appraisal:open",
    "appraisal:report",
    "appraisal:report-xlsx",
)
POST_ONLY = {
    "api-member-stage-changes",
    "api-members-import",
    "api-members-transfer-in",
    "api-member-sponsor-end",
    "dues:pay",
    "dues:bulk",
    "dues:reason",
    "dues:base",
    "dues:reverse",
    "api-unit-dues-import",
    "api-dues-payments",
    "api-dues-payment-reverse",
    "api-member-stage-change-documents",
    "api-member-step-record-documents",
    "api-member-step-record-confirm",
    "api-member-step-record-return",
}


def party_routes() -> set[str]:
    names = set()

    def walk(resolver, namespaces=()):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = (entry.namespace,) if entry.namespace else ()
                walk(entry, namespaces + ns)
            elif isinstance(entry, URLPattern) and entry.name:
                module = getattr(entry.callback, "__module__", "") or ""
                view_class = getattr(entry.callback, "view_class", None)
                module = getattr(view_class, "__module__", module)
                if module.startswith("party."):
                    names.add(":".join((*namespaces, entry.name)))

    walk(get_resolver())
    return names


# Admin routes of the viewsets that the matrix leaves to Wagtail's generic permission checks
# (delete/history/usage/choosers follow the same model permissions as edit).
COVERED_BY_EDIT = ("delete", "history", "usage", "choose", "chooser", "inspect", "copy")


def test_every_party_route_has_a_row():
    missing = sorted(
        name
        for name in party_routes()
        if name not in MATRIX and not name.split(":")[-1].startswith(COVERED_BY_EDIT)
    )
    assert missing == []


def test_every_row_is_a_route():
    from django.urls import NoReverseMatch

    for name in MATRIX:
        try:
            reverse(name, kwargs=_kwargs(name, None) or None)
        except NoReverseMatch:
            pytest.fail(f"{name} is not a route")


def _kwargs(name, tree):
    member = tree["members"]["law_b1"].pk if tree else 1
    unit = tree["units"]["law_b1"].pk if tree else 1
    if name in (
        "meetings:unit-compliance",
        "api-unit-compliance",
        "api-appraisal-report",
        "api-unit-stats",
        "api-unit-stats-xlsx",
        "stats:year-end-xlsx",
        "meetings:unit-yearly-hours",
        "meetings:unit-yearly-hours-xlsx",
        "api-unit-yearly-hours",
        "meetings:unit-absence",
        "api-unit-absence",
    ):
        return {"pk": unit}
    if name == "stats:table-xlsx":
        return {"pk": unit, "key": "stages"}
    if name.startswith(("appraisal:", "api-appraisal")) and name not in APPRAISAL_UNSCOPED:
        return {"pk": NO_MEETING}
    if name == "api-meeting-attendance":
        return {"pk": NO_MEETING, "member_id": member}
    unscoped = ("meetings:list", "meetings:plan", "meetings:notices", "meetings:compliance")
    if name.startswith(("meetings:", "api-meeting")) and name not in unscoped + ("api-meetings",):
        return {"pk": NO_MEETING}
    if name == "api-member-sponsor-end":
        return {"pk": member, "sponsor_id": NO_MEETING}
    if name in (
        "dues:branch",
        "dues:pay",
        "dues:bulk",
        "dues:reason",
        "dues:import",
        "api-unit-dues",
        "api-unit-dues-behind",
        "api-unit-dues-import",
        "api-unit-dues-report",
    ):
        return {"pk": unit}
    if name in ("dues:member", "dues:base"):
        return {"pk": member}
    if name in ("dues:reverse", "dues:import_preview", "api-dues-payment-reverse"):
        return {"pk": NO_MEETING}
    if name == "party:registry_preview":
        return {"upload_id": NO_MEETING}
    if name in ("party:document_download", "api-document"):
        return {"kind": "step", "pk": _document_id(tree)}
    if name == "api-member-stage-change-documents":
        return {"pk": member, "change_id": _change_id(tree)}
    if name == "api-member-step-record-documents":
        return {"pk": member, "record_id": _record_id(tree)}
    if name in ("api-member-step-record-confirm", "api-member-step-record-return"):
        return {"pk": member, "record_id": NO_MEETING}
    if name in (
        "party:unit_board",
        "party:unit_board_export",
        "party:registry_export",
        "api-unit-pipeline",
        "api-unit-members-export",
    ):
        return {"pk": unit}
    if name == "party_units:edit":
        return {"pk": unit}
    if name == "party_posts:edit":
        return {"pk": tree["members"]["secretary"].posts.get().pk if tree else 1}
    if name == "party_organisers:edit":
        return {"pk": tree["units"]["law"].organiser_assignments.get().pk if tree else 1}
    if name == "party_access_log:edit":
        from party.members.models import MemberAccessLog

        if not tree:
            return {"pk": 1}
        row = MemberAccessLog.objects.create(
            user=tree["users"]["office"], member=tree["members"]["law_b1"], action="view", what="x"
        )
        return {"pk": row.pk}
    if name in (
        "party:member_timeline",
        "api-member",
        "api-member-timeline",
        "api-member-stage-changes",
        "api-member-sponsors",
        "api-member-transfers",
        "api-member-group-changes",
        "api-member-documents",
        "api-member-step-records",
        "party_members:edit",
    ):
        return {"pk": member}
    return {}


def _document_id(tree) -> int:
    if not tree:
        return 1
    from django.core.files.base import ContentFile

    from party.members.models import StepDefinition, StepDocument, StepRecord

    record = StepRecord.objects.create(
        member=tree["members"]["law_b1"],
        step=StepDefinition.objects.get(code="6.1"),
        done_on=date(2026, 1, 5),
    )
    document = StepDocument(step_record=record, name="思想汇报.pdf", content_type="application/pdf")
    document.file.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return document.pk


def _change_id(tree) -> int:
    if not tree:
        return 1
    from party.members.models import StageChange

    return StageChange.objects.create(
        member=tree["members"]["law_b1"],
        stage="applicant",
        decided_on=date(2025, 9, 1),
        decided_by="applicant",
    ).pk


def _record_id(tree) -> int:
    if not tree:
        return 1
    from party.members.models import StepDefinition, StepRecord

    return StepRecord.objects.create(
        member=tree["members"]["law_b1"],
        step=StepDefinition.objects.get(code="6.1"),
        done_on=date(2026, 1, 5),
    ).pk


def _cell(response) -> str:
    status = response.status_code
    if status in (401, 403, 404, 405):
        return "-"
    if status in (301, 302):
        location = response.headers.get("Location", "")
        refused = "login" in location or location.rstrip("/").endswith("/admin")
        return "-" if refused else "+"
    return "+" if status in (200, 201, 400, 409) else f"?{status}"


@pytest.fixture
def actors(tree):
    users = dict(tree["users"])
    users["trainer"] = make_user("party-trainer", role=TRAINERS)
    return users


def test_matrix(tree, actors):
    observed, expected = {}, {}
    for name, row in MATRIX.items():
        url = reverse(name, kwargs=_kwargs(name, tree) or None)
        cells = ""
        for role in ROLES:
            client = APIClient()
            if role != "anon":
                client.force_login(actors[role])
            post = name in POST_ONLY
            response = client.post(url, {}, format="json") if post else client.get(url)
            cells += _cell(response)
        observed[name], expected[name] = cells, row
    mismatches = {
        n: f"expected {expected[n]} observed {observed[n]}"
        for n in MATRIX
        if observed[n] != expected[n]
    }
    assert mismatches == {}
