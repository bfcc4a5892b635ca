"""Site views of learning.reports: public certificate verification, 我的学习 (/me/) and a
trainee's own PDFs."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Page

from learning.classes.selectors import own_trainee_profile, required_lesson_ids
from learning.progress import selectors as progress_selectors
from learning.progress.lessons import visible_lessons
from learning.progress.models import LessonProgress
from learning.reports.models import Certificate, certificate_issuer
from learning.reports.pdf import certificate_pdf, record_pdf
from learning.reports.selectors import my_class_standings, trainee_record
from party.members.education import own_yearly_standing
from party.members.selectors import member_of_user


def verify_url(request, number: str) -> str:
    """The absolute address a certificate's QR code points to."""
    return request.build_absolute_uri(reverse("reports:verify", args=[number]))


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


@require_GET
def verify(request, number: str):
    """Anyone may check a certificate: name, class, issuer and date only, never other personal
    data. The page's box sends another number here as ?number= (redirected to its own address)."""
    typed = (request.GET.get("number") or "").strip().upper()
    if typed:
        return redirect(reverse("reports:verify", args=[typed[:40]]))
    certificate = (
        Certificate.objects.filter(number=number.strip().upper())
        .only("number", "trainee_name", "class_name", "issued_at", "revoked_at", "issuer_name")
        .first()
    )
    status = 200 if certificate else 404
    issuer = (certificate.issuer_name if certificate else "") or certificate_issuer()[0]
    return render(
        request,
        "reports/verify.html",
        {"certificate": certificate, "number": number, "issuer": issuer},
        status=status,
    )


@never_cache
@login_required
def my_record_pdf(request):
    """The signed-in trainee's own 学习档案 as a PDF."""
    trainee = own_trainee_profile(request.user)
    if trainee is None:
        raise Http404
    content = record_pdf(record=trainee_record(trainee=trainee))
    return pdf_response(content, f"学习档案-{trainee.name}.pdf")


@never_cache
@login_required
def my_certificate_pdf(request, number: str):
    """A trainee downloads their own certificate; anyone else's number is 404."""
    certificate = Certificate.objects.filter(
        number=number, trainee__user=request.user, revoked_at__isnull=True
    ).first()
    if certificate is None:
        raise Http404
    content = certificate_pdf(certificate=certificate, verify_url=verify_url(request, number))
    return pdf_response(content, f"结业证书-{certificate.number}.pdf")


# --- 我的学习 (/me/) ---------------------------------------------------------------------

NEXT_LESSONS = 6


def _lessons_to_do(*, user) -> list:
    """Required lessons of my classes not yet completed, in course order (all lessons if none)."""
    ids = required_lesson_ids(user=user)
    queryset = Page.objects.filter(pk__in=ids) if ids else Page.objects.all()
    done = set(
        LessonProgress.objects.filter(user=user, completed_at__isnull=False).values_list(
            "lesson_id", flat=True
        )
    )
    pages = [
        p
        for p in visible_lessons(user=user, queryset=queryset).order_by("path")
        if p.pk not in done
    ]
    return pages[:NEXT_LESSONS]


@login_required
def my_learning(request):
    user = request.user
    unfinished = progress_selectors.recent_unfinished(user=user, limit=3)
    visible_ids = set(
        visible_lessons(
            user=user, queryset=Page.objects.filter(pk__in=[p.lesson_id for p in unfinished])
        ).values_list("pk", flat=True)
    )
    context = {
        "profile": own_trainee_profile(user),
        "classes": my_class_standings(user=user),
        "resume": [p for p in unfinished if p.lesson_id in visible_ids],
        "next_lessons": _lessons_to_do(user=user),
        # A Party member's yearly 学时 (party.members.education: every ledger source of the year).
        "yearly": own_yearly_standing(
            member=member_of_user(user=user), year=timezone.localdate().year
        ),
    }
    return render(request, "reports/my_learning.html", context)
