"""Serializers of the reports REST API: what its JSON looks like (api_views.py uses them)."""

from rest_framework import serializers

from learning.reports.selectors import (
    ReportStatus,
)

# --- serializers (describe the JSON; rows themselves are built as plain dicts for speed) -----


class TrainingClassSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    intake = serializers.CharField()
    audience_stage = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    required_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2)
    trainee_count = serializers.IntegerField()


class ReportTraineeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    student_no = serializers.CharField()
    college = serializers.CharField()
    branch = serializers.CharField()
    stage = serializers.CharField()


class ReportRowSerializer(serializers.Serializer):
    trainee = ReportTraineeSerializer()
    earned_hours = serializers.DecimalField(max_digits=9, decimal_places=2)
    required_hours = serializers.DecimalField(max_digits=9, decimal_places=2)
    leave_hours = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        help_text="学时 of the class's offline sessions missed with recorded 请假 (with a reason).",
    )
    excused_hours = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        help_text=(
            "What of leave_hours counts toward 结业: at most the class's leave_allowance_percent "
            "of required_hours."
        ),
    )
    lessons_completed = serializers.IntegerField()
    lessons_total = serializers.IntegerField()
    exam = serializers.IntegerField(allow_null=True)
    exam_best_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    exam_passed = serializers.BooleanField(allow_null=True)
    exam_by_makeup = serializers.BooleanField(
        help_text="The score shown is the 补考's (the 结业考试 was not passed)."
    )
    makeup_exam = serializers.IntegerField(
        allow_null=True, help_text="The 补考 of the class's 结业考试, if it has one."
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "结业 conditions not met: hours, leave_allowance (the 请假 would make up the 学时 but "
            "the class allows less), lessons, exam (empty when completed)."
        ),
    )
    status = serializers.CharField()
    status_display = serializers.CharField()
    certificate_no = serializers.CharField(allow_null=True)
    disqualified_reason = serializers.CharField(
        allow_null=True, help_text="取消结业资格的原因（生效中时）；否则为 null。"
    )


class ReportSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    filters = serializers.DictField()
    rows = ReportRowSerializer(many=True)

    # The contract's key is "class", a Python keyword.
    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = TrainingClassSerializer()
        return fields


class CertificateSerializer(serializers.Serializer):
    number = serializers.CharField()
    trainee = serializers.IntegerField(source="trainee_id")
    training_class = serializers.IntegerField(source="training_class_id")
    trainee_name = serializers.CharField()
    class_name = serializers.CharField()
    earned_hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    exam_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    issued_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoke_reason = serializers.CharField()
    verify_url = serializers.CharField()


class IssueInputSerializer(serializers.Serializer):
    trainee = serializers.IntegerField(required=False, help_text="学员 id；与 all 二选一")
    all = serializers.BooleanField(required=False, default=False, help_text="向全部合格学员颁发")


class SkippedRowSerializer(serializers.Serializer):
    row = ReportRowSerializer()
    reason = serializers.CharField(
        help_text="为什么不颁发（与后台确认页相同），如“学习中：学时未修满”“已有结业证书 …”"
    )


class IssuePreviewSerializer(serializers.Serializer):
    to_issue = ReportRowSerializer(
        many=True, help_text="Trainees `POST {all: true}` would give a certificate now."
    )
    skipped = SkippedRowSerializer(
        many=True, help_text="Every other trainee of the class, with the reason."
    )


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class DisqualificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trainee = serializers.IntegerField(source="enrolment.trainee_id")
    training_class = serializers.IntegerField(source="enrolment.training_class_id")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username")
    lifted_at = serializers.DateTimeField(allow_null=True)
    lifted_by = serializers.CharField(source="lifted_by.username", allow_null=True, default=None)
    lift_reason = serializers.CharField()


# --- 我的学习 (/me/): the trainee's own standing in their classes --------------------------


class MyClassSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    intake = serializers.CharField()
    required_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    earned_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    leave_hours = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        help_text="学时 of the class's offline sessions missed with recorded 请假 (with a reason).",
    )
    excused_hours = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        help_text=(
            "What of leave_hours counts toward 结业: at most the class's leave_allowance_percent "
            "of required_hours."
        ),
    )
    leave_allowance_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="The class's share of 学时 that 请假 may excuse."
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "结业 conditions not met: hours, leave_allowance (the 请假 would make up the 学时 but "
            "the class allows less), lessons, exam (empty when completed). The same function as "
            "the class report."
        ),
    )
    exam = serializers.IntegerField(allow_null=True)
    exam_passed = serializers.BooleanField()
    exam_by_makeup = serializers.BooleanField(
        help_text="The 结业考试 was passed in its 补考 (or the 补考's score is the one shown)."
    )
    makeup_exam = serializers.IntegerField(
        allow_null=True, help_text="The 补考 of the class's 结业考试, if it has one."
    )
    lessons_completed = serializers.IntegerField()
    lessons_total = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=ReportStatus.choices,
        help_text="The class report's status: the trainee and the trainer see the same.",
    )
    status_display = serializers.CharField()
    certificate_no = serializers.CharField(allow_null=True, help_text="A valid 结业证书, if any.")
