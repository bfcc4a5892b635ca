"""Page slugs in pinyin (issue 21): a Chinese title gives /dang-zhang-xue-xi/, not a percent-encoded
URL. The admin fills the slug from the title as the editor types (in Chinese); saving turns a slug
with Chinese characters, or an empty one, into pinyin. A slug the editor writes in Latin letters is
kept as written."""

from django.utils.text import slugify
from pypinyin import lazy_pinyin
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Page

MAX_LENGTH = 80


def pinyin_slug(text: str) -> str:
    """认识党章：从总纲到十一章 → ren-shi-dang-zhang-cong-zong-gang-dao-shi-yi-zhang (cut at a hyphen)."""
    slug = slugify(" ".join(lazy_pinyin(text)))
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rsplit("-", 1)[0]
    return slug


def unique_sibling_slug(base: str, *, parent, page) -> str:
    """base, or base-2, base-3… — the first not used by another child of parent."""
    candidate, suffix = base, 1
    while not Page._slug_is_available(candidate, parent, page):
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


class PinyinSlugPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False  # left empty: made from the title

    def clean_slug(self):
        slug = (self.cleaned_data.get("slug") or "").strip()
        if slug and slug.isascii():
            return slug  # the editor's own slug, checked by Wagtail as usual
        base = pinyin_slug(slug or self.data.get("title", "")) or "page"
        return unique_sibling_slug(base, parent=self.parent_page, page=self.instance)
