"""A sent document is one model whatever the transport (R15): `Delivery` gains the transport
(local, direct, gateway), the partner, the agency code and name of a partner recipient and the
edXML DocumentId; the recipient unit and the creator may be empty, the status blank ("chờ gửi")
until a partner reports. One delivery per (document, unit) inside the deployment, one per
(document, agency code, business type) to other systems. The rows of the former
`ExternalDelivery`/`ExternalEvent` are copied by 0005 and their tables dropped by 0006.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_login_limits_second_factor'),
        ('documents', '0006_share_user_document_index'),
        ('exchange', '0003_status_texts_from_the_table'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='delivery',
            options={'ordering': ['-created_at', '-id'], 'verbose_name': 'văn bản gửi', 'verbose_name_plural': 'văn bản gửi'},
        ),
        migrations.RemoveConstraint(
            model_name='delivery',
            name='unique_delivery_per_unit',
        ),
        migrations.AddField(
            model_name='delivery',
            name='agency_code',
            field=models.CharField(blank=True, max_length=13, verbose_name='mã định danh nơi nhận'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='edxml_id',
            field=models.CharField(blank=True, max_length=255, verbose_name='DocumentId'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='partner',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='exchange.partner', verbose_name='hệ thống liên thông'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='recipient_name',
            field=models.CharField(blank=True, max_length=255, verbose_name='nơi nhận'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='transport',
            field=models.CharField(choices=[('local', 'Trong hệ thống'), ('direct', 'Kết nối trực tiếp giữa hai hệ thống (HTTP)'), ('gateway', 'Trục liên thông của tỉnh (LGSP)')], default='local', max_length=10, verbose_name='cách gửi'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='recipient_unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='accounts.unit', verbose_name='đơn vị nhận'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='status',
            field=models.CharField(blank=True, choices=[('', 'chờ gửi'), ('01', 'đã đến'), ('02', 'bị từ chối'), ('03', 'đã vào sổ'), ('04', 'đã giao xử lý'), ('05', 'đang xử lý'), ('06', 'hoàn thành'), ('13', 'đề nghị thu hồi'), ('15', 'đồng ý thu hồi/cập nhật'), ('16', 'từ chối thu hồi/cập nhật')], default='01', max_length=2, verbose_name='trạng thái'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='status_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='thời điểm trạng thái'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(condition=models.Q(('transport', 'local'), _negated=True), fields=['edxml_id', 'agency_code'], name='delivery_partner_lookup'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(condition=models.Q(('transport', 'local')), fields=('document', 'recipient_unit'), name='unique_delivery_per_unit'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(condition=models.Q(('transport', 'local'), _negated=True), fields=('document', 'agency_code', 'business_type'), name='unique_delivery_per_agency'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('partner__isnull', True), ('recipient_unit__isnull', False), ('transport', 'local')), models.Q(('partner__isnull', False), ('recipient_unit__isnull', True), models.Q(('transport', 'local'), _negated=True), models.Q(('agency_code', ''), _negated=True)), _connector='OR'), name='delivery_recipient_by_transport'),
        ),
    ]
