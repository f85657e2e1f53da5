# A data load is a job (jobs.models.Job): its claim token moves from started_at to a `claim`
# column like an analysis run's, and sent_at is always set (a load from before the watchdog
# counts as sent when it was created, as the watchdog already read it).

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def sent_when_created(apps, schema_editor):
    DataLoad = apps.get_model("metrics", "DataLoad")
    DataLoad.objects.filter(sent_at__isnull=True).update(sent_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0004_data_load_watchdog"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataload",
            name="claim",
            field=models.CharField(
                blank=True, help_text="The attempt holding it: its task delivery.", max_length=300
            ),
        ),
        migrations.RunPython(sent_when_created, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="dataload",
            name="sent_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When a message for this job last went to Celery.",
            ),
        ),
    ]
