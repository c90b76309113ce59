from django.urls import path

from civwatch.exiles import views

app_name = "exiles"
urlpatterns = [
    path("staff/exiles/", views.my_files, name="my_files"),
    path("staff/exiles/<int:pk>/", views.file_page, name="file"),
    path("staff/exiles/<int:pk>/edit/", views.file_edit, name="edit"),
    path("staff/exiles/<int:pk>/support/", views.action_add, name="action_add"),
    path("staff/exiles/<int:pk>/consents/", views.consent_add, name="consent_add"),
    path("staff/exiles/<int:pk>/caseworkers/", views.assign, name="assign"),
    path("staff/exiles/<int:pk>/state/", views.state, name="state"),
    path("staff/exiles/<int:pk>/subject.json", views.subject_export, name="subject_export"),
    path(
        "staff/exiles/<int:pk>/subject.pdf",
        views.subject_export,
        {"fmt": "pdf"},
        name="subject_export_pdf",
    ),
    path("staff/helpline/", views.helpline, name="helpline"),
    path("staff/helpline/<int:pk>/", views.help_request, name="help_request"),
    path("support-abroad/", views.public_figures, name="figures"),
]
