"""Rules of 民主评议党员, as data with their source (docs/domain.md, "民主评议党员")."""

from django.conf import settings

from party.members.models import MEMBER_STAGES, Stage

# Who takes part (writes a 自我评价, is rated, may rate): the branch's Party members, full and
# probationary, when the campaign opens. Source: 《中国共产党章程》第七条、第八条 (预备党员的义务同
# 正式党员一样; every member takes part in organisation life) and docs/domain.md.
PARTICIPANT_STAGES = MEMBER_STAGES
PARTICIPANT_STAGES_SOURCE = "《中国共产党章程》第七条、第八条"

# Whether a 预备党员's 民主测评 ratings are added to the tallies. A 预备党员 has no 表决权 (党章
# 第七条：预备党员的权利，除了没有表决权、选举权和被选举权以外，也同正式党员一样); most universities'
# 民主评议 rules therefore let them fill in the ballot but do not count it. A university that
# counts them sets DANGKE["APPRAISAL_PROBATIONARY_RATINGS_COUNTED"] = True.
PROBATIONARY_STAGES = frozenset({Stage.PROBATIONARY, Stage.PROBATION_EXTENDED})
PROBATIONARY_RATINGS_SOURCE = "《中国共产党章程》第七条（预备党员没有表决权）"


def probationary_ratings_counted() -> bool:
    return bool(
        getattr(settings, "DANGKE", {}).get("APPRAISAL_PROBATIONARY_RATINGS_COUNTED", False)
    )


# The share of 优秀 among a branch's participants is usually limited; the 上级党委 sets the figure
# each year (docs/domain.md: "the share of 优秀 is usually limited (a setting)"). The default, 30 %,
# is a local choice, not a national rule (docs/domain.md); DANGKE["APPRAISAL_EXCELLENT_MAX_PERCENT"]
# holds the year's figure, and each campaign keeps the value it opened with.
EXCELLENT_MAX_PERCENT_DEFAULT = 30
EXCELLENT_MAX_PERCENT_SOURCE = (
    "上级党委每年规定的优秀比例；默认 30% 为本地设置（docs/domain.md「民主评议党员」）"
)


def excellent_max_percent() -> int:
    return int(
        getattr(settings, "DANGKE", {}).get(
            "APPRAISAL_EXCELLENT_MAX_PERCENT", EXCELLENT_MAX_PERCENT_DEFAULT
        )
    )


def excellent_limit(participants: int, percent: int) -> int:
    """How many 优秀 a branch of `participants` may have: the share rounded down."""
    return participants * percent // 100


# Counts are shown only when at least this many ballots were counted: with one ballot the counts
# are that ballot, with two each voter subtracts their own and reads the other's. A local choice
# (no Party rule fixes a number; docs/domain.md), DANGKE["APPRAISAL_MIN_COUNTED_BALLOTS"], default
# 3. Below it the committee works from the 自我评价 and the discussion; the counts stay unread.
MIN_COUNTED_BALLOTS_DEFAULT = 3
MIN_COUNTED_BALLOTS_SOURCE = "本地设置：计票少于该数时不显示票数（保护无记名投票）"


def min_counted_ballots() -> int:
    return int(
        getattr(settings, "DANGKE", {}).get(
            "APPRAISAL_MIN_COUNTED_BALLOTS", MIN_COUNTED_BALLOTS_DEFAULT
        )
    )


# Planned length of each phase when the opener gives no dates (days); the secretary moves the
# phase on, and the actual day each phase started is recorded.
PHASE_DEFAULT_DAYS = {"self_assessment": 7, "peer_rating": 7, "proposal": 7, "decision": 7}

# A 自我评价 is short: at most this many characters.
SELF_ASSESSMENT_MAX_CHARS = 3000
