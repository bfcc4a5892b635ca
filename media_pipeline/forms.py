"""Admin forms of the video library."""

from django import forms
from django.utils.translation import gettext_lazy as _

from media_pipeline.models import Video


class VideoUploadForm(forms.ModelForm):
    file = forms.FileField(
        label=_("视频文件"),
        help_text=_("手机录像、录屏或摄像机文件（MP4、MOV 等），上传后在后台转码。"),
        widget=forms.ClearableFileInput(attrs={"accept": "video/*"}),
    )

    class Meta:
        model = Video
        fields = ["title"]


class VideoEditForm(forms.ModelForm):
    class Meta:
        model = Video
        fields = ["title"]
