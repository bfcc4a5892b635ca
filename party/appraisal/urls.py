"""Site (HTML) URLs of party.appraisal."""

from django.urls import path

from party.appraisal import views

app_name = "appraisal"

urlpatterns = [
    path("party/appraisal/", views.campaign_list, name="list"),
    path("party/appraisal/open/", views.campaign_open, name="open"),
    path("party/appraisal/report/", views.report, name="report"),
    path("party/appraisal/report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("party/appraisal/<int:pk>/", views.campaign_detail, name="detail"),
    path("party/appraisal/<int:pk>/advance/", views.campaign_advance, name="advance"),
    path("party/appraisal/<int:pk>/self/", views.self_assessment, name="self"),
    path("party/appraisal/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("party/appraisal/<int:pk>/committee/", views.committee, name="committee"),
]
