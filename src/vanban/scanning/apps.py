from django.apps import AppConfig


class ScanningConfig(AppConfig):
    name = "vanban.scanning"
    label = "scanning"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Quét mã độc"

    def ready(self) -> None:
        from vanban.documents.files import FileSource, file_source_register

        from .services import QUARANTINE_PREFIX

        file_source_register(
            FileSource("scanning.Detection", QUARANTINE_PREFIX, "id", "tệp cách ly (mã độc)")
        )
