"""URL patterns of one part of the documents app; joined in documents/urls.py."""

from django.urls import URLPattern, path

from . import discussion_views, views

urlpatterns: list[URLPattern] = [
    path("den/", views.incoming_list, name="incoming_list"),
    path("di/", views.outgoing_list, name="outgoing_list"),
    path("den/vao-so/", views.incoming_create, name="incoming_create"),
    path("di/vao-so/", views.outgoing_create, name="outgoing_create"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("<int:pk>/chuyen/", views.document_share, name="document_share"),
    path(
        "trao-doi/<slug:kind>/<int:subject_id>/",
        discussion_views.discussion_post,
        name="discussion_post",
    ),
    path("so-van-ban/", views.series_list, name="series_list"),
    path("so-van-ban/mo-so/", views.series_create, name="series_create"),
]
