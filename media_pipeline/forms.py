"""Admin forms of the video library."""

from django import forms
from django.utils.translation import gettext_lazy as _

from media_pipeline.exceptions import VideoRejected
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

    def __init__(self, *args, upload_too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large
        if upload_too_large:
            # The upload was stopped at the size limit, so the file arrives empty: say why.
            self.fields["file"].required = False

    def clean(self):
        cleaned_data = super().clean()
        if self.upload_too_large:
            self.add_error("file", VideoRejected("too_large").message_zh)
        return cleaned_data


class VideoEditForm(forms.ModelForm):
    class Meta:
        model = Video
        fields = ["title"]
