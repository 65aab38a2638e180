from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "vanban.interop"
    label = "interop"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Liên thông với hệ thống khác"

    def ready(self) -> None:
        from vanban.documents.files import FileSource, file_source_register

        from .services import INBOUND_PREFIX

        file_source_register(FileSource("exchange.Inbound", INBOUND_PREFIX, "id", "gói tin nhận"))
