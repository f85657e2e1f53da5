"""The language a signed-in person chose wins over the browser's and the organisation's."""

from django.utils import translation


class PersonLanguageMiddleware:
    """After LocaleMiddleware (browser, cookie) and authentication: the profile's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = getattr(request.user, "language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
