"""转入本校 of a person not on record yet, in one step (issue 16 and 15): the record, the Party
history the 介绍信 states (档案补录) and the 转入 with its 介绍信, in one transaction, on the site
(/party/transfer-in/) and the API (POST /api/v1/members/transfer-in/). The 组织员 of the branch's
院系党委 or 组织部 records it; any refusal writes nothing, not even the record."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from party.members.exceptions import MemberError
from party.members.models import (
    AccessAction,
    DecidingBody,
    Member,
    MemberAccessLog,
    MemberTransfer,
    StageChange,
    TransferDirection,
    TransferDocument,
)
from party.members.selectors import (
    external_in_new_units,
    members_of_unit_on,
    party_memberships,
    unit_histories,
)
from party.members.services import member_transfer_in_new
from party.members.views import DOCUMENT_HELP, ExternalTransferForm, TransferInNewForm
from party.organisation.models import Unit
from party.organisation.selectors import unit_scope

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ON = date(2026, 3, 2)


def letter():
    return SimpleUploadedFile("介绍信.pdf", PDF, content_type="application/pdf")


def arrive(tree, by="organiser", **extra):
    values = {
        "name": "周老师",
        "student_no": "T2003",
        "gender": "male",
        "to_unit": tree["units"]["law_b2"],
        "on": ON,
        "external_org": "示范市教育局机关党委",
        "probationary_on": date(2012, 6, 20),
        "full_member_on": date(2013, 6, 20),
        "letter_no": "教组 7",
        "letter_date": date(2026, 2, 27),
    } | extra
    return member_transfer_in_new(by_user=tree["users"][by], **values)


def nothing_written(count):
    assert Member.objects.count() == count
    assert not MemberTransfer.objects.exists() and not StageChange.objects.exists()
    assert not TransferDocument.objects.exists()


def test_one_step_writes_the_record_its_history_and_the_transfer(tree):
    row = arrive(tree, documents=[letter()])
    zhou = Member.objects.get(student_no="T2003")
    assert row.member == zhou and row.direction == "in" and row.to_unit == tree["units"]["law_b2"]
    assert (zhou.unit, zhou.group, zhou.left_on) == (tree["units"]["law_b2"], None, None)
    assert (row.external_org, row.letter_no, row.letter_date) == (
        "示范市教育局机关党委",
        "教组 7",
        date(2026, 2, 27),
    )
    history = list(zhou.stage_changes.order_by("decided_on").values_list("stage", "decided_on"))
    assert history == [("probationary", date(2012, 6, 20)), ("full_member", date(2013, 6, 20))]
    assert set(zhou.stage_changes.values_list("decided_by", flat=True)) == {DecidingBody.RECORDS}
    assert TransferDocument.objects.get(transfer=row).name == "介绍信.pdf"
    # In the branch (and a Party member for 应到 and dues) from the 转入, in no unit before it.
    assert "周老师" not in {m.name for m in members_of_unit_on(row.to_unit, ON - timedelta(1))}
    assert "周老师" in {m.name for m in members_of_unit_on(row.to_unit, ON)}
    assert unit_histories(members=[zhou])[zhou.pk].on(ON - timedelta(1)) is None
    membership = party_memberships(member_ids=[zhou.pk])[zhou.pk]
    assert not membership.on(ON - timedelta(1)) and membership.on(ON)
    log = MemberAccessLog.objects.filter(member=zhou, action=AccessAction.TRANSFER).get()
    assert log.user == tree["users"]["organiser"] and "转入本校 示范市教育局机关党委" in log.what
    # A 预备党员 has no 转正 date.
    arrive(tree, by="office", student_no="T2004", name="吴老师", full_member_on=None)
    stages = Member.objects.get(student_no="T2004").stage_changes.values_list("stage", flat=True)
    assert list(stages) == ["probationary"]


@pytest.mark.parametrize(
    "by,extra,code",
    [
        ("secretary", {}, "out_of_scope"),  # a branch's 书记 records no 转入本校
        ("secretary2", {}, "out_of_scope"),
        ("organiser", {"to_unit": "eng_b1"}, "out_of_scope"),  # another 院系党委's branch
        ("organiser", {"to_unit": "law_g1"}, "invalid"),  # a 党小组
        ("organiser", {"student_no": "S002"}, "duplicate"),  # 李四 is on record
        ("organiser", {"on": date(2999, 1, 1)}, "invalid"),
        ("organiser", {"probationary_on": date(2026, 3, 3)}, "invalid"),  # after the 转入
        ("organiser", {"full_member_on": date(2011, 1, 1)}, "invalid"),  # before 入党
        ("organiser", {"external_org": " "}, "invalid"),
        ("organiser", {"gender": "x"}, "invalid"),
        ("organiser", {"letter_date": date(2999, 1, 1)}, "invalid"),
    ],
)
def test_refusals_write_nothing(tree, by, extra, code):
    count = Member.objects.count()
    if isinstance(extra.get("to_unit"), str):
        extra["to_unit"] = tree["units"][extra["to_unit"]]
    with pytest.raises(MemberError) as caught:
        arrive(tree, by=by, documents=[letter()], **extra)
    assert caught.value.code == code and caught.value.message
    nothing_written(count)


def test_a_bad_letter_writes_nothing(tree):
    count = Member.objects.count()
    fake = SimpleUploadedFile("介绍信.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(MemberError) as caught:
        arrive(tree, documents=[fake])
    assert caught.value.code.startswith("attachment_")
    nothing_written(count)


def test_the_branches_offered(tree):
    units = tree["units"]
    for key, expected in (
        ("organiser", {"law_b1", "law_b2"}),
        ("office", {"law_b1", "law_b2", "eng_b1"}),
        ("secretary", set()),
        ("member", set()),
    ):
        offered = set(external_in_new_units(scope=unit_scope(user=tree["users"][key])))
        assert offered == {units[k] for k in expected}, key


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


BODY = {
    "name": "周老师",
    "student_no": "T2003",
    "gender": "male",
    "on": "2026-03-02",
    "external_org": "示范市教育局机关党委",
    "probationary_on": "2012-06-20",
    "full_member_on": "2013-06-20",
    "letter_no": "教组 7",
}
URL = "/api/v1/members/transfer-in/"


def test_api_one_step_with_the_letter(tree):
    units, users = tree["units"], tree["users"]
    body = BODY | {"to_unit": units["law_b2"].pk}
    assert api(users["secretary"]).post(URL, body, format="json").status_code == 404
    created = api(users["organiser"]).post(URL, body | {"document": letter()}, format="multipart")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["member"]["name"] == "周老师" and data["member"]["stage"] == "full_member"
    assert data["member"]["unit"] == units["law_b2"].pk
    assert (data["transfer"]["direction"], data["transfer"]["from_unit"]) == ("in", None)
    assert data["transfer"]["on"] == "2026-03-02" and len(data["transfer"]["documents"]) == 1
    again = api(users["organiser"]).post(URL, body | {"student_no": "T2003"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "duplicate"
    elsewhere = api(users["organiser"]).post(
        URL, body | {"student_no": "T2005", "to_unit": units["eng_b1"].pk}, format="json"
    )
    assert elsewhere.status_code == 400 and "to_unit" in elsewhere.json()["errors"]
    assert not Member.objects.filter(student_no="T2005").exists()


def test_the_page_for_the_organiser_and_not_for_a_secretary(tree):
    units, users = tree["units"], tree["users"]
    url = reverse("party:transfer_in_new")
    secretary = Client()
    secretary.force_login(users["secretary"])
    assert secretary.get(url).status_code == 404
    board = secretary.get(reverse("party:unit_board", args=[units["law_b1"].pk])).content
    assert b'id="transfer-in-new"' not in board
    client = Client()
    client.force_login(users["organiser"])
    board = client.get(reverse("party:unit_board", args=[units["law"].pk])).content
    assert b'id="transfer-in-new"' in board
    page = client.get(url)
    assert page.status_code == 200 and 'id="transfer-in-new-form"' in page.content.decode()
    payload = {
        "name": "周老师",
        "student_no": "T2003",
        "gender": "male",
        "ethnicity": "汉族",
        "probationary_on": "2012-06-20",
        "full_member_on": "2013-06-20",
        "to_unit": units["law_b2"].pk,
        "external_org": "示范市教育局机关党委",
        "on": "2026-03-02",
        "letter_no": "教组 7",
    }
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    refused = client.post(url, payload | {"on": later})
    assert refused.status_code == 200 and "转接日期不能晚于今天" in refused.content.decode()
    assert not Member.objects.filter(student_no="T2003").exists()
    done = client.post(url, payload | {"document": letter()})
    zhou = Member.objects.get(student_no="T2003")
    assert done.status_code == 302 and done["Location"] == reverse(
        "party:member_timeline", args=[zhou.pk]
    )
    timeline = client.get(done["Location"]).content.decode()
    assert "2026-03-02 转入本校：示范市教育局机关党委 → 法学研究生党支部" in timeline


def test_both_forms_share_the_letters_fields_in_their_own_order():
    """One set of 介绍信 fields (views.TransferLetterForm) behind the one-step form and the
    timeline's 转入/转出本校: each keeps its order, and names the outside organisation and the day
    for its case; the letter's fields are the same (optional number, date and scan)."""
    letter = ["external_org", "on", "letter_no", "letter_date", "note", "document"]
    person = ["name", "student_no", "gender", "ethnicity", "birth_date", "phone"]
    history = ["probationary_on", "full_member_on"]
    one_step = TransferInNewForm(units=Unit.objects.none())
    into = ExternalTransferForm(direction=TransferDirection.IN, units=Unit.objects.none())
    out = ExternalTransferForm(direction=TransferDirection.OUT)
    assert list(one_step.fields) == [*person, *history, "to_unit", *letter]
    assert list(into.fields) == ["to_unit", *letter]
    assert list(out.fields) == letter

    def labels(form, *names):
        return [str(form.fields[name].label) for name in names]

    assert labels(one_step, "external_org", "on") == ["原所在党组织", "转入日期"]
    assert labels(into, "external_org", "on") == ["原所在党组织", "转接日期"]
    assert labels(out, "external_org", "on") == ["转往党组织", "转接日期"]
    for form in (one_step, into, out):
        assert labels(form, "letter_no", "letter_date", "note", "document") == [
            "介绍信编号",
            "介绍信日期",
            "备注",
            "介绍信（扫描件，可选）",
        ]
        assert form.fields["document"].help_text == DOCUMENT_HELP
        assert [form.fields[n].required for n in letter] == [True, True, False, False, False, False]
    assert into.prefix == "in" and out.prefix == "out" and one_step.prefix is None
