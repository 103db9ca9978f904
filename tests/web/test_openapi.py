"""The OpenAPI document is served and stays in step with the routes, the command table and the permissions."""

from __future__ import annotations

import re

import pytest

from facilitation import services
from facilitation.domain.access import PERMISSIONS

COMMAND_RULE = "/api/v1/meetings/<int:meeting_id>/commands/<name>"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def document(client) -> dict:
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    return r.get_json()


def as_openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: <int:meeting_id> -> {meeting_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def api_routes(app) -> dict[str, set[str]]:
    """Every /api/ route as OpenAPI paths, with its methods; the command route once per command."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.rule.startswith("/api/"):
            continue
        methods = {m.lower() for m in rule.methods - IGNORED_METHODS}
        if rule.rule == COMMAND_RULE:
            paths = [as_openapi_path(rule.rule).replace("{name}", name) for name in services.pipeline.COMMANDS]
        else:
            paths = [as_openapi_path(rule.rule)]
        for path in paths:
            routes.setdefault(path, set()).update(methods)
    return routes


def operations(document: dict) -> dict[str, set[str]]:
    verbs = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return {path: {m for m in item if m in verbs} for path, item in document["paths"].items()}


def command_path(name: str) -> str:
    return f"/api/v1/meetings/{{meeting_id}}/commands/{name}"


def test_the_document_is_served_as_openapi_3_1(client, document):
    r = client.get("/api/openapi.json")
    assert r.mimetype == "application/json"
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["paths"]


def test_the_document_needs_no_token(client):
    assert client.get("/api/openapi.json", headers={"Authorization": "Bearer nonsense"}).status_code == 200


def test_the_command_route_is_the_one_expected(app):
    assert COMMAND_RULE in {r.rule for r in app.url_map.iter_rules()}


def test_every_api_route_is_documented_with_its_methods(app, document):
    documented = operations(document)
    routes = api_routes(app)
    routes.pop("/api/openapi.json", None)  # the document itself: see the test below
    missing = {path: methods - documented.get(path, set()) for path, methods in routes.items()}
    assert {p: m for p, m in missing.items() if m} == {}


def test_the_document_describes_its_own_route(document):
    assert "get" in document["paths"].get("/api/openapi.json", {})


def test_every_documented_path_and_method_exists_as_a_route(app, document):
    routes = api_routes(app)
    phantom = {path: methods - routes.get(path, set()) for path, methods in operations(document).items()}
    assert {p: m for p, m in phantom.items() if m} == {}


def test_path_parameters_are_declared_for_every_operation(document):
    for path, item in document["paths"].items():
        wanted = set(re.findall(r"{([^}]+)}", path))
        for method, op in item.items():
            declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
            assert declared == wanted, (path, method)
            for p in op.get("parameters", []):
                if p.get("in") == "path":
                    assert p.get("required") is True, (path, p)


def test_every_command_has_a_permission_entry():
    assert services.pipeline.COMMANDS
    assert sorted(set(services.pipeline.COMMANDS) - set(PERMISSIONS)) == []
    for name, spec in services.pipeline.COMMANDS.items():
        assert spec.permission in PERMISSIONS, name
        assert PERMISSIONS[spec.permission], f"{name} is allowed to no role at all"


def test_every_command_is_documented_once_with_its_roles(document):
    documented = {p.rsplit("/", 1)[1] for p in document["paths"] if "/commands/" in p}
    assert documented == set(services.pipeline.COMMANDS)
    for name, spec in services.pipeline.COMMANDS.items():
        op = document["paths"][command_path(name)]["post"]
        assert op["x-roles"] == sorted(PERMISSIONS[spec.permission]), name
        for role in PERMISSIONS[spec.permission]:
            assert role in op["description"], name
        assert op["summary"] == spec.summary


def test_every_command_is_documented_with_its_request_schema(document):
    schemas = document["components"]["schemas"]
    for name, spec in services.pipeline.COMMANDS.items():
        op = document["paths"][command_path(name)]["post"]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{spec.args.__name__}", name
        expected = spec.args.model_json_schema(ref_template="#/components/schemas/{model}")
        expected.pop("$defs", None)
        assert schemas[spec.args.__name__] == expected, name


def test_command_schemas_describe_the_fields_the_code_accepts(document):
    schemas = document["components"]["schemas"]
    for name, spec in services.pipeline.COMMANDS.items():
        schema = schemas[spec.args.__name__]
        assert set(schema.get("properties", {})) == set(spec.args.model_fields), name
        required = {f for f, info in spec.args.model_fields.items() if info.is_required()}
        assert set(schema.get("required", [])) == required, name
        assert schema.get("additionalProperties") is False, f"{name}: unknown fields are refused by the code"


def test_every_command_documents_its_idempotency_key_and_error_answers(document):
    for name in services.pipeline.COMMANDS:
        op = document["paths"][command_path(name)]["post"]
        headers = {p["name"] for p in op["parameters"] if p["in"] == "header"}
        assert "Idempotency-Key" in headers, name
        assert {"200", "401", "403", "404", "409", "422"} <= set(op["responses"]), name


def test_operation_ids_are_unique(document):
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert len(ids) == len(set(ids))


def test_every_reference_in_the_document_resolves(document):
    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    def resolve(ref: str):
        assert ref.startswith("#/"), ref
        node = document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    dangling = []
    for ref in set(refs(document)):
        try:
            resolve(ref)
        except (KeyError, TypeError):
            dangling.append(ref)
    assert sorted(dangling) == []


def test_the_bearer_schemes_are_declared_and_creating_a_meeting_needs_a_staff_token(document, client):
    schemes = document["components"]["securitySchemes"]
    assert {k: v for k, v in schemes["linkToken"].items() if k != "description"} == {"type": "http", "scheme": "bearer"}
    assert {k: v for k, v in schemes["staffToken"].items() if k != "description"} == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"linkToken": []}]
    create = document["paths"]["/api/v1/meetings"]["post"]
    assert create["security"] == [{"staffToken": []}] and {"401", "403"} <= set(create["responses"])
    assert client.post("/api/v1/meetings", json={}).status_code == 401  # as the document says


def test_the_document_validates_against_the_openapi_specification(document):
    validator = pytest.importorskip("openapi_spec_validator", reason="openapi-spec-validator is not installed")
    validator.validate(document)


# ---------------------------------------------------------------- the written guides stay in step too


def test_the_socket_events_guide_lists_every_command_with_its_roles():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "socket-events.md").read_text()
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([a-z_]+\.[a-z_]+)` \| ([^|]+) \|", guide, re.M)}
    assert set(rows) == set(services.pipeline.COMMANDS)
    for name, spec in services.pipeline.COMMANDS.items():
        for role in PERMISSIONS[spec.permission]:
            assert role in rows[name], name


def test_the_socket_events_guide_covers_every_socket_event():
    from pathlib import Path

    from facilitation.realtime.connections import SOCKET_EVENTS

    guide = (Path(__file__).resolve().parents[2] / "docs" / "socket-events.md").read_text()
    for name in [*SOCKET_EVENTS, "event", "access_revoked"]:
        assert f"`{name}`" in guide, name


# ---------------------------------------------------------------- what the API answers matches what the document says


def strict(node):
    """The schema with every described object closed: a field the code sends but the document omits fails too."""
    if isinstance(node, dict):
        out = {k: strict(v) for k, v in node.items()}
        if "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(node, list):
        return [strict(v) for v in node]
    return node


def test_a_real_meeting_state_with_every_register_and_attendance_validates_against_the_document(client, make_meeting, document):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (with openapi-spec-validator) is not installed")
    from tests.exports.record import make_rich_meeting

    rich = make_rich_meeting(client, make_meeting, end=False)
    response = document["paths"]["/api/v1/meetings/{meeting_id}"]["get"]["responses"]["200"]
    schema = {**response["content"]["application/json"]["schema"], "components": strict(document["components"])}
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for token in (rich.chair, rich.screen, rich.participants["Sam Parent"]):
        r = client.get(f"/api/v1/meetings/{rich.id}", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        state = r.get_json()
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(state)]
        assert errors == []
        assert state["decisions"] and state["actions"] and state["disagreements"][0]["positions"]
        assert {p["attendance"] for p in state["participants"]} >= {"in_room", "remote", "apologies"}
