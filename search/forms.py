"""The search form of the site search page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from search import selectors

KIND_LABELS = {"article": _("图文微党课"), "video": _("视频微党课"), "course": _("专题")}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("类型"), required=False)
    course = forms.TypedChoiceField(label=_("专题"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部类型"))] + [
            (kind, KIND_LABELS.get(kind, kind)) for kind in selectors.kinds()
        ]
        self.fields["course"].choices = [("", _("全部专题"))] + [
            (course.pk, course.title) for course in selectors.course_choices(user=user)
        ]
