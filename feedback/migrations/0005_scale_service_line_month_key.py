"""The appeal's service line is kept by a composite key on (service_line_id, service_line_date),
written by claims 0007 in SQL; Django's ForeignKey only stops making its own constraint."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_scale_service_lines_partitioned"),
        ("feedback", "0004_appealmessage_notified_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="appeal",
                    name="service_line",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appeals",
                        to="claims.serviceline",
                        verbose_name="услуга",
                    ),
                ),
            ]
        ),
    ]
