"""Site (HTML) URLs of party.dues."""

from django.urls import path

from party.dues import views

app_name = "dues"

urlpatterns = [
    path("me/dues/", views.my_dues, name="my"),
    path("party/dues/", views.home, name="home"),
    path("party/dues/report/", views.report, name="report"),
    path("party/dues/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("party/dues/units/<int:pk>/", views.branch, name="branch"),
    path("party/dues/units/<int:pk>/pay/", views.pay, name="pay"),
    path("party/dues/units/<int:pk>/bulk/", views.bulk, name="bulk"),
    path("party/dues/units/<int:pk>/reasons/", views.reason, name="reason"),
    path("party/dues/units/<int:pk>/import/", views.statement_upload, name="import"),
    path("party/dues/import/<int:pk>/", views.statement_preview, name="import_preview"),
    path("party/dues/payments/<int:pk>/reverse/", views.reverse_payment, name="reverse"),
    path("party/dues/members/<int:pk>/", views.member, name="member"),
    path("party/dues/members/<int:pk>/base/", views.base, name="base"),
]
