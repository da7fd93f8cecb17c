"""How a route declares, in its service's OpenAPI document, the refusals it may answer: every one
in the shape :func:`antre.web.problem_body` gives them, so a client reads one schema for all.

A route names its own (``responses=refusals(401, 404, (409, "The counter is closed"))``); the
ones the shared middleware gives every route (422, 413, see :func:`declare_common`) are added to
the document once, where that middleware lives."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

GENERAL = {
    400: "The request cannot be read",
    401: "Not signed in, an unknown or ended session, or no enrolled device's token",
    403: "The caller's role or device may not do this",
    404: "Not found",
    409: "Not possible in the current state",
    413: "The request body is too large",
    422: "Invalid request: a field is missing or malformed, or holds a control character or an "
    "integer past 64 bits",
    429: "Too many requests: wait ``retry_after`` seconds",
    503: "A part this request needs cannot be reached or is not set up; try again",
}


class ProblemDetail(BaseModel):
    """A refusal: a stable ``code`` to branch on, the message in Bahasa Indonesia and in English,
    and details some refusals add (``fields`` of an invalid request, ``retry_after`` seconds of a
    rate limit, ``until`` of a blocked NIK)."""

    model_config = ConfigDict(extra="allow")
    code: str
    message: str
    message_en: str


class Problem(BaseModel):
    error: ProblemDetail


Refusal = int | tuple[int, str]


def refusals(*declared: Refusal) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each status alone (the general description) or with the
    route's own words for it."""
    out: dict[int | str, dict[str, Any]] = {}
    for item in declared:
        status, description = item if isinstance(item, tuple) else (item, GENERAL[item])
        out[status] = {"model": Problem, "description": description}
    return out


def problem_schema(document: dict[str, Any]) -> dict[str, Any]:
    """The reference to the problem shape in ``document``, added to its components if no route
    named it yet."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" not in schemas:
        schemas["ProblemDetail"] = ProblemDetail.model_json_schema()
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas["Problem"].pop("$defs", None)
    return {"$ref": "#/components/schemas/Problem"}


def declare_common(document: dict[str, Any]) -> dict[str, Any]:
    """Every operation may answer 422 (the input guard reads every path and query, and FastAPI's
    own validation answers in the problem shape too, not FastAPI's ``HTTPValidationError``); an
    operation with a body may answer 413 (the body limit) and 400 (FastAPI's answer to a body it
    cannot decode: not UTF-8, or nested past Python's recursion limit) as well."""
    ref = problem_schema(document)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            statuses = [400, 413, 422] if "requestBody" in operation else [422]
            for status in map(str, statuses):
                # A route's own words stay; FastAPI's "Validation Error" gives way to ours.
                said = responses.get(status, {}).get("description")
                own = said if said and said != "Validation Error" else GENERAL[int(status)]
                responses[status] = {"description": own, "content": {"application/json": {"schema": ref}}}
    schemas = document["components"]["schemas"]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document
