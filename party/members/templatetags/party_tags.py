"""Template helpers of party pages."""

from django import template

from party.members.models import Stage

register = template.Library()


@register.filter
def stage_label(value) -> str:
    """The label of a stage value, or of a StageChange's stage."""
    value = getattr(value, "stage", value)
    return Stage(value).label if value in Stage.values else ""
