"""What the demo steps share: today's date, the rows loaded so far and what was created."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import Team, User
from experiments.models import Idea
from metrics.models import Metric
from sprints.models import Sprint


@dataclass
class Demo:
    """The demo organisation as the steps find or create it, keyed by natural keys."""

    today: date
    teams: dict[str, Team] = field(default_factory=dict)  # by name
    users: dict[str, User] = field(default_factory=dict)  # by username
    leads: dict[str, User] = field(default_factory=dict)  # team lead by team name
    metrics: dict[str, Metric] = field(default_factory=dict)  # by name
    sprints: dict[tuple[str, int], Sprint] = field(default_factory=dict)  # (team, number)
    ideas: dict[tuple[str, str], Idea] = field(default_factory=dict)  # (team, title)
    created: Counter = field(default_factory=Counter)  # rows created, by kind

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """An aware datetime on that day, local time: when something happened in the office."""
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def count(self, kind: str) -> None:
        self.created[kind] += 1
