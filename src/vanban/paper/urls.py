"""The scan intake's pages, under /van-ban/den/ban-quet/ (beside "den/vao-so/", the incoming
registration page of documents)."""

from django.urls import URLPattern, path

from . import views

app_name = "paper"

urlpatterns: list[URLPattern] = [
    path("", views.scan_queue, name="queue"),
    path("<int:pk>/", views.scan_confirm, name="confirm"),
    path("<int:pk>/bo/", views.scan_discard, name="discard"),
    path("<int:pk>/doc-lai/", views.scan_reread, name="reread"),
    path("<int:pk>/trang/<int:number>/", views.scan_page, name="page"),
]
