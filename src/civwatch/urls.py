from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from civwatch.accounts.views import admin_login
from civwatch.api import api
from civwatch.core.views import audit_log
from civwatch.registers.staff import decide_held, upload_snapshots, watch_history

urlpatterns = [
    path("api/", api.urls),
    # yente's API for yente clients (base URL https://HOST/yente/api; docs/matching.md).
    path("", include("civwatch.screening.yente")),
    path("i18n/setlang/", set_language, name="set_language"),
]
urlpatterns += i18n_patterns(
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("accounts/", include("civwatch.accounts.urls")),
    path("jobs/", include("civwatch.jobs.urls")),
    path("screening/", include("civwatch.screening.urls")),
    path("staff/registers/import/", upload_snapshots, name="upload_snapshots"),
    # `civwatch watch`: fetch history and decisions on held snapshots (docs/registers.md).
    path("staff/registers/watch/", watch_history, name="registers_watch"),
    path("staff/registers/watch/<int:pk>/decide/", decide_held, name="registers_decide"),
    path("staff/audit/", audit_log, name="audit_log"),
    path("cases/", include("civwatch.cases.urls")),
    path("sanctions/", include("civwatch.sanctions.urls")),
    path("accountability/", include("civwatch.accountability.urls")),
    path("staff/intake/", include("civwatch.intake.urls")),
    # Open letters (civwatch.letters)
    path("letters/", include("civwatch.letters.urls")),
    # Citizens' initiatives: public submission and receipt pages, reviewers' pages.
    path("initiatives/", include("civwatch.initiatives.urls")),
    # Versioned open-data releases (civwatch.releases; docs/releases.md).
    path("releases/", include("civwatch.releases.urls")),
    path("", include("civwatch.registers.urls")),
    prefix_default_language=False,
)

# People forced abroad (issue 13, civwatch.exiles): staff files and the public figures.
urlpatterns += i18n_patterns(
    path("", include("civwatch.exiles.urls")),
    prefix_default_language=False,
)
