"""Admin views of cms.pages: the report of 视频微党课 without 字幕 (captions)."""

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies.pages import PagePermissionPolicy

from cms.pages.models import VideoLessonPage
from cms.pages.selectors import video_lessons_without_captions

# Who may open the report: whoever may add, change or publish pages somewhere (编辑, 审核员);
# the rows are then the pages they may edit.
PAGE_RIGHTS = ["add", "change", "publish"]


def _add_captions_url(lesson) -> str:
    return reverse("videos:edit", args=[lesson.video_id]) + "#id_captions"


class MissingCaptionsView(ReportView):
    page_title = _("缺少字幕的视频微党课")
    header_icon = "media"
    model = VideoLessonPage
    permission_policy = PagePermissionPolicy()
    any_permission_required = PAGE_RIGHTS
    index_url_name = "missing_captions"
    index_results_url_name = "missing_captions_results"
    paginate_by = 50
    list_export = ["title", "course_title", "video_title", "live", "latest_revision_created_at"]
    export_headings = {
        "title": _("微党课"),
        "course_title": _("所属课程"),
        "video_title": _("视频"),
        "live": _("已发布"),
        "latest_revision_created_at": _("更新时间"),
    }

    @cached_property
    def columns(self):
        return [
            TitleColumn("title", label=_("微党课"), url_name="wagtailadmin_pages:edit"),
            Column("course_title", label=_("所属课程")),
            TitleColumn(
                "video_title",
                label=_("视频（点击添加字幕）"),
                get_url=_add_captions_url,
            ),
            Column(
                "live",
                label=_("状态"),
                accessor=lambda lesson: _("已发布") if lesson.live else _("草稿"),
            ),
            DateColumn("latest_revision_created_at", label=_("更新时间")),
        ]

    def get_queryset(self):
        return video_lessons_without_captions(user=self.request.user)
