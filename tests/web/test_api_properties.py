"""Property-based tests of the JSON API against its own OpenAPI document: generated requests to every
operation, as a staff account, a chair link, a participant link and the shared screen, must never get
a server error nor an answer the document does not describe (status, content type, body)."""

from __future__ import annotations

import pytest

from facilitation.api.openapi import openapi_document
from tests.conftest import add_staff, app_with, meeting_payload

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Generated cases per operation (each sent by every caller): bounded, so the run takes about a minute.
EXAMPLES = 10
METHODS = ("get", "post", "put", "patch", "delete")
OPERATIONS = [(method.upper(), path) for path, ops in openapi_document()["paths"].items() for method in ops if method in METHODS]


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


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_request_gets_a_server_error_or_an_answer_outside_the_document(world, method, path):
    operation = world["schema"][path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def run(case):
        if "meeting_id" in (case.path_parameters or {}):
            case.path_parameters["meeting_id"] = world["meeting_id"]  # the meeting the links belong to
        for token in world["callers"].values():
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()
