"""Single sign-on's cost on the server: a whole sign-in against a real OpenID provider on this machine,
and the ID token check alone with the provider's keys cached.

    .venv/bin/python benchmarks/single_sign_on.py [--rounds 50]

The provider is tests/oidc/provider.mjs (the `oidc-provider` npm package, run by Node on 127.0.0.1), as in
the tests. Timed with Flask's test client in this process on a temporary SQLite database:

- **start**: GET /sign-in/sso/<slug> (discovery cached after the first round, the state kept, the redirect);
- **callback**: GET /sign-in/sso/callback: the code exchanged at the provider's token endpoint over HTTP,
  the ID token verified, the account found (a first round makes it), the session started;
- **verify**: `verify_id_token` alone on a token the provider signed, keys cached (no network).

The provider's own time (its sign-in page, run by the `requests` client here) is not counted. Wall-clock
times include the provider's answer to the code exchange; the table gives the CPU model and the load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facilitation import create_app  # noqa: E402
from facilitation.config import TestConfig  # noqa: E402
from facilitation.extensions import db  # noqa: E402
from facilitation.models import Organisation  # noqa: E402
from facilitation.services import single_sign_on as sso  # noqa: E402
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, start_provider  # noqa: E402

CALLBACK = "http://localhost/sign-in/sso/callback"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=50)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sso-bench-"))
    provider = start_provider(work / "provider.log")
    try:
        provider.register([CALLBACK])
        app = create_app(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{work / 'bench.db'}",
            OIDC_ALLOW_HTTP=True,
            RATELIMIT_ENABLED=False,  # fifty sign-ins a minute from one address are the point here
        )
        with app.app_context():
            db.create_all()
            org = db.session.get(Organisation, 1)
            org.oidc_issuer, org.oidc_client_id, org.oidc_client_secret = provider.issuer, CLIENT_ID, CLIENT_SECRET
            org.oidc_domains = ["school.test"]
            db.session.commit()
        timings: dict[str, list[float]] = {"start": [], "callback": [], "verify": []}
        cpu: dict[str, list[float]] = {"start": [], "callback": [], "verify": []}
        for n in range(options.rounds + 1):
            client = app.test_client()
            t0, c0 = time.perf_counter(), time.process_time()
            started = client.get("/sign-in/sso/main")
            assert started.status_code == 303, (started.status_code, started.get_data(as_text=True)[:300])
            t1, c1 = time.perf_counter(), time.process_time()
            back = provider.sign_in(started.headers["Location"], f"teacher{n % 10}@school.test", CALLBACK)
            t2, c2 = time.perf_counter(), time.process_time()
            answer = client.get(back.removeprefix("http://localhost"))
            t3, c3 = time.perf_counter(), time.process_time()
            assert answer.status_code == 303, answer.get_data(as_text=True)
            if n:  # the first round fetches discovery and keys, and is left out
                timings["start"].append(t1 - t0)
                timings["callback"].append(t3 - t2)
                cpu["start"].append(c1 - c0)
                cpu["callback"].append(c3 - c2)
        now = int(time.time())
        token = provider.sign(
            {"iss": provider.issuer, "sub": "s", "aud": CLIENT_ID, "exp": now + 600, "iat": now, "nonce": "n"}
        )
        with app.app_context():
            sso.verify_id_token(token, issuer=provider.issuer, client_id=CLIENT_ID, nonce="n")
            for _ in range(options.rounds * 10):
                t0, c0 = time.perf_counter(), time.process_time()
                sso.verify_id_token(token, issuer=provider.issuer, client_id=CLIENT_ID, nonce="n")
                timings["verify"].append(time.perf_counter() - t0)
                cpu["verify"].append(time.process_time() - c0)
    finally:
        provider.stop()
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the end")
    print(f"{options.rounds} sign-ins (after one warm-up), {options.rounds * 10} token checks\n")
    print("| step | p50 ms | p95 ms | this process CPU p50 ms (app + HTTP client) |")
    print("| --- | --- | --- | --- |")
    for step, values in timings.items():
        p50, p95 = quantiles(values)
        print(f"| {step} | {p50 * 1000:.2f} | {p95 * 1000:.2f} | {statistics.median(cpu[step]) * 1000:.2f} |")


if __name__ == "__main__":
    main()
