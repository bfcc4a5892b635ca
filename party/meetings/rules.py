"""Rules of organisation life, as data with their source (docs/domain.md, "Organisation life")."""

from party.members.models import MEMBER_STAGES

# Who is 应到 at a branch's organisation life: Party members, full and probationary. Source:
# 《中国共产党章程》第七条（预备党员的义务同正式党员一样）and 第八条（每个党员…都必须编入党的一个支部、
# 小组或其他特定组织，参加党的组织生活）.
ATTENDING_STAGES = MEMBER_STAGES
ATTENDING_STAGES_SOURCE = "《中国共产党章程》第七条、第八条"

# A check-in code shown as a QR code is valid this many seconds; the page showing it renews it
# twice as often, so a code photographed and posted in a chat group stops working within minutes.
CHECKIN_CODE_SECONDS = 120
CHECKIN_CODE_REFRESH_SECONDS = 60
# Check-in opens this many minutes before the start and closes at the meeting's end.
CHECKIN_OPENS_MINUTES_BEFORE = 30
# A meeting planned without an end lasts this long.
DEFAULT_DURATION_MINUTES = 90

# Bulk marking on the attendance list: at most this many members in one action (a large branch's
# hall; the API refuses more with 400 `members`). Decided here, not a Party rule.
BULK_ATTENDANCE_MAX = 500

# Attachments (agenda, slides, photos) planners may upload: kinds and size.
ATTACHMENT_EXTENSIONS = ("pdf", "docx", "pptx", "xlsx", "jpg", "jpeg", "png")
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


# How often each kind of organisation life is due (compliance). Source: 《中国共产党支部工作条例
# （试行）》(2018) 第五章「组织生活」 — three meetings and a lecture (三会一课), a 主题党日 every month,
# the 组织生活会 and 谈心谈话 every year — and DOMAIN.md "Organisation life" (the 党课 each quarter is
# the common university practice it names). Article numbers are to be checked against the
# published text before they are shown; until then the chapter is cited.
BRANCH_RULES_SOURCE = "《中国共产党支部工作条例（试行）》（2018）第五章"
COMPLIANCE_RULES: tuple[dict, ...] = (
    {"kind": "party_congress", "period": "quarter", "source": BRANCH_RULES_SOURCE},
    {"kind": "committee", "period": "month", "source": BRANCH_RULES_SOURCE},
    {"kind": "group", "period": "month", "source": BRANCH_RULES_SOURCE, "per_group": True},
    {"kind": "lecture", "period": "quarter", "source": "高校通行做法（DOMAIN.md）"},
    {"kind": "theme_day", "period": "month", "source": BRANCH_RULES_SOURCE},
    {"kind": "life_meeting", "period": "year", "source": BRANCH_RULES_SOURCE},
    {"kind": "talk", "period": "year", "source": BRANCH_RULES_SOURCE, "per_member": True},
)


# Organisation life that is study (docs/domain.md: 党课, 主题党日 study, 集中学习) credits each member
# marked 实到 with 学时 toward the yearly 32 / 56 (《中国共产党党员教育管理工作条例》(2019) art. 20;
# 《2019—2023年全国党员教育培训工作规划》). The amount is the meeting's planned length in 学时 of
# DANGKE["CLASS_HOUR_MINUTES"] (45 minutes, a class period), rounded down to half a 学时, at most
# `max_hours`: a 主题党日 also holds 过组织生活, 民主议事 or 志愿服务, so only up to two 学时 of it are
# taken as its study part; a 集中学习 of a whole day counts as a training day (DAY_CLASS_HOURS, 8).
# Other kinds (党员大会, 支委会, 党小组会, 组织生活会, 谈心谈话) are not study and credit nothing.
STUDY_HOURS_SOURCE = "《中国共产党党员教育管理工作条例》（2019）第二十条；DOMAIN.md「组织生活」"
STUDY_CREDIT_RULES: dict[str, dict] = {
    "lecture": {"max_hours": "4", "source": STUDY_HOURS_SOURCE},
    "theme_day": {"max_hours": "2", "source": STUDY_HOURS_SOURCE},
    "study": {"max_hours": "8", "source": STUDY_HOURS_SOURCE},
}

# 党章 art. 9: a member who for six consecutive months, without good reason, does not take part in
# organisation life is regarded as having left the Party. The platform only flags it for the
# branch (the decision is the branch's). How the months are read: docs/party.md ("Absence flag").
ABSENCE_MONTHS = 6
ABSENCE_SOURCE = "《中国共产党章程》第九条"
# The organisation life whose absence counts: the branch's meetings for every member and the
# member's 党小组会 — not the 支委会 (the committee's) nor 谈心谈话 (pairs).
ABSENCE_KINDS = ("party_congress", "group", "lecture", "theme_day", "life_meeting", "study")
# How far back the run is looked for (a longer run is shown from here).
ABSENCE_LOOKBACK_MONTHS = 24
