"""PDF documents in Chinese: the 结业证书 with its verification QR code, and the 学习档案.

Both use reportlab's built-in CID font STSong-Light, which PDF readers render from their own
CJK fonts, so Chinese shows on any machine without shipping a font file.
"""

import io
from decimal import Decimal
from xml.sax.saxutils import escape

import qrcode
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from learning.classes.formatting import date_text, hours_display, period_text
from learning.classes.membership import trainee_organisation
from learning.reports.exports import official_language
from learning.reports.models import Certificate, certificate_issuer
from learning.reports.selectors import TraineeRecord

FONT = "STSong-Light"
RED = colors.HexColor("#B71C1C")
GOLD = colors.HexColor("#C9A13B")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _local_date(value) -> str:
    return date_text(value)


def draw_qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw a QR code as vector squares (sharp at any zoom, no image library needed)."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell = size / len(matrix)
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                c.rect(
                    x + col_index * cell,
                    y + size - (row_index + 1) * cell,
                    cell,
                    cell,
                    stroke=0,
                    fill=1,
                )


def certificate_wording(*, certificate: Certificate, issuer: str) -> str:
    """The wording a 党委 signs (issue 14): "××同志于2026年3月2日至3月20日参加中共××大学委员会党校
    第12期发展对象培训班学习，修完规定课程，经考核合格，准予结业。特发此证。" — the exam score
    only when the class prints it (the certificate holds it then)."""
    tc = certificate.training_class
    period = period_text(tc.start_date, tc.end_date)
    sentence = _("%(name)s同志") % {"name": certificate.trainee_name}
    if period:
        sentence += _("于%(period)s") % {"period": period}
    sentence += _("参加%(issuer)s%(cls)s学习，修完规定课程，") % {
        "issuer": issuer,
        "cls": certificate.class_name,
    }
    if certificate.exam_score is not None:
        sentence += _("结业考试成绩 %(score)s 分，") % {
            "score": hours_display(certificate.exam_score)
        }
    return sentence + _("经考核合格，准予结业。特发此证。")


@official_language
def certificate_pdf(*, certificate: Certificate, verify_url: str) -> bytes:
    """A landscape A4 结业证书: name, class, 学时, date, number and a QR code to verify it."""
    font = _font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height))
    c.setTitle(f"{_('结业证书')} {certificate.number}")
    c.setAuthor(_("党课"))
    # Double frame in Party red and gold.
    c.setStrokeColor(RED)
    c.setLineWidth(6)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.5)
    c.rect(17 * mm, 17 * mm, width - 34 * mm, height - 34 * mm)

    c.setFillColor(RED)
    c.setFont(font, 40)
    c.drawCentredString(width / 2, height - 55 * mm, _("结 业 证 书"))
    c.setFillColor(colors.black)
    c.setFont(font, 18)
    # A paragraph wraps long class names inside the frame instead of running off the page.
    body = ParagraphStyle("cert", fontName=font, fontSize=18, leading=32, firstLineIndent=36)
    issuer = certificate.issuer_name or certificate_issuer()[0]
    sentence = escape(certificate_wording(certificate=certificate, issuer=issuer))
    paragraph = Paragraph(sentence, body)
    frame_width = width - 80 * mm
    _w, para_height = paragraph.wrap(frame_width, 90 * mm)
    paragraph.drawOn(c, 40 * mm, height - 72 * mm - para_height)
    c.setFont(font, 12)
    c.drawString(
        40 * mm,
        height - 80 * mm - para_height,
        _("所修学时：%(hours)s") % {"hours": hours_display(certificate.earned_hours)},
    )

    # The issuing body and the date, with the seal over them when the site has one.
    seal = certificate_issuer()[1]
    if seal is not None:
        try:
            with seal.file.open("rb") as handle:
                image = ImageReader(io.BytesIO(handle.read()))
            c.drawImage(
                image,
                width - 95 * mm,
                32 * mm,
                42 * mm,
                42 * mm,
                mask="auto",
                preserveAspectRatio=True,
            )
        except (OSError, ValueError):
            pass  # a missing or unreadable seal file: the certificate is still issued
    c.setFont(font, 16)
    if issuer:
        c.drawRightString(width - 45 * mm, 55 * mm, issuer)
    c.drawRightString(width - 45 * mm, 45 * mm, date_text(certificate.issued_at))
    c.setFont(font, 11)
    c.drawString(30 * mm, 30 * mm, _("证书编号：%(no)s") % {"no": certificate.number})
    c.drawString(30 * mm, 24 * mm, _("扫描二维码或访问 %(url)s 验证真伪") % {"url": verify_url})
    draw_qr(c, verify_url, 30 * mm, 38 * mm, 32 * mm)
    if certificate.is_revoked:
        c.saveState()
        c.setFillColor(RED)
        c.setFont(font, 60)
        c.translate(width / 2, height / 2)
        c.rotate(20)
        c.drawCentredString(0, 0, _("已撤销"))
        c.restoreState()
    c.showPage()
    c.save()
    return buffer.getvalue()


