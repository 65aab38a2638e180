from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "vanban.signatures"
    label = "signatures"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Chữ ký số"

    def ready(self) -> None:
        from vanban.documents.files import FileSource, file_source_register
        from vanban.documents.receipt_checks import receipt_check_register

        from . import receipt
        from .services import KEYS_PREFIX, MARKS_PREFIX

        # R11: the signatures of a document's PDF files are checked when it is registered.
        receipt_check_register(receipt)

        file_source_register(FileSource("signatures.SignatureMark", MARKS_PREFIX, "id", "hình"))
        file_source_register(
            FileSource(
                "signatures.Certificate",
                KEYS_PREFIX,
                "id",
                "tệp khóa PKCS#12",
                storage_field="pkcs12_storage_name",
                sha256_field="pkcs12_sha256",
                name_field="subject_name",
            )
        )
