"""The language a signed-in person chose wins over the browser's and the organisation's."""

from django.utils import translation


def person_language_activate(request, user) -> None:
    """The person's own language for the rest of the request, if they chose one (else the
    language LocaleMiddleware picked stays: the browser's, or the organisation's default)."""
    language = getattr(user, "language", "")
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class PersonLanguageMiddleware:
    """After LocaleMiddleware (browser, cookie) and authentication: the profile's language.

    An API token is read later, by DRF, so a token's person gets theirs in
    ``ApiTokenAuthentication``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        person_language_activate(request, request.user)
        return self.get_response(request)
