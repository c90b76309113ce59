from django.urls import path

from civwatch.cases import staff, staff_records, staff_review, views

app_name = "cases"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("evidence/<int:pk>/preview.png", views.evidence_preview, name="evidence_preview"),
    path("incidents.jsonl", views.export_incidents, name="export"),
    path("feed.atom", views.IncidentsFeed(), name="feed"),
    path("staff/", staff.home, name="staff_home"),
    path("staff/review/", staff.review_queue, name="staff_review"),
    path("staff/incidents/new/", staff.incident_new, name="staff_incident_new"),
    path("staff/incidents/<int:pk>/", staff.incident_detail, name="staff_incident"),
    path("staff/incidents/<int:pk>/edit/", staff.incident_edit, name="staff_incident_edit"),
    path(
        "staff/incidents/<int:pk>/participants/",
        staff.participant_add,
        name="staff_participant_add",
    ),
    path("staff/incidents/<int:pk>/evidence/", staff.evidence_add, name="staff_evidence_add"),
    path("staff/incidents/<int:pk>/claims/", staff.claim_add, name="staff_claim_add"),
    path("staff/move/<str:model>/<int:pk>/", staff.move_record, name="staff_move"),
    path("staff/changes/<int:pk>/", staff_review.decide, name="staff_change_decide"),
    path(
        "staff/participants/<int:pk>/edit/", staff.participant_edit, name="staff_participant_edit"
    ),
    path(
        "staff/positions/<int:pk>/remove/",
        staff_review.position_remove,
        name="staff_position_remove",
    ),
    path(
        "staff/participants/<int:pk>/remove/",
        staff_review.participant_remove,
        name="staff_participant_remove",
    ),
    path("staff/evidence/<int:pk>/", staff.evidence_detail, name="staff_evidence"),
    path("staff/evidence/<int:pk>/original/", staff.evidence_original, name="staff_original"),
    path("staff/evidence/<int:pk>/preview.png", staff.evidence_preview, name="staff_preview"),
    path("staff/cases/<int:pk>/assignees/", staff_records.case_assign, name="staff_case_assign"),
] + [
    route
    for kind, plural in (("case", "cases"), ("position", "positions"))
    for route in (
        path(f"staff/{plural}/", staff_records.record_list, {"kind": kind},
             name=f"staff_{plural}"),
        path(f"staff/{plural}/new/", staff_records.record_form, {"kind": kind},
             name=f"staff_{kind}_new"),
        path(f"staff/{plural}/<int:pk>/", staff_records.record_detail, {"kind": kind},
             name=f"staff_{kind}"),
        path(f"staff/{plural}/<int:pk>/edit/", staff_records.record_form, {"kind": kind},
             name=f"staff_{kind}_edit"),
    )
]  # fmt: skip
