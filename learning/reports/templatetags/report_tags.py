"""Template helpers for trainee pages: the signed-in trainee's certificates."""

from django import template

from learning.reports import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def my_certificates(context):
    request = context.get("request")
    return selectors.my_certificates(user=getattr(request, "user", None))
