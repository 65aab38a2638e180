from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The composition root: what puts the apps together for a person or an operator.

    The home page, the first run (quickstart) and the demo province, backup and restore. It may
    import every app below it; no app imports it (docs/architecture.md, "Layers").
    """

    name = "vanban.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"
