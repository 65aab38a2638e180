"""All document URLs share the namespace "documents"; each part keeps its own list."""

from . import urls_files, urls_pages, urls_registers, urls_search

app_name = "documents"
urlpatterns = [
    *urls_pages.urlpatterns,
    *urls_files.urlpatterns,
    *urls_registers.urlpatterns,
    *urls_search.urlpatterns,
]
