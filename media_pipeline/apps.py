"""App config for media_pipeline."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaPipelineConfig(AppConfig):
    name = "media_pipeline"
    label = "media_pipeline"
    verbose_name = _("视频处理")

    def ready(self) -> None:
        from media_pipeline import signal_handlers

        signal_handlers.register()
