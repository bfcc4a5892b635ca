"""Site URLs of media_pipeline: the protected media of each video."""

from django.urls import path

from media_pipeline import views

urlpatterns = [
    path("video-media/<int:video_id>/<path:name>", views.video_media, name="media_pipeline_media"),
    path(
        "video-media/s/<str:token>/<int:video_id>/<path:name>",
        views.video_media_signed,
        name="media_pipeline_signed_media",
    ),
]
