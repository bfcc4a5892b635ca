"""The step data cite the articles of the 细则 (2014) that were checked against its text
(migration 0008; docs/domain.md, "Cited articles")."""

import pytest

from party.members.models import StepDefinition

pytestmark = pytest.mark.django_db


def test_checked_article_numbers():
    sources = dict(StepDefinition.objects.values_list("code", "source"))
    assert sources["1"].endswith("第六条")
    assert sources["2"].endswith("第七条")  # the talk within a month (was 第八条)
    assert sources["3"].endswith("第八条")  # 党员推荐、群团组织推优 (was 第九条)
    assert sources["4"].endswith("第八条")  # 报上级党委备案 is part of art. 8 (was 第九条)
    assert sources["5"].endswith("第九条")  # 培养联系人 (was 第十条)
    assert sources["6"].endswith("第十一条")  # 考察 every six months (was 第十二条)
    assert sources["7"].endswith("第十三条")  # one year before 发展对象
    assert "第二十条" in sources["15"] and "《中国共产党章程》第七条" in sources["15"]
    assert "第三十三条" in sources["23"]


def test_the_contacts_rule_cites_article_9():
    from party.members.rules import CONTACTS

    assert CONTACTS.source.endswith("第九条")
