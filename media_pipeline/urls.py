"""Site (HTML) URLs of media_pipeline."""

urlpatterns: list = []
