"""Live-server helpers shared by the restart tests (integration and browser): a meeting made over
the JSON API, and a server restarted on the same port and database after a crash; a PostgreSQL database,
and a real SMTP server (aiosmtpd) for the reminder and invitation tests."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
import threading
import uuid

import pytest
import requests

from tests.conftest import ROOT, LiveServer, free_port, meeting_payload


@pytest.fixture
def postgres_url():
    """A temporary PostgreSQL database on 127.0.0.1:5432, dropped afterwards; skipped when unreachable."""
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {exc}")
    admin.autocommit = True
    name = f"cg_test_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as c:
        c.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    with admin.cursor() as c:
        c.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


class LiveMeeting:
    """A meeting on a live server, driven over the JSON API with its chair's Bearer token."""

    def __init__(self, server: LiveServer, **overrides):
        self.server = server
        r = requests.post(
            f"{server.url}/api/v1/meetings",
            json=meeting_payload(**overrides),
            headers={"Authorization": f"Bearer {server.api_token}"},
            timeout=10,
        )
        assert r.status_code == 201, r.text
        body = r.json()
        self.id: int = body["meeting"]["id"]
        self.chair: str = body["tokens"]["chair"]
        self.screen: str = body["tokens"]["screen"]
        self.participants: list[str] = []

    @property
    def url(self) -> str:
        return self.server.url

    def command(self, name: str, /, idempotency_key: str | None = None, **args) -> dict:
        """Send one chair command; assert it was acknowledged; return the result (with its seq)."""
        headers = {"Authorization": f"Bearer {self.chair}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        r = requests.post(
            f"{self.url}/api/v1/meetings/{self.id}/commands/{name}", json=args, headers=headers, timeout=10
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["ok"] is True, body
        return body

    def add_participant(self, name="Sam Parent", role="parent", agency="family") -> str:
        """Add a participant; return their link token."""
        result = self.command("participants.add", name=name, role=role, agency=agency)
        token = result["join_path"].rsplit("/", 1)[1]
        self.participants.append(token)
        return token

    def titles(self) -> list[str]:
        """The agenda's item titles in order."""
        return [i["title"] for i in self.snapshot()["items"]]

    def snapshot(self, token: str | None = None) -> dict:
        r = requests.get(
            f"{self.url}/api/v1/meetings/{self.id}",
            headers={"Authorization": f"Bearer {token or self.chair}"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return r.json()

    def events(self, after_seq: int = 0) -> list[dict]:
        r = requests.get(
            f"{self.url}/api/v1/meetings/{self.id}/events",
            params={"after_seq": after_seq},
            headers={"Authorization": f"Bearer {self.chair}"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return r.json()["events"]


def current_item(snapshot: dict) -> dict:
    """The item the meeting is on, from a snapshot."""
    current = snapshot["meeting"]["current_item_id"]
    return next(i for i in snapshot["items"] if i["id"] == current)


@pytest.fixture
def relaunch():
    """relaunch(server) -> a new server process on the same port and database (no init-db)."""
    started: list[LiveServer] = []

    def start(old: LiveServer) -> LiveServer:
        assert old.proc is None or old.proc.poll() is not None, "stop or kill the old server first"
        server = LiveServer(old.workdir, dict(old.extra_env), port=old.port)
        server.api_token = old.api_token
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


class Inbox:
    """What the SMTP server received; addresses in `refuse` are turned away once each (a 550)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.refuse:
            self.refuse.discard(address)
            return "550 5.2.1 Mailbox unavailable, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def subjects(self) -> list[str]:
        return sorted(m["Subject"] for m in self.messages)


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 for the test."""
    controller_module = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")
    inbox = Inbox()
    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def two_senders_at_once(command: list[str], env: dict, inbox: Inbox, expected: set[str]) -> None:
    """Run a `flask` sender command in two processes at once: every expected address gets exactly one
    message, and the two runs' "N sent" lines add up to that."""
    cmd = [sys.executable, "-m", "flask", "--app", "facilitation:create_app", *command]
    senders = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [s.communicate(timeout=120)[0] for s in senders]
    assert all(s.returncode == 0 for s in senders), outputs
    assert len(inbox.messages) == len(expected), outputs
    assert {m["To"] for m in inbox.messages} == expected
    assert len({m["Message-ID"] for m in inbox.messages}) == len(expected)
    sent = [int(o.strip().splitlines()[-1].split(" sent")[0]) for o in outputs]
    assert sum(sent) == len(expected), outputs
