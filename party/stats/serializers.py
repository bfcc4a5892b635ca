"""The shape of GET /api/v1/units/{id}/stats/ (docs/api.md), for the schema and the response."""

from rest_framework import serializers


class StatsUnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class StatsLabelSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()


class StatsUnitCountsSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="阶段 → 人数")
    members = serializers.IntegerField(required=False, help_text="党员（预备+正式）")


class StatsStageCountsSerializer(serializers.Serializer):
    stages = StatsLabelSerializer(many=True)
    units = StatsUnitCountsSerializer(many=True, help_text="直属下级单位（或本支部）")
    totals = serializers.DictField(child=serializers.IntegerField())
    members = serializers.IntegerField()


class StatsSplitSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    full = serializers.IntegerField(help_text="正式党员")
    probationary = serializers.IntegerField(help_text="预备党员（含延长预备期）")


class StatsLabelledSplitSerializer(StatsSplitSerializer):
    label = serializers.CharField()


class StatsGenderSplitSerializer(StatsLabelledSplitSerializer):
    key = serializers.CharField()


class StatsProfileSerializer(serializers.Serializer):
    total = StatsSplitSerializer()
    gender = StatsGenderSplitSerializer(many=True)
    ethnicity = StatsLabelledSplitSerializer(many=True)
    minority = StatsSplitSerializer()
    age_bands = StatsLabelledSplitSerializer(many=True)
    age_bands_source = serializers.CharField()


class StatsDevelopmentSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    events = StatsLabelSerializer(many=True)
    units = StatsUnitCountsSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())


class StatsStepSerializer(serializers.Serializer):
    from_stage = serializers.CharField(source="from")
    to_stage = serializers.CharField(source="to")
    label = serializers.CharField()
    completed = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)


class StatsStuckPersonSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    stage = serializers.CharField()
    since = serializers.DateField()


class StatsStuckSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    rule = serializers.CharField(help_text="规定原文及出处")
    count = serializers.IntegerField()
    people = StatsStuckPersonSerializer(many=True, help_text="等待最久的前 50 人")


class StatsPipelineSerializer(serializers.Serializer):
    since = serializers.DateField()
    day = serializers.DateField()
    steps = StatsStepSerializer(many=True)
    stuck = StatsStuckSerializer(many=True)


class StatsComplianceRowSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="下级单位（支部：会议类型）")
    shares = serializers.ListField(
        child=serializers.FloatField(allow_null=True), help_text="1–12 月：按时召开的比例"
    )


class StatsComplianceSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    months = serializers.ListField(child=serializers.IntegerField())
    rows = StatsComplianceRowSerializer(many=True)


class StatsDuesMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    owed = serializers.CharField(help_text="元，两位小数")
    paid = serializers.CharField(help_text="元，两位小数")
    members = serializers.IntegerField(help_text="当月应交党费的人数")
    paid_members = serializers.IntegerField(help_text="交清的人数")
    paid_share = serializers.FloatField(allow_null=True)


class StatsDuesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    months = StatsDuesMonthSerializer(many=True)


class StatsGradeSerializer(serializers.Serializer):
    grade = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class StatsAppraisalSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    branches = serializers.IntegerField()
    participants = serializers.IntegerField()
    voted = serializers.IntegerField()
    undecided = serializers.IntegerField()
    grades = StatsGradeSerializer(many=True)


class StatsHoursBandSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="学时区间，如 24–32、≥64")
    members = serializers.IntegerField()
    committee = serializers.IntegerField(help_text="其中担任支委（应修 56 学时）的人数")


class StatsYearlyHoursSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    available = serializers.BooleanField(help_text="学时账可读时为 true")
    members = serializers.IntegerField()
    below = serializers.IntegerField(allow_null=True, help_text="未达应修学时的党员人数")
    below_committee = serializers.IntegerField(allow_null=True)
    required = serializers.CharField(help_text="党员每年应修学时")
    required_committee = serializers.CharField(help_text="书记、支委每年应修学时")
    sources = serializers.ListField(child=serializers.CharField())
    bands = StatsHoursBandSerializer(many=True)


class StatsOverviewSerializer(serializers.Serializer):
    unit = StatsUnitRefSerializer()
    date = serializers.DateField()
    stages = StatsStageCountsSerializer()
    profile = StatsProfileSerializer()
    development = StatsDevelopmentSerializer()
    pipeline = StatsPipelineSerializer()
    compliance = StatsComplianceSerializer()
    dues = StatsDuesSerializer()
    appraisal = StatsAppraisalSerializer()
    yearly_hours = StatsYearlyHoursSerializer()
