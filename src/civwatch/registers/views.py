from django.contrib.syndication.views import Feed
from django.http import HttpResponse


def register_list(request):
    return HttpResponse("civwatch")


entity_detail = change_list = snapshot_detail = statistics = register_list


class ChangesFeed(Feed):
    title = "civwatch changes"
    link = "/changes/"

    def items(self):
        return []
