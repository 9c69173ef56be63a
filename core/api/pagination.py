from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _whole_number(request, name: str, maximum: int | None = None) -> None:
    """A page number or size that is not a whole number from 1 is refused, not ignored: a
    client asking for page_size=abc would otherwise get 100 rows and not know why."""
    value = request.query_params.get(name)
    if value is None:
        return
    if not (value.isascii() and value.isdigit() and int(value) >= 1):
        raise ValidationError({name: _("Give a whole number from 1.")})
    if maximum is not None and int(value) > maximum:
        raise ValidationError({name: _("At most %(max)d rows a page.") % {"max": maximum}})


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
    last_page_strings = ()  # "last" is not a number: the schema says page is an integer

    def paginate_queryset(self, queryset, request, view=None):
        _whole_number(request, self.page_query_param)
        _whole_number(request, self.page_size_query_param, self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
