from django.urls import path

from . import pages, views

app_name = "interop"

urlpatterns = [
    path("nhan/", views.receive_view, name="receive"),
    path("", pages.partner_list, name="partner_list"),
    path("them/", pages.partner_create, name="partner_create"),
    path("<int:pk>/", pages.partner_edit, name="partner_edit"),
    path("<int:pk>/ma-xac-thuc/", pages.partner_secret, name="partner_secret"),
    path("ma-dinh-danh/", pages.codes_import, name="codes_import"),
    path("den/<int:pk>/", pages.inbound_detail, name="inbound_detail"),
    path("den/<int:pk>/vao-so/", pages.inbound_register, name="inbound_register"),
    path("den/<int:pk>/tu-choi/", pages.inbound_refuse, name="inbound_refuse"),
    path("den/<int:pk>/tep/<int:index>/", pages.inbound_file, name="inbound_file"),
    path("den/<int:pk>/lay-lai/", pages.inbound_take_back, name="inbound_take_back"),
    path("giam-sat/", pages.monitor, name="monitor"),
    path("giam-sat/<int:pk>/gui-lai/", pages.retry, name="retry"),
]
