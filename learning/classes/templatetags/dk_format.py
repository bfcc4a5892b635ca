"""{% load dk_format %}: {{ value|hours }} (24, 24.5), {{ value|number }} (a pass mark: 60,
62.5 — the same way of writing a decimal) and {{ value|cn_date }} (2026年3月5日);
{{ stage|stage_label }} (入党积极分子)."""

from django import template

from learning.classes.formatting import date_text, hours_display
from learning.classes.membership import stage_label as _stage_label

register = template.Library()


@register.filter
def hours(value) -> str:
    return hours_display(value)


@register.filter
def number(value) -> str:
    return hours_display(value)


@register.filter
def cn_date(value) -> str:
    return date_text(value)


@register.filter
def stage_label(value) -> str:
    """The name of a stage value (the member history's stages included)."""
    return _stage_label(value)
