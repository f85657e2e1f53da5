"""Page-number pagination with a capped page size and a 404 that names the missing page."""

from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 500


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = "Page {page_number} does not exist: {message}"
