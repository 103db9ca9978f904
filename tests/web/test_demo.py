"""`flask seed-demo` (what `make run` prints): a realistic EHCP annual review, and every printed link opens."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import sign_in

LINK_LINE = re.compile(r"^  (?P<who>.+?)\s*: (?P<url>http\S+)$", re.M)
JOIN_AS = re.compile(r"^Join as (?P<name>.+) \((?P<role>[^()]+)\)$")
BOOTSTRAP = re.compile(r'<script type="application/json" id="bootstrap">(.*?)</script>', re.S)
SIGN_IN = re.compile(r"^Staff sign-in: (?P<url>\S+) as (?P<email>\S+), password (?P<password>\S+) ", re.M)


@pytest.fixture
def demo_app(app, tmp_path):
    """The app on a fresh database, its instance folder (where the demo password is kept) in tmp_path."""
    app.instance_path = str(tmp_path)
    return app


def seed_demo(app, *args: str) -> str:
    """Run `flask seed-demo` through Flask's CLI runner; returns what it printed."""
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def printed_links(output: str) -> dict[str, str]:
    """Who each printed link is for -> its URL."""
    links = {m["who"]: m["url"] for m in LINK_LINE.finditer(output)}
    assert len(links) == len(LINK_LINE.findall(output)), "a link line is printed twice"
    return links


def open_page(client, url: str) -> tuple[str, dict]:
    """GET a printed link; returns the page and the room state it starts from."""
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, (url, response.status_code)
    page = response.get_data(as_text=True)
    return page, json.loads(BOOTSTRAP.search(page).group(1))


def body_class(page: str) -> str:
    return re.search(r'<body[^>]*class="([^"]*)"', page).group(1)


def test_the_demo_is_a_realistic_ehcp_annual_review(demo_app, client):
    links = printed_links(seed_demo(demo_app))
    _, boot = open_page(client, links["Chair console"])
    snap = boot["snapshot"]
    meeting = snap["meeting"]
    assert meeting["meeting_type"] == "ehcp_annual_review" and meeting["meeting_type_label"]
    assert "annual review" in meeting["title"].lower() and meeting["child_ref"]
    assert meeting["started_at"] is None and meeting["scheduled_start"] < meeting["scheduled_end"]

    items = snap["items"]
    assert 6 <= len(items) <= 8
    assert all(i["title"].strip() and i["presenter"] and i["allocated_seconds"] > 0 for i in items)
    assert meeting["allocation"]["fits"] is True, meeting["allocation"]
    # The parts of an annual review: the child's and parents' views, each agency's advice, actions and the next review.
    titles = " | ".join(i["title"] for i in items)
    for topic in (r"J's views", r"Parents' views", r"\bSALT\b", r"\bEP\b", r"Social care", r"actions", r"next review"):
        assert re.search(topic, titles), topic

    people = snap["participants"]
    agencies = {p["agency"] for p in people}
    roles = {p["role"] for p in people}
    assert {"school", "family", "ep_service", "social_care", "local_authority"} <= agencies
    assert {"parent", "educational_psychologist", "salt", "social_worker", "la_officer"} <= roles
    assert all(p["name"].strip() and p["agency_label"] for p in people)


def test_the_chair_console_shared_screen_and_every_join_link_printed_open_with_the_right_role(demo_app, client):
    output = seed_demo(demo_app)
    links = printed_links(output)
    base = demo_app.config["PUBLIC_URL"].rstrip("/")
    assert all(url.startswith(base + "/") for url in links.values()), links

    page, boot = open_page(client, links.pop("Chair console"))
    assert boot["snapshot"]["viewer"]["role"] == "chair" and body_class(page) == "room chair role-chair"
    assert "Start meeting" in page
    meeting_id = boot["snapshot"]["meeting"]["id"]
    people = {p["name"]: p for p in boot["snapshot"]["participants"]}

    page, boot = open_page(client, links.pop("Shared screen"))
    assert boot["snapshot"]["viewer"] == {"role": "screen", "participant_id": None}
    assert body_class(page) == "room screen" and boot["snapshot"]["meeting"]["id"] == meeting_id

    # Everything else printed is a join link: one for each participant, opening their own page.
    joined = set()
    for who, url in links.items():
        m = JOIN_AS.match(who)
        assert m, f"unexpected line: {who}"
        person = people[m["name"]]
        assert m["role"] == person["role_label"]
        assert urlsplit(url).path.startswith("/join/")
        page, boot = open_page(client, url)
        assert boot["snapshot"]["viewer"] == {"role": "participant", "participant_id": person["id"]}
        assert body_class(page) == "room participant" and boot["snapshot"]["meeting"]["id"] == meeting_id
        joined.add(m["name"])
    assert joined == set(people) and len(joined) >= 6


def test_the_printed_staff_sign_in_works(demo_app):
    m = SIGN_IN.search(seed_demo(demo_app))
    assert m, "no staff sign-in line"
    assert urlsplit(m["url"]).path == "/login"
    staff = demo_app.test_client()
    response = sign_in(staff, m["email"], m["password"])
    assert response.status_code == 303, response.status_code
    assert staff.get("/account").status_code == 200
    assert sign_in(demo_app.test_client(), m["email"], m["password"] + "x").status_code == 401
    # With the kept password gone (a cleaned instance folder), seeding again prints a new one that works.
    (Path(demo_app.instance_path) / "demo-password").unlink()
    renewed = SIGN_IN.search(seed_demo(demo_app))
    assert renewed["password"] != m["password"]
    assert sign_in(demo_app.test_client(), m["email"], renewed["password"]).status_code == 303


def test_seeding_again_prints_the_same_meeting_and_links_and_base_url_moves_them(demo_app, client):
    first = seed_demo(demo_app)
    again = seed_demo(demo_app)
    assert again == first
    elsewhere = printed_links(seed_demo(demo_app, "--base-url", "https://review.example.org/"))
    assert {who: urlsplit(url).path for who, url in elsewhere.items()} == {
        who: urlsplit(url).path for who, url in printed_links(first).items()
    }
    assert all(url.startswith("https://review.example.org/") and "//" not in url[8:] for url in elsewhere.values())
    with demo_app.app_context():
        from sqlalchemy import func, select

        from facilitation.extensions import db
        from facilitation.models import Meeting

        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
