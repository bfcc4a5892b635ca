"""Date-times in the admin's detail (inspect) views, in the site's time zone.

Wagtail's inspect view prints a DateTimeField with `|localize`, which formats the value as stored
(UTC) without converting it: the video library's 上传时间 read 8 hours behind its list. Registered for
every DateTimeField in CmsConfig.ready (issue 21: one time zone everywhere, settings.TIME_ZONE)."""

from django.db import models
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.fields import register_display_class


class LocalDateTimeDisplay(Component):
    def __init__(self, value):
        self.value = value

    def render_html(self, parent_context=None):
        if self.value is None:
            return ""
        value = timezone.localtime(self.value) if timezone.is_aware(self.value) else self.value
        return conditional_escape(formats.date_format(value, "DATETIME_FORMAT"))


def register() -> None:
    register_display_class(models.DateTimeField, display_class=LocalDateTimeDisplay)
