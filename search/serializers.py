"""Serializers of the search API: query parameters in, results out."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from search import selectors


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, trim_whitespace=True, allow_blank=False)
    kind = serializers.CharField(required=False, allow_blank=True, default="")
    course = serializers.IntegerField(required=False, min_value=1, allow_null=True, default=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].error_messages.update(
            required=_("请输入搜索词。A search query is required."),
            blank=_("请输入搜索词。A search query is required."),
        )

    def validate_kind(self, value):
        if value and value not in selectors.kinds():
            raise serializers.ValidationError(
                _("未知的类型，可选：%(kinds)s。Unknown kind.")
                % {"kinds": ", ".join(selectors.kinds())}
            )
        return value


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="page.pk")
    title = serializers.CharField(source="page.title")
    kind = serializers.CharField()
    url = serializers.CharField()
    highlight = serializers.CharField(help_text="HTML 片段，匹配的词用 <mark> 标出。")
