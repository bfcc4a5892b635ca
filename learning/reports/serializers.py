"""Serializers of the reports REST API: they produce its JSON (api_views.py) and its schema."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from learning.reports.class_report import ReportRow
from learning.reports.status import ReportStatus
from learning.reports.views import verify_url


def _hours(value) -> str | None:
    return None if value is None else f"{value:.2f}"


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
    id = serializers.IntegerField(source="trainee_id")
    name = serializers.CharField()
    student_no = serializers.CharField()
    college = serializers.CharField()
    branch = serializers.CharField()
    stage = serializers.CharField()


class ReportRowSerializer(serializers.Serializer):
    """One trainee's row of the class report (a ReportRow).

    The fields below are the contract; to_representation writes the same JSON directly, since a
    report has thousands of rows and DRF's field-by-field path takes ~3 times as long
    (tests/learning/reports/test_report_api_bodies.py checks that both agree).
    """

    trainee = ReportTraineeSerializer(source="*")
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
    exam = serializers.IntegerField(source="exam_id", allow_null=True)
    exam_best_score = serializers.DecimalField(
        source="exam_score", max_digits=6, decimal_places=2, allow_null=True
    )
    exam_passed = serializers.BooleanField(allow_null=True)
    exam_by_makeup = serializers.BooleanField(
        help_text="The score shown is the 补考's (the 结业考试 was not passed)."
    )
    makeup_exam = serializers.IntegerField(
        source="makeup_id",
        allow_null=True,
        help_text="The 补考 of the class's 结业考试, if it has one.",
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "结业 conditions not met: hours, leave_allowance (the 请假 would make up the 学时 but "
            "the class allows less), lessons, exam (empty when completed)."
        ),
    )
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    status_display = serializers.CharField(source="status_label")
    certificate_no = serializers.CharField(allow_null=True)
    disqualified_reason = serializers.CharField(
        allow_null=True, help_text="取消结业资格的原因（生效中时）；否则为 null。"
    )

    def to_representation(self, row: ReportRow) -> dict:
        return {
            "trainee": {
                "id": row.trainee_id,
                "name": row.name,
                "student_no": row.student_no,
                "college": row.college,
                "branch": row.branch,
                "stage": row.stage,
            },
            "earned_hours": _hours(row.earned_hours),
            "required_hours": _hours(row.required_hours),
            "leave_hours": _hours(row.leave_hours),
            "excused_hours": _hours(row.excused_hours),
            "lessons_completed": row.lessons_completed,
            "lessons_total": row.lessons_total,
            "exam": row.exam_id,
            "exam_best_score": _hours(row.exam_score),
            "exam_passed": row.exam_passed,
            "exam_by_makeup": row.exam_by_makeup,
            "makeup_exam": row.makeup_id,
            "missing": row.missing,
            "status": row.status,
            "status_display": row.status_label,
            "certificate_no": row.certificate_no,
            "disqualified_reason": row.disqualified_reason,
        }


class ReportSerializer(serializers.Serializer):
    """The class report: the class, the filters applied, and its rows (a page of them, or all).

    Its instance is a mapping: training_class, filters (a dict), count, next, previous, rows."""

    filters = serializers.DictField()
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    rows = ReportRowSerializer(many=True)

    # The contract's key is "class", a Python keyword; it comes first.
    def get_fields(self):
        fields = super().get_fields()
        return {"class": TrainingClassSerializer(source="training_class"), **fields}


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
    verify_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_verify_url(self, certificate) -> str:
        return verify_url(self.context["request"], certificate.number)


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
    """One of the trainee's classes (a MyClassStanding)."""

    id = serializers.IntegerField(source="training_class.pk")
    name = serializers.CharField(source="training_class.name")
    intake = serializers.CharField(source="training_class.intake")
    required_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    earned_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    leave_hours = serializers.DecimalField(
        source="row.leave_hours",
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
        source="row.leave_allowance_percent",
        max_digits=5,
        decimal_places=2,
        help_text="The class's share of 学时 that 请假 may excuse.",
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
        source="row.exam_by_makeup",
        help_text="The 结业考试 was passed in its 补考 (or the 补考's score is the one shown).",
    )
    makeup_exam = serializers.IntegerField(
        source="row.makeup_id",
        allow_null=True,
        help_text="The 补考 of the class's 结业考试, if it has one.",
    )
    lessons_completed = serializers.IntegerField(source="row.lessons_completed")
    lessons_total = serializers.IntegerField(source="row.lessons_total")
    status = serializers.ChoiceField(
        choices=ReportStatus.choices,
        help_text="The class report's status: the trainee and the trainer see the same.",
    )
    status_display = serializers.CharField(source="status_label")
    certificate_no = serializers.CharField(allow_null=True, help_text="A valid 结业证书, if any.")


class MeUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.get_username")
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    """我的学习 (a MyLearning): the user, stage, branch and classes; the profile's fields are null
    for a user who is not a trainee."""

    user = MeUserSerializer(source="*")
    student_no = serializers.CharField(source="profile.student_no", allow_null=True)
    stage = serializers.CharField(allow_null=True)
    stage_display = serializers.CharField(allow_null=True)
    college = serializers.CharField(source="profile.college_name", allow_null=True)
    branch = serializers.CharField(source="profile.branch_name", allow_null=True)
    classes = MyClassSerializer(many=True)
