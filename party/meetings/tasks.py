"""Background work of party.meetings: e-mailing meeting notices (thin wrapper, default queue)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django_tasks import task

from party.meetings.models import Notice


@task()
def meeting_notice_email_task(*, meeting_id: int, user_ids: list[int]) -> int:
    """E-mail the notice of a meeting to those of `user_ids` who have an address."""
    notices = Notice.objects.filter(meeting_id=meeting_id, user_id__in=user_ids)
    texts = {n.user_id: n.text for n in notices}
    users = get_user_model().objects.filter(pk__in=texts).exclude(email="")
    messages = [
        (texts[u.pk][:70], texts[u.pk], settings.DEFAULT_FROM_EMAIL, [u.email]) for u in users
    ]
    return send_mass_mail(messages, fail_silently=False) if messages else 0
