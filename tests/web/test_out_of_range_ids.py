"""Ids out of the database's range, in a path, a form or a command, are "no such entry": never an
overflow in the database answered as a server error."""

from __future__ import annotations

import re

import pytest

from tests.conftest import add_staff, sign_in

HUGE = [2**31, 2**63, 2**64 + 7, 10**30]


@pytest.fixture
def chair(client, meeting):
    return {"Authorization": f"Bearer {meeting['chair']}"}


def test_every_route_with_an_id_in_its_path_answers_an_id_out_of_range_without_a_server_error(app, client, meeting, chair):
    admin = add_staff(app, "admin@school.test", "Ms Admin", "admin")
    sign_in(client, admin["email"])
    tokens = {"token": meeting["chair"], "feed_token": "x" * 43}
    rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert len(rules) >= 15  # the API's and the pages' entries, actions, meetings, accounts
    for rule in rules:
        for huge in HUGE:
            path = re.sub(r"<int:[a-z_]+>", str(huge), rule.rule)
            path = re.sub(r"<([a-z_]+)>", lambda m: tokens.get(m.group(1), "x"), path)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                r = client.open(path, method=method, headers=chair, json={} if method == "POST" else None)
                assert r.status_code < 500, (method, path, r.status_code)
                if method == "GET":
                    assert r.status_code == 404, (method, path, r.status_code)


def test_an_action_id_out_of_range_is_no_such_action_in_the_api_and_the_pages(client, meeting, chair):
    for huge in HUGE:
        assert client.get(f"/api/v1/actions/{huge}", headers=chair).status_code == 404
        r = client.post(f"/api/v1/actions/{huge}/progress", json={"version": 1, "note": "x"}, headers=chair)
        assert r.status_code == 404
        r = client.post(f"/api/v1/meetings/{meeting['id']}/commands/actions.update",
                        json={"action_id": huge, "version": 1, "what": "x"}, headers=chair)
        assert r.status_code == 422 and "action_id" in r.get_json()["error"]["fields"]


def test_a_form_naming_an_action_out_of_range_is_asked_again(app, client, meeting):
    app.config["WTF_CSRF_ENABLED"] = False
    for huge in HUGE:
        r = client.post(f"/join/{meeting['participants'][0]}/actions/missed",
                        data={"action_id": str(huge), "occurred_on": "2026-01-05", "note": "x"})
        assert r.status_code == 422 and b"Choose the action" in r.data


def test_the_access_log_filtered_by_a_meeting_out_of_range_shows_nothing(app, client, meeting):
    admin = add_staff(app, "admin@school.test", "Ms Admin", "admin")
    sign_in(client, admin["email"])
    for huge in HUGE:
        r = client.get("/admin/access-log", query_string={"meeting": str(huge)})
        assert r.status_code == 200
