from accounts import access


def memberships(request) -> dict:
    """Expose whether the signed-in person can edit anything, for the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_is_admin": access.is_admin(user), "user_roles": access.roles_by_team(user)}
