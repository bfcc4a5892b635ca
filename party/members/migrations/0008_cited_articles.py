"""Article numbers of 《中国共产党发展党员工作细则》(2014) checked against its text (docs/domain.md,
"Cited articles"): the talk within a month is art. 7 (not 8), choosing 积极分子 by 党员推荐/群团组织推优
is art. 8 (not 9); the 支部大会 that admits a 预备党员 is art. 20, the one on 转正 art. 33. A source a
university has already edited is left as it is."""

from django.db import migrations

XIZE = "《中国共产党发展党员工作细则》(2014)"
# code: (seeded source, checked source)
CHANGES = {
    "2": (f"{XIZE}第八条", f"{XIZE}第七条"),
    "3": (f"{XIZE}第九条", f"{XIZE}第八条"),
    "15": (
        f"{XIZE}第四章（预备党员的接收）；《中国共产党章程》第七条",
        f"{XIZE}第二十条；《中国共产党章程》第七条",
    ),
    "23": (
        f"{XIZE}第五章（预备党员的教育考察和转正）",
        f"{XIZE}第三十三条（第五章 预备党员的教育考察和转正）",
    ),
}


def forwards(apps, schema_editor):
    StepDefinition = apps.get_model("members", "StepDefinition")
    for code, (seeded, checked) in CHANGES.items():
        StepDefinition.objects.filter(code=code, source=seeded).update(source=checked)


def backwards(apps, schema_editor):
    StepDefinition = apps.get_model("members", "StepDefinition")
    for code, (seeded, checked) in CHANGES.items():
        StepDefinition.objects.filter(code=code, source=checked).update(source=seeded)


class Migration(migrations.Migration):
    dependencies = [("members", "0007_documents_of_the_path")]

    operations = [migrations.RunPython(forwards, backwards)]
