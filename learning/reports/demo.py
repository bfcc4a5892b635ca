"""Demo certificates: issue them only to demo trainees who really meet their class's rules."""

from django.contrib.auth import get_user_model

from learning.reports.services import certificate_issue_bulk


def demo_reports_ensure() -> None:
    """Issue certificates in the demo trainer's classes to whoever qualifies (idempotent).

    Nothing is faked: on a fresh demo nobody has the required 学时 yet, so nothing is issued;
    after a trainee studies and passes the exam, running the demo again issues their certificate.
    """
    trainer = get_user_model().objects.filter(username="trainer").first()
    if trainer is None:
        return
    for training_class in trainer.trained_classes.all():
        certificate_issue_bulk(training_class=training_class, issued_by=trainer)
