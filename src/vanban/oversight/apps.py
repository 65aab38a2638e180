from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "vanban.oversight"
    label = "oversight"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Giám sát, thống kê và hỗ trợ"

    def ready(self) -> None:
        from vanban.core.page_tools import page_tool_register
        from vanban.documents.files import FileSource, file_source_register

        from .faults import SCREENSHOT_PREFIX
        from .page_tools import fault_report_tool

        # R21: "Báo lỗi" on every signed-in page (base.html, in core, knows no app above it).
        page_tool_register(fault_report_tool)
        # The screenshots of fault reports are stored files: `vanban files check` sees them.
        file_source_register(
            FileSource(
                "oversight.FaultReport",
                SCREENSHOT_PREFIX,
                "id",
                "ảnh chụp màn hình báo lỗi",
                storage_field="screenshot_storage_name",
                sha256_field="screenshot_sha256",
                name_field="screenshot_name",
            )
        )
