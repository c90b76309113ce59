from django.urls import path

from civwatch.screening import views

app_name = "screening"
urlpatterns = [
    path("", views.screen_page, name="screen"),
    path("csv/", views.screen_csv_upload, name="csv"),
]
