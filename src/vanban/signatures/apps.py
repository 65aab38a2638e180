from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "vanban.signatures"
    label = "signatures"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Chữ ký số"

    def ready(self) -> None:
        from vanban.documents.files import FileSource, file_source_register

        from .services import MARKS_PREFIX

        file_source_register(FileSource("signatures.SignatureMark", MARKS_PREFIX, "id", "hình"))
