"""Sending a document of a member's path: the one answer of the page and the API download (the
caller has already been checked by selectors.document_for_user)."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from party.members.models import AccessAction
from party.members.services import access_log_write


def document_response(request, document) -> HttpResponse:
    if hasattr(document, "stage_change_id"):
        member = document.stage_change.member
    elif hasattr(document, "transfer_id"):
        member = document.transfer.member
    else:
        member = document.step_record.member
    access_log_write(
        user=request.user,
        members=[member],
        action=AccessAction.DOWNLOAD,
        what=_("下载材料：%(name)s（#%(id)s）") % {"name": document.name, "id": document.pk},
    )
    content_type = document.content_type or "application/octet-stream"
    prefix = settings.PARTY_DOCUMENTS_X_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{document.file.name}"
        response["Content-Disposition"] = content_disposition_header(True, document.name)
    else:
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=True, filename=document.name, content_type=content_type
        )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
