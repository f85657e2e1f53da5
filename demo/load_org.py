"""Steps that load the organisation: teams, people and the metric catalogue (the KPI tree)."""

from django.utils.text import slugify

from accounts.models import Role, Team, User
from accounts.services import team_create, user_create
from demo.context import Demo
from demo.data.metrics import METRICS
from demo.data.org import EMAIL_DOMAIN, LANGUAGE_OF, PASSWORD, PEOPLE, SUPERUSERS, TEAMS
from metrics.models import Metric

METRIC_FIELDS = (
    "name",
    "description",
    "definition",
    "kind",
    "unit",
    "good_direction",
    "baseline_value",
    "baseline_sd",
)


def teams_load(demo: Demo) -> None:
    for spec in TEAMS:
        team = Team.objects.filter(slug=slugify(spec["name"])).first()
        if team is None:
            team = team_create(
                name=spec["name"], mission=spec["mission"], scoring_model=spec["scoring_model"]
            )
            demo.count("teams")
        demo.teams[spec["name"]] = team


def people_load(demo: Demo) -> None:
    for username, first_name, last_name, team_name, role in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = person_create(demo, username, first_name, last_name, team_name, role)
            demo.count("people")
        demo.users[username] = user
        if role == Role.TEAM_LEAD:
            demo.leads[team_name] = user


def person_create(demo: Demo, username, first_name, last_name, team_name, role) -> User:
    user = user_create(
        username=username,
        password=PASSWORD,
        team=demo.teams[team_name],
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@{EMAIL_DOMAIN}",
        language=LANGUAGE_OF.get(username, ""),
    )
    if username in SUPERUSERS:
        # No service grants Django admin access; the admin role alone does not open /admin/.
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        user.refresh_from_db()
    return user


def metrics_load(demo: Demo) -> None:
    """Load the catalogue top-down: METRICS lists every parent before its children."""
    for spec in METRICS:
        metric = Metric.objects.filter(name=spec["name"]).first()
        if metric is None:
            metric = metric_create(demo, spec)
            demo.count("metrics")
        demo.metrics[spec["name"]] = metric


def metric_create(demo: Demo, spec: dict) -> Metric:
    # The metric catalogue has no write service yet; full_clean applies the model's checks.
    metric = Metric(
        **{name: spec[name] for name in METRIC_FIELDS},
        team=demo.teams.get(spec["team"]),
        owner=demo.users[spec["owner"]],
        parent=demo.metrics.get(spec["parent"]),
    )
    metric.full_clean()
    metric.save()
    return metric


def north_stars_set(demo: Demo) -> None:
    """Point each team at its North Star, unless someone already chose another."""
    for spec in TEAMS:
        team = demo.teams[spec["name"]]
        if team.north_star_id is None:
            team.north_star = demo.metrics[spec["north_star"]]
            team.save(update_fields=["north_star"])
            demo.count("north stars")
