"""StreamField block for choosing a pipeline video (imported by the CMS's lesson body)."""

from media_pipeline.viewsets import video_chooser_viewset

VideoChooserBlock = video_chooser_viewset.get_block_class(
    name="VideoChooserBlock", module_path="media_pipeline.blocks"
)
