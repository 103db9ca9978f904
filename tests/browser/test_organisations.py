"""A deployment administrator adds a school with its first administrator; the school's administrator signs
in to an administration that names their school and shows nothing of the first one, and gives a
local-authority officer of another organisation access to the school's meetings."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser

HEAD_PASSWORD = "blue kettle morning river"


def sign_in(page, url: str, email: str, password: str = STAFF_PASSWORD) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("#sign-in button[type=submit]")
    expect(page.locator(".staff-nav")).to_contain_text("Sign out")


def test_a_deployment_administrator_adds_a_school_whose_administrator_grants_an_officer_access(
    people, live_server, artifacts
):
    server = live_server()
    server.flask(
        "create-user",
        "ops@council.test",
        "--name",
        "Ms Ops",
        "--role",
        "admin",
        "--deployment-admin",
        "--password-stdin",
        input=STAFF_PASSWORD + "\n",
    )
    server.flask(
        "create-user",
        "officer@council.test",
        "--name",
        "Ms Lindqvist",
        "--role",
        "note_taker",
        "--password-stdin",
        input=STAFF_PASSWORD + "\n",
    )

    ops = people.open(f"{server.url}/", "deployment-admin", viewport=(1280, 900))
    sign_in(ops, server.url, "ops@council.test")
    ops.click(".staff-nav >> text=Organisations")
    expect(ops.locator("h1")).to_have_text("Organisations of this deployment")
    form = ops.locator("#add-organisation")
    form.locator("input[name=name]").fill("Oak Tree Primary")
    form.locator("input[name=slug]").fill("oak-tree")
    form.locator("input[name=admin_name]").fill("Mrs Oak")
    form.locator("input[name=admin_email]").fill("head@oaktree.test")
    form.locator("input[name=admin_password]").fill(HEAD_PASSWORD)
    form.locator("button[type=submit]").click()
    expect(ops.locator(".flash")).to_contain_text("Oak Tree Primary is ready")
    oak = ops.locator('#organisations tr[data-slug="oak-tree"]')
    expect(oak.locator("td").nth(2)).to_have_text("1")  # its first administrator
    ops.screenshot(path=str(artifacts / "deployment-organisations.png"), full_page=True)

    head = people.open(f"{server.url}/", "school-admin", viewport=(1280, 900))
    sign_in(head, server.url, "head@oaktree.test", HEAD_PASSWORD)
    head.click(".staff-nav >> text=Administration")
    expect(head.locator(".admin-organisation")).to_have_text("Organisation: Oak Tree Primary")
    head.click(".admin-nav >> text=Accounts")
    expect(head.locator("#accounts tbody tr")).to_have_count(1)
    assert "ops@council.test" not in head.content() and "senco@school.test" not in head.content()
    assert "Organisations" not in head.locator(".staff-nav").inner_text()

    head.click(".admin-nav >> text=Other organisations' access")
    head.fill("#add-grant input[name=email]", "officer@council.test")
    head.select_option("#add-grant select[name=role]", "note_taker")
    head.click("#add-grant button[type=submit]")
    expect(head.locator(".flash")).to_contain_text(
        "Ms Lindqvist can now open this organisation's meetings as note-taker"
    )
    expect(head.locator('#grants tr[data-email="officer@council.test"] td').nth(2)).to_have_text("Note-taker")
    head.screenshot(path=str(artifacts / "admin-grants.png"), full_page=True)
    head.get_by_role("button", name="Take back Ms Lindqvist's access").click()
    expect(head.locator("#grants tbody")).to_contain_text("No account of another organisation has access")
    assert people.page_errors == []
