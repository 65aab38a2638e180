"""The partner-system models move from the former `interop` app into exchange (R15).

Their tables keep the names `interop_*` they were created with: this migration only tells
Django's state that exchange owns them; nothing in the database changes. A new database gets the
tables from interop 0001, which stays for that reason.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_login_limits_second_factor'),
        ('documents', '0006_share_user_document_index'),
        ('exchange', '0001_initial'),
        ('interop', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ExternalDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('agency_code', models.CharField(max_length=13, verbose_name='mã định danh nơi nhận')),
                        ('name', models.CharField(max_length=255, verbose_name='nơi nhận')),
                        ('edxml_id', models.CharField(max_length=255, verbose_name='DocumentId')),
                        ('business_type', models.PositiveSmallIntegerField(default=0)),
                        ('status', models.CharField(blank=True, max_length=2, verbose_name='trạng thái')),
                        ('status_at', models.DateTimeField(blank=True, null=True)),
                        ('reason', models.CharField(blank=True, max_length=500, verbose_name='lý do')),
                        ('created_at', models.DateTimeField()),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='external', to='documents.document')),
                    ],
                    options={
                        'verbose_name': 'văn bản gửi hệ thống khác',
                        'db_table': 'interop_externaldelivery',
                        'ordering': ['edxml_id', 'agency_code'],
                    },
                ),
                migrations.CreateModel(
                    name='ExternalEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=2)),
                        ('label', models.CharField(max_length=100)),
                        ('note', models.CharField(blank=True, max_length=500)),
                        ('at', models.DateTimeField()),
                        ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='exchange.externaldelivery')),
                    ],
                    options={
                        'db_table': 'interop_externalevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Partner',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=255, unique=True, verbose_name='tên hệ thống')),
                        ('transport', models.CharField(choices=[('direct', 'Kết nối trực tiếp giữa hai hệ thống (HTTP)'), ('gateway', 'Trục liên thông của tỉnh (LGSP)')], default='direct', max_length=10, verbose_name='cách kết nối')),
                        ('endpoint', models.URLField(max_length=500, verbose_name='địa chỉ nhận gói tin')),
                        ('outbound_token', models.CharField(blank=True, max_length=200, verbose_name='mã xác thực khi gửi')),
                        ('inbound_token_hash', models.CharField(blank=True, max_length=64, null=True, unique=True)),
                        ('active', models.BooleanField(default=True, verbose_name='đang dùng')),
                        ('created_at', models.DateTimeField()),
                        ('allowed_units', models.ManyToManyField(blank=True, related_name='+', to='accounts.unit', verbose_name='đơn vị được gửi qua hệ thống này (để trống: mọi đơn vị)')),
                    ],
                    options={
                        'verbose_name': 'hệ thống liên thông',
                        'db_table': 'interop_partner',
                        'ordering': ['name'],
                    },
                ),
                migrations.AddField(
                    model_name='externaldelivery',
                    name='partner',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='exchange.partner'),
                ),
                migrations.CreateModel(
                    name='PartnerCode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('agency_code', models.CharField(max_length=13, unique=True, verbose_name='mã định danh')),
                        ('name', models.CharField(max_length=255, verbose_name='tên cơ quan')),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='exchange.partner')),
                    ],
                    options={
                        'verbose_name': 'cơ quan thuộc hệ thống liên thông',
                        'db_table': 'interop_partnercode',
                        'ordering': ['agency_code'],
                    },
                ),
                migrations.CreateModel(
                    name='Outbound',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('package', 'Gói văn bản'), ('status', 'Thông điệp trạng thái')], max_length=10)),
                        ('edxml_id', models.CharField(max_length=255, verbose_name='DocumentId')),
                        ('to_code', models.CharField(max_length=13, verbose_name='mã định danh nơi nhận')),
                        ('status_code', models.CharField(blank=True, max_length=2, verbose_name='mã trạng thái')),
                        ('business_type', models.PositiveSmallIntegerField(default=0)),
                        ('payload', models.BinaryField()),
                        ('original_name', models.CharField(max_length=255)),
                        ('sha256', models.CharField(max_length=64)),
                        ('size', models.PositiveBigIntegerField()),
                        ('state', models.CharField(choices=[('pending', 'Chờ gửi'), ('sent', 'Đã gửi'), ('failed', 'Gửi không được (dừng thử lại)')], default='pending', max_length=10, verbose_name='tình trạng')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='số lần gửi')),
                        ('next_attempt_at', models.DateTimeField(verbose_name='lần gửi tới')),
                        ('last_error', models.CharField(blank=True, max_length=500, verbose_name='lỗi gần nhất')),
                        ('created_at', models.DateTimeField()),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.document')),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outbound', to='exchange.partner')),
                    ],
                    options={
                        'verbose_name': 'gói tin gửi đi',
                        'db_table': 'interop_outbound',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(condition=models.Q(('state', 'pending')), fields=['next_attempt_at'], name='outbound_due'), models.Index(fields=['edxml_id'], name='outbound_edxml_id')],
                    },
                ),
                migrations.CreateModel(
                    name='Inbound',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('package', 'Gói văn bản'), ('status', 'Thông điệp trạng thái')], max_length=10)),
                        ('edxml_id', models.CharField(max_length=255, verbose_name='DocumentId')),
                        ('from_code', models.CharField(max_length=13, verbose_name='mã định danh nơi gửi')),
                        ('from_name', models.CharField(blank=True, max_length=255, verbose_name='nơi gửi')),
                        ('to_code', models.CharField(blank=True, max_length=13, verbose_name='mã định danh nơi nhận')),
                        ('status_code', models.CharField(blank=True, max_length=2)),
                        ('business_type', models.PositiveSmallIntegerField(default=0)),
                        ('subject', models.CharField(blank=True, max_length=500, verbose_name='trích yếu')),
                        ('number_symbol', models.CharField(blank=True, max_length=100, verbose_name='số, ký hiệu')),
                        ('storage_name', models.CharField(max_length=500, unique=True)),
                        ('original_name', models.CharField(max_length=255)),
                        ('sha256', models.CharField(max_length=64)),
                        ('size', models.PositiveBigIntegerField()),
                        ('state', models.CharField(choices=[('queued', 'Chờ vào sổ'), ('registered', 'Đã vào sổ'), ('refused', 'Đã từ chối'), ('rejected', 'Từ chối khi nhận (chữ ký số không hợp lệ)'), ('applied', 'Đã cập nhật trạng thái'), ('recalled', 'Bên gửi đã thu hồi')], max_length=10, verbose_name='tình trạng')),
                        ('reason', models.CharField(blank=True, max_length=500, verbose_name='lý do')),
                        ('answered_at', models.DateTimeField(blank=True, null=True)),
                        ('received_at', models.DateTimeField()),
                        ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('incoming_document', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='inbound', to='documents.document')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.unit')),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='inbound', to='exchange.partner')),
                    ],
                    options={
                        'verbose_name': 'gói tin nhận từ hệ thống khác',
                        'db_table': 'interop_inbound',
                        'ordering': ['-received_at', '-id'],
                        'indexes': [models.Index(condition=models.Q(('state', 'queued')), fields=['unit', '-received_at'], name='inbound_queue')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'package')), fields=('edxml_id', 'to_code', 'business_type'), name='unique_inbound_package'), models.UniqueConstraint(condition=models.Q(('kind', 'status')), fields=('partner', 'sha256'), name='unique_inbound_status')],
                    },
                ),
                migrations.AddIndex(
                    model_name='externaldelivery',
                    index=models.Index(fields=['edxml_id', 'agency_code'], name='external_lookup'),
                ),
                migrations.AddConstraint(
                    model_name='externaldelivery',
                    constraint=models.UniqueConstraint(fields=('document', 'agency_code', 'business_type'), name='unique_external_delivery'),
                ),
            ],
            database_operations=[],
        ),
    ]
