"""An administrator sets up signing in with the school's accounts; a teacher then clicks "Sign in with
your school account", types their work address, signs in at the provider's own page (a real OpenID
provider, tests/oidc/provider.mjs) and lands in the app signed in; signing out offers the provider's sign-out too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import check_page
from tests.conftest import STAFF_PASSWORD, create_staff_cli
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, oidc_provider  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.browser


def test_a_teacher_signs_in_with_their_school_account(people, live_server, oidc_provider):  # noqa: F811
    server = live_server({"OIDC_ALLOW_HTTP": "1"})
    oidc_provider.register([f"{server.url}/sign-in/sso/callback"], [f"{server.url}/login"])
    create_staff_cli(server, "admin@school.test", role="admin")

    # The administrator enters the provider's details.
    admin = people.open(f"{server.url}/login", "admin")
    admin.fill("#sign-in input[name=email]", "admin@school.test")
    admin.fill("#sign-in input[name=password]", STAFF_PASSWORD)
    admin.click("#sign-in button[type=submit]")
    admin.goto(f"{server.url}/admin/settings/sign-in")
    check_page(admin, "admin-sign-in-settings")
    admin.fill("input[name=issuer]", oidc_provider.issuer)
    admin.fill("input[name=client_id]", CLIENT_ID)
    admin.fill("input[name=client_secret]", CLIENT_SECRET)
    admin.fill("textarea[name=domains]", "school.test")
    admin.click("#sign-in-settings button[type=submit]")
    expect(admin.locator("[role=status], .flash, .flashes").first).to_contain_text("Sign-in settings saved")
    assert CLIENT_SECRET not in admin.content()

    # A teacher with no account yet signs in with the school's account.
    teacher = people.open(f"{server.url}/login", "teacher")
    expect(teacher.get_by_role("heading", name="Sign in with your school account")).to_be_visible()
    check_page(teacher, "sign-in-with-school-account")
    teacher.fill("#sso-sign-in input[name=email]", "new.teacher@school.test")
    teacher.click("text=Sign in with your school account >> nth=-1")
    expect(teacher.locator("h1")).to_have_text("Test provider: sign in")
    assert teacher.url.startswith(oidc_provider.issuer)
    expect(teacher.locator("input[name=login]")).to_have_value("new.teacher@school.test")  # the login hint
    teacher.click("text=Sign in at the provider")
    expect(teacher.locator("h1")).to_have_text("Your meetings")
    assert teacher.url.startswith(server.url)
    check_page(teacher, "meetings-after-school-sign-in")

    # Signing out ends the session here and offers the provider's sign-out.
    teacher.click("text=Sign out")
    expect(teacher.locator("h1")).to_have_text("Sign in")
    teacher.click("#provider-sign-out a")
    teacher.wait_for_url(f"{oidc_provider.issuer}/**")
    teacher.goto(f"{server.url}/account")
    expect(teacher.locator("h1")).to_have_text("Sign in")
    assert people.page_errors == []
