from django.urls import path

from civwatch.sanctions import views

app_name = "sanctions"
urlpatterns = [
    path("", views.dataset_list, name="datasets"),
    path("staff/links/", views.link_list, name="links"),
    path("staff/links/decide/", views.links_decide, name="links_decide"),
    path("staff/links/<int:pk>/decide/", views.link_decide, name="link_decide"),
    path("<slug:slug>/", views.dataset_detail, name="dataset"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("<slug:slug>/entries/<path:source_id>/", views.entry_detail, name="entry"),
]
