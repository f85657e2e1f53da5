# AnalysisRun now takes its job fields from jobs.models.Job: the same columns, new help texts
# and a Python-side default for sent_at. No SQL.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0004_result_is_current"),
    ]

    operations = [
        migrations.AlterField(
            model_name="analysisrun",
            name="attempts",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="Times a worker claimed it; the watchdog gives up after a few."
            ),
        ),
        migrations.AlterField(
            model_name="analysisrun",
            name="claim",
            field=models.CharField(
                blank=True, help_text="The attempt holding it: its task delivery.", max_length=300
            ),
        ),
        migrations.AlterField(
            model_name="analysisrun",
            name="sent_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When a message for this job last went to Celery.",
            ),
        ),
    ]
