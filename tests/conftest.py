"""Shared fixtures: an app on a real SQLite file, meetings made through the services, socket clients,
and live server processes on 127.0.0.1 for what the in-process test clients bypass."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
sys.path.insert(0, str(ROOT))

from facilitation import create_app  # noqa: E402
from facilitation.config import TestConfig  # noqa: E402
from facilitation.extensions import db, socketio  # noqa: E402
from facilitation.services import security_events  # noqa: E402

_schema_template: Path | None = None


def sqlite_schema_template() -> Path:
    """A SQLite file with the tables created from the models, built once per test run.

    Creating the tables took about a tenth of a second per test; a copy of this file takes a
    millisecond and gives each test the same fresh database file of its own."""
    global _schema_template
    if _schema_template is None:
        folder = Path(tempfile.mkdtemp(prefix="common-ground-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "schema.db"
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
        with app.app_context():
            db.create_all()
            db.session.remove()
            db.engine.dispose()
        # Closing the last connection checkpoints the write-ahead log into the file: the file alone is
        # the whole database, so copying it is enough.
        assert not path.with_name(path.name + "-wal").exists(), "the template's write-ahead log was not checkpointed"
        _schema_template = path
    return _schema_template


@contextmanager
def app_with(tmp_path: Path, **overrides):
    """The app on a fresh SQLite database file (or SQLALCHEMY_DATABASE_URI given), tables created from
    the models, with config overrides."""
    uri = overrides.pop("SQLALCHEMY_DATABASE_URI", None)
    if uri is None:
        path = tmp_path / "test.db"
        shutil.copyfile(sqlite_schema_template(), path)
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", **overrides)
    else:
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=uri, **overrides)
        with app.app_context():
            db.create_all()
    yield app
    with app.app_context():
        # Repeats of security events still counted in memory are written and logged now, by this test:
        # left to the background flusher, they would be logged seconds later, into another test's log.
        security_events.flush()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    """The app on a fresh SQLite database file, tables created from the models."""
    with app_with(tmp_path) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


#: The staff accounts tests sign in as; passwords long enough for the password rules.
STAFF_PASSWORD = "correct horse battery staple"

#: scrypt as in production but with a small work factor. At the real cost every account a test made
#: and every sign-in took about 0.3 s of CPU, a third of the web tier's time. The hash keeps its format
#: and carries its parameters, so sign-in checks it as it would a real one; tests marked
#: `real_password_hashing` keep the production cost and check its parameters.
FAST_PASSWORD_HASH = "scrypt:1024:8:1"
_FAST_DUMMY_HASH = generate_password_hash("not a real password, only for timing", method=FAST_PASSWORD_HASH)


@pytest.fixture(autouse=True)
def fast_password_hashing(request, monkeypatch):
    """Accounts made in-process get cheap hashes, unless the test is marked real_password_hashing."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    from facilitation.services import accounts

    monkeypatch.setattr(accounts, "_hash", lambda password: generate_password_hash(password, method=FAST_PASSWORD_HASH))
    # An unknown address is checked against this hash so that it costs what a wrong password costs.
    monkeypatch.setattr(accounts, "_DUMMY_HASH", _FAST_DUMMY_HASH)


def add_staff(app, email: str = "senco@school.test", name: str = "Ms Senco", role: str = "chair") -> dict:
    """Create a staff account in the app's database; returns its e-mail, password, id and API token."""
    from facilitation.services import accounts

    with app.app_context():
        user = accounts.create_user(email, name, role, STAFF_PASSWORD, by="tests")
        token = accounts.issue_api_token(user)
        return {"email": email, "password": STAFF_PASSWORD, "id": user.id, "api_token": token, "name": name}


@pytest.fixture
def staff(app) -> dict:
    """A chair's staff account (a SENCO), with its API token: meetings in tests are prepared by it."""
    return add_staff(app)


def sign_in(client, email: str, password: str = STAFF_PASSWORD):
    """Sign a test client in through the sign-in form; returns the response."""
    return client.post("/login", data={"email": email, "password": password})


