"""The groupings of the statistics, as data with their source (docs/domain.md). The gates and
dates of the development rules are not repeated here: they come from party.members.rules."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from party.members.models import Stage


@dataclass(frozen=True)
class AgeBand:
    label: str
    low: int  # inclusive, age in whole years on the day counted
    high: int | None  # inclusive; None = and above


# 中共中央组织部《中国共产党党内统计公报》groups members by age as 30岁及以下, 31至35岁, … 56至60岁,
# 61岁及以上. A university's members are mostly students, so 30岁及以下 is split at 25 as well; the
# bulletin's band is the sum of the first two rows.
AGE_BANDS_SOURCE = "中共中央组织部《中国共产党党内统计公报》（年龄分组）；25岁及以下为本校细分"
AGE_BANDS = (
    AgeBand(_("25岁及以下"), 0, 25),
    AgeBand(_("26至30岁"), 26, 30),
    AgeBand(_("31至35岁"), 31, 35),
    AgeBand(_("36至40岁"), 36, 40),
    AgeBand(_("41至45岁"), 41, 45),
    AgeBand(_("46至50岁"), 46, 50),
    AgeBand(_("51至55岁"), 51, 55),
    AgeBand(_("56至60岁"), 56, 60),
    AgeBand(_("61岁及以上"), 61, None),
)
AGE_UNKNOWN = _("未登记出生日期")
MAJORITY_ETHNICITY = "汉族"

# The stages counted in the pipeline and member tables, in their order on the path.
PIPELINE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE)
MEMBER_STAGE_ORDER = (Stage.PROBATIONARY, Stage.PROBATION_EXTENDED, Stage.FULL_MEMBER)
ACTIVE_STAGES = PIPELINE_STAGES + MEMBER_STAGE_ORDER

# Development during a period (发展党员情况): one row per kind of stage change, what the 党内统计
# tables call it. A return from 发展对象 to 积极分子 is not a new 确定为积极分子 (not counted).
DEVELOPMENT_EVENTS = (
    (Stage.APPLICANT, _("递交入党申请书")),
    (Stage.ACTIVIST, _("确定为入党积极分子")),
    (Stage.CANDIDATE, _("确定为发展对象")),
    (Stage.PROBATIONARY, _("接收预备党员")),
    (Stage.FULL_MEMBER, _("预备党员转正")),
    (Stage.PROBATION_EXTENDED, _("延长预备期")),
    (Stage.PROBATION_CANCELLED, _("取消预备党员资格")),
    (Stage.STOPPED, _("停止培养")),
)

# The steps whose length the pipeline reports (median days): (from stage, to stage).
PIPELINE_STEPS = (
    (Stage.APPLICANT, Stage.ACTIVIST),
    (Stage.ACTIVIST, Stage.CANDIDATE),
    (Stage.CANDIDATE, Stage.PROBATIONARY),
    (Stage.PROBATIONARY, Stage.FULL_MEMBER),
)
