"""Certificates: issued only when the class rules are met, bulk issue, revoke, numbers, API."""

import re

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from cms.roles import TRAINERS
from learning.reports.exceptions import (
    AlreadyRevoked,
    CertificateRefused,
    NotInClass,
    ReasonRequired,
)
from learning.reports.models import Certificate, new_certificate_number
from learning.reports.selectors import ReportStatus, report_row
from learning.reports.services import (
    certificate_issue,
    certificate_issue_bulk,
    certificate_revoke,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer], required_hours="4")
    quiz = report_factory.exam(tc)
    ok, no_exam, low_hours, failed = report_factory.trainees(tc, 4)
    report_factory.hours(ok, tc, 4)
    report_factory.attempt(quiz, ok, 88)
    report_factory.hours(no_exam, tc, 4)
    # 3 of 4 学时: missing exactly a quarter still falls short of the required hours.
    report_factory.hours(low_hours, tc, 3)
    report_factory.attempt(quiz, low_hours, 90)
    report_factory.hours(failed, tc, 5)
    report_factory.attempt(quiz, failed, 59)
    return tc, {"ok": ok, "no_exam": no_exam, "low_hours": low_hours, "failed": failed}


def test_number_format_is_random():
    numbers = {new_certificate_number(2026) for _ in range(200)}
    assert len(numbers) == 200
    assert all(re.fullmatch(r"DK2026[A-Z2-7]{10}", n) for n in numbers)


def test_issue_when_rules_met(setup, trainer):
    tc, people = setup
    cert = certificate_issue(training_class=tc, trainee=people["ok"], issued_by=trainer)
    assert cert.number.startswith("DK") and cert.issued_by == trainer
    assert cert.trainee_name == people["ok"].name and cert.class_name == str(tc)
    # The score stays off the certificate unless the class prints it (issue 14).
    assert str(cert.earned_hours) == "4.00" and cert.exam_score is None
    row = report_row(training_class=tc, trainee=people["ok"])
    assert row.certificate_no == cert.number and row.status == ReportStatus.COMPLETED
    with pytest.raises(CertificateRefused, match="已有结业证书"):
        certificate_issue(training_class=tc, trainee=people["ok"], issued_by=trainer)


@pytest.mark.parametrize("who", ["no_exam", "low_hours", "failed"])
def test_no_certificate_without_hours_and_passed_exam(setup, trainer, who):
    tc, people = setup
    with pytest.raises(CertificateRefused, match="不符合结业条件"):
        certificate_issue(training_class=tc, trainee=people[who], issued_by=trainer)
    assert not Certificate.objects.exists()


def test_not_enrolled(setup, trainer, report_factory):
    tc, _people = setup
    (stranger,) = report_factory.trainees(report_factory.klass(), 1)
    with pytest.raises(NotInClass, match="不在本培训班"):
        certificate_issue(training_class=tc, trainee=stranger, issued_by=trainer)


def test_bulk_issue_only_to_those_who_qualify(setup, trainer, report_factory):
    tc, people = setup
    quiz = tc.exams.get()
    report_factory.attempt(quiz, people["no_exam"], 61)
    issued = certificate_issue_bulk(training_class=tc, issued_by=trainer)
    assert {c.trainee for c in issued} == {people["ok"], people["no_exam"]}
    # Running it again issues nothing new.
    assert certificate_issue_bulk(training_class=tc, issued_by=trainer) == []
    assert Certificate.objects.count() == 2


def test_revoke(setup, trainer):
    tc, people = setup
    cert = certificate_issue(training_class=tc, trainee=people["ok"], issued_by=trainer)
    with pytest.raises(ReasonRequired, match="撤销原因"):
        certificate_revoke(certificate=cert, revoked_by=trainer, reason="  ")
    cert = certificate_revoke(certificate=cert, revoked_by=trainer, reason="考试作弊")
    assert cert.revoked_at and cert.revoked_by == trainer and cert.revoke_reason == "考试作弊"
    with pytest.raises(AlreadyRevoked, match="已被撤销"):
        certificate_revoke(certificate=cert, revoked_by=trainer, reason="again")
    # Cheating means no certificate: the report says 未通过 and it cannot be issued again.
    row = report_row(training_class=tc, trainee=people["ok"])
    assert row.status == ReportStatus.FAILED and row.certificate_no is None
    with pytest.raises(CertificateRefused):
        certificate_issue(training_class=tc, trainee=people["ok"], issued_by=trainer)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_issue_and_revoke(setup, trainer):
    tc, people = setup
    url = f"/api/v1/classes/{tc.pk}/certificates/"
    response = api(trainer).post(url, {"trainee": people["ok"].pk}, format="json")
    assert response.status_code == 201
    number = response.json()[0]["number"]
    assert response.json()[0]["verify_url"].endswith(f"/verify/{number}/")
    # ISO 8601 in the site's time zone (Asia/Shanghai), as every API date-time (issue 21).
    assert response.json()[0]["issued_at"].endswith("+08:00")
    again = api(trainer).post(url, {"trainee": people["ok"].pk}, format="json")
    assert (again.status_code, again.json()) == (409, {"detail": f"该学员已有结业证书：{number}。"})
    refused = api(trainer).post(url, {"trainee": people["failed"].pk}, format="json")
    assert (refused.status_code, refused.json()) == (
        409,
        {"detail": "不符合结业条件：当前状态为“未通过”。尚缺：结业考试未通过。"},
    )
    assert api(trainer).post(url, {}, format="json").status_code == 400
    revoke = f"/api/v1/certificates/{number}/revoke/"
    assert api(trainer).post(revoke, {}, format="json").status_code == 400
    done = api(trainer).post(revoke, {"reason": "学时记录有误"}, format="json")
    assert done.status_code == 200 and done.json()["revoked_at"].endswith("+08:00")
    again = api(trainer).post(revoke, {"reason": "x"}, format="json")
    assert (again.status_code, again.json()) == (409, {"detail": "该证书已被撤销。"})


def test_api_bulk(setup, trainer):
    tc, people = setup
    response = api(trainer).post(f"/api/v1/classes/{tc.pk}/certificates/", {"all": True})
    assert response.status_code == 201
    assert [c["trainee"] for c in response.json()] == [people["ok"].pk]


def test_api_another_trainer_gets_404(setup, trainer, trainer2):
    tc, people = setup
    url = f"/api/v1/classes/{tc.pk}/certificates/"
    assert api(trainer2).post(url, {"trainee": people["ok"].pk}).status_code == 404
    cert = certificate_issue(training_class=tc, trainee=people["ok"], issued_by=trainer)
    revoke = f"/api/v1/certificates/{cert.number}/revoke/"
    assert api(trainer2).post(revoke, {"reason": "x"}).status_code == 404
    # A trainee of the class cannot issue either: the class does not exist for them.
    assert api(people["ok"].user).post(url, {"trainee": people["ok"].pk}).status_code == 404


def test_trainer_role_has_the_permission(trainer):
    group = Group.objects.get(name=TRAINERS)
    assert group.permissions.filter(codename="issue_certificate").exists()
    assert trainer.has_perm("reports.issue_certificate")


def test_demo_issues_only_to_those_who_qualify(setup):
    from learning.reports.demo import demo_reports_ensure

    tc, people = setup
    demo_reports_ensure()
    demo_reports_ensure()
    assert [c.trainee for c in Certificate.objects.all()] == [people["ok"]]
