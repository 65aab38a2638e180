"""URLs of dossiers (namespace "records", under /ho-so/)."""

from django.urls import URLPattern, path

from . import views_dossiers as views

urlpatterns: list[URLPattern] = [
    path("cua-toi/", views.dossier_mine, name="dossier_mine"),
    path("co-quan/", views.dossier_unit_list, name="dossier_unit_list"),
    path("mo-ho-so/", views.dossier_open, name="dossier_open"),
    path("<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("<int:pk>/sua/", views.dossier_edit, name="dossier_edit"),
    path("<int:pk>/ket-thuc/", views.dossier_close, name="dossier_close"),
    path("<int:pk>/mo-lai/", views.dossier_reopen, name="dossier_reopen"),
    path("<int:pk>/thu-tu/", views.dossier_items_order, name="dossier_items_order"),
    path(
        "<int:pk>/van-ban/<int:item_id>/chuyen/",
        views.dossier_item_move,
        name="dossier_item_move",
    ),
    path(
        "<int:pk>/van-ban/<int:item_id>/bo/",
        views.dossier_item_remove,
        name="dossier_item_remove",
    ),
    path("<int:pk>/cho-doc/", views.dossier_share, name="dossier_share"),
    path(
        "<int:pk>/cho-doc/<int:user_id>/thoi/",
        views.dossier_unshare,
        name="dossier_unshare",
    ),
    path(
        "them-vao-ho-so/<str:kind>/<int:pk>/",
        views.dossier_item_add,
        name="dossier_item_add",
    ),
]
