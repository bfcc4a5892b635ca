"""The legacy organisation and stage of trainees go (issue 15): a trainee's 学院 and 党支部 are
their member record's unit and their stage its documented history (0005 and 0014 linked every
profile, so TraineeProfile.member is required from here on). College and Branch were mapped
onto the Party tree by 0005; nothing else points at them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("classes", "0014_every_trainee_a_member"),
        ("members", "0012_cited_wording"),
    ]

    operations = [
        migrations.RemoveField(model_name="traineeprofile", name="branch"),
        migrations.RemoveField(model_name="traineeprofile", name="college"),
        migrations.RemoveField(model_name="traineeprofile", name="applied_on"),
        migrations.RemoveField(model_name="traineeprofile", name="activist_on"),
        migrations.RemoveField(model_name="traineeprofile", name="candidate_on"),
        migrations.RemoveField(model_name="traineeprofile", name="probationary_on"),
        migrations.RemoveField(model_name="traineeprofile", name="full_member_on"),
        migrations.RemoveField(model_name="traineeprofile", name="stage"),
        migrations.AlterField(
            model_name="traineeprofile",
            name="member",
            field=models.OneToOneField(
                help_text="这名学员在党组织中的档案（所在党支部与发展阶段记录）。",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="trainee_profile",
                to="members.member",
                verbose_name="党员/发展对象档案",
            ),
        ),
        migrations.DeleteModel(name="Branch"),
        migrations.DeleteModel(name="College"),
    ]
