"""The fields every hand-recorded row of the party apps keeps about its recording: who recorded it
(记录人) and, for the append-only histories, when (记录时间) and a note (备注). Abstract models, in
the lowest party app so that members and appraisal (which may import it) share one definition.

The fields are exactly those the models declared before (names, verbose names, options), so the
migration state did not change when they moved here: `makemigrations --check` stays empty."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecordedBy(models.Model):
    """Who recorded the row (the user may be gone from the roles since; PROTECT keeps them)."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class Recorded(RecordedBy):
    """A row of an append-only history (a stage change, a step, a 组织关系转接, a 党小组调整): who
    recorded it, when, and a note."""

    note = models.TextField(_("备注"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        abstract = True
