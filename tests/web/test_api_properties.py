"""Property-based tests of the JSON API against its own OpenAPI document: generated requests to every
operation, as a staff account, a chair link, a participant link and the shared screen, must never get
a server error nor an answer the document does not describe (status, content type, body)."""

from __future__ import annotations

import pytest

from facilitation import schemas, services
from facilitation.api.openapi import openapi_document
from tests.conftest import add_staff, app_with, meeting_payload

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from pydantic import BaseModel  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.parameters import ParameterLocation  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

#: No server error; every status, content type and body as documented; and nothing the document forbids
#: is accepted. (Schemathesis's positive_data_acceptance is left out: a schema-valid request may still
#: break a rule of the meeting the document cannot express, e.g. a meeting that ends before it starts.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
#: Generated cases per operation (each sent by every caller): bounded, so the run takes about a minute.
EXAMPLES = 8
METHODS = ("get", "post", "put", "patch", "delete")
DOCUMENT = openapi_document()
#: (method, path, mode): every operation with requests the document allows, and with requests it forbids
#: where it has something to get wrong (a parameter or a body; this document itself takes neither).
CASES = [
    (method.upper(), path, mode)
    for path, ops in DOCUMENT["paths"].items()
    for method, op in ops.items()
    if method in METHODS
    for mode in ("valid", "invalid")
    if mode == "valid" or op.get("parameters") or op.get("requestBody")
]


#: The server's own parsers of request bodies, by the name the document gives their schema.
MODELS = {
    cls.__name__: cls
    for module in (schemas, services.action_log)
    for cls in vars(module).values()
    if isinstance(cls, type) and issubclass(cls, BaseModel)
}


def body_model(operation) -> type[BaseModel] | None:
    """The pydantic model that parses an operation's JSON body, if it has one."""
    content = operation.definition.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    return MODELS.get(ref.rsplit("/", 1)[-1]) if ref else None


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app for the module (rate limits off: they are not what is tested here), a staff account and a
    meeting with a participant."""
    with app_with(tmp_path_factory.mktemp("api-properties"), RATELIMIT_ENABLED=False) as app:
        staff = add_staff(app)
        client = app.test_client()
        r = client.post("/api/v1/meetings", json=meeting_payload(), headers={"Authorization": f"Bearer {staff['api_token']}"})
        meeting = r.get_json()
        chair = meeting["tokens"]["chair"]
        r = client.post(f"/api/v1/meetings/{meeting['meeting']['id']}/commands/participants.add",
                        json={"name": "Sam Parent", "role": "parent", "agency": "family"},
                        headers={"Authorization": f"Bearer {chair}"})
        callers = {"staff": staff["api_token"], "chair": chair, "participant": r.get_json()["join_path"].rsplit("/", 1)[1],
                   "screen": meeting["tokens"]["screen"]}
        yield {"app": app, "schema": schemathesis.openapi.from_wsgi("/api/openapi.json", app),
               "meeting_id": meeting["meeting"]["id"], "callers": callers}


@pytest.mark.parametrize(("method", "path", "requests"), CASES, ids=[f"{m} {p} {r}" for m, p, r in CASES])
def test_no_request_gets_a_server_error_or_an_answer_outside_the_document(world, method, path, requests):
    operation = world["schema"][path][method]
    mode = GenerationMode.POSITIVE if requests == "valid" else GenerationMode.NEGATIVE
    # The meeting the links belong to (other ids are only ever "not found").
    fixed = {"meeting_id": world["meeting_id"]} if "{meeting_id}" in path else None

    model = body_model(operation)

    @given(case=operation.as_strategy(mode, path_parameters=fixed))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def run(case):
        if mode is GenerationMode.POSITIVE and model is not None and isinstance(case.body, dict):
            # Not looser than the server: every body the document allows passes the server's own parser
            # (what is refused after it is a rule of the meeting, not of the shape).
            try:
                schemas.parse(model, case.body)
            except schemas.FieldErrors as refused:
                raise AssertionError(f"the document allows {case.body!r}; the server refuses it: {refused.fields}") from None
        header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
        if header is not None and header.mode is GenerationMode.NEGATIVE:
            case.call_and_validate(checks=CHECKS)  # its own, broken, headers: refused
            return
        for token in world["callers"].values():
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()
