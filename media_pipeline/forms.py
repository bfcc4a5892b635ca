"""Admin forms of the video library."""

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _

from media_pipeline.captions import CAPTIONS_NAME, captions_webvtt
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
        fields = ["title", "captions"]
        widgets = {"captions": forms.ClearableFileInput(attrs={"accept": ".vtt,.srt,text/vtt"})}
        help_texts = {
            "captions": _(
                "WebVTT（.vtt）或 SRT（.srt）字幕文件，UTF-8 或 GBK 编码均可；SRT 自动转换为 "
                "WebVTT。播放器提供“中文字幕”开关。"
            )
        }

    def clean_captions(self):
        captions = self.cleaned_data.get("captions")
        if isinstance(captions, UploadedFile):
            # Stored as what was checked: WebVTT in UTF-8 (an SRT or GBK upload converted).
            text = captions_webvtt(captions)
            return SimpleUploadedFile(CAPTIONS_NAME, text.encode("utf-8"), "text/vtt")
        return captions
