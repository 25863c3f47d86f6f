"""Fault (c): the outside LRS is away for OUTAGE minutes while learners work; once it is back,
the forwarding backlog drains and every stored statement reaches it exactly once.

    python bench/faults/lrs_outage.py --database-url URL [--outage-minutes 10] [--learners 20]

URL is an empty PostgreSQL database or schema, as for bench/load.py. The scenario runs an
outside LRS stub on loopback (it keeps what it receives by statement id; it can answer 503 or
be closed, connections then refused), serves the app under gunicorn with forwarding to the
stub, and runs the scheduler as production does (`flask lms scheduler`, the real process,
whose forwarding job sends one batch per 30 s run). The learners of bench/load.py work
throughout: --lead seconds with the stub up, the outage (its first half answering 503, its
second half refusing connections), then --tail seconds with the stub back. Then it waits,
up to --drain-timeout seconds, for the backlog to be empty, printing it as it goes, and checks:
every stored statement received by the stub exactly once (by id), none unknown to the store;
plus the load checks (statements == actions, attempts, replay == live).

--forward-batch is the forwarding batch (XAPI_FORWARD_BATCH). The app's default, 100 per
30-second run (3.3 statements/s), is below what a few dozen active learners produce: the
scenario uses 1000 unless told otherwise, and prints the rate it needed.
"""

import argparse
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sqlalchemy as sa
from _common import Background, load
from serve import BIN, ROOT

from lms.extensions import db
from lms.xapi.forwarding.operations import backlog
from lms.xapi.models import Statement


class OutsideLRS:
    """A stand-in for the outside LRS on 127.0.0.1:`port`: up, failing (503) or down."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: Counter[str] = Counter()
        self.failing = False
        self.requests = 0
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def up(self) -> None:
        self.failing = False
        if self.server is None:
            self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
            threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fail(self) -> None:
        self.failing = True

    def down(self) -> None:
        """Closed: connections are refused."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with stub.lock:
                    stub.requests += 1
                    if stub.failing:
                        self._answer(503, b"maintenance")
                        return
                    statements = json.loads(body)
                    statements = statements if isinstance(statements, list) else [statements]
                    stub.received.update(statement["id"] for statement in statements)
                self._answer(200, json.dumps([s["id"] for s in statements]).encode())

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args) -> None:
                pass

        return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    load.common_arguments(parser)
    parser.set_defaults(learners=20, port=8769)
    parser.add_argument("--outage-minutes", type=float, default=10)
    parser.add_argument("--lead", type=float, default=60, help="seconds before the outage")
    parser.add_argument("--tail", type=float, default=60, help="seconds of load after it")
    parser.add_argument("--lrs-port", type=int, default=8799)
    parser.add_argument("--forward-batch", type=int, default=1000)
    parser.add_argument("--drain-timeout", type=float, default=1800)
    args = parser.parse_args()
    outage = args.outage_minutes * 60

    stub = OutsideLRS(args.lrs_port)
    stub.up()
    env = load.bench_env(
        args.database_url,
        f"http://127.0.0.1:{args.port}",
        XAPI_FORWARD_URL=f"http://127.0.0.1:{args.lrs_port}/xapi/",
        XAPI_FORWARD_USERNAME="parcours",
        XAPI_FORWARD_PASSWORD="bench",  # noqa: S106 - the stub checks nothing
        XAPI_FORWARD_BATCH=str(args.forward_batch),
    )
    app, course, emails = load.prepare(env, args.learners)
    scheduler = subprocess.Popen(
        [str(BIN / "flask"), "lms", "scheduler"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    samples: list[tuple[float, str, int]] = []
    started = time.monotonic()

    def sample(phase: str) -> int:
        with app.app_context():
            count = backlog()
            db.session.remove()
        samples.append((time.monotonic() - started, phase, count))
        print(f"{time.monotonic() - started:7.0f} s  {phase:<16} backlog {count}", flush=True)
        return count

    def phase(name: str, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            sample(name)
            time.sleep(min(30, max(0, end - time.monotonic())))

    try:
        with load.gunicorn(env, args.port, load.serve_args(args.workers, args.server_threads)):
            background = Background(
                port=args.port,
                course=course,
                emails=emails,
                duration=args.lead + outage + args.tail,
                think=args.think,
                ramp=args.ramp,
            )
            phase("LRS up", args.lead)
            stub.fail()
            phase("LRS 503", outage / 2)
            stub.down()
            phase("LRS refusing", outage / 2)
            stub.up()
            back = time.monotonic()
            phase("LRS back", args.tail)
            results = background.join()
        drained_after = None
        while time.monotonic() - back < args.drain_timeout:
            if sample("draining") == 0:
                drained_after = time.monotonic() - back
                break
            time.sleep(15)
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=30)

    errors = load.report(results)
    problems = load.check(app, course, results)
    with app.app_context():
        stored = set(db.session.scalars(sa.select(Statement.id)))
        db.session.remove()
    received = stub.received
    missing = stored - received.keys()
    twice = [id_ for id_, count in received.items() if count > 1]
    unknown = received.keys() - stored
    peak = max(count for _, _, count in samples)
    print(
        f"\noutage {args.outage_minutes:g} min; backlog peak {peak}; "
        + (
            f"drained {drained_after:.0f} s after the LRS came back"
            if drained_after
            else "NOT drained"
        )
    )
    print(
        f"stub: {len(received)} distinct statements received in {stub.requests} requests; "
        f"{len(stored)} stored; {len(missing)} missing, {len(twice)} received twice, "
        f"{len(unknown)} unknown"
    )
    elapsed = results.ended - results.started
    print(f"statements produced: {len(stored) / elapsed:.1f}/s on average during the load")
    if drained_after is None:
        problems.append(f"the backlog did not drain within {args.drain_timeout:.0f} s")
    if missing or twice or unknown:
        problems.append("the outside LRS did not get every statement exactly once")
    return load.verdict(problems, errors, f"outside LRS away {args.outage_minutes:g} min")


if __name__ == "__main__":
    sys.exit(main())
