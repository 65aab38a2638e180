"""URLs of the retention schedule and the yearly dossier list (namespace "records")."""

from django.urls import URLPattern, path

from . import views_lists, views_retention

RETENTION = "thoi-han-bao-quan/"
LIST = "danh-muc/<int:pk>/"
HEADING = "danh-muc/de-muc/<int:pk>/"
ENTRY = "danh-muc/ho-so/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(RETENTION, views_retention.retention_schedule, name="retention_schedule"),
    path(f"{RETENTION}them/", views_retention.retention_item_create, name="retention_item_create"),
    path(
        f"{RETENTION}<int:pk>/sua/", views_retention.retention_item_edit, name="retention_item_edit"
    ),
    path(
        f"{RETENTION}<int:pk>/ngung/",
        views_retention.retention_item_deactivate,
        name="retention_item_deactivate",
    ),
    path(
        f"{RETENTION}<int:pk>/dung-lai/",
        views_retention.retention_item_activate,
        name="retention_item_activate",
    ),
    path(
        f"{RETENTION}<int:pk>/xoa/",
        views_retention.retention_item_delete,
        name="retention_item_delete",
    ),
    path("danh-muc/", views_lists.list_index, name="list_index"),
    path("danh-muc/tao/", views_lists.list_create, name="list_create"),
    path(LIST, views_lists.list_detail, name="list_detail"),
    path(f"{LIST}trinh/", views_lists.list_submit, name="list_submit"),
    path(f"{LIST}duyet/", views_lists.list_approve, name="list_approve"),
    path(f"{LIST}tra-lai/", views_lists.list_return, name="list_return"),
    path(f"{LIST}mo-lai/", views_lists.list_reopen, name="list_reopen"),
    path(f"{LIST}sao-sang-nam-sau/", views_lists.list_copy_forward, name="list_copy_forward"),
    path(f"{LIST}ban-in.pdf", views_lists.list_pdf, name="list_pdf"),
    path(f"{LIST}de-muc/them/", views_lists.heading_create, name="list_heading_create"),
    path(f"{HEADING}sua/", views_lists.heading_edit, name="list_heading_edit"),
    path(f"{HEADING}xoa/", views_lists.heading_delete, name="list_heading_delete"),
    path(f"{HEADING}len/", views_lists.heading_up, name="list_heading_up"),
    path(f"{HEADING}xuong/", views_lists.heading_down, name="list_heading_down"),
    path(f"{HEADING}them-ho-so/", views_lists.entry_create, name="list_entry_create"),
    path(f"{ENTRY}sua/", views_lists.entry_edit, name="list_entry_edit"),
    path(f"{ENTRY}xoa/", views_lists.entry_delete, name="list_entry_delete"),
]
