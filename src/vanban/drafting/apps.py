from django.apps import AppConfig


class DraftingConfig(AppConfig):
    name = "vanban.drafting"
    label = "drafting"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Soạn thảo và ban hành văn bản"

    def ready(self) -> None:
        from vanban.documents.files import FileSource, file_source_register
        from vanban.exchange.issuing_facts import issuing_facts_register
        from vanban.workflow.selectors.my_work import work_counter_register, work_section_register

        from . import discussion
        from .issuing_facts import issuing_facts_of_draft
        from .selectors import draft_tasks, waiting_counts
        from .services import STORAGE_PREFIX
        from .signing import SIGNED_PREFIX

        # R18: "Việc của tôi" shows the drafts waiting for the person.
        work_section_register("drafts", draft_tasks)
        # Drafts have a discussion thread beside the formal requests for comments.
        discussion.register()
        work_counter_register(waiting_counts)
        # The packages of issued documents carry the signer's competence and the drafter.
        issuing_facts_register(issuing_facts_of_draft)

        file_source_register(
            FileSource("drafting.DraftVersion", STORAGE_PREFIX, "draft_id", "dự thảo")
        )
        # The PDF/A converted from a Word or ODT version, stored beside it.
        file_source_register(
            FileSource(
                "drafting.DraftVersion",
                STORAGE_PREFIX,
                "draft_id",
                "bản PDF của dự thảo",
                storage_field="pdf_storage_name",
                sha256_field="pdf_sha256",
            )
        )
        file_source_register(
            FileSource(
                "drafting.Draft",
                SIGNED_PREFIX,
                "id",
                "bản ký số của dự thảo",
                storage_field="signed_storage_name",
                sha256_field="signed_sha256",
                name_field="subject",
            )
        )
