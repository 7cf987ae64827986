"""A property-based run against the OpenAPI document: requests built from each operation's
parameters and body schema, valid and not, never get a 5xx. (Hypothesis directly: schemathesis
is not in the lock.)"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import World

JUNK = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**40), max_value=2**40).map(str),
    st.sampled_from(["", "0", "-1", "2021-02-30", "LT", "LT-BY-1", "%00", "../", "é", "1e309"]),
)


def value_for(schema: dict[str, Any], spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return value_for(spec["components"]["schemas"][name], spec)
    if "anyOf" in schema:
        return st.one_of([value_for(s, spec) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), JUNK)
    kind = schema.get("type")
    if kind == "integer":
        return st.one_of(st.integers(min_value=-(2**63), max_value=2**63), JUNK)
    if kind == "number":
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(), JUNK)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(value_for(schema.get("items", {}), spec), max_size=3)
    if kind == "null":
        return st.none()
    if schema.get("format") == "date":
        return st.one_of(st.dates().map(str), JUNK)
    return JUNK


def body_for(schema: dict[str, Any], spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    properties = schema.get("properties", {})
    return st.fixed_dictionaries(
        {},
        optional={name: value_for(p, spec) for name, p in properties.items()},
    )


@st.composite
def request_for(
    draw: st.DrawFn, method: str, path: str, op: dict[str, Any], spec: dict[str, Any]
) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """(method, url, query parameters, request keyword arguments) for one operation."""
    url = path
    params: dict[str, Any] = {}
    for p in op.get("parameters", []):
        if p["in"] == "path":
            # A path value must stay one path segment for the request to reach the route.
            value = draw(JUNK).replace("/", "_").strip(".") or "x"
            url = url.replace("{" + p["name"] + "}", quote(value, safe=""))
        elif p["in"] == "query" and (p.get("required") or draw(st.booleans())):
            params[p["name"]] = draw(value_for(p.get("schema", {}), spec))
    content = op.get("requestBody", {}).get("content", {})
    extra: dict[str, Any] = {}
    if "application/json" in content:
        extra["json"] = draw(body_for(content["application/json"]["schema"], spec))
    elif "multipart/form-data" in content:
        extra["files"] = {"file": ("f.csv", draw(st.binary(max_size=300)), "text/csv")}
    return method, url, params, extra


def any_request(
    spec: dict[str, Any],
) -> st.SearchStrategy[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    return st.one_of(
        [
            request_for(method.upper(), path, op, spec)
            for path, methods in sorted(spec["paths"].items())
            for method, op in sorted(methods.items())
        ]
    )


def test_no_request_built_from_the_schema_gets_a_server_error(world: World) -> None:
    spec = world.app.openapi()
    clients = {name: world.api(name) for name in ("alice", "viola", "admin")}

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(request=any_request(spec), who=st.sampled_from(sorted(clients)))
    def run(request: tuple[str, str, dict[str, Any], dict[str, Any]], who: str) -> None:
        method, url, params, extra = request
        response = clients[who].request(method, url, params=params, **extra)
        assert response.status_code < 500, (method, url, params, response.text[:300])

    run()
