from django.apps import AppConfig


class ScanningConfig(AppConfig):
    name = "vanban.scanning"
    label = "scanning"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Quét mã độc"

    # Its quarantine folder is declared with the stored files in documents.files (FILE_SOURCES):
    # the upload gate there calls the scan, so scanning sits below documents in the layers.
