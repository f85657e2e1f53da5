"""Who may change what. The one place that decides read versus write for every object type.

Anyone signed in reads everything (full transparency). Writes follow the role a person holds
in the team that owns the object; the admin role (or a superuser) may change everything.
Views, forms and the API call these functions and never restate the rules.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Team, User

DOCUMENTING_ROLES = frozenset({Role.MARKETER, Role.TEAM_LEAD, Role.ANALYST})

# Which team roles may change each kind of object (admins may change all of them).
EDITING_ROLES: dict[str, frozenset[str]] = {
    "idea": DOCUMENTING_ROLES,
    "experiment": DOCUMENTING_ROLES,
    "conclusion": frozenset({Role.TEAM_LEAD}),
    "sprint": frozenset({Role.TEAM_LEAD}),
    "signoff": frozenset({Role.TEAM_LEAD}),
    "template": frozenset({Role.TEAM_LEAD}),
    "team": frozenset({Role.TEAM_LEAD}),
    "metric": frozenset({Role.ANALYST}),
    "data_source": frozenset({Role.ANALYST}),
}


def roles_by_team(user: User) -> dict[int, str]:
    """Return {team_id: role} for the user, read once per user object."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_roles_by_team", None)
    if cached is None:
        cached = dict(user.memberships.values_list("team_id", "role"))
        user._roles_by_team = cached
    return cached


def is_admin(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.ADMIN in roles_by_team(user).values()


def can_edit(user: User, kind: str, team_id: int | None) -> bool:
    """True if the user may change an object of this kind owned by team_id.

    An object with no team (an organisation-wide metric) may be changed by anyone who holds
    an editing role for that kind in any team.
    """
    if is_admin(user):
        return True
    allowed = EDITING_ROLES[kind]
    roles = roles_by_team(user)
    if team_id is None:
        return any(role in allowed for role in roles.values())
    return roles.get(team_id) in allowed


def teams_where(user: User, kind: str, teams: Iterable[Team] | None = None) -> list[Team]:
    """Return the teams in which the user may create or change objects of this kind."""
    teams = Team.objects.all() if teams is None else teams
    return [team for team in teams if can_edit(user, kind, team.id)]


def can_edit_idea(user: User, idea) -> bool:
    return can_edit(user, "idea", idea.team_id)


def can_edit_experiment(user: User, experiment) -> bool:
    return can_edit(user, "experiment", experiment.team_id)


def can_conclude_experiment(user: User, experiment) -> bool:
    return can_edit(user, "conclusion", experiment.team_id)


def can_manage_sprint(user: User, sprint) -> bool:
    return can_edit(user, "sprint", sprint.team_id)


def can_edit_team(user: User, team: Team) -> bool:
    return can_edit(user, "team", team.id)


def can_sign_off(user: User, experiment) -> bool:
    """A team lead of the test's team (or an admin) approves or refuses its sign-off."""
    return can_edit(user, "signoff", experiment.team_id)


def can_edit_template(user: User, template) -> bool:
    """A team's templates are its leads'; organisation-wide ones (no team) are the admins'."""
    if template.team_id is None:
        return is_admin(user)
    return can_edit(user, "template", template.team_id)


def can_define_custom_fields(user: User) -> bool:
    return is_admin(user)


def can_edit_metric(user: User, metric) -> bool:
    return can_edit(user, "metric", metric.team_id)


def can_edit_data_source(user: User, source) -> bool:
    return can_edit(user, "data_source", source.team_id)


def is_member(user: User, team_id: int | None) -> bool:
    """True if the person belongs to the team, in any role: who may own its tests and metrics.

    An object with no team (an organisation-wide metric) may be owned by anyone.
    """
    if team_id is None:
        return True
    return user.memberships.filter(team_id=team_id).exists()


OWNER_NOT_A_MEMBER = _("{person} is not a member of {team}: the owner must belong to the team.")


def owner_refusal(owner: User | None, team: Team | None) -> str | None:
    """Why this person may not own an object of this team (None when they may)."""
    if owner is None or team is None or is_member(owner, team.id):
        return None
    return str(OWNER_NOT_A_MEMBER).format(person=owner.get_full_name() or owner.username, team=team)


def require(allowed: bool) -> None:
    """Raise PermissionDenied (a 403) unless the check passed."""
    if not allowed:
        raise PermissionDenied(_("Your role does not allow this change."))
