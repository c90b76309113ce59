from django.urls import path

from civwatch.letters import staff, views

app_name = "letters"
urlpatterns = [
    path("", views.letter_list, name="list"),
    path("confirm/", views.confirm, name="confirm"),
    path("staff/", staff.letter_list, name="staff_list"),
    path("staff/<slug:slug>/", staff.letter_detail, name="staff_letter"),
    path("staff/<slug:slug>/versions/", staff.version_add, name="staff_version_add"),
    path("staff/<slug:slug>/move/", staff.letter_move, name="staff_move"),
    path("staff/<slug:slug>/deliveries/", staff.delivery_add, name="staff_delivery_add"),
    path("staff/signatures/<int:pk>/decide/", staff.signature_decide, name="staff_decide"),
    path("staff/deliveries/<int:pk>/replies/", staff.reply_add, name="staff_reply_add"),
    path("<slug:slug>/", views.letter_detail, name="letter"),
    path("<slug:slug>/sign/", views.sign, name="sign"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/signatures.csv", views.signatures_csv, name="signatures_csv"),
    path("<slug:slug>/deliveries/<int:pk>.pdf", views.delivered_pdf, name="delivered_pdf"),
]
