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
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="搜索词"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=["article", "video", "course"]),
            OpenApiParameter("course", OpenApiTypes.INT, description="专题 id（只搜该专题的课）"),
            OpenApiParameter("page", OpenApiTypes.INT),
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
