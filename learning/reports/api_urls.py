"""REST API URLs of learning.reports, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from learning.reports import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("classes/", api.ClassListView.as_view(), name="api-classes"),
    path("classes/<int:pk>/report/", api.ClassReportView.as_view(), name="api-class-report"),
    path(
        "classes/<int:pk>/report.xlsx",
        api.ClassReportXlsxView.as_view(),
        name="api-class-report-xlsx",
    ),
    path(
        "classes/<int:pk>/report.csv",
        api.ClassReportCsvView.as_view(),
        name="api-class-report-csv",
    ),
    path(
        "classes/<int:pk>/certificates/",
        api.ClassCertificatesView.as_view(),
        name="api-class-certificates",
    ),
    path(
        "classes/<int:pk>/trainees/<int:trainee_id>/disqualify/",
        api.DisqualifyView.as_view(),
        name="api-trainee-disqualify",
    ),
    path(
        "classes/<int:pk>/trainees/<int:trainee_id>/reinstate/",
        api.ReinstateView.as_view(),
        name="api-trainee-reinstate",
    ),
    path(
        "certificates/<str:number>/revoke/",
        api.CertificateRevokeView.as_view(),
        name="api-certificate-revoke",
    ),
]
