"""The yearly list of document kinds that must be exchanged electronically (R22; Art. 8.2 of the
provincial regulation): data the province administrator sets for each year."""

from django.conf import settings
from django.db import models


class ElectronicKind(models.Model):
    """One line of a year's list: a document type, perhaps narrowed by words of the subject.

    An exception line (`is_exception`) names documents of the type that need not travel
    electronically although a line of the list covers them (for example a type whose subject
    says it goes with a paper dossier). Secret documents (Mật, Tối mật, Tuyệt mật) never enter the
    system at all (R13, Art. 4), so they never count against a unit.
    """

    year = models.PositiveSmallIntegerField("năm")
    document_type = models.ForeignKey(
        "documents.DocumentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="loại văn bản",
    )
    # Words that the subject contains, in order (matched without diacritics, whole words);
    # empty: every document of the type.
    subject_keyword = models.CharField("trích yếu có cụm từ", max_length=100, blank=True)
    is_exception = models.BooleanField("ngoại lệ (không bắt buộc gửi điện tử)", default=False)
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "is_exception", "document_type__order", "subject_keyword", "id"]
        verbose_name = "loại văn bản bắt buộc gửi điện tử"
        verbose_name_plural = "danh mục văn bản bắt buộc gửi điện tử"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "document_type", "subject_keyword", "is_exception"],
                name="unique_electronic_kind",
            )
        ]
        indexes = [models.Index(fields=["year"], name="electronic_kind_year")]

    def __str__(self) -> str:
        words = f" – “{self.subject_keyword}”" if self.subject_keyword else ""
        return f"{self.year}: {self.document_type_id}{words}"
