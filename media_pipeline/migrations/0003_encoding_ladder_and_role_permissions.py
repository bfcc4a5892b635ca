"""The default encoding ladder (360p–1080p) and the media rights of the 编辑/审核 roles."""

from django.db import migrations

from cms.roles import EDITORS, REVIEWERS, grant

# Capped-CRF H.264 ladder in the range Apple's HLS authoring spec recommends for each height.
LADDER = [
    {"name": "360p", "height": 360, "video_bitrate": 800, "audio_bitrate": 96, "crf": 23},
    {"name": "540p", "height": 540, "video_bitrate": 1600, "audio_bitrate": 128, "crf": 23},
    {"name": "720p", "height": 720, "video_bitrate": 3000, "audio_bitrate": 128, "crf": 23},
    {"name": "1080p", "height": 1080, "video_bitrate": 6000, "audio_bitrate": 128, "crf": 22},
]
MEDIA_PERMS = ["add_video", "change_video", "view_video", "delete_video"]


def forwards(apps, schema_editor):
    EncodingProfile = apps.get_model("media_pipeline", "EncodingProfile")
    for rung in LADDER:
        EncodingProfile.objects.get_or_create(name=rung["name"], defaults=rung)
    for role in (EDITORS, REVIEWERS):
        grant(apps, role, "media_pipeline", MEDIA_PERMS)


def backwards(apps, schema_editor):
    apps.get_model("media_pipeline", "EncodingProfile").objects.filter(
        name__in=[rung["name"] for rung in LADDER]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("media_pipeline", "0002_encodingprofile_video_hls_master_video_mp4_and_more"),
        ("pages", "0003_roles_and_review_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
