from django.urls import path

from civwatch.accountability import staff, views

app_name = "accountability"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("<int:pk>/", views.entry_detail, name="entry"),
    path("accountability.ftm.jsonl", views.export_ftm, name="export"),
    path("staff/", staff.entry_list, name="staff_list"),
    path("staff/<int:pk>/", staff.entry_detail, name="staff_entry"),
    path("staff/<int:pk>/edit/", staff.entry_edit, name="staff_edit"),
    path("staff/<int:pk>/acts/", staff.act_add, name="staff_act_add"),
    path("staff/acts/<int:pk>/approve/", staff.act_approve, name="staff_act_approve"),
    path("staff/<int:pk>/move/", staff.entry_move, name="staff_move"),
    path("staff/<int:pk>/add/<str:kind>/", staff.record_add, name="staff_record_add"),
    path("staff/<int:pk>/submissions/", staff.submission_add, name="staff_submission_add"),
    path("staff/submissions/<int:pk>/", staff.outcome_set, name="staff_outcome"),
    path("staff/<int:pk>/dossier/", staff.dossier_request, name="staff_dossier"),
]