def meeting_payload(**overrides) -> dict:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    data = {
        "title": "Annual review",
        "meeting_type": "ehcp_annual_review",
        "child_ref": "AB-1",
        "scheduled_start": start.isoformat(),
        "scheduled_end": (start + timedelta(minutes=90)).isoformat(),
        "use_usual_agenda": True,
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_meeting(client, staff):
    """Create a meeting over the JSON API with the staff API token; returns its id and tokens."""

    def make(**overrides) -> dict:
        response = client.post(
            "/api/v1/meetings",
            json=meeting_payload(**overrides),
            headers={"Authorization": f"Bearer {staff['api_token']}"},
        )
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        return {"id": body["meeting"]["id"], **body["tokens"], "body": body}

    return make


@pytest.fixture
def meeting(make_meeting, client):
    """A meeting with the usual agenda and two participants (a parent and an EP)."""
    m = make_meeting()
    for name, role, agency in (("Sam Parent", "parent", "family"), ("Dr Eve Psych", "educational_psychologist", "ep_service")):
        r = client.post(
            f"/api/v1/meetings/{m['id']}/commands/participants.add",
            json={"name": name, "role": role, "agency": agency},
            headers={"Authorization": f"Bearer {m['chair']}"},
        )
        assert r.status_code == 200, r.get_json()
        m.setdefault("participants", []).append(r.get_json()["join_path"].rsplit("/", 1)[1])
    return m


@pytest.fixture
def api(client):
    """Send a command over the JSON API: api(token, meeting_id, name, **args) -> (status, body)."""

    def send(token, meeting_id, name, key=None, **args):
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        r = client.post(f"/api/v1/meetings/{meeting_id}/commands/{name}", json=args, headers=headers)
        return r.status_code, r.get_json()

    return send


@pytest.fixture
def sockets(app, client):
    """Open Socket.IO test clients with a link token; all are disconnected at the end."""
    opened = []

    def connect(token, flask_client=None):
        sc = socketio.test_client(app, auth={"token": token}, flask_test_client=flask_client or client)
        opened.append(sc)
        return sc

    yield connect
    for sc in opened:
        if sc.is_connected():
            sc.disconnect()


def events_of(sc, name="event"):
    """The payloads of one event type a test client has received since the last call."""
    return [m["args"][0] for m in sc.get_received() if m["name"] == name]


# ---------------------------------------------------------------- live server processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`python app.py` (gevent, as `make run` serves) on a free port, with its own instance folder."""

    def __init__(self, workdir: Path, env: dict | None = None, port: int | None = None, command: list[str] | None = None):
        self.workdir = workdir
        self.port = port or free_port()
        #: how the server is started (another command serves the same app, e.g. gunicorn's worker)
        self.command = command or [sys.executable, "app.py"]
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None
        #: a chair's staff API token, for preparing meetings (set when the database is initialised)
        self.api_token: str | None = None
        self.log = workdir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict:
        env = dict(os.environ)
        env.update(
            {
                "PORT": str(self.port),
                "INSTANCE_PATH": str(self.workdir),
                "PUBLIC_URL": self.url,
                "SECRET_KEY": "live-test-secret",
                "DATABASE_URL": f"sqlite:///{self.workdir / 'live.db'}",
            }
        )
        env.update(self.extra_env)
        return env

    def flask(self, *args: str, input: str | None = None) -> str:
        """Run a flask CLI command against this server's database; returns its output."""
        out = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "facilitation:create_app", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
            input=input,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    def start(self) -> LiveServer:
        # The server writes to its own copy of the descriptor; ours closes once it has started.
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start listening within 20 s")

    def kill(self) -> None:
        """Kill the process abruptly (SIGKILL), as a crash or power cut would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()


def create_staff_cli(server: LiveServer, email: str = "senco@school.test", role: str = "chair") -> str:
    """Create a staff account with `flask create-user` on a live server's database; returns its API token."""
    out = server.flask(
        "create-user", email, "--name", "Ms Senco", "--role", role, "--password-stdin", "--api-token",
        input=STAFF_PASSWORD + "\n",
    )
    return out.strip().rsplit("API token: ", 1)[1].split()[0]


def prepared_server(workdir: Path, env: dict | None = None) -> LiveServer:
    """A live server with its database initialised and a chair's staff account, started."""
    server = LiveServer(workdir, env)
    server.flask("init-db")
    server.api_token = create_staff_cli(server)
    return server.start()


@pytest.fixture
def live_server(tmp_path):
    """Start live servers: live_server(env=...) -> LiveServer with the database initialised."""
    servers: list[LiveServer] = []

    def start(env: dict | None = None, workdir: Path | None = None, init: bool = True) -> LiveServer:
        if init:
            server = prepared_server(workdir or tmp_path, env)
        else:
            server = LiveServer(workdir or tmp_path, env).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def local_today():
    """Today in the organisation's time zone, as the server reads "today" and due dates."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(getattr(TestConfig, "TIMEZONE", "Europe/London"))).date()
