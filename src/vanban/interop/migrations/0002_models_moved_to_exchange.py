"""The partner-system models now belong to exchange (exchange 0002): removed from this app's
state only; the tables stay and exchange uses them."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('interop', '0001_initial'),
        ('exchange', '0002_adopt_partner_models'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='externalevent',
                    name='delivery',
                ),
                migrations.RemoveField(
                    model_name='inbound',
                    name='answered_by',
                ),
                migrations.RemoveField(
                    model_name='inbound',
                    name='incoming_document',
                ),
                migrations.RemoveField(
                    model_name='inbound',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='inbound',
                    name='unit',
                ),
                migrations.RemoveField(
                    model_name='outbound',
                    name='document',
                ),
                migrations.RemoveField(
                    model_name='outbound',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='partner',
                    name='allowed_units',
                ),
                migrations.RemoveField(
                    model_name='partnercode',
                    name='partner',
                ),
                migrations.DeleteModel(
                    name='ExternalDelivery',
                ),
                migrations.DeleteModel(
                    name='ExternalEvent',
                ),
                migrations.DeleteModel(
                    name='Inbound',
                ),
                migrations.DeleteModel(
                    name='Outbound',
                ),
                migrations.DeleteModel(
                    name='Partner',
                ),
                migrations.DeleteModel(
                    name='PartnerCode',
                ),
            ],
            database_operations=[],
        ),
    ]
