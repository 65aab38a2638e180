"""URLs of the archival packages (namespace "records")."""

from django.urls import path

from . import views_package

urlpatterns = [
    path("<int:pk>/goi-luu-tru.zip", views_package.dossier_package, name="dossier_package"),
    path(
        "nop-luu/<int:pk>/goi-luu-tru.zip",
        views_package.handover_package,
        name="handover_package",
    ),
]
