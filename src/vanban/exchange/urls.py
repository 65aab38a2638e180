"""Exchange pages under /lien-thong/ (namespace "exchange")."""

from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("hang-cho/", views.queue, name="queue"),
    path("hang-cho/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("hang-cho/<int:pk>/vao-so/", views.delivery_register, name="delivery_register"),
    path("hang-cho/<int:pk>/tra-lai/", views.delivery_return, name="delivery_return"),
    path("hang-cho/<int:pk>/thu-hoi/", views.recall_answer, name="recall_answer"),
    path("hang-cho/<int:pk>/tep/<int:file_pk>/", views.received_file, name="received_file"),
    path("van-ban/<int:document_pk>/", views.sent_status, name="sent_status"),
    path("van-ban/<int:document_pk>/gui/", views.send, name="send"),
    path("van-ban/<int:document_pk>/thu-hoi/", views.recall, name="recall"),
]
