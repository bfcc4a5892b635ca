"""REST errors shared by learning's apps (their api_views.py); each app's own failures are its
typed exceptions (exceptions.py), which the views turn into these."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status


class Conflict(exceptions.APIException):
    """409: the request is understood, but the thing is not in a state that allows it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("当前状态不允许此操作。")
    default_code = "conflict"
