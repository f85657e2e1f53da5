"""GET /api/v1/: every endpoint of the API with its methods, read from the URL configuration."""

from django.urls import URLPattern, URLResolver
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from growthlab.rest.schema import errors

METHODS = ("get", "post", "put", "patch", "delete")


class EndpointSerializer(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField(help_text="With its parameters in braces: {pk}.")
    methods = serializers.ListField(child=serializers.CharField())


class ApiRootSerializer(serializers.Serializer):
    schema = serializers.URLField(help_text="The OpenAPI schema.")
    docs = serializers.URLField(help_text="The documentation, in Swagger UI.")
    endpoints = EndpointSerializer(many=True)


def endpoints(patterns, prefix: str) -> list[dict]:
    """{name, path, methods} for each API view under these URL patterns, in their order."""
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += endpoints(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "view_class"):
            view = entry.callback.view_class
            path = prefix + str(entry.pattern)
            for converter in ("int", "str", "slug"):
                path = path.replace(f"<{converter}:", "{")
            methods = [m.upper() for m in METHODS if hasattr(view, m)]
            found.append({"name": entry.name, "path": path.replace(">", "}"), "methods": methods})
    return found


class ApiRootView(APIView):
    """The API's table of contents, so a script (or a person) starts from one address."""

    @extend_schema(responses={200: ApiRootSerializer} | errors(401, 429))
    def get(self, request: Request) -> Response:
        from growthlab import api  # the URL module imports this view

        listed = [e for e in endpoints(api.urlpatterns, "/api/v1/") if e["name"] != "root"]
        return Response(
            {
                "schema": request.build_absolute_uri("/api/v1/schema/"),
                "docs": request.build_absolute_uri("/api/v1/docs/"),
                "endpoints": listed,
            }
        )
