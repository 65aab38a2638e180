"""URLs of the release notes and the state of the server (namespace "oversight")."""

from django.urls import URLPattern, path

from . import views_releases as views

urlpatterns: list[URLPattern] = [
    path("co-gi-moi/", views.release_notes_page, name="release_notes"),
    path("co-gi-moi/da-xem/", views.release_notice_close, name="release_notice_close"),
    path("he-thong/", views.system_status_page, name="system_status"),
]
