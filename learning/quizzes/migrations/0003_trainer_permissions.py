"""培训管理员 manage question banks, quizzes and exams, and grade attempts."""

from django.db import migrations

from cms.roles import TRAINERS, grant

CODENAMES = [
    f"{action}_{model}"
    for model in ("questionbank", "question", "quiz", "quizquestion", "quizdrawrule")
    for action in ("add", "change", "delete", "view")
] + ["view_attempt", "change_attempt", "view_attemptanswer", "change_attemptanswer"]


def forwards(apps, schema_editor):
    grant(apps, TRAINERS, "quizzes", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0002_quiz_training_class"),
        ("pages", "0003_roles_and_review_workflow"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
