"""``Authorization: Token <key>`` (or ``Bearer <key>``) for scripts; sessions for the browser."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.middleware import person_language_activate
from accounts.tokens import api_token_authenticate

KEYWORDS = ("token", "bearer")
MALFORMED = _("Send the token as “Authorization: Token <key>”, with no spaces inside the key.")
INVALID = _("This API token is not valid: it may have been revoked.")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        words = authentication.get_authorization_header(request).split()
        if not words or words[0].decode(errors="replace").lower() not in KEYWORDS:
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(MALFORMED)
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(MALFORMED) from None
        token = api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        # A script that asks for a language with Accept-Language gets it (LocaleMiddleware has
        # activated it); one that asks for none reads its person's, as on the pages. The
        # middleware cannot do this: the token is read here, after every middleware ran.
        if not request.META.get("HTTP_ACCEPT_LANGUAGE"):
            person_language_activate(request._request, token.user)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes an anonymous request a 401 that says how to authenticate, not a 403.
        return 'Token realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token in the schema; "Bearer <key>" is what Swagger UI sends."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your profile page, sent as "
            "`Authorization: Token <key>` or `Authorization: Bearer <key>`.",
        }
