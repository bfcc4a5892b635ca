"""App config for learning.reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "learning.reports"
    label = "reports"
    verbose_name = _("报表与证书")

    def ready(self):
        from learning.quizzes.signals import quiz_regraded
        from learning.reports.party_checks import candidate_training_passed
        from learning.reports.signals import certificates_to_review_on_regrade
        from party.members.checks import register_candidate_training_check

        quiz_regraded.connect(
            certificates_to_review_on_regrade, dispatch_uid="reports_certificates_on_regrade"
        )
        # The 发展对象 certificate gate of party.members (细则 art. 17) asks learning through this.
        register_candidate_training_check(candidate_training_passed)
