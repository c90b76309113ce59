from django.urls import path

from civwatch.initiatives import staff, views

app_name = "initiatives"
urlpatterns = [
    path("", views.published, name="published"),
    path("propose/", views.submit, name="submit"),
    path("receipt/", views.status, name="status"),
    path("receipt/answer/", views.answer, name="answer"),
    path("staff/", staff.index, name="staff_list"),
    path("staff/<int:pk>/", staff.detail, name="staff_detail"),
    path("staff/<int:pk>/<slug:action>/", staff.act, name="staff_act"),
    path(
        "staff/<int:pk>/attachments/<int:number>/<slug:which>/",
        staff.attachment_file,
        name="attachment",
    ),
]
