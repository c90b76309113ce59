from django.urls import path

from civwatch.core.feeds import conditional
from civwatch.registers import views
from civwatch.registers.feeds import ChangesFeed, feed_state

app_name = "registers"
urlpatterns = [
    path("", views.register_list, name="list"),
    path("entities/<str:entity_id>/", views.entity_detail, name="entity"),
    path("changes/", views.change_list, name="changes"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot"),
    path("changes/feed.atom", conditional(ChangesFeed(), feed_state), name="feed"),
    path("statistics/", views.statistics, name="statistics"),
]
