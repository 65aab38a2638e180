"""The tables of the former `ExternalDelivery` and `ExternalEvent` (`interop_externaldelivery`,
`interop_externalevent`), whose rows 0005 copied into `Delivery` and `DeliveryEvent`, are
dropped. Going back creates them again, empty, for 0005 to fill."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0005_copy_partner_deliveries'),
    ]

    operations = [
        migrations.DeleteModel(
            name='ExternalEvent',
        ),
        migrations.DeleteModel(
            name='ExternalDelivery',
        ),
    ]
