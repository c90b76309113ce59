from django.urls import path, register_converter

from civwatch.core.feeds import conditional
from civwatch.releases import views
from civwatch.releases.writing import NAME


class ReleaseName:
    """A release's name (`2026-11-30.1`): anything else never reaches the views."""

    regex = NAME.pattern.replace("?P<date>", "?:").replace("?P<sequence>", "?:")

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReleaseName, "release")

app_name = "releases"
urlpatterns = [
    path("", views.release_list, name="list"),
    path("feed.atom", conditional(views.ReleasesFeed(), views.feed_state), name="feed"),
    path("<release:name>/", views.release_detail, name="detail"),
    path("<release:name>/files/<str:path>", views.release_file, name="file"),
]
