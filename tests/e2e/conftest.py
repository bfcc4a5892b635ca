"""The end-to-end browser paths: every test here is marked `e2e` (fixtures live in tests/conftest.py)."""

import pytest

# Plain helpers, re-exported for older imports; no fixtures here (importing them elsewhere would
# create a second browser).
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PHONE, admin_login, login, ready_video  # noqa: F401


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
