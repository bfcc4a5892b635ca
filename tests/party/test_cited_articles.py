"""The step data and the gates cite the articles of the 细则 (2014) and the 党章 that were checked
against their text (migrations 0008, 0010, 0012; docs/domain.md, "Cited articles"). Every step's
source and every gate's text and source are pinned here, so changing one is a deliberate act: read
the article, change the data by a migration, then this table and docs/domain.md."""

import pytest

from party.members import rules
from party.members.models import StepDefinition

pytestmark = pytest.mark.django_db

X = "《中国共产党发展党员工作细则》(2014)"
CH4 = f"{X}第四章（预备党员的接收）"
CH5 = f"{X}第五章（预备党员的教育考察和转正）"

STEP_SOURCES = {
    "1": f"{X}第六条",
    "2": f"{X}第七条",  # the talk within a month (0008: was 第八条)
    "3": f"{X}第八条",  # 党员推荐、群团组织推优 (0008: was 第九条)
    "4": f"{X}第八条",  # 报上级党委备案 is part of art. 8 (0010: was 第九条)
    "5": f"{X}第九条",  # 培养联系人 (0010: was 第十条)
    "6": f"{X}第十一条",  # 考察 every six months (0010: was 第十二条)
    "6.1": "高校党组织通行做法（本校规定）",  # 思想汇报 quarterly: no article sets it
    "7": f"{X}第十三条",
    "8": f"{X}第十三条",
    "9": f"{X}第十四条",
    "10": f"{X}第十五条、第十六条",
    "11": f"{X}第十七条",
    "12": CH4,  # article not read: the chapter is cited
    "13": CH4,
    "14": CH4,
    "15": f"{X}第二十条；《中国共产党章程》第七条",
    "16": CH4,
    "17": CH4,
    "18": CH4,
    "19": CH5,
    "20": CH5,
    "21": CH5,
    "22": CH5,
    "23": f"{X}第三十三条；《中国共产党章程》第七条",  # 0012 adds 党章 art. 7
    "24": CH5,
    "25": CH5,
}


def test_every_step_cites_the_checked_source():
    assert dict(StepDefinition.objects.values_list("code", "source")) == STEP_SOURCES


def test_rule_texts_quote_the_cited_articles():
    texts = dict(StepDefinition.objects.values_list("code", "rule_text"))
    assert texts["11"].startswith("基层党委或县级党委组织部门应当对发展对象进行短期集中培训。")
    assert "有表决权的到会人数必须超过应到会有表决权人数的半数" in texts["15"]
    assert "从支部大会通过他为预备党员之日算起" in texts["15"]
    assert "对到会人数、赞成人数等要求与讨论接收预备党员的支部大会相同" in texts["23"]


def test_a_step_a_university_edited_is_left_alone():
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("party.members.migrations.0012_cited_wording")
    StepDefinition.objects.filter(code="15").update(rule_text="本校文本")
    migration.backwards(django_apps, None)
    migration.forwards(django_apps, None)
    assert StepDefinition.objects.get(code="15").rule_text == "本校文本"
    # step 11 went back to the seeded text and forward again
    assert StepDefinition.objects.get(code="11").rule_text.startswith("基层党委")


GATES = {
    "gate_min_age": (
        "年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子，承认党的纲领和章程，"
        "愿意参加党的一个组织并在其中积极工作、执行党的决议和按期交纳党费的，可以申请加入中国共产党。",
        "《中国共产党章程》第一条；《中国共产党发展党员工作细则》第五条",
    ),
    "gate_activist_one_year": (
        "对经过一年以上培养教育和考察、基本具备党员条件的入党积极分子，在听取党小组、培养联系人、"
        "党员和群众意见的基础上，支部委员会讨论同意并报上级党委备案后，可列为发展对象。",
        "《中国共产党发展党员工作细则》第十三条",
    ),
    "gate_contacts": (
        "党组织应当指定一至两名正式党员作为入党积极分子的培养联系人。",
        "《中国共产党发展党员工作细则》第九条",
    ),
    "gate_introducers": (
        "发展对象应当有两名正式党员作入党介绍人。",
        "《中国共产党发展党员工作细则》第十四条；《中国共产党章程》第五条",
    ),
    "gate_candidate_training": (
        "基层党委或县级党委组织部门应当对发展对象进行短期集中培训。"
        "培训时间一般不少于3天（或不少于24个学时）。",
        "《中国共产党发展党员工作细则》第十七条",
    ),
    "gate_probation_period": (
        "预备党员的预备期为一年。……预备党员的预备期，从支部大会通过他为预备党员之日算起。",
        "《中国共产党章程》第七条",
    ),
    "gate_probation_extension": (
        "需要继续考察和教育的，可以延长预备期，但不能超过一年。",
        "《中国共产党章程》第七条；《中国共产党发展党员工作细则》第五章"
        "（延长时间不少于半年，最长不超过一年，只能延长一次）",
    ),
}


def test_every_gate_quotes_and_cites_its_article():
    assert {g.code: (g.text, g.source) for g in rules.ALL_GATES} == GATES
