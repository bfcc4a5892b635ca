"""REST API URLs of party.dues, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from party.dues import api_views as v

urlpatterns = [
    path("units/<int:pk>/dues/", v.UnitDuesView.as_view(), name="api-unit-dues"),
    path("units/<int:pk>/dues/behind/", v.UnitBehindView.as_view(), name="api-unit-dues-behind"),
    path(
        "units/<int:pk>/dues/import/", v.UnitDuesImportView.as_view(), name="api-unit-dues-import"
    ),
    path(
        "units/<int:pk>/dues-report/", v.UnitDuesReportView.as_view(), name="api-unit-dues-report"
    ),
    path("dues/payments/", v.PaymentsView.as_view(), name="api-dues-payments"),
    path(
        "dues/payments/<int:pk>/reverse/",
        v.PaymentReverseView.as_view(),
        name="api-dues-payment-reverse",
    ),
    path("me/dues/", v.MyDuesView.as_view(), name="api-me-dues"),
]
