"""Flask commands: init-db, create-organisation, create-user, deployment-admin, seed-demo, serve-many, send-reminders,
purge-expired, export-child, erase-child."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.engine import make_url

from . import queries, schemas, services
from .domain import access
from .domain.errors import RuleViolation
from .domain.meetings import PARTICIPANT_ROLES
from .extensions import db
from .models import AccessLink, Meeting, Organisation, User, utcnow
from .realtime.broadcast import broadcast
from .services import accounts, data_protection, organisations, security_events
from .services.action_log import reminders

DEMO_TITLE = "Annual review of EHC plan: Year 5"
DEMO_CHILD = "JM-2231"


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    app.cli.add_command(init_db)
    app.cli.add_command(create_user)
    app.cli.add_command(create_organisation)
    app.cli.add_command(deployment_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(serve_many)
    app.cli.add_command(send_reminders)
    app.cli.add_command(send_invitations)
    app.cli.add_command(purge_expired)
    app.cli.add_command(export_child)
    app.cli.add_command(erase_child)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database or bring it up to the latest schema (runs the migrations)."""
    upgrade_database()
    click.echo(f"Database ready: {safe_url(current_app.config['SQLALCHEMY_DATABASE_URI'])}")


def upgrade_database() -> None:
    """Apply pending migrations."""
    upgrade(directory=current_app.extensions["migrate"].directory)


def safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    return make_url(url).render_as_string(hide_password=True)


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The person's name as others see it.")
@click.option("--role", type=click.Choice(list(access.ACCOUNT_ROLES)), default="admin", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@click.option("--api-token", is_flag=True, help="Also print an API token for preparing meetings over the JSON API.")
@click.option(
    "--organisation",
    "organisation_slug",
    default=None,
    help="The short name of the organisation the account belongs to (default: the first, main).",
)
@click.option("--deployment-admin", is_flag=True, help="May also create organisations (the deployment's operators).")
@with_appcontext
def create_user(
    email: str,
    name: str,
    role: str,
    password_stdin: bool,
    api_token: bool,
    organisation_slug: str | None,
    deployment_admin: bool,
) -> None:
    """Create a staff account (the first administrator, for example); asks for the password."""
    org_id = queries.FIRST_ORGANISATION
    if organisation_slug is not None:
        org = organisations.by_slug(organisation_slug)
        if org is None:
            raise click.BadParameter(
                "No organisation has that short name (see flask create-organisation).", param_hint="--organisation"
            )
        org_id = org.id
    password = _read_password(password_stdin)
    try:
        user = accounts.create_user(
            email, name, role, password, by="Command line", organisation_id=org_id, deployment_admin=deployment_admin
        )
    except schemas.FieldErrors as exc:
        _fail(exc)
    click.echo(
        f"Created {access.ACCOUNT_ROLES[role].lower()} account {user.email}"
        + (" (a deployment administrator)." if deployment_admin else ".")
    )
    if api_token:
        click.echo(f"API token: {accounts.issue_api_token(user)}")


def _read_password(from_stdin: bool, prompt: str = "Password") -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


def _fail(exc: schemas.FieldErrors):
    for field, message in exc.fields.items():
        click.echo(f"{field}: {message}", err=True)
    raise SystemExit(1) from None


@click.command("deployment-admin")
@click.argument("email")
@click.option("--off", is_flag=True, help="No longer a deployment administrator.")
@with_appcontext
def deployment_admin(email: str, off: bool) -> None:
    """Make an existing account a deployment administrator (it may create organisations), or not (--off)."""
    user = accounts.user_by_email(email)
    if user is None:
        raise click.BadParameter("No account has that e-mail address.", param_hint="EMAIL")
    accounts.set_deployment_admin(user, not off, by="Command line (deployment-admin)")
    click.echo(f"{user.email} is {'no longer' if off else 'now'} a deployment administrator.")


@click.command("create-organisation")
@click.option("--name", required=True, help="The school's or service's name, as its staff see it.")
@click.option("--slug", required=True, help="Its short name: lower-case letters, digits and hyphens.")
@click.option("--admin-email", required=True, help="The e-mail address of its first administrator.")
@click.option("--admin-name", required=True, help="The first administrator's name.")
@click.option("--password-stdin", is_flag=True, help="Read the administrator's password from standard input.")
@with_appcontext
def create_organisation(name: str, slug: str, admin_email: str, admin_name: str, password_stdin: bool) -> None:
    """Add an organisation (a school or service) with its first administrator; asks for their password."""
    password = _read_password(password_stdin, "The administrator's password")
    try:
        org, admin = organisations.create_organisation(
            name, slug, admin_email, admin_name, password, by="Command line (create-organisation)"
        )
    except schemas.FieldErrors as exc:
        _fail(exc)
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    click.echo(f"Created organisation {org.name} ({org.slug}) with administrator {admin.email}.")
    click.echo("Next:")
    click.echo(f"  1. Give {admin.name} the password in person or by phone; they sign in at {base}/login.")
    click.echo("  2. They add their staff (Administration, Accounts), set retention and the statutory clock")
    click.echo("     (Administration, Settings) and, if they use one, their single sign-on provider.")
    click.echo("  3. A local-authority officer: make their account in the authority's organisation, then the")
    click.echo("     school's administrator gives it access (Administration, Other organisations' access).")


DEMO_ADMIN = ("a.okafor@hillside.example", "Ms A. Okafor")


def demo_admin() -> tuple[User, str]:
    """The demo's administrator (the SENCO of the demo meeting) and her password, made once.

    The password is random and kept in the instance folder (readable by this user only), so
    every `make run` can print it; a real deployment creates accounts with `flask create-user`.
    """
    path = Path(current_app.instance_path) / "demo-password"
    user = accounts.user_by_email(DEMO_ADMIN[0])
    if user is not None and path.exists():
        return user, path.read_text().strip()
    password = "-".join(secrets.token_urlsafe(4) for _ in range(4))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    if user is None:
        # a deployment administrator too, so the demo shows the organisations' page
        user = accounts.create_user(
            DEMO_ADMIN[0], DEMO_ADMIN[1], access.ADMIN, password, by="Demo set-up", deployment_admin=True
        )
    else:
        accounts.set_password(user, password, by="Demo set-up")
        accounts.set_deployment_admin(user, True, by="Demo set-up")
    return user, password


@click.command("seed-demo")
@click.option("--base-url", default=None, help="Where the printed links point (default PUBLIC_URL).")
@with_appcontext
def seed_demo(base_url: str | None) -> None:
    """Create the demo EHCP annual review once, then print its chair, shared-screen and join links."""
    base = (base_url or current_app.config["PUBLIC_URL"]).rstrip("/")
    admin, password = demo_admin()
    queries.use_organisation(admin.organisation_id)
    meeting = db.session.scalar(
        select(Meeting).where(
            Meeting.child_ref == DEMO_CHILD, Meeting.title == DEMO_TITLE, Meeting.organisation_id == admin.organisation_id
        )
    )
    if meeting is None:
        meeting = create_demo_meeting(admin)
    links = queries.meeting_links(meeting.id)
    click.echo("")
    click.echo(
        f"Staff sign-in: {base}/login as {admin.email}, password {password} "
        "(administrator of the organisation and of the deployment)"
    )
    click.echo("")
    click.echo(f"Demo meeting: {meeting.title} (child {meeting.child_ref})")
    for link in links:
        who = {"chair": "Chair console   ", "screen": "Shared screen   "}.get(link.role)
        if who is None and link.participant is None:
            continue
        if who is None:
            role = PARTICIPANT_ROLES.get(link.participant.role, link.participant.role)
            who = f"Join as {link.participant.name} ({role})"
        click.echo(f"  {who}: {base}{queries.link_path(link)}")
    click.echo("")


DEMO_AGENDA = [
    ("Welcome, introductions and purpose of the review", "Ms A. Okafor (SENCO)", 5),
    ("Review of actions from last year's review", "Ms A. Okafor (SENCO)", 10),
    ("J's views: 'All about me' booklet and drawings", "Mr T. Reid (class teacher)", 10),
    ("Parents' views", "Mrs S. Malik (parent)", 10),
    ("Communication and interaction: SALT report", "Ms J. Patel (SALT)", 15),
    ("Cognition and learning: EP advice", "Dr R. Evans (EP)", 15),
    ("Social care and family support", "Mr D. Owusu (social worker)", 10),
    ("Recommendation, actions, differences of opinion; next review", "Ms K. Lindqvist (LA SEND officer)", 15),
]

DEMO_PEOPLE = [
    ("Ms A. Okafor", "senco", "school", "Hillside Primary School"),
    ("Mrs S. Malik", "parent", "family", None),
    ("Mr T. Reid", "class_teacher", "school", "Hillside Primary School"),
    ("Dr R. Evans", "educational_psychologist", "ep_service", "Northshire Educational Psychology Service"),
    ("Ms J. Patel", "salt", "health", "Northshire Children's SALT, NHS"),
    ("Mr D. Owusu", "social_worker", "social_care", "Northshire Children's Social Care"),
    ("Ms K. Lindqvist", "la_officer", "local_authority", "Northshire SEND Team"),
]


def create_demo_meeting(owner: User | None = None) -> Meeting:
    """A realistic EHCP annual review starting at the next quarter hour, owned by the demo SENCO.

    Its chair link is not tied to her sign-in, so the printed link opens the console at once (as
    for a meeting prepared over the API); meetings prepared when signed in need the sign-in too.
    """
    now = datetime.now(UTC)
    start = (now + timedelta(minutes=15 - now.minute % 15)).replace(second=0, microsecond=0)
    meeting, _ = services.meetings.create_meeting(
        {
            "title": DEMO_TITLE,
            "meeting_type": "ehcp_annual_review",
            "child_ref": DEMO_CHILD,
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + timedelta(minutes=90)).isoformat(),
            "use_usual_agenda": False,
        },
        owner,
        bind_chair=False,
    )
    chair = db.session.scalar(select(AccessLink).where(AccessLink.meeting_id == meeting.id, AccessLink.role == "chair"))
    for title, presenter, minutes in DEMO_AGENDA:
        services.pipeline.execute(chair, "agenda.add_item", {"title": title, "presenter": presenter, "minutes": minutes})
    for name, role, agency, agency_name in DEMO_PEOPLE:
        services.pipeline.execute(
            chair, "participants.add", {"name": name, "role": role, "agency": agency, "agency_name": agency_name}
        )
    return meeting


