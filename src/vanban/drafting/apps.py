from django.apps import AppConfig


class DraftingConfig(AppConfig):
    name = "vanban.drafting"
    label = "drafting"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Soạn thảo và ban hành văn bản"
