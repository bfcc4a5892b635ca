"""取消结业资格: cheating means no certificate (docs/domain.md), decided and lifted on record."""

import pytest
from django.db import IntegrityError
from rest_framework.test import APIClient

from learning.reports.exceptions import (
    AlreadyDisqualified,
    CertificateRefused,
    NotDisqualified,
    ReasonRequired,
)
from learning.reports.models import Certificate, Disqualification
from learning.reports.selectors import ReportStatus, my_class_standings, report_row
from learning.reports.services import (
    certificate_issue,
    certificate_issue_bulk,
    certificate_revoke,
    enrolment_disqualify,
    enrolment_reinstate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def passed(report_factory, trainer):
    """A class and a trainee who meets every rule (4 学时, exam 88), and one who does not yet."""
    tc = report_factory.klass(trainers=[trainer], required_hours="4")
    quiz = report_factory.exam(tc)
    ok, other = report_factory.trainees(tc, 2)
    report_factory.hours(ok, tc, 4)
    report_factory.attempt(quiz, ok, 88)
    return tc, ok, other


def status(tc, trainee) -> str:
    return report_row(training_class=tc, trainee=trainee).status


def test_disqualified_trainee_fails_and_gets_no_certificate(passed, trainer):
    tc, ok, _other = passed
    assert status(tc, ok) == ReportStatus.COMPLETED
    enrolment_disqualify(training_class=tc, trainee=ok, by=trainer, reason="结业考试作弊")
    row = report_row(training_class=tc, trainee=ok)
    assert row.status == ReportStatus.FAILED and row.disqualified_reason == "结业考试作弊"
    with pytest.raises(CertificateRefused, match="取消结业资格"):
        certificate_issue(training_class=tc, trainee=ok, issued_by=trainer)
    assert certificate_issue_bulk(training_class=tc, issued_by=trainer) == []
    # The trainee sees the same status in 我的学习.
    (mine,) = my_class_standings(user=ok.user)
    assert mine.status == ReportStatus.FAILED


def test_the_trainee_sees_why_in_my_learning(passed, trainer, client):
    tc, ok, _other = passed
    enrolment_disqualify(training_class=tc, trainee=ok, by=trainer, reason="结业考试作弊")
    client.force_login(ok.user)
    html = client.get("/me/").content.decode()
    assert "未通过" in html and "已被取消结业资格：结业考试作弊" in html


def test_disqualifying_revokes_the_valid_certificate(passed, trainer):
    tc, ok, _other = passed
    cert = certificate_issue(training_class=tc, trainee=ok, issued_by=trainer)
    decision = enrolment_disqualify(training_class=tc, trainee=ok, by=trainer, reason="替考")
    cert.refresh_from_db()
    assert cert.revoked_at and cert.revoke_reason == "替考" and cert.disqualification == decision
    assert status(tc, ok) == ReportStatus.FAILED


def test_reinstating_restores_the_normal_rules_and_a_new_certificate(passed, trainer):
    tc, ok, _other = passed
    old = certificate_issue(training_class=tc, trainee=ok, issued_by=trainer)
    enrolment_disqualify(training_class=tc, trainee=ok, by=trainer, reason="疑似作弊")
    decision = enrolment_reinstate(
        training_class=tc, trainee=ok, by=trainer, reason="经复核，系误判"
    )
    assert decision.lifted_at and decision.lifted_by == trainer
    assert status(tc, ok) == ReportStatus.COMPLETED
    new = certificate_issue(training_class=tc, trainee=ok, issued_by=trainer)
    assert new.number != old.number
    # Both decisions and the revoked certificate stay on record.
    assert Disqualification.objects.count() == 1
    assert Certificate.objects.filter(trainee=ok).count() == 2


def test_a_certificate_revoked_by_hand_still_means_failed(passed, trainer):
    """Revoking without a disqualification keeps its old meaning: no certificate for this class."""
    tc, ok, _other = passed
    cert = certificate_issue(training_class=tc, trainee=ok, issued_by=trainer)
    certificate_revoke(certificate=cert, revoked_by=trainer, reason="学时记录有误")
    assert status(tc, ok) == ReportStatus.FAILED


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(passed, trainer, reason):
    tc, ok, _other = passed
    with pytest.raises(ReasonRequired, match="取消结业资格的原因"):
        enrolment_disqualify(training_class=tc, trainee=ok, by=trainer, reason=reason)
    assert not Disqualification.objects.exists()


def test_twice_or_lifting_nothing_is_refused(passed, trainer):
    tc, ok, other = passed
    enrolment_disqualify(training_class=tc, trainee=ok, by=trainer, reason="作弊")
    with pytest.raises(AlreadyDisqualified, match="已被取消"):
        enrolment_disqualify(training_class=tc, trainee=ok, by=trainer, reason="作弊")
    with pytest.raises(NotDisqualified, match="没有被取消"):
        enrolment_reinstate(training_class=tc, trainee=other, by=trainer, reason="x")


def test_the_database_allows_one_decision_in_force(passed, trainer):
    tc, ok, _other = passed
    decision = enrolment_disqualify(training_class=tc, trainee=ok, by=trainer, reason="作弊")
    with pytest.raises(IntegrityError):
        Disqualification.objects.create(
            enrolment=decision.enrolment, reason="again", created_by=trainer
        )


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_disqualify_and_reinstate(passed, trainer):
    tc, ok, _other = passed
    base = f"/api/v1/classes/{tc.pk}/trainees/{ok.pk}"
    assert api(trainer).post(f"{base}/disqualify/", {}, format="json").status_code == 400
    made = api(trainer).post(f"{base}/disqualify/", {"reason": "作弊"}, format="json")
    assert made.status_code == 201 and made.json()["reason"] == "作弊"
    assert made.json()["lifted_at"] is None
    twice = api(trainer).post(f"{base}/disqualify/", {"reason": "x"})
    assert (twice.status_code, twice.json()) == (409, {"detail": "该学员已被取消结业资格。"})
    rows = api(trainer).get(f"/api/v1/classes/{tc.pk}/report/").json()["rows"]
    (row,) = [r for r in rows if r["trainee"]["id"] == ok.pk]
    assert (row["status"], row["disqualified_reason"]) == ("failed", "作弊")
    lifted = api(trainer).post(f"{base}/reinstate/", {"reason": "申诉成立"}, format="json")
    assert lifted.status_code == 200 and lifted.json()["lift_reason"] == "申诉成立"
    again = api(trainer).post(f"{base}/reinstate/", {"reason": "x"})
    assert (again.status_code, again.json()) == (409, {"detail": "该学员没有被取消结业资格。"})
    assert status(tc, ok) == ReportStatus.COMPLETED


def test_api_is_scoped_to_the_trainers_classes(passed, trainer2):
    tc, ok, _other = passed
    url = f"/api/v1/classes/{tc.pk}/trainees/{ok.pk}/disqualify/"
    assert api(trainer2).post(url, {"reason": "x"}).status_code == 404
    # The trainee cannot disqualify (or reinstate) anyone: the class does not exist for them.
    assert api(ok.user).post(url, {"reason": "x"}).status_code == 404
    assert not Disqualification.objects.exists()


def test_admin_record_page_disqualifies_and_reinstates(passed, trainer, client):
    tc, ok, _other = passed
    client.force_login(trainer)
    record = f"/admin/reports/classes/{tc.pk}/trainees/{ok.pk}/"
    assert "取消结业资格" in client.get(record).content.decode()
    response = client.post(f"{record}disqualify/", {"reason": "考试作弊"}, follow=True)
    html = response.content.decode()
    assert "已取消结业资格：考试作弊" in html and "恢复结业资格" in html
    assert status(tc, ok) == ReportStatus.FAILED
    report = client.get(f"/admin/reports/classes/{tc.pk}/").content.decode()
    assert "已取消结业资格：考试作弊" in report
    client.post(f"{record}reinstate/", {"reason": "复核无误"})
    assert status(tc, ok) == ReportStatus.COMPLETED


def test_admin_views_are_post_only_and_scoped(passed, trainer2, client):
    tc, ok, _other = passed
    record = f"/admin/reports/classes/{tc.pk}/trainees/{ok.pk}/"
    client.force_login(trainer2)
    assert client.post(f"{record}disqualify/", {"reason": "x"}).status_code == 404
    assert not Disqualification.objects.exists()
