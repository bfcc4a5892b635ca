"""The rule texts of three steps in the words of the articles they cite (docs/domain.md, "Cited
articles", third pass): step 11 quotes 细则 art. 17 (who trains, three days or 24 学时), step 15
quotes art. 20 (the 支部大会 on admission: more than half of those with a vote present) beside
党章 art. 7 (the 预备期 counts from that 支部大会), step 23 quotes art. 33 beside 党章 art. 7 and
now cites both. Article numbers of steps 1-11, 15 and 23 are unchanged (0008 and 0010 corrected
them); the other later steps still cite their chapter. A text or source a university has already
edited is left as it is."""

from django.db import migrations

XIZE = "《中国共产党发展党员工作细则》(2014)"
DANGZHANG = "《中国共产党章程》"
# code: field -> (seeded value, checked value)
CHANGES = {
    "11": {
        "rule_text": (
            "对发展对象进行短期集中培训，时间一般不少于3天（或不少于24个学时）。",
            "基层党委或县级党委组织部门应当对发展对象进行短期集中培训。"
            "培训时间一般不少于3天（或不少于24个学时）。",
        ),
    },
    "15": {
        "rule_text": (
            "接收预备党员必须经支部大会讨论；预备期从支部大会通过之日算起。",
            "经基层党委预审合格的发展对象，由支部委员会提交支部大会讨论。召开讨论接收预备党员的"
            "支部大会，有表决权的到会人数必须超过应到会有表决权人数的半数。（细则第二十条）"
            "预备党员的预备期，从支部大会通过他为预备党员之日算起。（党章第七条）",
        ),
    },
    "23": {
        "rule_text": (
            "党支部应当及时讨论预备党员能否转为正式党员。",
            "预备党员预备期满，党的支部应当及时讨论他能否转为正式党员。（党章第七条）"
            "讨论预备党员转正的支部大会，对到会人数、赞成人数等要求与讨论接收预备党员的支部大会"
            "相同。（细则第三十三条）",
        ),
        "source": (
            f"{XIZE}第三十三条（第五章 预备党员的教育考察和转正）",
            f"{XIZE}第三十三条；{DANGZHANG}第七条",
        ),
    },
}


def _apply(apps, pick_from, pick_to):
    StepDefinition = apps.get_model("members", "StepDefinition")
    for code, fields in CHANGES.items():
        for field, values in fields.items():
            StepDefinition.objects.filter(code=code, **{field: values[pick_from]}).update(
                **{field: values[pick_to]}
            )


def forwards(apps, schema_editor):
    _apply(apps, 0, 1)


def backwards(apps, schema_editor):
    _apply(apps, 1, 0)


class Migration(migrations.Migration):
    dependencies = [("members", "0011_member_transfers")]

    operations = [migrations.RunPython(forwards, backwards)]
