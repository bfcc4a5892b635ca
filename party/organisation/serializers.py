"""API shapes of the organisation tree."""

from rest_framework import serializers


class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(
        help_text="university 校党委, college 院系党委/党总支, branch 党支部, group 党小组"
    )
    kind_display = serializers.CharField(source="get_kind_display")
    code = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True, help_text="上级党组织 id")
    secretary = serializers.CharField(allow_null=True, help_text="现任书记姓名")
