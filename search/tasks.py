"""Background tasks (queue "search") that keep the search index fresh; thin wrappers over services."""

from django_tasks import task

from search import services


@task(queue_name="search")
def update_object_task(model_label: str, pk: str) -> None:
    services.search_index_update(model_label=model_label, pk=pk)


@task(queue_name="search")
def remove_object_task(model_label: str, pk: str) -> None:
    services.search_index_remove(model_label=model_label, pk=pk)


@task(queue_name="search")
def update_subtree_task(page_id: int) -> None:
    services.search_index_update_subtree(page_id=page_id)
