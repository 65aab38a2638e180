from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "vanban.agenda"
    label = "agenda"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Lịch công tác tuần"
