"""Stage changes behind their gates (细则 art. 9, 13, 14, 17; 党章 art. 7; age 18): the service
and POST /api/v1/members/{id}/stage-changes/."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from rest_framework.test import APIClient

from party.members import rules
from party.members.exceptions import GateFailed, OverrideError, StageTransitionError
from party.members.models import Sponsor, SponsorRole, Stage, StageChange
from party.members.services import sponsor_assign, stage_change_record, stage_history_import
from tests.party.conftest import make_member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def history(member, *entries, by=None):
    stage_history_import(member=member, entries=list(entries), by_user=by)


def full_member(unit, no):
    person = make_member(unit, f"党员{no}", no)
    history(person, (Stage.FULL_MEMBER, date(2015, 7, 1)))
    return person


def with_contact(member, unit):
    contact = full_member(unit, f"C-{member.student_no}")
    Sponsor.objects.create(
        member=member, sponsor=contact, role=SponsorRole.CONTACT, assigned_on=date(2020, 1, 1)
    )


def url(member):
    return f"/api/v1/members/{member.pk}/stage-changes/"


def post_candidate(client, member, day):
    return client.post(
        url(member),
        {"to_stage": "candidate", "date": day.isoformat(), "decided_by": "branch_committee"},
        format="json",
    )


def test_eleven_months_as_activist_is_refused_with_the_rule_and_nothing_is_written(tree):
    member = tree["members"]["law_b1"]
    history(member, (Stage.APPLICANT, TODAY - relativedelta(months=14)))
    history_activist = TODAY - relativedelta(months=11)
    StageChange.objects.create(
        member=member, stage=Stage.ACTIVIST, decided_on=history_activist, decided_by="records"
    )
    with_contact(member, tree["units"]["law_b1"])
    before = StageChange.objects.count()
    response = post_candidate(api(tree["users"]["secretary"]), member, TODAY)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "gate_activist_one_year"
    assert "经过一年以上培养教育和考察" in body["rule"]
    assert "第十三条" in body["rule"]
    assert str(history_activist + relativedelta(years=1)) in body["detail"]
    assert StageChange.objects.count() == before


def test_a_year_and_a_day_as_activist_with_a_contact_is_recorded(tree):
    member = tree["members"]["law_b1"]
    history(
        member,
        (Stage.APPLICANT, TODAY - relativedelta(months=20)),
        (Stage.ACTIVIST, TODAY - relativedelta(years=1, days=1)),
    )
    with_contact(member, tree["units"]["law_b1"])
    response = post_candidate(api(tree["users"]["secretary"]), member, TODAY)
    assert response.status_code == 201, response.json()
    assert response.json()["stage"] == "candidate"
    assert member.stage_changes.latest("decided_on").recorded_by == tree["users"]["secretary"]


def test_without_a_contact_person_the_contacts_gate_fails(tree):
    member = tree["members"]["law_b1"]
    history(member, (Stage.ACTIVIST, date(2020, 1, 1)))
    response = post_candidate(api(tree["users"]["secretary"]), member, TODAY)
    assert response.status_code == 400
    assert response.json()["code"] == "gate_contacts"
    assert "一至两名正式党员" in response.json()["rule"]


def test_every_failing_gate_is_listed(tree):
    member = tree["members"]["law_b1"]
    history(member, (Stage.ACTIVIST, TODAY - relativedelta(months=3)))
    body = post_candidate(api(tree["users"]["secretary"]), member, TODAY).json()
    assert [g["code"] for g in body["gates"]] == ["gate_activist_one_year", "gate_contacts"]


def test_a_secretary_cannot_reach_another_branch_and_a_member_only_reads(tree):
    other = tree["members"]["eng_b1"]
    history(other, (Stage.ACTIVIST, date(2020, 1, 1)))
    assert post_candidate(api(tree["users"]["secretary"]), other, TODAY).status_code == 404
    own = tree["members"]["law_b1"]
    assert post_candidate(api(tree["users"]["member"]), own, TODAY).status_code == 403


def test_a_forbidden_transition_is_409(tree):
    member = tree["members"]["law_b1"]
    history(member, (Stage.APPLICANT, date(2020, 1, 1)))
    response = api(tree["users"]["secretary"]).post(
        url(member),
        {"to_stage": "full_member", "date": TODAY.isoformat(), "decided_by": "branch_congress"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stage_transition"


def test_an_applicant_must_be_eighteen(tree):
    member = tree["members"]["law_b1"]
    member.birth_date = TODAY - relativedelta(years=18) + timedelta(days=1)
    member.save()
    with pytest.raises(GateFailed) as failed:
        stage_change_record(
            member=member,
            stage=Stage.APPLICANT,
            decided_on=TODAY,
            decided_by="applicant",
            by_user=tree["users"]["secretary"],
        )
    assert failed.value.code == "gate_min_age"
    member.birth_date = TODAY - relativedelta(years=18)
    member.save()
    stage_change_record(
        member=member,
        stage=Stage.APPLICANT,
        decided_on=TODAY,
        decided_by="applicant",
        by_user=tree["users"]["secretary"],
    )


def test_party_office_overrides_a_gate_with_a_reason_and_it_is_recorded(tree):
    member = tree["members"]["law_b1"]
    history(member, (Stage.ACTIVIST, TODAY - relativedelta(months=11)))
    with_contact(member, tree["units"]["law_b1"])
    payload = {
        "to_stage": "candidate",
        "date": TODAY.isoformat(),
        "decided_by": "branch_committee",
        "override_gates": ["gate_activist_one_year"],
    }
    secretary = api(tree["users"]["secretary"])
    assert secretary.post(url(member), payload, format="json").status_code == 403
    office = api(tree["users"]["office"])
    no_reason = office.post(url(member), payload, format="json")
    assert no_reason.status_code == 403
    assert no_reason.json()["code"] == "override_not_allowed"
    response = office.post(url(member), {**payload, "override_reason": "特殊人才，经组织部研究"})
    assert response.status_code == 201, response.json()
    change = StageChange.objects.get(pk=response.json()["id"])
    assert change.overridden_gates == ["gate_activist_one_year"]
    assert change.override_reason == "特殊人才，经组织部研究"


def test_introducers_must_be_two_full_members_and_training_must_follow_the_candidate_date(tree):
    from learning.classes.models import TraineeProfile, TrainingClass
    from learning.reports.models import Certificate

    unit = tree["units"]["law_b1"]
    member = tree["members"]["law_b1"]
    candidate_on = TODAY - relativedelta(months=4)
    history(
        member,
        (Stage.APPLICANT, date(2022, 3, 1)),
        (Stage.ACTIVIST, date(2022, 9, 1)),
        (Stage.CANDIDATE, candidate_on),
    )
    probationer = make_member(unit, "预备", "P1")
    history(probationer, (Stage.PROBATIONARY, date(2025, 1, 1)))
    sponsor_assign(
        member=member,
        sponsor=full_member(unit, "F1"),
        role=SponsorRole.INTRODUCER,
        assigned_on=TODAY - relativedelta(months=2),
        by_user=tree["users"]["secretary"],
    )

    def admit():
        return stage_change_record(
            member=member,
            stage=Stage.PROBATIONARY,
            decided_on=TODAY,
            decided_by="branch_congress",
            by_user=tree["users"]["secretary"],
        )

    with pytest.raises(GateFailed) as failed:
        admit()
    assert [g.code for g, _ in failed.value.failures] == [
        "gate_introducers",
        "gate_candidate_training",
    ]
    # A probationary member cannot be an introducer.
    with pytest.raises(Exception, match="不是正式党员"):
        sponsor_assign(
            member=member,
            sponsor=probationer,
            role=SponsorRole.INTRODUCER,
            assigned_on=TODAY,
            by_user=tree["users"]["secretary"],
        )
    sponsor_assign(
        member=member,
        sponsor=full_member(unit, "F2"),
        role=SponsorRole.INTRODUCER,
        assigned_on=TODAY - relativedelta(months=2),
        by_user=tree["users"]["secretary"],
    )
    # 张三 the trainee is 张三 the member (issue 15): the profile points at the record.
    trainee = TraineeProfile.objects.create(
        user=tree["users"]["member"], name="张三", student_no="S001", member=member
    )

    def certificate(start):
        klass = TrainingClass.objects.create(
            name=f"发展对象培训班{start}", audience_stage="candidate", start_date=start
        )
        return Certificate.objects.create(
            number=f"DK{start:%Y%m%d}",
            trainee=trainee,
            training_class=klass,
            trainee_name="张三",
            class_name=klass.name,
            earned_hours=Decimal("24"),
        )

    certificate(candidate_on - timedelta(days=1))  # started before the 发展对象 date: not enough
    with pytest.raises(GateFailed) as failed:
        admit()
    assert [g.code for g, _ in failed.value.failures] == ["gate_candidate_training"]
    certificate(candidate_on)
    assert admit().stage == Stage.PROBATIONARY


def test_full_membership_waits_for_one_year_of_probation_and_an_extension_is_once_6_to_12(tree):
    member = tree["members"]["law_b1"]
    start = TODAY - relativedelta(months=13)
    history(member, (Stage.CANDIDATE, start - relativedelta(months=3)), (Stage.PROBATIONARY, start))
    secretary = tree["users"]["secretary"]

    def change(stage, **extra):
        return stage_change_record(
            member=member,
            stage=stage,
            decided_on=TODAY,
            decided_by="branch_congress",
            by_user=secretary,
            **extra,
        )

    for months in (None, 5, 13):
        with pytest.raises(GateFailed) as failed:
            change(Stage.PROBATION_EXTENDED, extension_months=months)
        assert failed.value.code == rules.EXTENSION.code
    change(Stage.PROBATION_EXTENDED, extension_months=6)
    with pytest.raises(StageTransitionError):
        change(Stage.PROBATION_EXTENDED, extension_months=6)
    # One year plus six months from the 支部大会: not yet.
    with pytest.raises(GateFailed) as failed:
        change(Stage.FULL_MEMBER)
    assert failed.value.code == "gate_probation_period"
    assert str(start + relativedelta(months=18)) in failed.value.message


def test_only_party_office_may_override(tree):
    member = tree["members"]["law_b1"]
    history(member, (Stage.ACTIVIST, TODAY - relativedelta(months=1)))
    with pytest.raises(OverrideError):
        stage_change_record(
            member=member,
            stage=Stage.CANDIDATE,
            decided_on=TODAY,
            decided_by="branch_committee",
            by_user=tree["users"]["organiser"],
            override_gates=["gate_activist_one_year"],
            override_reason="理由",
        )
    assert member.stage_changes.count() == 1


def test_a_date_in_the_future_or_before_the_last_change_is_refused(tree):
    member = tree["members"]["law_b1"]
    history(member, (Stage.ACTIVIST, date(2020, 1, 1)))
    with_contact(member, tree["units"]["law_b1"])
    client = api(tree["users"]["secretary"])
    assert post_candidate(client, member, TODAY + timedelta(days=1)).status_code == 400
    assert post_candidate(client, member, date(2019, 12, 31)).status_code == 400
    assert member.stage_changes.count() == 1
