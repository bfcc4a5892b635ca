"""Template tags of party.meetings: the unread-notice count shown on the home page."""

from django import template

from party.meetings.selectors import unread_notice_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    request = context.get("request")
    return unread_notice_count(user=request.user) if request else 0
