"""Work calendar pages under /lich-cong-tac/ (namespace "agenda")."""

from django.urls import path

from . import views

app_name = "agenda"
WEEK = "<int:unit_id>/<int:year>/tuan-<int:week>/"
urlpatterns = [
    path("", views.week_current, name="week_current"),
    path(WEEK, views.week, name="week"),
    path(f"{WEEK}them/", views.entry_create, name="entry_create"),
    path(f"{WEEK}ban-in.pdf", views.week_pdf, name="week_pdf"),
    path(f"{WEEK}lich.ics", views.week_ics, name="week_ics"),
    path("noi-dung/<int:pk>/sua/", views.entry_edit, name="entry_edit"),
    path("noi-dung/<int:pk>/xoa/", views.entry_delete, name="entry_delete"),
    path("tuan/<int:pk>/trinh/", views.week_submit, name="week_submit"),
    path("tuan/<int:pk>/duyet/", views.week_approve, name="week_approve"),
    path("tuan/<int:pk>/tra-lai/", views.week_return, name="week_return"),
]
