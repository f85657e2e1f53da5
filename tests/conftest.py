"""Shared fixtures: the people of two teams, and experiments in known states."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from accounts.models import Role, Team, User
from accounts.services import team_create, user_create

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def organisation_language():
    """A request in a person's language activates it for the thread, and it would stay active
    for the next test's code outside a request (a command, a service): each test starts and
    ends in the organisation's language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class People:
    team: Team
    other_team: Team
    owner: User  # marketer in `team`, owns the experiments made by fixtures
    teammate: User  # marketer in `team`
    lead: User  # team lead in `team`
    analyst: User  # analyst in `team`
    viewer: User  # viewer in `team`
    outsider: User  # marketer in `other_team`
    outside_lead: User  # team lead in `other_team`
    admin: User  # admin role in `other_team`, which makes them admin everywhere


@pytest.fixture
def people(db) -> People:
    team = team_create(name="Web Growth")
    other = team_create(name="CRM")

    def person(name: str, team: Team, role: str) -> User:
        return user_create(username=name, password=PASSWORD, team=team, role=role)

    return People(
        team=team,
        other_team=other,
        owner=person("owner", team, Role.MARKETER),
        teammate=person("teammate", team, Role.MARKETER),
        lead=person("lead", team, Role.TEAM_LEAD),
        analyst=person("analyst", team, Role.ANALYST),
        viewer=person("viewer", team, Role.VIEWER),
        outsider=person("outsider", other, Role.MARKETER),
        outside_lead=person("outside_lead", other, Role.TEAM_LEAD),
        admin=person("admin", other, Role.ADMIN),
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The `people` fixture makes eight users; production-strength hashing costs ~1 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request leaves its reader's language active in the thread (the language middlewares
    activate it and nothing deactivates it); the next test starts in the default language."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def tasks_in_process(request):
    """Celery tasks run inside the test unless it is marked `integration`.

    Integration tests send tasks to a real worker; every other test would otherwise leave
    messages in Redis that no worker ever takes.
    """
    from growthlab.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("integration") is None
    yield
    app.conf.task_always_eager = before
