"""A received document is a `Delivery` too (R15: one model of a sent and a received document,
one reception queue): the document and the sender unit may be empty (the document lives in the
partner's system), and `package` names the `Inbound` message that brought it. The constraints
allow three shapes and nothing else: sent inside the deployment, sent to a partner, received
from a partner; one delivery per (document, agency code, business type) sent outside, one per
(DocumentId, unit, business type) received. The packages already received get their delivery in
0008.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_login_limits_second_factor'),
        ('documents', '0006_share_user_document_index'),
        ('exchange', '0006_drop_external_delivery_tables'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='delivery',
            name='unique_delivery_per_agency',
        ),
        migrations.RemoveConstraint(
            model_name='delivery',
            name='delivery_recipient_by_transport',
        ),
        migrations.AddField(
            model_name='delivery',
            name='package',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='delivery', to='exchange.inbound', verbose_name='gói tin nhận'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='document',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='documents.document', verbose_name='văn bản đi'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='sender_unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.unit', verbose_name='đơn vị gửi'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('transport', 'local'), _negated=True), ('package__isnull', True)), fields=('document', 'agency_code', 'business_type'), name='unique_delivery_per_agency'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(condition=models.Q(('package__isnull', False)), fields=('edxml_id', 'recipient_unit', 'business_type'), name='unique_delivery_received'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('document__isnull', False), ('package__isnull', True), ('partner__isnull', True), ('recipient_unit__isnull', False), ('sender_unit__isnull', False), ('transport', 'local')), models.Q(('document__isnull', False), ('package__isnull', True), ('partner__isnull', False), ('recipient_unit__isnull', True), ('sender_unit__isnull', False), models.Q(('transport', 'local'), _negated=True), models.Q(('agency_code', ''), _negated=True)), models.Q(('document__isnull', True), ('package__isnull', False), ('partner__isnull', False), ('recipient_unit__isnull', False), ('sender_unit__isnull', True), models.Q(('transport', 'local'), _negated=True), models.Q(('agency_code', ''), _negated=True)), _connector='OR'), name='delivery_recipient_by_transport'),
        ),
    ]
