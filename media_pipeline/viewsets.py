"""Wagtail admin for videos: the 视频库 (upload, list, detail with renditions and job log, retry,
delete) and the chooser used by video lesson pages and the embedded-video block."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet

from media_pipeline import selectors, services, uploads
from media_pipeline.exceptions import JobStateConflict, VideoRejected
from media_pipeline.forms import VideoEditForm, VideoUploadForm
from media_pipeline.models import EncodingJob, EncodingProfile, Video


class VideoChooserViewSet(ChooserViewSet):
    model = "media_pipeline.Video"
    icon = "media"
    choose_one_text = _("选择视频")
    choose_another_text = _("选择其他视频")
    edit_item_text = _("编辑视频")
    per_page = 20


video_chooser_viewset = VideoChooserViewSet("video_chooser")


def _status_text(video: Video) -> str:
    if video.status == Video.Status.PROCESSING:
        return f"{video.get_status_display()} {video.progress}%"
    return video.get_status_display()


def _duration_text(video: Video) -> str:
    if not video.duration_seconds:
        return ""
    minutes, seconds = divmod(int(round(video.duration_seconds)), 60)
    return f"{minutes}:{seconds:02d}"


class VideoCreateView(generic.CreateView):
    def get_form_class(self):
        return VideoUploadForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("for_user", None)
        limit = getattr(self.request, "upload_limit", None)
        kwargs["upload_too_large"] = bool(limit and limit.exceeded)
        return kwargs

    def save_instance(self):
        return services.video_create(
            title=self.form.cleaned_data["title"],
            file=self.form.cleaned_data["file"],
            uploaded_by=self.request.user,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except VideoRejected as exc:
            form.add_error("file", exc.message_zh)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def get_success_message(self, instance):
        return _("视频“%(title)s”已上传，正在排队转码。") % {"title": instance.title}


class VideoIndexView(generic.IndexView):
    """The video list, with the disk its encodes' scratch folders use on this machine."""

    template_name = "media_pipeline/admin/video_index.html"

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        # A video's title opens its detail (status that refreshes itself while encoding, player,
        # renditions, job log), not the title-only edit form; 编辑 stays in the “…” menu and on
        # the detail page. Wagtail links the title to the edit view whenever one exists.
        column_class = self._get_title_column_class(column_class)
        return self._get_custom_column(
            field_name, column_class, get_url=self.get_inspect_url, **kwargs
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scratch"] = selectors.scratch_usage()
        return context


class VideoEditView(generic.EditView):
    def get_form_class(self):
        return VideoEditForm


class VideoInspectView(generic.InspectView):
    template_name = "media_pipeline/admin/video_inspect.html"
    retry_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(
            Video.objects.prefetch_related(
                Prefetch("jobs", queryset=EncodingJob.objects.order_by("-id"))
            ),
            pk=self.pk,
        )

    def get_fields(self):
        return ["title", "status", "duration_seconds", "width", "height", "created_at"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        video = self.object
        context["video"] = video
        context["playback"] = selectors.video_playback(video=video)
        context["renditions"] = selectors.video_renditions(video=video)
        context["jobs"] = list(video.jobs.all())
        context["can_retry"] = self.request.user.has_perm("media_pipeline.change_video")
        context["retry_url_name"] = self.retry_url_name
        return context


class VideoViewSet(ModelViewSet):
    model = Video
    icon = "media"
    menu_label = _("视频库")
    menu_order = 250
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["title"]
    index_view_class = VideoIndexView
    add_view_class = VideoCreateView
    edit_view_class = VideoEditView
    inspect_view_class = VideoInspectView
    inspect_template_name = "media_pipeline/admin/video_inspect.html"
    search_fields = ["title"]
    list_filter = ["status"]
    list_display = [
        "title",
        Column("status", label=_("状态"), accessor=_status_text),
        Column("duration", label=_("时长"), accessor=_duration_text),
        Column(
            "size", label=_("分辨率"), accessor=lambda v: f"{v.width}×{v.height}" if v.width else ""
        ),
        "created_at",
    ]

    @property
    def add_view(self):
        # Uploads stop at MEDIA_PIPELINE_MAX_UPLOAD_BYTES while they stream, not after.
        return uploads.upload_limited(super().add_view)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(retry_url_name=self.get_url_name("retry"), **kwargs)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("retry/<int:pk>/", self.retry_view, name="retry"),
        ]

    @property
    def retry_view(self):
        viewset = self

        @require_POST
        def view(request, pk: int):
            if not request.user.has_perm("media_pipeline.change_video"):
                raise PermissionDenied
            video = get_object_or_404(Video, pk=pk)
            job = selectors.video_latest_job(video=video)
            try:
                if job is None:
                    raise JobStateConflict("no job")
                services.encoding_job_retry(job_id=job.pk)
            except JobStateConflict:
                messages.error(request, _("只有失败的转码任务可以重试。"))
            else:
                messages.success(request, _("已重新排队转码。"))
            return redirect(viewset.get_url_name("inspect"), pk=video.pk)

        return view


video_viewset = VideoViewSet("videos")


class EncodingProfileDeleteView(generic.DeleteView):
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("已有视频使用此档位，不能删除；可以取消“启用”，以后的转码不再使用它。"),
            )
            return redirect(self.index_url_name)


class EncodingProfileViewSet(ModelViewSet):
    """The encoding ladder, editable by superusers (设置 → 转码档位)."""

    model = EncodingProfile
    icon = "cogs"
    menu_label = _("转码档位")
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    delete_view_class = EncodingProfileDeleteView
    form_fields = ["name", "height", "video_bitrate", "audio_bitrate", "crf", "is_active"]
    list_display = ["name", "height", "video_bitrate", "audio_bitrate", "crf", "is_active"]


encoding_profile_viewset = EncodingProfileViewSet("encoding_profiles")
