"""The province's default administrative-reform criteria about IT use in document work for 2026
(Art. 12.2 of the provincial regulation): ten points over five figures of the usage statistics.
The province administrator changes them on the criteria page (docs/oversight.md)."""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

YEAR = 2026
NOTE = (
    "Tiêu chí mặc định: ứng dụng công nghệ thông tin trong quản lý văn bản và điều hành "
    "(Quy chế ban hành kèm Quyết định số 44/2017/QĐ-UBND, Điều 12 khoản 2)."
)
# (code, name, measure, threshold %, target %, points)
CRITERIA = [
    (
        "CNTT.1",
        "Văn bản đi được gửi điện tử qua hệ thống",
        "sent_electronic",
        "50",
        "90",
        "2",
    ),
    (
        "CNTT.2",
        "Văn bản đến được nhận điện tử qua hệ thống",
        "received_electronic",
        "50",
        "90",
        "2",
    ),
    ("CNTT.3", "Văn bản đến và đi có chữ ký số hợp lệ", "signed", "40", "90", "2"),
    (
        "CNTT.4",
        "Văn bản đến được xử lý trên hệ thống",
        "processed_on_system",
        "50",
        "90",
        "2",
    ),
    (
        "CNTT.5",
        "Văn bản thuộc danh mục bắt buộc được gửi điện tử và ký số",
        "mandatory_electronic",
        "80",
        "100",
        "2",
    ),
]


def add_criteria(apps, schema_editor):
    scheme_model = apps.get_model("oversight", "ReformScheme")
    criterion_model = apps.get_model("oversight", "ReformCriterion")
    if scheme_model.objects.filter(year=YEAR).exists():
        return
    scheme = scheme_model.objects.create(
        year=YEAR, total_points=Decimal(10), note=NOTE, updated_at=timezone.now()
    )
    criterion_model.objects.bulk_create(
        criterion_model(
            scheme=scheme,
            code=code,
            name=name,
            measure=measure,
            threshold=Decimal(threshold),
            target=Decimal(target),
            max_points=Decimal(points),
            order=position,
        )
        for position, (code, name, measure, threshold, target, points) in enumerate(
            CRITERIA, start=1
        )
    )


def remove_criteria(apps, schema_editor):
    apps.get_model("oversight", "ReformScheme").objects.filter(year=YEAR).delete()


class Migration(migrations.Migration):
    dependencies = [("oversight", "0003_exchange_kinds_and_reform_criteria")]

    operations = [migrations.RunPython(add_criteria, remove_criteria)]
