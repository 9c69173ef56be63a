"""OpenAPI post-processing: the error responses every operation may give, documented once."""

_ERROR_RESPONSES = {
    "400": ("Bad input: every problem with its row and column; nothing was written.", "Errors"),
    "401": ("Not signed in, or an unknown token.", "Detail"),
    "403": ("Signed in, but this role may not do that.", "Detail"),
    "404": ("No such object within your scope.", "Detail"),
    "405": ("Method not allowed.", "Detail"),
    "406": ("Not acceptable.", "Detail"),
    "415": ("Unsupported media type.", "Errors"),
    "429": ("Too many requests from this token; wait and retry.", "Detail"),
}


def document_error_responses(result, generator, request, public):
    """Every operation may answer these; say so once instead of on every view."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "row": {"type": "integer", "nullable": True},
                "column": {"type": "string", "nullable": True},
                "message": {"type": "string"},
            },
            "required": ["row", "column", "message"],
        },
    )
    schemas.setdefault(
        "Errors",
        {
            "type": "object",
            "properties": {
                "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Error"}}
            },
            "required": ["errors"],
        },
    )
    schemas.setdefault(
        "Detail",
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        },
    )
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, (description, schema) in _ERROR_RESPONSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                )
    return result


WRITE_METHODS = ("post", "put", "patch", "delete")


def document_ranking_status_header(result, generator, request, public):
    """A write whose ranking recompute could not be queued still succeeds, and says so."""
    from scoring.rankings.middleware import STATUS_HEADER

    header = {
        "description": (
            "`deferred` when the task queue could not be reached: the data is saved and the "
            "rankings follow automatically once it is back. Absent otherwise."
        ),
        "schema": {"type": "string", "enum": ["deferred"]},
    }
    for route, path in result.get("paths", {}).items():
        for method, operation in path.items():
            if method not in WRITE_METHODS or route.startswith("/api/v1/auth/"):
                continue
            for status, response in operation.get("responses", {}).items():
                if status.startswith("2"):
                    response.setdefault("headers", {})[STATUS_HEADER] = header
    return result


NO_NUL = "^[^\\u0000]*$"


def document_parameter_shapes(result, generator, request, public):
    """Query parameters are never empty, and codes, periods and months have their formats.md
    shapes (core.api.parameters: the same table the API enforces)."""
    from core.api.parameters import PATH_PATTERNS, QUERY_PATTERNS

    for route, path in result.get("paths", {}).items():
        if not route.startswith("/api/v1/"):
            continue
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("type") != "string" or "enum" in schema or "format" in schema:
                    continue
                patterns = QUERY_PATTERNS if parameter["in"] == "query" else PATH_PATTERNS
                if parameter["in"] == "query":
                    schema["minLength"] = 1
                if parameter["name"] in patterns and parameter["in"] in ("query", "path"):
                    schema["pattern"] = patterns[parameter["name"]]
                elif parameter["in"] == "query":
                    schema["pattern"] = NO_NUL  # refused everywhere (core.middleware)
    return result
