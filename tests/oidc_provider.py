"""A real OpenID Connect provider for the tests: tests/oidc/provider.mjs (the `oidc-provider` npm package)
run by Node on 127.0.0.1, started once per test session, and a person signing in at it over HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"

CLIENT_ID = "common-ground-test"
CLIENT_SECRET = "a-test-client-secret-of-enough-length-1234"


class TestProvider:
    """The provider process, steered through its /test/ endpoints."""

    __test__ = False

    def __init__(self, process: subprocess.Popen, issuer: str):
        self.process, self.issuer = process, issuer

    def stop(self) -> None:
        """End the provider's process."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.process.stdout.close()

    def _post(self, what: str, body: dict | None = None) -> dict:
        answer = requests.post(f"{self.issuer}/test/{what}", json=body or {}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def register(self, redirect_uris: list[str], post_logout_redirect_uris: list[str] | None = None, **client) -> None:
        """Make the app a client of the provider, sending people back to these addresses."""
        self._post(
            "clients",
            {
                "clients": [
                    {
                        "client_id": CLIENT_ID,
                        "client_secret": CLIENT_SECRET,
                        "redirect_uris": redirect_uris,
                        "post_logout_redirect_uris": post_logout_redirect_uris or [],
                        "grant_types": ["authorization_code"],
                        "response_types": ["code"],
                        **client,
                    }
                ]
            },
        )

    def rotate_keys(self) -> str:
        """Replace the provider's signing key; returns the new key id."""
        return self._post("rotate")["kid"]

    def sign(self, claims: dict) -> str:
        """A JWT of these claims signed with the provider's current key, as it signs ID tokens."""
        return self._post("sign", {"claims": claims})["token"]

    def sign_in(self, authorisation_url: str, email: str, redirect_uri: str, *, cancel: bool = False) -> str:
        """A person at the provider's sign-in page (no browser): the address the provider sends them back to."""
        browser = requests.Session()
        url = authorisation_url
        for _ in range(10):
            if url.startswith(redirect_uri):
                return url
            page = browser.get(url, allow_redirects=False, timeout=10)
            if page.status_code in (302, 303):
                url = urljoin(url, page.headers["Location"])
                continue
            assert page.status_code == 200, page.text
            action = "/interaction/" + url.rsplit("/interaction/", 1)[1]
            sent = browser.post(
                urljoin(url, action),
                data={"login": email, "password": "anything", "action": "cancel" if cancel else "login"},
                allow_redirects=False,
                timeout=10,
            )
            assert sent.status_code in (302, 303), sent.text
            url = urljoin(url, sent.headers["Location"])
        raise AssertionError(f"the provider never sent the person back: {url}")


def start_provider(log_path: Path) -> TestProvider:
    """Start tests/oidc/provider.mjs with Node on a free port of 127.0.0.1; its stderr goes to log_path."""
    with log_path.open("w") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [shutil.which("node") or "node", str(SCRIPT)], cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True
        )
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(30)
    if not first or not first[0].strip():
        process.kill()
        raise RuntimeError(f"the OpenID provider did not start: {log_path.read_text()[-2000:]}")
    return TestProvider(process, json.loads(first[0])["issuer"])


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The provider, started once for the session (skipped, saying why, where Node or the package is missing)."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: the OpenID provider for these tests runs on it")
    if not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.skip("the oidc-provider npm package is not installed (make setup runs npm ci)")
    provider = start_provider(tmp_path_factory.mktemp("oidc") / "provider.log")
    yield provider
    provider.stop()
