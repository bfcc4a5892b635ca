"""REST views of the media pipeline: upload a video, read its status (docs/api.md, Media)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from media_pipeline import selectors, services, uploads
from media_pipeline.exceptions import VideoNotFound, VideoRejected
from media_pipeline.serializers import (
    VideoCreatedSerializer,
    VideoDetailSerializer,
    VideoUploadSerializer,
)


class UploadTooLarge(exceptions.ValidationError):
    """400 with the reason on `file`, like every other rejected upload (docs/api.md)."""

    def __init__(self):
        super().__init__({"file": [VideoRejected("too_large").message]}, code="too_large")


class CanUploadVideos(BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("media_pipeline.add_video")


def _absolute(request, url: str | None) -> str | None:
    return request.build_absolute_uri(url) if url else None


class VideoUploadView(APIView):
    permission_classes = [IsAuthenticated, CanUploadVideos]
    parser_classes = [MultiPartParser, FormParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before anything parses the body (session authentication's CSRF check reads the form).
        self.upload_limit = uploads.limit_uploads(request)
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        # A body declared too big is refused unread, before authentication could parse it.
        if uploads.declared_too_large(request):
            raise UploadTooLarge
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="video_upload",
        summary="上传视频 Upload a video",
        request={"multipart/form-data": VideoUploadSerializer},
        responses={
            201: VideoCreatedSerializer,
            400: OpenApiResponse(
                description=(
                    "不是可播放的视频，或超过上传上限（未保存） "
                    "Not a playable video, or larger than the upload limit (nothing stored)"
                )
            ),
            403: OpenApiResponse(description="无视频管理权限"),
        },
        tags=["media"],
    )
    def post(self, request):
        data = request.data
        if self.upload_limit.exceeded:
            # The upload handler stopped the body at the limit and kept none of the file.
            raise UploadTooLarge
        serializer = VideoUploadSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        try:
            video = services.video_create(
                title=serializer.validated_data["title"],
                file=serializer.validated_data["file"],
                uploaded_by=request.user,
            )
        except VideoRejected as exc:
            raise exceptions.ValidationError({"file": [exc.message]}) from exc
        return Response({"id": video.pk, "status": video.status}, status=status.HTTP_201_CREATED)


class VideoDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="video_detail",
        summary="视频状态与播放地址 A video's status, renditions and URLs",
        responses={
            200: VideoDetailSerializer,
            404: OpenApiResponse(description="不存在或无权查看"),
        },
        tags=["media"],
    )
    def get(self, request, pk: int):
        try:
            video = selectors.video_get(video_id=pk)
        except VideoNotFound:
            raise Http404 from None
        if not selectors.user_can_view_video(user=request.user, video=video):
            raise Http404
        # Signed for this user: a native player can fetch them without the token header.
        playback = selectors.video_playback(video=video, signed_for=request.user)
        renditions = selectors.video_renditions(video=video, signed_for=request.user)
        for rendition in renditions:
            rendition["url"] = _absolute(request, rendition["url"])
        data = {
            "id": video.pk,
            "title": video.title,
            "status": video.status,
            "progress": video.progress,
            "error": video.error,
            "duration_seconds": video.duration_seconds,
            "width": video.width,
            "height": video.height,
            "renditions": renditions,
            "hls_url": _absolute(request, playback["hls_url"]),
            "mp4_url": _absolute(request, playback["mp4_url"]),
            "poster_url": _absolute(request, playback["poster_url"]),
            "captions_url": _absolute(request, playback["captions_url"]),
            "created_at": video.created_at,
        }
        return Response(VideoDetailSerializer(data).data)
