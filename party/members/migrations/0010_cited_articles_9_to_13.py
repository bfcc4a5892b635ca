"""Article numbers of 《中国共产党发展党员工作细则》(2014) checked against its text (docs/domain.md,
"Cited articles"), second pass: 培养联系人 is art. 9 (not 10); reporting the 积极分子 to the higher
committee is part of art. 8 (not 9); the 考察 every six months is art. 11 (not 12). Art. 13 (one year
before 发展对象) was already right. A source a university has already edited is left as it is."""

from django.db import migrations

XIZE = "《中国共产党发展党员工作细则》(2014)"
# code: (seeded source, checked source)
CHANGES = {
    "4": (f"{XIZE}第九条", f"{XIZE}第八条"),
    "5": (f"{XIZE}第十条", f"{XIZE}第九条"),
    "6": (f"{XIZE}第十二条", f"{XIZE}第十一条"),
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
    dependencies = [("members", "0009_submissions_returned")]

    operations = [migrations.RunPython(forwards, backwards)]
