"""Page models: the home page, courses (专题) and their lessons (微党课: articles and videos)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.documents.models import AbstractDocument, Document
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import LessonBodyBlock
from cms.pages.credit import (
    article_hours_help_lazy,
    class_hours_for_duration,
    class_hours_supported,
    video_hours_help_lazy,
)
from cms.pages.slugs import PinyinSlugPageForm

INTRO_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class HomePage(Page):
    intro = RichTextField(_("简介"), blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["pages.CoursePage"]
    max_count = 1
    # Courses in the order the home page lists them.
    admin_default_ordering = "ord"

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        from cms.pages import selectors

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = selectors.course_list(user=request.user)
        context["latest_lessons"] = selectors.latest_lessons(user=request.user, limit=8)
        return context


class CoursePage(Page):
    """A course (专题): an ordered series of lessons (the order of its child pages)."""

    intro = RichTextField(_("简介"), blank=True, features=INTRO_FEATURES)
    cover_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("封面图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("cover_image")]
    base_form_class = PinyinSlugPageForm

    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ArticleLessonPage", "pages.VideoLessonPage"]
    # The admin lists a course's lessons in the order trainees see them (the tree order, which
    # the explorer's 排序 handle changes), not by last update.
    admin_default_ordering = "ord"

    class Meta:
        verbose_name = _("专题")
        verbose_name_plural = _("专题")

    def get_context(self, request, *args, **kwargs):
        from cms.pages import selectors

        context = super().get_context(request, *args, **kwargs)
        context["lessons"] = selectors.course_lessons(course=self, user=request.user)
        return context


class LessonPage(Page):
    """What every micro-lesson (微党课) has, whatever its kind."""

    summary = models.TextField(_("摘要"), blank=True, max_length=500)

    parent_page_types = ["pages.CoursePage"]
    subpage_types: list[str] = []
    base_form_class = PinyinSlugPageForm

    kind = ""

    class Meta:
        abstract = True

    @property
    def course(self):
        return self.get_parent().specific

    def get_context(self, request, *args, **kwargs):
        from cms.pages import selectors

        context = super().get_context(request, *args, **kwargs)
        context["course"] = selectors.lesson_course(lesson=self)
        context["siblings"] = selectors.lesson_neighbours(lesson=self, user=request.user)
        return context


class ArticleLessonPage(LessonPage):
    """微党课（图文）: an article; it earns its 学时 after enough active reading."""

    body = StreamField(LessonBodyBlock(), verbose_name=_("正文"), blank=True)
    class_hours = models.DecimalField(
        _("学时"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("完成本课可获得的学时。"),
    )
    min_reading_seconds = models.PositiveIntegerField(
        _("最短阅读时间（秒）"),
        default=300,
        validators=[MinValueValidator(10), MaxValueValidator(4 * 3600)],
        help_text=_("学员有效阅读达到此时长后本课计为完成。"),
    )

    content_panels = LessonPage.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        # The site's crediting rule beside the field (cms/pages/credit.py), as configured.
        FieldPanel("class_hours", help_text=article_hours_help_lazy()),
        FieldPanel("min_reading_seconds"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("live"),
    ]

    kind = "article"

    class Meta:
        verbose_name = _("图文微党课")
        verbose_name_plural = _("图文微党课")

    @property
    def duration_seconds(self) -> float | None:
        return None

    def clean(self) -> None:
        super().clean()
        if self.class_hours is None or self.min_reading_seconds is None:
            return
        supported = class_hours_supported(self.min_reading_seconds)
        if self.class_hours > supported:
            raise ValidationError(
                {
                    "class_hours": _(
                        "最短阅读时间 %(seconds)s 秒按本站规则最多计 %(max)s 学时；"
                        "请减少学时或延长最短阅读时间。"
                    )
                    % {
                        "seconds": self.min_reading_seconds,
                        "max": format(supported.normalize(), "f"),
                    }
                }
            )

    @property
    def effective_class_hours(self) -> Decimal:
        return self.class_hours


class VideoLessonPage(LessonPage):
    """微党课（视频）: a video from the media pipeline; it earns its 学时 when watched through."""

    video = models.ForeignKey(
        "media_pipeline.Video",
        verbose_name=_("视频"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = RichTextField(_("说明"), blank=True, features=INTRO_FEATURES)
    class_hours = models.DecimalField(
        _("学时"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("留空则按视频时长计算。"),
    )

    content_panels = LessonPage.content_panels + [
        FieldPanel("summary"),
        HelpPanel(content=_("视频上传后会在后台转码为自适应码流，转码完成前页面显示“处理中”。")),
        FieldPanel("video"),
        FieldPanel("description"),
        FieldPanel("class_hours", help_text=video_hours_help_lazy()),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("live"),
    ]

    kind = "video"

    class Meta:
        verbose_name = _("视频微党课")
        verbose_name_plural = _("视频微党课")

    @property
    def duration_seconds(self) -> float | None:
        video = self.video  # no query when unset; selectors preload it for lists
        return video.duration_seconds if video else None

    @property
    def effective_class_hours(self) -> Decimal:
        if self.class_hours is not None:
            return self.class_hours
        return class_hours_for_duration(self.duration_seconds)


LESSON_MODELS = (ArticleLessonPage, VideoLessonPage)


def _random_name(folder: str, filename: str) -> str:
    """Uploads are never stored under the name the user gave: a random name, the extension kept."""
    import posixpath
    import uuid

    extension = posixpath.splitext(filename)[1].lower()[:10]
    if not extension[1:].isalnum():
        extension = ""
    return f"{folder}/{uuid.uuid4().hex}{extension}"


class DangkeImage(AbstractImage):
    """Wagtail's image, stored under a random name."""

    admin_form_fields = Image.admin_form_fields

    class Meta(AbstractImage.Meta):
        verbose_name = _("图片")
        verbose_name_plural = _("图片")

    def get_upload_to(self, filename):
        return _random_name("images", filename)


class DangkeRendition(AbstractRendition):
    image = models.ForeignKey(DangkeImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


def _document_upload_to(instance, filename):
    return _random_name("documents", filename)


class DangkeDocument(AbstractDocument):
    """Wagtail's document, stored under a random name; downloads are named after the title."""

    file = models.FileField(upload_to=_document_upload_to, verbose_name=_("文件"))
    admin_form_fields = Document.admin_form_fields

    class Meta(AbstractDocument.Meta):
        verbose_name = _("文档")
        verbose_name_plural = _("文档")

    @property
    def filename(self) -> str:
        import posixpath

        from django.utils.text import slugify

        extension = posixpath.splitext(self.file.name)[1]
        return f"{slugify(self.title, allow_unicode=True) or 'document'}{extension}"
