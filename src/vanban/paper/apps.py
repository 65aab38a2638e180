from django.apps import AppConfig


class PaperConfig(AppConfig):
    name = "vanban.paper"
    label = "paper"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Văn bản giấy từ bản quét"

    def ready(self) -> None:
        from vanban.documents.files import FileSource, file_source_register

        from .models import STORAGE_PREFIX

        # The scans waiting in the queue and the searchable copies OCR made of them (R14, R25):
        # `vanban files check` verifies both and reports those nobody references.
        label = "bản quét chờ vào sổ"
        file_source_register(FileSource("paper.ScanItem", STORAGE_PREFIX, "id", label))
        file_source_register(
            FileSource(
                "paper.ScanItem",
                STORAGE_PREFIX,
                "id",
                f"{label} (bản PDF/A đọc được)",
                storage_field="ocr_storage_name",
                sha256_field="ocr_sha256",
            )
        )
