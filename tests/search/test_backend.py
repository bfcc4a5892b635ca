"""The modelsearch backend contract, on our own page models (and Wagtail's images for related fields)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from modelsearch.backends.base import FilterFieldError, OrderByFieldError, SearchFieldError
from modelsearch.query import MATCH_ALL, Boost, Not, Phrase, PlainText
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page

from cms.pages.models import ArticleLessonPage, CoursePage, VideoLessonPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(lessons, reindex):
    reindex()
    return lessons


def titles(results) -> list[str]:
    return [page.title for page in results]


def test_chinese_word_inside_a_compound_is_found(backend, indexed):
    assert titles(backend.search("积极分子", Page)) == ["入党积极分子培养教育"]


def test_search_covers_fields_of_every_page_type(backend, indexed):
    # Page itself only has a title; a search over pages also looks in lesson bodies and summaries.
    assert titles(backend.search("思想汇报", Page)) == ["入党积极分子培养教育"]
    assert titles(backend.search("线上组织生活", VideoLessonPage)) == ["互联网+党建的实践"]


def test_search_on_a_model_returns_only_that_model(backend, indexed):
    assert titles(backend.search("党建", ArticleLessonPage)) == []
    assert titles(backend.search("党建", VideoLessonPage)) == ["互联网+党建的实践"]
    assert set(titles(backend.search("专题", CoursePage))) == {"党史学习教育专题", "组织建设专题"}


def test_field_restriction(backend, indexed):
    # 思想汇报 is only in the body, so a title-only search does not find it.
    assert titles(backend.search("思想汇报", ArticleLessonPage, fields=["title"])) == []
    assert titles(backend.search("思想汇报", ArticleLessonPage, fields=["body"])) == [
        "入党积极分子培养教育"
    ]
    with pytest.raises(SearchFieldError):
        backend.search("思想汇报", ArticleLessonPage, fields=["class_hours"])


def test_operator_and_or(backend, indexed):
    assert titles(backend.search("两学一做 三会一课", Page, operator="and")) == []
    assert set(titles(backend.search("两学一做 三会一课", Page, operator="or"))) == {
        "两学一做学习教育",
        "三会一课制度",
    }


def test_phrase_needs_words_in_order(backend, indexed):
    assert titles(backend.search(Phrase("认真学习党章"), Page)) == ["入党积极分子培养教育"]
    assert titles(backend.search(Phrase("党章学习认真"), Page)) == []


def test_english_and_numbers(backend, indexed):
    assert titles(backend.search("party HISTORY", Page)) == ["互联网+党建的实践"]
    assert titles(backend.search("2026", Page)) == ["党史学习教育专题"]
    assert titles(backend.search("互联网+", Page)) == ["互联网+党建的实践"]


def test_ranking_prefers_title_matches(backend, course, indexed):
    from tests.factories import make_article
    from tests.search.conftest import paragraph

    make_article(course, "思想汇报怎么写", body=paragraph("格式与要点。"))
    from search.rebuild import search_index_rebuild

    search_index_rebuild()
    # The title is boosted (Page.search_fields: title boost 2) above a mention in the body.
    assert titles(backend.search("思想汇报", Page)) == ["思想汇报怎么写", "入党积极分子培养教育"]


def test_boost_and_not(backend, indexed):
    results = backend.search(
        PlainText("两学一做") | Boost(PlainText("三会一课"), 10), Page, operator="or"
    )
    assert titles(results)[0] == "三会一课制度"
    assert "三会一课制度" not in titles(
        backend.search(Not(PlainText("三会一课")), ArticleLessonPage)
    )


def test_filters_on_filter_fields(backend, course, other_course, indexed):
    in_course = Page.objects.child_of(course)
    assert set(titles(backend.search("学习", in_course))) == {
        "入党积极分子培养教育",
        "两学一做学习教育",
    }
    assert titles(backend.search("学习", Page.objects.filter(live=False))) == []
    with pytest.raises(FilterFieldError):
        backend.search("学习", Page.objects.filter(slug="x"))


def test_ordering_on_filter_fields(backend, indexed):
    results = backend.search(
        "学习 组织 党章 党建",
        Page.objects.order_by("-title"),
        operator="or",
        order_by_relevance=False,
    )
    assert titles(results) == sorted(titles(results), reverse=True) and len(titles(results)) >= 3
    with pytest.raises(OrderByFieldError):
        list(backend.search("学习", Page.objects.order_by("slug"), order_by_relevance=False))


def test_autocomplete_completes_the_last_word(backend, indexed):
    assert titles(backend.autocomplete("入党积", Page)) == ["入党积极分子培养教育"]
    assert titles(backend.autocomplete("三会", Page)) == ["三会一课制度"]


def test_facets(backend, indexed):
    facets = backend.search(MATCH_ALL, Page.objects.type(ArticleLessonPage, VideoLessonPage)).facet(
        "content_type_id"
    )
    article = ContentType.objects.get_for_model(ArticleLessonPage).id
    video = ContentType.objects.get_for_model(VideoLessonPage).id
    assert list(facets.items()) == [(article, 3), (video, 1)]
    assert backend.search("党建", Page).facet("content_type_id") == {video: 1}
    with pytest.raises(FilterFieldError):
        backend.search(MATCH_ALL, Page).facet("slug")


def test_count_slicing_and_scores(backend, indexed):
    results = backend.search("党", Page, operator="or")
    everything = list(results)
    assert results.count() == len(everything) >= 3
    assert list(results[1:3]) == everything[1:3]
    assert results[1:3].count() == 2
    scored = list(backend.search("积极分子", Page).annotate_score("_score"))
    assert isinstance(scored[0]._score, float) and scored[0]._score > 0


def test_add_and_delete_single_objects(backend, course, indexed):
    lesson = indexed["meeting"]
    backend.delete(lesson)
    assert titles(backend.search("三会一课", Page)) == []
    backend.add(lesson)
    assert titles(backend.search("三会一课", Page)) == ["三会一课制度"]


def test_related_fields_image_tags(backend):
    Image = get_image_model()  # noqa: N806
    image = Image.objects.create(title="支部活动照片", file=get_test_image_file())
    image.tags.add("主题党日")
    backend.add(image)
    assert [i.title for i in backend.search("主题党日", get_image_model())] == ["支部活动照片"]
    assert [i.title for i in backend.search("活动照片", get_image_model())] == ["支部活动照片"]


def test_match_all_and_match_none(backend, indexed):
    from modelsearch.query import MATCH_NONE

    everything = backend.search(MATCH_ALL, ArticleLessonPage.objects.order_by("title"))
    assert titles(everything) == sorted(p.title for p in ArticleLessonPage.objects.all())
    assert titles(backend.search(MATCH_NONE, ArticleLessonPage)) == []


def test_equal_scores_never_repeat_across_pages(backend, course, reindex):
    from tests.factories import make_article

    for n in range(6):
        make_article(course, f"党课{n}")
    reindex()
    results = backend.search("党课", ArticleLessonPage)
    one_by_one = [results[i : i + 1][0].title for i in range(6)]
    assert sorted(one_by_one) == sorted(f"党课{n}" for n in range(6))


def test_fuzzy_english(backend, indexed):
    from modelsearch.query import Fuzzy

    assert titles(backend.search(Fuzzy("histery"), Page)) == ["互联网+党建的实践"]
