"""The shapes of the codes, periods and months the API takes in its query strings and paths
(formats.md): documented in the schema (cchc_portal.schema) and enforced for query strings
(core.middleware) from this one table, so the two never disagree."""

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
