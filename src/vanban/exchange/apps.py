from django.apps import AppConfig

from . import edxml


class ExchangeConfig(AppConfig):
    name = "vanban.exchange"
    label = "exchange"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Liên thông văn bản"

    def ready(self) -> None:
        from vanban.documents.files import FileSource, detect_format, file_source_register
        from vanban.documents.intake import package_intake_register
        from vanban.documents.models import DocumentPolicy

        from . import intake
        from .partners.services import INBOUND_PREFIX

        # The edXML codec knows nothing of the documents app: it is told the province's file
        # size limit and which ZIP files are documents (DOCX, ODT, ...) rather than archives.
        edxml.configure(
            max_bytes=lambda: DocumentPolicy.current().max_file_size_mb * edxml.MB,
            is_document=lambda data: detect_format(data) is not None,
        )
        # R16: the incoming registration page reads edXML packages through this app.
        package_intake_register(intake)
        # Packages received from partner systems, kept as they arrived (R15).
        file_source_register(FileSource("exchange.Inbound", INBOUND_PREFIX, "id", "gói tin nhận"))
