from django.core.management.base import BaseCommand

from demo.load import load_demo_data, summary_text


class Command(BaseCommand):
    help = (
        "Load the demo growth organisation: teams, people, metrics, sprints, ideas and tests. "
        "Safe to run again: what already exists is left as it is."
    )

    def handle(self, *args, **options) -> None:
        demo = load_demo_data()
        self.stdout.write(summary_text(demo))
