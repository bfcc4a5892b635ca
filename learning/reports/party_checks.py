"""Training facts that party.members' gates need, registered at start-up (party imports nothing
from learning): the 发展对象 training certificate of 细则 art. 17."""

from datetime import date

from learning.classes.models import TraineeStage
from learning.reports.models import Certificate


def candidate_training_passed(*, member, since: date) -> bool:
    """Whether `member` holds a valid 结业证书 of a 发展对象 class that started on or after `since`
    (the person is linked through their user account)."""
    if not member.user_id:
        return False
    return Certificate.objects.filter(
        trainee__user_id=member.user_id,
        revoked_at__isnull=True,
        training_class__audience_stage=TraineeStage.CANDIDATE,
        training_class__start_date__gte=since,
    ).exists()
