"""Page-number pagination with a capped page size and a 404 that names the missing page."""

from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 500


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = "Page {page_number} does not exist: {message}"


class SubqueryPagination(ApiPagination):
    """Hands the view its page as an unevaluated queryset instead of a list.

    A view that pages on ids and then reads wide rows (analysis/api/results.py) uses the page
    as a subquery of that read: one round trip to the database instead of two.
    """

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as error:
            message = self.invalid_page_message.format(page_number=page_number, message=error)
            raise NotFound(message) from error
        return self.page.object_list
