from tests.conftest import *  # noqa

def test_probe(meeting, client, api):
    h = {"Authorization": f"Bearer {meeting['chair']}"}
    for v in ["²", "9"*5000, "", "-1", "10000"]:
        r = client.get(f"/api/v1/meetings/{meeting['id']}/events", query_string={"after_seq": v}, headers=h)
        print(repr(v[:5]), r.status_code, r.get_json())
    print(api(meeting["chair"], meeting["id"], "clock.start_meeting", key="k1"))
    print(api(meeting["chair"], meeting["id"], "clock.pause", key="k1"))
    print(api(meeting["chair"], meeting["id"], "clock.pause", key="bad key"))
    r = client.post(f"/api/v1/meetings/{meeting['id']}/commands/clock.pause", data="null", headers={**h, "Content-Type": "application/json"})
    print(r.status_code, r.get_json())
    r = client.post(f"/api/v1/meetings/{meeting['id']}/commands/clock.pause", data="xx", headers={**h, "Content-Type": "text/plain"})
    print(r.status_code, r.get_json())
    r = client.post(f"/api/v1/meetings/{meeting['id']}/commands/clock.pause", json=[1], headers=h)
    print(r.status_code, r.get_json())
    r = client.post("/api/v1/meetings", json={"title": 5})
    print(r.status_code, r.get_json())
    r = client.post("/api/v1/meetings", json=meeting_payload(scheduled_start=5, scheduled_end=7))
    print(r.status_code, r.get_json())
    r = client.post("/api/v1/meetings", json=meeting_payload(scheduled_start="2026-03-14", scheduled_end="2026-03-14T01:00"))
    print(r.status_code, r.get_json() if r.status_code != 201 else "created")
    print(api(meeting["chair"], meeting["id"], "agenda.update_item", item_id=1, version=1, title=5))
    print(api(meeting["chair"], meeting["id"], "agenda.add_item", title="x", minutes="10"))
    print(api(meeting["chair"], meeting["id"], "agenda.reorder", item_ids=[1, "a"]))
    r = client.get("/api/v1/meetings/999", headers=h); print(r.status_code, r.get_json())
    r = client.get("/api/v1/meetings/999"); print(r.status_code, r.get_json())
    r = client.post(f"/api/v1/meetings/{meeting['id']}/commands/nope", headers=h); print(r.status_code, r.get_json())
    r = client.get(f"/api/v1/meetings/{meeting['id']}/commands/clock.pause", headers=h); print(r.status_code, r.get_json())
