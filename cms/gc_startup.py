"""A web worker's startup objects kept out of the garbage collector's way (issue 20).

A gunicorn worker loads Django, Wagtail, DRF, the URLconf and every view at startup: some 400,000
objects that live as long as the process. Python's cyclic garbage collector walks every one of
them in each full collection (its oldest generation), which requests trigger every couple of
thousand exam calls: ~0.3 s of CPU each on the 2-core test machine, spent inside whichever request
set it off (docs/performance.md, session 11). `gc.freeze()` moves the objects that exist at that
moment to a permanent generation the collector never walks; what requests create is collected as
before. The frozen objects are never freed, which is what they would be anyway.
"""

import gc

from django.urls import get_resolver


def freeze_startup_objects() -> int:
    """Import what the first request would (the URLconf, and with it every app's views), collect
    the garbage of starting up, then freeze what is left; returns how many objects were frozen."""
    get_resolver().url_patterns  # noqa: B018 — imports every urls module and its views
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
