from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "vanban.workflow"
    label = "workflow"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Xử lý văn bản"
