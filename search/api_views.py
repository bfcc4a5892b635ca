"""The search API: GET /api/v1/search/?q=&kind=&course=&page=."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.generics import GenericAPIView

from search import selectors
from search.serializers import SearchParamsSerializer, SearchResultSerializer


class SearchView(GenericAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = SearchResultSerializer

    @extend_schema(
        summary="搜索已发布内容 (search published lessons and courses)",
        parameters=[
            OpenApiParameter(
                "q",
                # Blank or only spaces is a 400 (the serializer trims): at least one non-space.
                {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
                required=True,
                description="搜索词（必填，至多 200 字）。The query: required, at most 200 characters.",
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=["article", "video", "course"],
                description="空值等于不限类型。Empty means any kind.",
            ),
            OpenApiParameter(
                "course",
                {"type": "integer", "minimum": 1},
                description="专题 id（只搜该专题的课）。Only lessons of this course.",
            ),
        ],
        responses=SearchResultSerializer(many=True),
    )
    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data["q"]
        results = selectors.page_search(
            user=request.user,
            query=query,
            kind=params.validated_data["kind"],
            course_id=params.validated_data["course"],
        )
        page = self.paginate_queryset(results)
        hits = selectors.hits_for(pages=list(page), query=query, request=request)
        return self.get_paginated_response(self.get_serializer(hits, many=True).data)
