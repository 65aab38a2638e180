from django.apps import AppConfig
from django.core.servers.basehttp import WSGIRequestHandler


class CoreConfig(AppConfig):
    name = "vanban.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's own server (`runserver` of the first command, the live server of the tests)
        # keeps HTTP/1.1 connections open and writes an answer in several small pieces: with
        # Nagle's algorithm on, each answer then waits for the client's delayed acknowledgement,
        # about 40 ms a request on Linux. TCP_NODELAY sends every piece at once.
        WSGIRequestHandler.disable_nagle_algorithm = True
