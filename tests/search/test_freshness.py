"""Publishing, unpublishing, moving and deleting pages update the index through tasks after commit."""

import pytest
from django.utils.html import strip_tags
from django_tasks import default_task_backend
from wagtail.models import Page

from search import tasks
from tests.factories import make_article, make_course, publish
from tests.search.conftest import paragraph

pytestmark = pytest.mark.django_db


def titles(results) -> list[str]:
    return [page.title for page in results]


def search_page_text(client, query: str) -> str:
    return strip_tags(client.get("/search/", {"q": query}).content.decode())


def test_publish_makes_a_page_findable_after_commit(
    backend, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lesson = make_article(course, "不忘初心牢记使命", body=paragraph("主题教育。"))
    # Nothing is indexed before the transaction commits.
    assert titles(backend.search("不忘初心", Page)) == []
    for callback in callbacks:
        callback()
    assert titles(backend.search("不忘初心", Page)) == [lesson.title]


def test_index_updates_run_as_search_queue_tasks():
    assert tasks.update_object_task.queue_name == "search"
    assert tasks.remove_object_task.queue_name == "search"
    assert tasks.update_subtree_task.queue_name == "search"
    assert "search" in default_task_backend.queues


def test_edit_and_republish_replaces_the_indexed_text(
    backend, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lesson = make_article(course, "旧标题课程")
    with django_capture_on_commit_callbacks(execute=True):
        lesson.title = "全面从严治党"
        publish(lesson)
    assert titles(backend.search("旧标题", Page)) == []
    assert titles(backend.search("全面从严治党", Page)) == ["全面从严治党"]


def test_unpublish_removes_it_from_the_site_search(
    client, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lesson = make_article(course, "党风廉政建设")
    assert "党风廉政建设" in search_page_text(client, "党风廉政")
    with django_capture_on_commit_callbacks(execute=True):
        lesson.unpublish()
    assert "党风廉政建设" not in search_page_text(client, "党风廉政")


def test_delete_removes_the_document(backend, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lesson = make_article(course, "民主评议党员")
    assert titles(backend.search("民主评议", Page)) == ["民主评议党员"]
    with django_capture_on_commit_callbacks(execute=True):
        lesson.delete()
    with backend.store.searcher() as searcher:
        assert searcher.document(key=f"wagtailcore.page:{lesson.pk}") is None
    assert titles(backend.search("民主评议", Page)) == []


def test_move_reindexes_the_subtree(backend, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lesson = make_article(course, "组织生活会")
        target = make_course("新专题")
    backend.delete(lesson)  # make the re-index observable
    with django_capture_on_commit_callbacks(execute=True):
        lesson.move(target, pos="last-child")
    assert titles(backend.search("组织生活会", Page.objects.child_of(target))) == ["组织生活会"]


def test_rolled_back_save_indexes_nothing(backend, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        make_article(course, "四个意识")
    # The callbacks were discarded as if the transaction rolled back.
    assert titles(backend.search("四个意识", Page)) == []


def test_tags_added_after_the_save_are_indexed(backend, django_capture_on_commit_callbacks):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    Image = get_image_model()  # noqa: N806
    with django_capture_on_commit_callbacks(execute=True):
        image = Image.objects.create(title="支部活动照片", file=get_test_image_file())
    assert [i.title for i in backend.search("主题党日", Image)] == []
    with django_capture_on_commit_callbacks(execute=True):
        image.tags.add("主题党日")
    assert [i.title for i in backend.search("主题党日", Image)] == ["支部活动照片"]
    with django_capture_on_commit_callbacks(execute=True):
        image.tags.remove("主题党日")
    assert [i.title for i in backend.search("主题党日", Image)] == []
