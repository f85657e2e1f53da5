from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    # Similar past tests rank titles by trigram similarity (pg_trgm); a no-op on SQLite.
    dependencies = [("learnings", "0001_initial")]
    operations = [TrigramExtension()]
