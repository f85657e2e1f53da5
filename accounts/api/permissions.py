"""The API's one permission: anyone signed in reads; a write asks accounts.access."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

ROLE_REFUSED = _("Your role does not allow this change.")


class ReadOrRoleWrite(permissions.BasePermission):
    """Safe methods for anyone signed in; otherwise the view's ``can_write(user, obj)``.

    ``can_write`` is one call into accounts.access (``can_edit_experiment`` …), so the rule
    lives in that module only. Creating, where no object exists yet, is checked by the view
    against the team named in the body, through ``access.can_edit``.
    """

    message = ROLE_REFUSED

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.can_write(request.user, obj)


def allow(allowed: bool) -> None:
    """Raise DRF's PermissionDenied (a 403 JSON) unless the access check passed."""
    if not allowed:
        raise exceptions.PermissionDenied(ROLE_REFUSED)
