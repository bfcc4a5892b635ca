"""REST API URLs of party.appraisal, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from party.appraisal import api_views as v

urlpatterns = [
    path("appraisals/", v.CampaignListView.as_view(), name="api-appraisals"),
    path("appraisals/<int:pk>/", v.CampaignDetailView.as_view(), name="api-appraisal"),
    path("appraisals/<int:pk>/advance/", v.AdvanceView.as_view(), name="api-appraisal-advance"),
    path(
        "appraisals/<int:pk>/self-assessment/",
        v.SelfAssessmentView.as_view(),
        name="api-appraisal-self-assessment",
    ),
    path("appraisals/<int:pk>/ballot/", v.BallotView.as_view(), name="api-appraisal-ballot"),
    path("appraisals/<int:pk>/votes/", v.VotesView.as_view(), name="api-appraisal-votes"),
    path("appraisals/<int:pk>/results/", v.ResultsView.as_view(), name="api-appraisal-results"),
    path(
        "appraisals/<int:pk>/proposals/",
        v.ProposalsView.as_view(),
        name="api-appraisal-proposals",
    ),
    path("appraisals/<int:pk>/decision/", v.DecisionView.as_view(), name="api-appraisal-decision"),
    path(
        "appraisals/<int:pk>/follow-ups/",
        v.FollowUpsView.as_view(),
        name="api-appraisal-follow-ups",
    ),
    path(
        "appraisals/<int:pk>/follow-ups/close/",
        v.FollowUpCloseView.as_view(),
        name="api-appraisal-follow-up-close",
    ),
    path("units/<int:pk>/appraisal-report/", v.ReportView.as_view(), name="api-appraisal-report"),
]
