"""Site (HTML) URLs of learning.reports."""

urlpatterns: list = []
