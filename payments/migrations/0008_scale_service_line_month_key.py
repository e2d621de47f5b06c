"""Charge lines and refunds keep their service line by a composite key on (service_line_id,
service_line_date), written by claims 0007 in SQL; Django's ForeignKey only stops making its own."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_scale_service_lines_partitioned"),
        ("payments", "0007_charge_refund_events"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="chargeline",
                    name="service_line",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="charge_lines",
                        to="claims.serviceline",
                    ),
                ),
                migrations.AlterField(
                    model_name="refund",
                    name="service_line",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="copay_refunds",
                        to="claims.serviceline",
                        verbose_name="услуга",
                    ),
                ),
            ]
        ),
    ]
