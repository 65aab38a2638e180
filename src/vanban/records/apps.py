from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "vanban.records"
    label = "records"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Hồ sơ và lưu trữ"

    def ready(self) -> None:
        from vanban.documents.page_actions import document_action_register

        from .page_links import dossier_links

        # R19: documents, draft versions and processing results are put into dossiers from
        # the pages that show them; the document page names the dossiers it belongs to.
        document_action_register(dossier_links)