NGINX_CONF = """\
# Written by `flask serve-many`: {processes} Common Ground processes behind nginx.
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    upstream common_ground {{
        # Sticky: Engine.IO's long-polling transport must reach the process that holds the session.
        ip_hash;
{servers}
    }}
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://common_ground;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
            gzip off;
        }}
    }}
}}
"""


@click.command("serve-many")
@click.option("--processes", "-n", default=2, show_default=True, help="Server processes to start.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, help="nginx listens here; processes on the next ports.")
@with_appcontext
def serve_many(processes: int, host: str, port: int) -> None:
    """Run several server processes (gunicorn, one gevent worker each) behind nginx, on one machine."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite") or not current_app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        raise click.UsageError(
            "Several processes need a shared database and message queue: set DATABASE_URL "
            "(PostgreSQL) and SOCKETIO_MESSAGE_QUEUE (Redis)."
        )
    upgrade_database()
    root = Path(current_app.root_path).parent
    prefix = Path(current_app.instance_path) / "nginx"
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    ports = [port + 1 + i for i in range(processes)]
    children = []
    for p in ports:
        children.append(
            subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn",
                    "-k", "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
                    "-w", "1", "-b", f"{host}:{p}", "--graceful-timeout", "5",
                    "--control-socket", str(prefix / f"gunicorn-{p}.ctl"), "app:app",
                ],
                cwd=root,
                # Behind the nginx below: the client's address is in X-Forwarded-For (rate limits count by it).
                env={**os.environ, "PUBLIC_URL": f"http://{host}:{port}", "TRUSTED_PROXIES": "1"},
            )
        )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if os.path.exists(nginx):
        servers = "\n".join(f"        server {host}:{p};" for p in ports)
        conf = prefix / "nginx.conf"
        conf.write_text(NGINX_CONF.format(processes=processes, prefix=prefix, servers=servers, host=host, port=port))
        children.append(subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"]))
        click.echo(f"nginx on http://{host}:{port}/ in front of processes on ports {', '.join(map(str, ports))}")
    else:
        click.echo(f"nginx not found (apt-get install nginx-light); processes on ports {', '.join(map(str, ports))}")
    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(c.poll() is None for c in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for c in children:
            if c.poll() is None:
                c.terminate()
        for c in children:
            c.wait(10)


def _run_or_repeat(once, every: int) -> None:
    """Run a sender once (exit status 1 when a send failed), or every `every` seconds as a worker."""
    if every <= 0:
        raise SystemExit(once())
    while True:
        once()
        db.session.remove()
        time.sleep(every)


@click.command("send-reminders")
@click.option("--now", "now_text", default=None, help="Act as if it were this moment (ISO 8601; no zone = local time). Default: now.")
@click.option("--dry-run", is_flag=True, help="List the reminders due without claiming or sending any.")
@click.option("--every", type=int, default=0, help="Keep running, once every N seconds (a worker instead of cron).")
@with_appcontext
def send_reminders(now_text: str | None, dry_run: bool, every: int) -> None:
    """E-mail action owners before due and follow-up dates and when overdue, and the chairs' weekly digest.

    Safe to run from several processes or machines at once, and again after a restart: each
    reminder is claimed in the database before it is sent, so it goes out at most once.
    """
    def once() -> int:
        now = services.pipeline.as_utc(datetime.fromisoformat(now_text.replace("Z", "+00:00"))) if now_text else utcnow()
        run = reminders.send_reminders(now, dry_run=dry_run)
        for line in run.planned:
            click.echo(f"due: {line}")
        for line in run.sent:
            click.echo(f"sent: {line}")
        for line in run.failed:
            click.echo(f"failed: {line}", err=True)
        click.echo(
            f"{len(run.sent)} sent, {run.already} already claimed, {len(run.failed)} failed, "
            f"{run.no_address} due actions without an owner address"
            + (f", {len(run.planned)} due (dry run)" if dry_run else "")
        )
        return 1 if run.failed else 0

    if now_text:
        try:
            datetime.fromisoformat(now_text.replace("Z", "+00:00"))
        except ValueError:
            raise click.BadParameter("Give a date and time like 2027-03-14T08:00.", param_hint="--now") from None
    _run_or_repeat(once, every)


@click.command("send-invitations")
@click.option("--every", type=int, default=0, help="Keep running, once every N seconds (a worker instead of cron).")
@with_appcontext
def send_invitations(every: int) -> None:
    """E-mail the invitations, updates and cancellations waiting to go out, and try failed ones again.

    Safe to run from several processes at once and beside the servers (which send right after the
    chair's command): each message is claimed in the database before it is sent, so it goes out once.
    """
    def once() -> int:
        run = services.invitations.send_queued(utcnow())
        for outcome in run.outcomes:
            broadcast(outcome)  # through the message queue, when one is configured, to the chairs' consoles
        for line in run.sent:
            click.echo(f"sent: {line}")
        for line in run.failed:
            click.echo(f"failed: {line}", err=True)
        click.echo(f"{len(run.sent)} sent, {run.already} already claimed, {len(run.failed)} failed")
        return 1 if run.failed else 0

    _run_or_repeat(once, every)


# ---------------------------------------------------------------- data protection (docs/security.md)


def _print_counts(counts: dict[str, int]) -> None:
    for table, n in counts.items():
        if n:
            click.echo(f"  {table}: {n}")


@click.command("purge-expired")
@click.option("--now", "now_text", default=None, help="Act as if it were this moment (ISO 8601; no zone = local time). Default: now.")
@click.option("--dry-run", is_flag=True, help="Say what would be purged, and change nothing.")
@click.option("--organisation", "organisation_slug", default=None, help="Only this organisation (its short name); default: each in turn.")
@with_appcontext
def purge_expired(now_text: str | None, dry_run: bool, organisation_slug: str | None) -> None:
    """Delete every meeting past its organisation's retention period, with all its records (logged per
    organisation), and the security log's counts older than SECURITY_LOG_RETENTION_DAYS."""
    now = utcnow()
    if now_text:
        try:
            now = services.pipeline.as_utc(datetime.fromisoformat(now_text.replace("Z", "+00:00")))
        except ValueError:
            raise click.BadParameter("Give a date and time like 2032-03-14T08:00.", param_hint="--now") from None
        if now > utcnow() and not dry_run:
            # A moment in the future would delete records before their time: only to look, never to delete.
            raise click.BadParameter("A moment in the future is only allowed with --dry-run.", param_hint="--now")
    organisations = _organisations(organisation_slug)
    for org in organisations:
        queries.use_organisation(org.id)  # its retention period, its meetings, its admin log
        summary = data_protection.purge_expired(now, by="Command line (purge-expired)", dry_run=dry_run)
        verb = "Would purge" if dry_run else "Purged"
        if len(organisations) > 1 or organisation_slug:
            click.echo(f"{org.name} ({org.slug}):")
        click.echo(
            f"Retention: {summary.retention_months} months from the meeting's end; "
            f"cut-off {summary.cutoff.isoformat(timespec='seconds')}."
        )
        if not summary.meeting_ids:
            click.echo("No meetings are past the retention period.")
            continue
        click.echo(f"{verb} {len(summary.meeting_ids)} meetings: {', '.join(map(str, summary.meeting_ids))}")
        click.echo("Rows " + ("that would be deleted:" if dry_run else "deleted:"))
        _print_counts(summary.counts)
    if organisation_slug is None:  # the security log is the deployment's, not one organisation's
        days = int(current_app.config["SECURITY_LOG_RETENTION_DAYS"])
        pruned = security_events.prune(now, days, dry_run=dry_run)
        if pruned is None:
            click.echo("Security log: kept without limit (SECURITY_LOG_RETENTION_DAYS=0).")
        else:
            cutoff, rows = pruned
            click.echo(
                f"Security log: {days} days; cut-off {cutoff.isoformat(timespec='seconds')}; "
                f"{rows} {'rows would be' if dry_run else 'rows'} deleted."
            )
    if dry_run:
        click.echo("Dry run: nothing was changed.")


def _organisations(slug: str | None) -> list[Organisation]:
    """The organisation named by --organisation (a usage error if there is none), else every organisation."""
    query = select(Organisation).order_by(Organisation.id)
    if slug:
        query = query.where(Organisation.slug == slug.strip().lower())
    found = list(db.session.scalars(query))
    if slug and not found:
        raise click.BadParameter(f"There is no organisation '{slug}'.", param_hint="--organisation")
    return found


def _one_organisation(slug: str) -> None:
    """Scope the command to the organisation named by --organisation (default: the first, "main")."""
    queries.use_organisation(_organisations(slug)[0].id)


#: export-child and erase-child act on one organisation's children (child references are its own)
ONE_ORGANISATION_OPTION = click.option(
    "--organisation", "organisation_slug", default="main", show_default=True, help="The organisation whose child it is (its short name)."
)


@click.command("export-child")
@click.argument("child_ref")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The ZIP file to write.")
@ONE_ORGANISATION_OPTION
@with_appcontext
def export_child(child_ref: str, out: str, organisation_slug: str) -> None:
    """Write every meeting of one child (subject access, confidential entries included) to a ZIP (logged)."""
    _one_organisation(organisation_slug)
    try:
        data = data_protection.subject_access_export(child_ref, by="Command line (export-child)")
    except RuleViolation as exc:
        raise click.UsageError(exc.message) from None
    with open(out, "wb") as f:
        f.write(data)
    found = len(data_protection.child_records(child_ref))
    if found:
        click.echo(f"Wrote {found} meetings to {out} ({len(data)} bytes). Check it for other people's information before release.")
    else:
        click.echo(f"No meetings are held for that reference; {out} says so.")


@click.command("erase-child")
@click.argument("child_ref")
@click.option("--yes", is_flag=True, help="Confirm: the records cannot be recovered afterwards.")
@ONE_ORGANISATION_OPTION
@with_appcontext
def erase_child(child_ref: str, yes: bool, organisation_slug: str) -> None:
    """Delete every meeting of one child and all their records (logged); needs --yes."""
    _one_organisation(organisation_slug)
    meetings = data_protection.child_records(child_ref)
    if not yes:
        click.echo(
            f"This would delete {len(meetings)} meetings and all their records for good. "
            "Run again with --yes to erase them.",
            err=True,
        )
        raise SystemExit(1)
    try:
        erasure = data_protection.erase_child(child_ref, by="Command line (erase-child)")
    except RuleViolation as exc:
        click.echo(exc.message, err=True)
        raise SystemExit(1) from None
    click.echo(f"Erased {len(erasure.meeting_ids)} meetings: {', '.join(map(str, erasure.meeting_ids))}")
    click.echo("Rows deleted:")
    _print_counts(erasure.counts)
