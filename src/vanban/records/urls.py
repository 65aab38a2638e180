"""Records pages under /ho-so/ (namespace "records"): the dossier list, dossiers, the hand-over,
search and use.

Each part keeps its own routes in its own module; this one only joins them."""

from django.urls import path
from django.views.generic import RedirectView

from . import urls_dossiers, urls_handover, urls_lists, urls_package, urls_use

app_name = "records"
urlpatterns = [
    # The menu's "Hồ sơ": every records page lies under this address, so the menu marks it.
    path("", RedirectView.as_view(pattern_name="records:dossier_mine"), name="home"),
    *urls_lists.urlpatterns,
    *urls_dossiers.urlpatterns,
    *urls_handover.urlpatterns,
    *urls_use.urlpatterns,
    *urls_package.urlpatterns,
]
