from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "vanban.documents"
    label = "documents"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Văn bản"

    def ready(self) -> None:
        from .discussions import register_documents

        register_documents()
