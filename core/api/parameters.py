"""The shapes of the codes, periods and months the API takes in its query strings and paths
(formats.md): documented in the schema (cchc_portal.schema) and enforced for query strings
(core.middleware) from this one table, so the two never disagree."""

import functools
import re

YEAR = "(19|20|21)[0-9]{2}"
MONTH = f"^{YEAR}-(0[1-9]|1[0-2])$"
QUERY_PATTERNS = {
    "period": f"^{YEAR}(-(H[12]|Q[1-4]))?$",
    "month": MONTH,
    "month_from": MONTH,
    "month_to": MONTH,
    "group": "^[0-9]{2,3}$",
    "issuer": "^[0-9]{2,3}$",
    "parent": "^[0-9]{2,3}$",
    "commune": "^[0-9]{5}$",
}
PATH_PATTERNS = {
    "period": QUERY_PATTERNS["period"],
    "unit_code": "^[0-9]{2,5}$",
    "code": "^[0-9]{2,5}$",
}
_COMPILED = {name: re.compile(pattern) for name, pattern in QUERY_PATTERNS.items()}


def malformed_query_parameters(params) -> list[str]:
    """Names of the query parameters that are empty or break their documented shape."""
    bad = set()
    for name, value in params.items():
        if value == "" or (name in _COMPILED and not _COMPILED[name].match(value)):
            bad.add(name)
    return sorted(bad)


@functools.cache
def _documented_queries() -> list[tuple[re.Pattern, str, frozenset]]:
    """(path pattern, method, query parameters) of every operation of the API's own schema,
    built once per process from the schema the docs show."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    table = []
    for route, operations in schema.get("paths", {}).items():
        # /api/v1/units/{code}/ → ^/api/v1/units/[^/]+/$
        parts = re.split(r"\{[^/]+\}", route)
        pattern = re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            table.append((pattern, method.upper(), frozenset(names)))
    return table


def undocumented_query_parameters(path: str, method: str, params) -> list[str]:
    """Query parameters the operation does not take: a typo (?perod=2023) is an error to
    correct, not a filter silently left out."""
    for pattern, operation_method, names in _documented_queries():
        if operation_method == method and pattern.match(path):
            return sorted(set(params) - names)
    return []
