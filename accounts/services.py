"""Writing people, teams and memberships."""

from django.db import transaction
from django.utils.text import slugify

from accounts.models import Membership, Role, Team, User


@transaction.atomic
def team_create(*, name: str, mission: str = "", **settings) -> Team:
    team = Team(name=name, slug=slugify(name), mission=mission, **settings)
    team.full_clean()
    team.save()
    return team


def membership_set(*, user: User, team: Team, role: str) -> Membership:
    """Give the user this role in the team, replacing any role held there before."""
    membership, _ = Membership.objects.update_or_create(
        user=user, team=team, defaults={"role": role}
    )
    user.__dict__.pop("_roles_by_team", None)
    return membership


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    team: Team | None = None,
    role: str = Role.VIEWER,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "",
) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
    )
    if team is not None:
        membership_set(user=user, team=team, role=role)
    return user
