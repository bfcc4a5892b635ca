"""The rules that gate a stage change, as data with their cited source (docs/domain.md). Values are
defaults; settings.PARTY_RULES may override a value (not the cited text).

Each text is the cited article's own words (checked 2026-12-06; which source text was read for
which article is in docs/domain.md, "Cited articles"); tests/party/test_cited_articles.py pins them
so a change is deliberate."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class GateRule:
    code: str
    text: str
    source: str
    value: int = 0

    @property
    def setting(self) -> int:
        return int(getattr(settings, "PARTY_RULES", {}).get(self.code, self.value))

    @property
    def cited(self) -> str:
        return f"{self.text}（{self.source}）"


MIN_AGE = GateRule(
    code="gate_min_age",
    value=18,
    text=(
        "年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子，承认党的纲领和章程，"
        "愿意参加党的一个组织并在其中积极工作、执行党的决议和按期交纳党费的，可以申请加入中国共产党。"
    ),
    source="《中国共产党章程》第一条；《中国共产党发展党员工作细则》第五条",
)
ACTIVIST_ONE_YEAR = GateRule(
    code="gate_activist_one_year",
    value=12,
    text="对经过一年以上培养教育和考察、基本具备党员条件的入党积极分子，在听取党小组、培养联系人、党员和群众意见的基础上，支部委员会讨论同意并报上级党委备案后，可列为发展对象。",
    source="《中国共产党发展党员工作细则》第十三条",
)
CONTACTS = GateRule(
    code="gate_contacts",
    value=2,
    text="党组织应当指定一至两名正式党员作为入党积极分子的培养联系人。",
    source="《中国共产党发展党员工作细则》第九条",
)
INTRODUCERS = GateRule(
    code="gate_introducers",
    value=2,
    text="发展对象应当有两名正式党员作入党介绍人。",
    source="《中国共产党发展党员工作细则》第十四条；《中国共产党章程》第五条",
)
CANDIDATE_TRAINING = GateRule(
    code="gate_candidate_training",
    text=(
        "基层党委或县级党委组织部门应当对发展对象进行短期集中培训。"
        "培训时间一般不少于3天（或不少于24个学时）。"
    ),
    source="《中国共产党发展党员工作细则》第十七条",
)
PROBATION_ONE_YEAR = GateRule(
    code="gate_probation_period",
    value=12,
    text="预备党员的预备期为一年。……预备党员的预备期，从支部大会通过他为预备党员之日算起。",
    source="《中国共产党章程》第七条",
)
EXTENSION = GateRule(
    code="gate_probation_extension",
    text="需要继续考察和教育的，可以延长预备期，但不能超过一年。",
    # The half-year minimum and "once" are the 细则's chapter 5 as commonly quoted; its article
    # number was not read (docs/domain.md, "Cited articles"), so the chapter is cited.
    source="《中国共产党章程》第七条；《中国共产党发展党员工作细则》第五章（延长时间不少于半年，最长不超过一年，只能延长一次）",
)
EXTENSION_MIN_MONTHS = 6
EXTENSION_MAX_MONTHS = 12

ALL_GATES = (
    MIN_AGE,
    ACTIVIST_ONE_YEAR,
    CONTACTS,
    INTRODUCERS,
    CANDIDATE_TRAINING,
    PROBATION_ONE_YEAR,
    EXTENSION,
)
GATES_BY_CODE = {gate.code: gate for gate in ALL_GATES}
