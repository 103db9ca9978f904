"""Static files: versioned URLs in the pages, a year's caching only for the current version, a new version
for a changed file (and for every module that imports it), gzip only for static files and only for clients
that accept it; pages and API answers never compressed and API answers never stored."""

from __future__ import annotations

import gzip
import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from facilitation import assets
from tests.conftest import ROOT, sign_in

IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_URL = re.compile(r'(?:src|href|data-module|data-stylesheet)="(/static/[^"]+)"')
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)["'](\.\.?/[^"']+)["']""")
GZIP = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium sends


def static_urls(html: str) -> list[str]:
    return STATIC_URL.findall(html)


def version_of(app, filename: str) -> str:
    with app.test_request_context():
        return assets.files().version(filename)


def url_of(app, filename: str) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for("static", filename=filename)


def pages(meeting) -> dict[str, str]:
    return {
        "chair": f"/chair/{meeting['chair']}",
        "screen": f"/screen/{meeting['screen']}",
        "participant": f"/join/{meeting['participants'][0]}",
        "minutes": f"/minutes/{meeting['chair']}",
    }


# ---------------------------------------------------------------- versioned URLs


def test_every_static_file_in_the_pages_is_linked_by_its_current_version(app, client, meeting):
    for name, path in pages(meeting).items():
        html = client.get(path).data.decode()
        urls = static_urls(html)
        assert any("/static/css/app.css" in u for u in urls), name
        for url in urls:
            match = re.fullmatch(r"/static/([^?]+)\?v=([0-9a-f]{12})", url)
            assert match, f"{name}: {url} has no version"
            assert match[2] == version_of(app, match[1]), f"{name}: {url} is not the current version"
    html = client.get("/login").data.decode()
    assert all("?v=" in u for u in static_urls(html)) and static_urls(html)


def test_the_room_pages_preload_the_modules_their_script_imports(client, meeting):
    chair = client.get(pages(meeting)["chair"]).data.decode()
    preloaded = re.findall(r'<link rel="modulepreload" href="/static/js/([^"?]+)\?v=', chair)
    assert preloaded == [
        "chair.js",
        "chair-agenda.js",
        "chair-clock.js",
        "chair-cockpit.js",
        "chair-details.js",
        "chair-evidence.js",
        "chair-forms.js",
        "chair-invitations.js",
        "chair-outcomes.js",
        "chair-people.js",
        "chair-queue.js",
        "chair-record.js",
        "chair-routes.js",
        "chair-timeline.js",
        "evidence.js",
        "minutes.js",
        "queue-labels.js",
        "record.js",
        "room-core.js",
    ]
    assert "/static/vendor/morphdom-esm.js?v=" in chair  # room-core.js's import, fetched in parallel too
    screen = client.get(pages(meeting)["screen"]).data.decode()
    assert re.findall(r'<link rel="modulepreload" href="/static/js/([^"?]+)\?v=', screen) == [
        "screen.js",
        "calm.js",
        "record.js",
        "room-core.js",
    ]


def test_module_imports_between_our_scripts_carry_the_imported_file_s_version(app, client):
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        name = f"js/{path.name}"
        served = client.get(url_of(app, name)).data.decode()
        written = IMPORT.findall(path.read_text(encoding="utf-8"))
        imports = IMPORT.findall(served)
        assert len(imports) == len(written), name
        for spec in imports:
            file, _, version = spec.partition("?v=")
            target = f"js/{file.removeprefix('./')}"
            assert version == version_of(app, target), f"{name} imports {spec}"
            # what the import asks for is the current version, and so is cached for a year
            r = client.get(f"/static/{target}?v={version}")
            assert r.status_code == 200 and r.headers["Cache-Control"] == IMMUTABLE


def test_a_changed_file_gets_a_new_version_and_so_does_every_module_that_imports_it(app, client, tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(ROOT / "static" / "js", folder / "js")
    shutil.copytree(ROOT / "static" / "css", folder / "css")
    app.static_folder = str(folder)
    before = {
        n: version_of(app, n) for n in ("js/record.js", "js/chair.js", "js/screen.js", "js/room-core.js", "css/app.css")
    }
    old_chair = client.get(f"/static/js/chair.js?v={before['js/chair.js']}")
    assert old_chair.headers["Cache-Control"] == IMMUTABLE

    with open(folder / "js" / "record.js", "a", encoding="utf-8") as f:
        f.write("\n// a change\n")
    after = {n: version_of(app, n) for n in before}
    assert after["js/record.js"] != before["js/record.js"]
    # chair.js and screen.js import record.js: their own text is unchanged, but what they import is not
    assert after["js/chair.js"] != before["js/chair.js"] and after["js/screen.js"] != before["js/screen.js"]
    # room-core.js imports nothing that changed; a stylesheet neither
    assert after["js/room-core.js"] == before["js/room-core.js"] and after["css/app.css"] == before["css/app.css"]

    new_chair = client.get(f"/static/js/chair.js?v={after['js/chair.js']}")
    assert new_chair.headers["Cache-Control"] == IMMUTABLE
    assert f'./record.js?v={after["js/record.js"]}"' in new_chair.data.decode()
    assert new_chair.headers["ETag"] != old_chair.headers["ETag"]
    # An old page's URL now gets the current file, to be checked every time, never kept for a year.
    stale = client.get(f"/static/js/record.js?v={before['js/record.js']}")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    assert stale.data.endswith(b"// a change\n")


# ---------------------------------------------------------------- caching


def test_only_a_url_with_the_current_version_is_cached_for_a_year(app, client):
    current = url_of(app, "css/app.css")
    r = client.get(current)
    assert r.status_code == 200 and r.headers["Cache-Control"] == IMMUTABLE and r.headers["ETag"]
    for url in ("/static/css/app.css", "/static/css/app.css?v=0123456789ab", "/static/css/app.css?v="):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache" and r.headers["ETag"], url


def test_an_unchanged_file_is_answered_not_modified(app, client):
    for headers in ({}, GZIP):
        first = client.get("/static/js/room-core.js", headers=headers)
        again = client.get("/static/js/room-core.js", headers={**headers, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == first.headers["ETag"] and again.headers["Cache-Control"] == "no-cache"
        assert "Accept-Encoding" in again.headers["Vary"]


def test_fonts_and_other_binary_files_follow_the_same_caching_rules_uncompressed(app, client):
    url = url_of(app, "vendor/fonts/DejaVuSans.ttf")
    if not (ROOT / "static" / "vendor" / "fonts" / "DejaVuSans.ttf").exists():
        pytest.skip("the vendor fonts are not installed (make setup)")
    # Binary files are streamed from disk: close the responses, as a WSGI server does, to close the file.
    with client.get(url, headers=GZIP) as r:
        assert r.status_code == 200 and r.headers["Cache-Control"] == IMMUTABLE
        assert "Content-Encoding" not in r.headers
    with client.get("/static/vendor/fonts/DejaVuSans.ttf") as plain:
        assert plain.headers["Cache-Control"] == "no-cache"


def test_a_signed_in_person_gets_static_files_without_their_session_cookie(app, client, staff):
    assert sign_in(client, staff["email"]).status_code in (302, 303)
    page = client.get("/")
    assert "Cookie" in page.headers.get("Vary", "")  # pages do depend on who is signed in
    r = client.get(url_of(app, "css/app.css"))
    # a public, year-long file must never carry someone's session (a shared cache would pass it on)
    assert r.headers["Cache-Control"] == IMMUTABLE
    assert "Set-Cookie" not in r.headers and "Cookie" not in r.headers.get("Vary", "")


def test_missing_files_and_paths_outside_the_static_folder_are_not_found(client):
    for url in ("/static/js/nothing.js", "/static/../app.py", "/static/%2e%2e/app.py", "/static/js/"):
        assert client.get(url, headers=GZIP).status_code == 404, url


# ---------------------------------------------------------------- compression


def test_gzip_is_sent_to_clients_that_accept_it_and_unpacks_to_the_same_bytes(app, client):
    for name in ("vendor/socket.io.min.js", "js/chair.js", "css/app.css"):
        if not (ROOT / "static" / name).exists():
            continue
        url = url_of(app, name)
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        packed = client.get(url, headers=GZIP)
        assert packed.headers["Content-Encoding"] == "gzip", name
        assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
        assert gzip.decompress(packed.data) == plain.data, name
        assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 2, name
        assert packed.headers["Content-Type"] == plain.headers["Content-Type"]
        # two different bodies, two different validators
        assert packed.headers["ETag"] != plain.headers["ETag"]
    on_disk = (ROOT / "static" / "css" / "app.css").read_bytes()
    assert gzip.decompress(client.get(url_of(app, "css/app.css"), headers=GZIP).data) == on_disk


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br", "deflate"])
def test_clients_that_do_not_accept_gzip_get_the_file_uncompressed(app, client, accept):
    headers = {"Accept-Encoding": accept} if accept else {}
    # A module that imports nothing, so that it is served exactly as it is on disk.
    r = client.get(url_of(app, "js/chair-details.js"), headers=headers)
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    assert r.data == (ROOT / "static" / "js" / "chair-details.js").read_bytes()
    assert "Accept-Encoding" in r.headers["Vary"]


def test_pages_and_api_answers_are_never_compressed(client, meeting):
    """They carry link and CSRF tokens next to text people typed: compressing them would let someone who
    can add text and watch the sizes guess the secrets (BREACH). docs/security.md, Compression."""
    auth = {"Authorization": f"Bearer {meeting['chair']}", **GZIP}
    urls = [*pages(meeting).values(), f"/minutes/{meeting['chair']}/state.json", f"/minutes/{meeting['chair']}/preview"]
    for url in urls:
        r = client.get(url, headers=GZIP)
        assert r.status_code == 200 and "Content-Encoding" not in r.headers, url
    for url in (f"/api/v1/meetings/{meeting['id']}", f"/api/v1/meetings/{meeting['id']}/links"):
        r = client.get(url, headers=auth)
        assert r.status_code == 200 and "Content-Encoding" not in r.headers, url


# ---------------------------------------------------------------- API answers are not stored


def test_api_answers_with_meeting_data_are_never_stored(client, meeting, api):
    mid = meeting["id"]
    chair = {"Authorization": f"Bearer {meeting['chair']}"}
    parent = {"Authorization": f"Bearer {meeting['participants'][0]}"}
    answers = [
        client.get(f"/api/v1/meetings/{mid}", headers=chair),
        client.get(f"/api/v1/meetings/{mid}/events?after_seq=0", headers=parent),
        client.get(f"/api/v1/meetings/{mid}/previous-actions", headers=parent),
        client.get(f"/api/v1/meetings/{mid}/links", headers=chair),
        client.get(f"/api/v1/meetings/{mid}/minutes?version=live", headers=chair),
        client.get("/api/v1/actions", headers=chair),
        client.get("/api/v1/actions/overview", headers=chair),
        client.post(f"/api/v1/meetings/{mid}/commands/clock.start_meeting", json={}, headers=chair),
        # refusals and errors too
        client.get(f"/api/v1/meetings/{mid}", headers={"Authorization": "Bearer nope"}),
        client.get(f"/api/v1/meetings/{mid + 1}", headers=chair),
        client.get(f"/api/v1/meetings/{mid}/events?after_seq=x", headers=chair),
        client.post(f"/api/v1/meetings/{mid}/commands/clock.start_meeting", json={}, headers=parent),
    ]
    statuses = [r.status_code for r in answers]
    assert statuses == [200] * 8 + [401, 404, 422, 403]
    for r in answers:
        assert r.headers["Cache-Control"] == "no-store", r.request.path
    # the pages' own JSON, as before
    assert client.get(f"/minutes/{meeting['chair']}/state.json").headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- the review of previous actions


def test_the_review_of_previous_actions_comes_with_the_page_and_its_files_only_when_there_is_something_to_review(
    client, meeting, make_meeting, api
):
    # This meeting's child has had no earlier meeting: nothing to review, so no script or style for it.
    for path in (pages(meeting)["chair"], pages(meeting)["participant"]):
        html = client.get(path).data.decode()
        assert '"previous_actions": {' in html and '"actions": []' in html
        assert 'rel="stylesheet" href="/static/css/actions.css' not in html
        assert 'rel="modulepreload" href="/static/js/actions.js' not in html
        assert '<script type="module" src="/static/js/actions.js' not in html

    status, _ = api(
        meeting["chair"],
        meeting["id"],
        "actions.record",
        what="Weekly SALT sessions",
        owner_name="J. Patel",
        owner_agency="Northshire SALT",
        due_date=_day(10),
        follow_up_date=_day(20),
    )
    assert status == 200
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    nxt = make_meeting(scheduled_start=start.isoformat(), scheduled_end=(start + timedelta(minutes=90)).isoformat())
    r = client.post(
        f"/api/v1/meetings/{nxt['id']}/commands/participants.add",
        headers={"Authorization": f"Bearer {nxt['chair']}"},
        json={"name": "Sam Parent", "role": "parent", "agency": "family"},
    )
    parent = r.get_json()["join_path"].rsplit("/", 1)[1]
    for path in (f"/chair/{nxt['chair']}", f"/join/{parent}"):
        html = client.get(path).data.decode()
        assert "Weekly SALT sessions" in html  # the list itself, in the page's data
        assert 'rel="stylesheet" href="/static/css/actions.css?v=' in html
        assert 'rel="modulepreload" href="/static/js/actions.js?v=' in html
    # the shared screen has no review and gets none of it
    screen = client.get(f"/screen/{nxt['screen']}").data.decode()
    assert "previous_actions" not in screen and "actions.js" not in screen


def _day(n: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=n)).isoformat()
