"""App config for party.dues (党费 bases, ledger, arrears, reports and the payment seam)."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _stage_changed(sender, instance, **kwargs):
    """A stage change decides from its date on whether the member owes (党员 or not)."""
    from party.dues import summary

    summary.refresh(member_ids=[instance.member_id], since=instance.decided_on)


def _transferred(sender, instance, **kwargs):
    """A 组织关系转接 moves the member's months from its date on to the other branch."""
    from party.dues import summary

    summary.refresh(member_ids=[instance.member_id], since=instance.on)


class DuesConfig(AppConfig):
    name = "party.dues"
    label = "dues"
    verbose_name = _("党费")

    def ready(self):
        # The records of party.members that change the 党费 summary refresh it in their own
        # transaction (party.dues.summary); signals, so that party.members needs no import of dues.
        from party.members.models import MemberTransfer, StageChange

        for model, receiver in ((StageChange, _stage_changed), (MemberTransfer, _transferred)):
            post_save.connect(receiver, sender=model, dispatch_uid=f"dues-summary-{model.__name__}")
            post_delete.connect(
                receiver, sender=model, dispatch_uid=f"dues-summary-del-{model.__name__}"
            )
