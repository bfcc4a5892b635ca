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
