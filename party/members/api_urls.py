"""REST API URLs of party.members, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from party.members import api_views

urlpatterns = [
    path("members/", api_views.MemberListView.as_view(), name="api-members"),
    path("members/<int:pk>/", api_views.MemberDetailView.as_view(), name="api-member"),
    path(
        "members/<int:pk>/sponsors/",
        api_views.SponsorListView.as_view(),
        name="api-member-sponsors",
    ),
    path(
        "members/<int:pk>/sponsors/<int:sponsor_id>/end/",
        api_views.SponsorEndView.as_view(),
        name="api-member-sponsor-end",
    ),
    path(
        "members/<int:pk>/transfers/",
        api_views.TransferListView.as_view(),
        name="api-member-transfers",
    ),
    path(
        "members/<int:pk>/group-changes/",
        api_views.GroupChangeListView.as_view(),
        name="api-member-group-changes",
    ),
    path("members/import/", api_views.RegistryImportView.as_view(), name="api-members-import"),
    path(
        "members/transfer-in/",
        api_views.TransferInNewView.as_view(),
        name="api-members-transfer-in",
    ),
    path(
        "units/<int:pk>/members.xlsx",
        api_views.RegistryExportView.as_view(),
        name="api-unit-members-export",
    ),
    path(
        "members/<int:pk>/timeline/",
        api_views.MemberTimelineView.as_view(),
        name="api-member-timeline",
    ),
    path(
        "members/<int:pk>/stage-changes/",
        api_views.StageChangeCreateView.as_view(),
        name="api-member-stage-changes",
    ),
    path(
        "members/<int:pk>/documents/",
        api_views.MemberDocumentListView.as_view(),
        name="api-member-documents",
    ),
    path(
        "members/<int:pk>/stage-changes/<int:change_id>/documents/",
        api_views.StageChangeDocumentView.as_view(),
        name="api-member-stage-change-documents",
    ),
    path(
        "members/<int:pk>/step-records/",
        api_views.StepRecordListView.as_view(),
        name="api-member-step-records",
    ),
    path(
        "members/<int:pk>/step-records/<int:record_id>/documents/",
        api_views.StepRecordDocumentView.as_view(),
        name="api-member-step-record-documents",
    ),
    path(
        "members/<int:pk>/step-records/<int:record_id>/confirm/",
        api_views.StepRecordConfirmView.as_view(),
        name="api-member-step-record-confirm",
    ),
    path(
        "members/<int:pk>/step-records/<int:record_id>/return/",
        api_views.StepRecordReturnView.as_view(),
        name="api-member-step-record-return",
    ),
    path(
        "documents/<str:kind>/<int:pk>/",
        api_views.DocumentDownloadView.as_view(),
        name="api-document",
    ),
    path(
        "units/<int:pk>/pipeline/",
        api_views.UnitPipelineView.as_view(),
        name="api-unit-pipeline",
    ),
]