def _styles():
    font = _font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24, spaceAfter=6),
        "h2": ParagraphStyle(
            "h2", fontName=font, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13),
    }


def _table(header: list[str], rows: list[list], widths: list[float]) -> Table:
    styles = _styles()
    # Paragraph text is markup: names and notes are escaped so "<" or "&" print as typed.
    data = [[Paragraph(escape(str(h)), styles["body"]) for h in header]]
    data += [
        [Paragraph("" if v is None else escape(str(v)), styles["body"]) for v in row]
        for row in rows
    ]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F3E3E3")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _minutes(seconds: float) -> str:
    return f"{Decimal(seconds / 60).quantize(Decimal('0.1'))}"


@official_language
def record_pdf(*, record: TraineeRecord) -> bytes:
    """The 学习档案 of one trainee: classes, every ledger entry, lessons, exam attempts."""
    styles = _styles()
    buffer = io.BytesIO()
    trainee = record.trainee
    organisation = trainee_organisation(trainee)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("学习档案") + f" {trainee.name}",
        author=_("党课"),
    )
    story = [
        Paragraph(_("学习档案"), styles["title"]),
        Paragraph(
            _(
                "姓名：%(name)s　学号/工号：%(no)s　学院：%(college)s　党支部：%(branch)s　发展阶段：%(stage)s"
            )
            % {
                "name": escape(trainee.name),
                "no": escape(trainee.student_no),
                "college": escape(organisation.college),
                "branch": escape(organisation.branch),
                "stage": escape(trainee.stage_display),
            },
            styles["body"],
        ),
        Paragraph(
            _("累计学时：%(hours)s　打印时间：%(time)s")
            % {
                "hours": hours_display(record.total_hours),
                "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            },
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(_("培训班"), styles["h2"]),
    ]
    story.append(
        _table(
            [_("培训班"), _("已修/应修学时"), _("课程"), _("考试成绩"), _("状态"), _("证书编号")],
            [
                [
                    row.class_name,
                    f"{hours_display(row.earned_hours)} / {hours_display(row.required_hours)}",
                    f"{row.lessons_completed} / {row.lessons_total}",
                    row.exam_score if row.exam_score is not None else "—",
                    row.status_label,
                    row.certificate_no or "—",
                ]
                for row in record.classes
            ]
            or [[_("未参加培训班"), "", "", "", "", ""]],
            [52, 26, 18, 20, 20, 44],
        )
    )
    story.append(Paragraph(_("学时记录"), styles["h2"]))
    story.append(
        _table(
            [_("日期"), _("来源"), _("学时"), _("培训班/课程"), _("记录人"), _("说明")],
            [
                [
                    (e.occurred_on or timezone.localtime(e.created_at).date()).isoformat(),
                    e.get_source_display(),
                    hours_display(e.amount),
                    str(e.training_class or "")
                    or e.lesson_title
                    or (e.lesson.title if e.lesson else ""),
                    (e.granted_by.get_full_name() or e.granted_by.username)
                    if e.granted_by
                    else _("系统"),
                    e.note,
                ]
                for e in record.ledger
            ]
            or [[_("暂无记录"), "", "", "", "", ""]],
            [22, 20, 14, 54, 22, 48],
        )
    )
    story.append(Paragraph(_("课程学习"), styles["h2"]))
    story.append(
        _table(
            [_("课程"), _("开始时间"), _("完成时间"), _("学习时长（分钟）"), _("计入学时")],
            [
                [
                    line.title,
                    timezone.localtime(line.started_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(line.completed_at).strftime("%Y-%m-%d %H:%M")
                    if line.completed_at
                    else _("未完成"),
                    _minutes(line.credited_seconds),
                    hours_display(line.class_hours) if line.class_hours is not None else "—",
                ]
                for line in record.lessons
            ]
            or [[_("暂无记录"), "", "", "", ""]],
            [70, 30, 30, 25, 25],
        )
    )
    story.append(Paragraph(_("考试与测验"), styles["h2"]))
    story.append(
        _table(
            [_("测验/考试"), _("第几次"), _("交卷时间"), _("得分"), _("百分制"), _("结果")],
            [
                [
                    a.quiz.title,
                    a.number,
                    timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M")
                    if a.submitted_at
                    else "",
                    f"{a.score} / {a.max_score}" if a.score is not None else _("待阅卷"),
                    a.percent if a.percent is not None else "—",
                    (_("通过") if a.passed else _("未通过")) if a.passed is not None else "—",
                ]
                for a in record.attempts
            ]
            or [[_("暂无记录"), "", "", "", "", ""]],
            [60, 15, 32, 27, 22, 24],
        )
    )
    if record.certificates:
        story.append(Paragraph(_("结业证书"), styles["h2"]))
        story.append(
            _table(
                [_("证书编号"), _("培训班"), _("发证日期"), _("状态")],
                [
                    [
                        cert.number,
                        cert.class_name,
                        _local_date(cert.issued_at),
                        _("已撤销") if cert.is_revoked else _("有效"),
                    ]
                    for cert in record.certificates
                ],
                [45, 70, 35, 30],
            )
        )
    doc.build(story)
    return buffer.getvalue()
