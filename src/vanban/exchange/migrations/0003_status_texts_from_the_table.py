"""One text per edXML status code (edxml.constants): the choices of a delivery's status and
take-back take their labels from the table, and the trail already written is worded the same.

The texts are written out here (a migration records a past state; it must not follow the table
when the table changes later). Each event keeps its code; only the label next to it changes, and
going back restores the words each kind of delivery used before.
"""

from django.db import migrations, models

NEW = {
    "02": "bị từ chối",
    "13": "đề nghị thu hồi",
    "15": "đồng ý thu hồi/cập nhật",
    "16": "từ chối thu hồi/cập nhật",
}
# The words used before: inside the deployment, and for documents sent to other systems.
OLD_LOCAL = {
    "02": "bị trả lại",
    "13": "đề nghị thu hồi",
    "15": "đã đồng ý thu hồi",
    "16": "từ chối thu hồi",
}
OLD_PARTNER = {
    "02": "bị từ chối",
    "13": "đề nghị lấy lại",
    "15": "đồng ý cập nhật/lấy lại",
    "16": "từ chối cập nhật/lấy lại",
}


def _relabel(apps, model, labels):
    events = apps.get_model("exchange", model)
    for code, label in labels.items():
        events.objects.filter(code=code).exclude(label=label).update(label=label)


def forwards(apps, schema_editor):
    _relabel(apps, "DeliveryEvent", NEW)
    _relabel(apps, "ExternalEvent", NEW)


def backwards(apps, schema_editor):
    _relabel(apps, "DeliveryEvent", OLD_LOCAL)
    _relabel(apps, "ExternalEvent", OLD_PARTNER)


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0002_adopt_partner_models'),
    ]

    operations = [
        migrations.AlterField(
            model_name='delivery',
            name='recall_status',
            field=models.CharField(blank=True, choices=[('', 'không'), ('13', 'đề nghị thu hồi'), ('15', 'đồng ý thu hồi/cập nhật'), ('16', 'từ chối thu hồi/cập nhật')], default='', max_length=2, verbose_name='thu hồi'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='status',
            field=models.CharField(choices=[('01', 'đã đến'), ('02', 'bị từ chối'), ('03', 'đã vào sổ'), ('04', 'đã giao xử lý'), ('05', 'đang xử lý'), ('06', 'hoàn thành')], default='01', max_length=2, verbose_name='trạng thái'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
