"""Records pages under /ho-so/ (namespace "records"): the dossier list, dossiers, the hand-over.

Each part keeps its own routes in its own module; this one only joins them."""

from . import urls_dossiers, urls_handover, urls_lists, urls_use

app_name = "records"
urlpatterns = [
    *urls_lists.urlpatterns,
    *urls_dossiers.urlpatterns,
    *urls_handover.urlpatterns,
    *urls_use.urlpatterns,
]
