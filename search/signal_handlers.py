"""Saves, deletes and page moves enqueue index updates once the transaction has committed."""

from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from modelsearch.conf import get_app_config
from modelsearch.index import get_indexed_models
from wagtail.signals import post_page_move

from search import tasks


def _enqueue(task, *args) -> None:
    # After commit: a worker must see the committed row, and a rolled-back save indexes nothing.
    transaction.on_commit(partial(task.enqueue, *args))


def post_save_handler(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    _enqueue(tasks.update_object_task, instance._meta.label_lower, str(instance.pk))


def post_delete_handler(sender, instance, **kwargs) -> None:
    _enqueue(tasks.remove_object_task, instance._meta.label_lower, str(instance.pk))


def tags_changed_handler(sender, instance, action, reverse=False, **kwargs) -> None:
    """Tags added to or removed from a saved object (image.tags.add(...)) are indexed too."""
    if reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    post_save_handler(type(instance), instance)


def _tag_through_models(model) -> list:
    """The through models of the model's TaggableManager fields (taggit), if any."""
    try:
        from taggit.managers import TaggableManager
    except ImportError:  # pragma: no cover — taggit comes with Wagtail
        return []
    return [
        field.remote_field.through
        for field in model._meta.get_fields()
        if isinstance(field, TaggableManager)
    ]


def post_page_move_handler(sender, instance, **kwargs) -> None:
    _enqueue(tasks.update_subtree_task, instance.pk)


def _whoosh_configured() -> bool:
    # Read the settings rather than instantiating backends: an Elasticsearch backend without its
    # client installed must not break start-up here.
    return any(
        str(conf.get("BACKEND", "")).startswith("search.backend")
        for conf in get_app_config().get_search_backend_config().values()
    )


def register_signal_handlers() -> None:
    if not _whoosh_configured():
        return
    for model in get_indexed_models():
        if not getattr(model, "search_auto_update", True):
            continue
        post_save.connect(post_save_handler, sender=model, dispatch_uid=f"search-save-{model}")
        post_delete.connect(post_delete_handler, sender=model, dispatch_uid=f"search-del-{model}")
        for through in _tag_through_models(model):
            m2m_changed.connect(
                tags_changed_handler, sender=through, dispatch_uid=f"search-tags-{model}-{through}"
            )
    post_page_move.connect(post_page_move_handler, dispatch_uid="search-page-move")
