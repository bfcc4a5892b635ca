"""{% load dk_format %}: {{ value|hours }} (24, 24.5) and {{ value|cn_date }} (2026年3月5日)."""

from django import template

from learning.classes.formatting import date_text, hours_display

register = template.Library()


@register.filter
def hours(value) -> str:
    return hours_display(value)


@register.filter
def cn_date(value) -> str:
    return date_text(value)
