"""Public verification page and the certificate / record PDFs (Chinese font, QR code)."""

import io

import pytest
import qrcode

from learning.reports.pdf import certificate_pdf, draw_qr
from learning.reports.services import certificate_issue, certificate_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer], required_hours="1", name="第三期发展对象培训班")
    (person,) = report_factory.trainees(tc, 1)
    person.phone = "13800000000"
    person.save()
    report_factory.hours(person, tc, 1)
    return certificate_issue(training_class=tc, trainee=person, issued_by=trainer)


def test_verify_genuine_shows_only_name_class_date(client, certificate):
    response = client.get(f"/verify/{certificate.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "证书有效" in html
    assert certificate.trainee_name in html and "第三期发展对象培训班" in html
    assert certificate.issued_at.astimezone().strftime("%Y") in html
    assert certificate.trainee.student_no not in html
    assert "13800000000" not in html


def test_verify_not_found(client, db):
    response = client.get("/verify/DK2026ZZZZZZZZZZ/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


def test_verify_revoked(client, certificate, trainer):
    certificate_revoke(certificate=certificate, revoked_by=trainer, reason="考试作弊")
    response = client.get(f"/verify/{certificate.number}/")
    html = response.content.decode()
    assert "已撤销" in html and "证书有效" not in html
    assert "考试作弊" not in html  # the reason is internal


def test_certificate_pdf_embeds_cjk_font_and_qr(certificate):
    url = f"https://dangke.example.edu.cn/verify/{certificate.number}/"
    content = certificate_pdf(certificate=certificate, verify_url=url)
    assert content.startswith(b"%PDF")
    assert b"STSong-Light" in content
    assert b"UniGB-UCS2-H" in content  # the CID encoding that carries Chinese text


def test_qr_encodes_the_verify_url():
    # The QR drawn in the PDF is qrcode's matrix for the URL; check the matrix decodes back
    # by rebuilding it (qrcode is deterministic) and that draw_qr paints exactly its dark cells.
    from reportlab.pdfgen import canvas

    url = "https://dangke.example.edu.cn/verify/DK2026ABCDEFGHJK/"
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    dark = sum(sum(row) for row in code.get_matrix())

    class Counting(canvas.Canvas):
        rects = 0

        def rect(self, *args, **kwargs):
            Counting.rects += 1
            return super().rect(*args, **kwargs)

    c = Counting(io.BytesIO())
    draw_qr(c, url, 0, 0, 100)
    assert Counting.rects == dark + 1  # plus the white background


def test_trainee_downloads_own_certificate_and_record(client, certificate, report_factory):
    user = certificate.trainee.user
    user.set_password("pw-123456-x")
    user.save()
    client.force_login(user)
    response = client.get(f"/me/certificates/{certificate.number}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    record = client.get("/me/record.pdf")
    assert record.status_code == 200 and record.content.startswith(b"%PDF")
    (other,) = report_factory.trainees(certificate.training_class, 1)
    client.force_login(other.user)
    assert client.get(f"/me/certificates/{certificate.number}.pdf").status_code == 404


def test_record_pdf_needs_login(client, db):
    response = client.get("/me/record.pdf")
    assert response.status_code == 302


def test_pdfs_survive_markup_characters_and_long_names(report_factory, trainer):
    from learning.reports.pdf import record_pdf
    from learning.reports.selectors import trainee_record

    tc = report_factory.klass(
        trainers=[trainer], required_hours="1", name="<第一期> 入党积极分子 & 发展对象" * 4
    )
    (person,) = report_factory.trainees(tc, 1)
    person.name = "A<B&C"
    person.save()
    report_factory.hours(person, tc, 1)
    cert = certificate_issue(training_class=tc, trainee=person, issued_by=trainer)
    assert certificate_pdf(certificate=cert, verify_url="http://x/verify/1/").startswith(b"%PDF")
    assert record_pdf(record=trainee_record(trainee=person)).startswith(b"%PDF")


def test_my_certificates_lists_only_own(certificate, report_factory):
    from django.contrib.auth.models import AnonymousUser

    from learning.reports.selectors import my_certificates

    assert my_certificates(user=certificate.trainee.user) == [certificate]
    (other,) = report_factory.trainees(certificate.training_class, 1)
    assert my_certificates(user=other.user) == []
    assert my_certificates(user=AnonymousUser()) == []


def test_trainee_pages_offer_certificate_and_record_pdfs(client, certificate):
    client.force_login(certificate.trainee.user)
    html = client.get("/me/").content.decode()
    assert certificate.number in html
    assert f"/me/certificates/{certificate.number}.pdf" in html
    assert "/me/record.pdf" in client.get("/me/records/").content.decode()
    assert (
        client.get(f"/me/certificates/{certificate.number}.pdf")["Content-Type"]
        == "application/pdf"
    )
