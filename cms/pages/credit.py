"""The online crediting rule (issue 14): the 学时 a lesson earns by its length when an editor sets
none, and the most an article may claim for its reading time. One implementation; the rule is
settings.DANGKE["ONLINE_CREDIT_RULE"] with its floor (docs/domain.md)."""

from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext as _

TIERS = "tiers"
PROPORTIONAL = "proportional"
QUARTER = Decimal("0.25")


def credit_rule() -> str:
    rule = settings.DANGKE.get("ONLINE_CREDIT_RULE", TIERS)
    if rule not in (TIERS, PROPORTIONAL):
        raise ValueError(f'DANGKE["ONLINE_CREDIT_RULE"] must be "{TIERS}" or "{PROPORTIONAL}"')
    return rule


def floor_seconds() -> int:
    return int(settings.DANGKE.get("ONLINE_CREDIT_FLOOR_MINUTES", 0)) * 60


def _by_rule(seconds: float) -> Decimal:
    if credit_rule() == PROPORTIONAL:
        periods = Decimal(str(seconds)) / 60 / Decimal(settings.DANGKE["CLASS_HOUR_MINUTES"])
        return (periods / QUARTER).to_integral_value(rounding=ROUND_FLOOR) * QUARTER
    for minimum, hours in settings.DANGKE["ONLINE_CLASS_HOUR_TIERS"]:
        if seconds >= minimum:
            return Decimal(hours)
    return Decimal("0")


def class_hours_for_duration(seconds: float | None) -> Decimal:
    """学时 a lesson of this length earns by itself: nothing below the floor, else by the rule."""
    seconds = seconds or 0
    if seconds < floor_seconds():
        return Decimal("0")
    return _by_rule(seconds)


def class_hours_supported(seconds: float | None) -> Decimal:
    """The most 学时 an article may claim for this minimum reading time: what the rule gives that
    length (the floor does not apply: an editor may set 学时 for a short lesson)."""
    return _by_rule(seconds or 0)


def _hours(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def rule_text() -> str:
    """The rule as the admin shows it beside the 学时 field."""
    floor = int(settings.DANGKE.get("ONLINE_CREDIT_FLOOR_MINUTES", 0))
    if credit_rule() == PROPORTIONAL:
        text = _("按比例：时长（分钟）÷ %(minutes)s（一个学时）后向下取到 0.25 学时") % {
            "minutes": settings.DANGKE["CLASS_HOUR_MINUTES"]
        }
    else:
        parts = []
        for minimum, hours in settings.DANGKE["ONLINE_CLASS_HOUR_TIERS"]:
            parts.append(
                _("%(minutes)s 分钟及以上 %(hours)s 学时")
                % {"minutes": int(minimum) // 60, "hours": _hours(hours)}
            )
        text = _("按档：") + "，".join(parts)
    if floor:
        text += _("；不足 %(floor)s 分钟的课程本身不计学时（编辑可另行填写）") % {"floor": floor}
    return text


rule_text_lazy = lazy(rule_text, str)


def video_hours_help() -> str:
    return _("留空则按视频时长计算，本站规则：%(rule)s。") % {"rule": rule_text()}


def article_hours_help() -> str:
    return _(
        "完成本课可获得的学时，不能超过最短阅读时间按本站规则可计的学时。本站规则：%(rule)s。"
    ) % {"rule": rule_text()}


video_hours_help_lazy = lazy(video_hours_help, str)
article_hours_help_lazy = lazy(article_hours_help, str)
