"""Beat asks every hour; the digest goes out on Monday morning in each team's own time zone."""

from datetime import datetime

import pytest
from celery.schedules import crontab
from django.conf import settings

from accounts.models import Team
from digests.services import is_monday_morning, teams_due, week_before


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def team_in(zone: str) -> Team:
    return Team(name=zone, slug=zone.lower().replace("/", "-"), time_zone=zone)


def test_beat_asks_every_hour_for_the_digest_fan_out():
    entry = settings.CELERY_BEAT_SCHEDULE["digests-monday-morning"]
    assert entry["task"] == "digests.tasks.scheduled_digest_fanout_task"
    assert entry["schedule"] == crontab(minute=5)


@pytest.mark.parametrize(
    ("zone", "moment", "due"),
    [
        # Monday 7 December 2026, 06:05 UTC:
        ("Europe/Helsinki", "2026-12-07T06:05:00+00:00", True),  # 08:05 Monday
        ("Europe/Stockholm", "2026-12-07T06:05:00+00:00", True),  # 07:05 Monday
        ("Europe/London", "2026-12-07T06:05:00+00:00", False),  # 06:05: before 07:00
        ("America/New_York", "2026-12-07T06:05:00+00:00", False),  # 01:05 Monday
        ("Asia/Tokyo", "2026-12-07T06:05:00+00:00", False),  # 15:05: the morning is over
        # Sunday 23:05 UTC is already Monday 08:05 in Tokyo.
        ("Asia/Tokyo", "2026-12-06T23:05:00+00:00", True),
        ("Europe/Helsinki", "2026-12-06T23:05:00+00:00", False),  # 01:05 Monday
        ("Europe/Helsinki", "2026-12-08T06:05:00+00:00", False),  # Tuesday
        ("Europe/Helsinki", "2026-12-07T09:59:00+00:00", True),  # 11:59, still morning
        ("Europe/Helsinki", "2026-12-07T10:00:00+00:00", False),  # noon
    ],
)
def test_monday_morning_is_read_in_the_team_s_zone(zone, moment, due):
    assert is_monday_morning(team_in(zone), at(moment)) is due


def test_the_fan_out_picks_only_the_teams_at_monday_morning(db):
    helsinki = Team.objects.create(name="Web", slug="web", time_zone="Europe/Helsinki")
    Team.objects.create(name="US", slug="us", time_zone="America/New_York")
    tokyo = Team.objects.create(name="JP", slug="jp", time_zone="Asia/Tokyo")
    assert teams_due(at("2026-12-07T06:05:00+00:00")) == [helsinki]
    assert teams_due(at("2026-12-06T23:05:00+00:00")) == [tokyo]


def test_the_digest_covers_the_week_before_in_the_team_s_zone():
    start, end = week_before(team_in("Europe/Helsinki"), at("2026-12-07T06:05:00+00:00"))
    assert (start, end) == (at("2026-11-30T00:00:00+02:00"), at("2026-12-07T00:00:00+02:00"))
    start, end = week_before(team_in("Asia/Tokyo"), at("2026-12-06T23:05:00+00:00"))
    assert (start, end) == (at("2026-11-30T00:00:00+09:00"), at("2026-12-07T00:00:00+09:00"))


def test_a_team_s_time_zone_must_exist(db):
    from django.core.exceptions import ValidationError

    team = Team(name="X", slug="x", time_zone="Europe/Atlantis")
    with pytest.raises(ValidationError) as refused:
        team.full_clean()
    assert refused.value.message_dict["time_zone"] == [
        "“Europe/Atlantis” is not a time zone; write it like Europe/Helsinki."
    ]
