"""Issue 14, certificates: the wording a 党委 signs, the issuer and seal as site settings, dates as
2026年3月5日 and 学时 without trailing zeros, the score only if the class says so, /verify/ names
the issuer and takes a typed number."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone
from wagtail.models import Site

from learning.classes.formatting import date_text, hours_display, period_text
from learning.reports.models import CertificateSettings
from learning.reports.pdf import certificate_pdf, certificate_wording
from learning.reports.services import certificate_issue

pytestmark = pytest.mark.django_db


def test_one_way_to_write_dates_and_hours():
    assert date_text(date(2026, 3, 5)) == "2026年3月5日"
    assert date_text(timezone.make_aware(datetime(2026, 3, 5, 23, 0))) == "2026年3月5日"
    assert period_text(date(2026, 3, 2), date(2026, 3, 20)) == "2026年3月2日至3月20日"
    assert period_text(date(2025, 12, 29), date(2026, 1, 9)) == "2025年12月29日至2026年1月9日"
    assert [hours_display(Decimal(v)) for v in ("24.00", "24.50", "0.25", "100")] == [
        "24",
        "24.5",
        "0.25",
        "100",
    ]
    html = Template("{% load dk_format %}{{ h|hours }} {{ d|cn_date }}").render(
        Context({"h": Decimal("8.00"), "d": date(2026, 3, 5)})
    )
    assert html == "8 2026年3月5日"


@pytest.fixture
def issuer():
    site = Site.objects.get(is_default_site=True)
    config = CertificateSettings.for_site(site)
    config.issuer_name = "中共某某大学委员会党校"
    config.save()
    return config


@pytest.fixture
def finished(report_factory, trainer):
    tc = report_factory.klass(
        trainers=[trainer],
        required_hours="24",
        name="第12期发展对象培训班",
        start_date=date(2026, 3, 2),
        end_date=date(2026, 3, 20),
    )
    exam = report_factory.exam(tc)
    (person,) = report_factory.trainees(tc, 1)
    person.name = "张三"
    person.save()
    report_factory.hours(person, tc, "24")
    report_factory.attempt(exam, person, "86.5")
    return tc, person


def test_the_wording_a_committee_signs(issuer, finished, trainer):
    tc, person = finished
    certificate = certificate_issue(training_class=tc, trainee=person, issued_by=trainer)
    assert certificate.issuer_name == "中共某某大学委员会党校"
    assert certificate.exam_score is None  # the class does not print the score
    assert certificate_wording(certificate=certificate, issuer=certificate.issuer_name) == (
        "张三同志于2026年3月2日至3月20日参加中共某某大学委员会党校第12期发展对象培训班学习，"
        "修完规定课程，经考核合格，准予结业。特发此证。"
    )
    assert certificate_pdf(certificate=certificate, verify_url="https://x/verify/").startswith(
        b"%PDF"
    )


def test_the_score_is_printed_only_if_the_class_says_so(issuer, finished, trainer):
    tc, person = finished
    tc.certificate_shows_score = True
    tc.save()
    certificate = certificate_issue(training_class=tc, trainee=person, issued_by=trainer)
    assert "结业考试成绩 86.5 分，经考核合格" in certificate_wording(
        certificate=certificate, issuer=certificate.issuer_name
    )


def test_verify_names_the_issuer_and_takes_a_typed_number(client, issuer, finished, trainer):
    tc, person = finished
    certificate = certificate_issue(training_class=tc, trainee=person, issued_by=trainer)
    html = client.get(f"/verify/{certificate.number}/").content.decode()
    assert "该结业证书由中共某某大学委员会党校颁发" in html and "本平台" not in html
    assert date_text(certificate.issued_at) in html
    assert 'name="number"' in html
    response = client.get(
        "/verify/DK2026ZZZZZZZZZZ/", {"number": f" {certificate.number.lower()} "}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{certificate.number}/"
