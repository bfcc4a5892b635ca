"""StreamField blocks of lesson bodies: rich text, image, quote, embedded video, attachment."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from media_pipeline.blocks import VideoChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "hr", "link", "document-link"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("图注"), required=False, max_length=255)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "blocks/image_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引文"))
    source = blocks.CharBlock(label=_("出处"), required=False, max_length=255)

    class Meta:
        icon = "openquote"
        label = _("引用")
        template = "blocks/quote_block.html"


class EmbeddedVideoBlock(blocks.StructBlock):
    video = VideoChooserBlock(label=_("视频"))
    caption = blocks.CharBlock(label=_("说明"), required=False, max_length=255)

    class Meta:
        icon = "media"
        label = _("嵌入视频")
        template = "blocks/embedded_video_block.html"


class AttachmentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("附件"))
    title = blocks.CharBlock(label=_("显示名称"), required=False, max_length=255)

    class Meta:
        icon = "doc-full"
        label = _("附件")
        template = "blocks/attachment_block.html"


class LessonBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label=_("正文"), features=RICH_TEXT_FEATURES)
    image = ImageBlock()
    quote = QuoteBlock()
    video = EmbeddedVideoBlock()
    attachment = AttachmentBlock()
