"""Index writes for the search app: bring one object (or a page subtree) up to date in every
backend the search app keeps fresh, never raising to the caller."""

import logging

from django.apps import apps
from modelsearch.backends import get_search_backends_with_name
from modelsearch.index import class_is_indexed, get_indexed_instance

from search.backend import WhooshSearchBackend, document_key

logger = logging.getLogger(__name__)


def task_updated_backends() -> list:
    """Backends updated by our tasks: the Whoosh ones (others are updated inline by modelsearch)."""
    return [
        backend
        for _name, backend in get_search_backends_with_name()
        if isinstance(backend, WhooshSearchBackend)
    ]


def search_index_update(*, model_label: str, pk: str) -> None:
    """Index the object's current state, or drop it when it is gone or no longer indexable."""
    model = apps.get_model(model_label)
    if not class_is_indexed(model):
        return
    obj = model._default_manager.filter(pk=pk).first()
    indexed = get_indexed_instance(obj) if obj is not None else None
    for backend in task_updated_backends():
        try:
            if indexed is not None:
                backend.add(indexed)
            else:
                backend.delete(model(pk=model._meta.pk.to_python(pk)))
        except Exception:
            logger.exception("Search index update of %s:%s failed", model_label, pk)


def search_index_remove(*, model_label: str, pk: str) -> None:
    model = apps.get_model(model_label)
    for backend in task_updated_backends():
        try:
            backend.delete(model(pk=model._meta.pk.to_python(pk)))
        except Exception:
            logger.exception("Search index removal of %s failed", document_key(model, pk))


def search_index_update_subtree(*, page_id: int) -> None:
    """A moved page and its descendants (their URLs and tree filters changed)."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return
    for descendant in Page.objects.descendant_of(page, inclusive=True).specific().iterator():
        indexed = get_indexed_instance(descendant)
        if indexed is None:
            continue
        for backend in task_updated_backends():
            try:
                backend.add(indexed)
            except Exception:
                logger.exception("Search index update of page %s failed", descendant.pk)
