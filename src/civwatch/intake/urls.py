from django.urls import path

from civwatch.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.article, name="article"),
    path("<int:pk>/mentions/<int:mention>/", views.decision, name="decision"),
    path("<int:pk>/claim/", views.claim, name="claim"),
]
