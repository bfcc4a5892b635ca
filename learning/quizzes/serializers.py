"""Shapes of the quiz API (docs/api.md); answers and explanations only when review allows."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class OptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class AttemptQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=["single", "multiple", "true_false", "fill", "short"])
    stem = serializers.CharField()
    options = OptionSerializer(many=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    blanks = serializers.IntegerField(required=False, help_text="填空题的空数")
    correct_answer = serializers.JSONField(required=False, help_text="仅在允许查看答案时出现")
    correct_answer_text = serializers.CharField(required=False)
    awarded = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    comment = serializers.CharField(required=False)
    explanation = serializers.CharField(required=False, help_text="仅在允许查看解析时出现")
    key_hidden = serializers.BooleanField(
        required=False, help_text="课后练习中也用于考试的试题：不显示答案、得分和解析"
    )


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quiz = serializers.IntegerField()
    number = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["in_progress", "submitted", "needs_grading", "graded"])
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    remaining_seconds = serializers.FloatField(allow_null=True)
    review = serializers.ChoiceField(choices=["none", "score", "answers", "explanations"])
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text="{question_id: answer}"
    )
    questions = AttemptQuestionSerializer(many=True)
    score = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True
    )
    max_score = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    passed = serializers.BooleanField(required=False, allow_null=True)
    closed_by_deadline = serializers.BooleanField(required=False)
    focus_losses = serializers.IntegerField(help_text="离开考试页面的次数（切屏）")
    max_focus_losses = serializers.IntegerField(
        help_text="离开次数上限，超过即自动交卷；0 为不限制"
    )
    closed_by_focus_loss = serializers.BooleanField(help_text="因离开考试页面次数超限自动交卷")


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "单选、简答 (single choice, short answer)"},
            {"type": "boolean", "description": "判断 (true/false)"},
            {
                "type": "array",
                "items": {"type": "string"},
                "description": "多选、填空 (multiple choice, fill-in)",
            },
        ],
        "nullable": True,
    }
)
class AnswerField(serializers.JSONField):
    """An answer's JSON: which shape a question takes depends on its type (checked when saving)."""


class AnswerInputSerializer(serializers.Serializer):
    answer = AnswerField(
        allow_null=True,
        help_text='单选 "B"；多选 ["A","C"]；判断 true/false；填空 ["…","…"]；简答 "文字"；null 清除',
    )


class AnswerSavedSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    answer = serializers.JSONField(allow_null=True)
    saved_at = serializers.DateTimeField()
    remaining_seconds = serializers.FloatField(allow_null=True)


class SubmitResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    max_score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    closed_by_deadline = serializers.BooleanField()
    closed_by_focus_loss = serializers.BooleanField()


class FocusLostInputSerializer(serializers.Serializer):
    event_id = serializers.RegexField(
        r"^[A-Za-z0-9_.:-]{1,64}$",
        max_length=64,
        help_text="页面为这次离开生成的编号（1–64 个字母、数字或 _.:-）；重试时用同一编号，只计一次",
    )
    hidden_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="离开时学员设备上的时间（离线补报时有用）"
    )


class FocusLostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["in_progress", "submitted", "needs_grading", "graded"])
    focus_losses = serializers.IntegerField()
    max_focus_losses = serializers.IntegerField(help_text="0 为不限制，只记录")
    closed_by_focus_loss = serializers.BooleanField()
    recorded = serializers.BooleanField(help_text="false：这个编号已记录过，本次未重复计数")
    detail = serializers.CharField(required=False, help_text="自动交卷时给学员看的说明")
