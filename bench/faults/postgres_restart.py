"""Fault (a): PostgreSQL restarts under load. Requests fail cleanly (503 with the French
message, no traceback, no 500), the app recovers by itself within seconds, nothing is lost.

    python bench/faults/postgres_restart.py [--learners 50] [--duration 150] [--pg-port 55432]

Never touches the shared server: it starts a private cluster (initdb in a temporary folder,
as the `postgres` OS user, on --pg-port), serves the app on it under gunicorn and runs the
learners of bench/load.py. After --first seconds it restarts the cluster (`pg_ctl restart
-m fast`); --gap seconds later it stops it abruptly (`-m immediate`, a crash), leaves it
down --down seconds, and starts it again. It reports the requests' outcomes during each
outage, how long after the server was back requests still failed, then runs the load
checks (statements == acknowledged actions, attempts == their statements, replay == live).
PASS needs: no error (a 500, a 503 without the message, a dropped connection), recovery
within --recover seconds of each return, and the checks clean.
"""

import argparse
import sys
import time

from _common import (
    Background,
    first_success_after,
    last_failure_after,
    load,
    outcomes_between,
    private_cluster,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--duration", type=float, default=150)
    parser.add_argument("--think", type=load.think_range, default=(1.0, 5.0))
    parser.add_argument("--first", type=float, default=45, help="seconds before the restart")
    parser.add_argument("--gap", type=float, default=40, help="seconds between the two faults")
    parser.add_argument("--down", type=float, default=5, help="seconds down after the crash")
    parser.add_argument("--recover", type=float, default=10, help="seconds allowed to recover")
    parser.add_argument("--pg-port", type=int, default=55432)
    parser.add_argument("--port", type=int, default=8767)
    args = parser.parse_args()

    with private_cluster(args.pg_port) as cluster:
        env = load.bench_env(cluster.url, f"http://127.0.0.1:{args.port}")
        app, course, emails = load.prepare(env, args.learners)
        with load.gunicorn(env, args.port, load.serve_args(2, 4)):
            background = Background(
                port=args.port,
                course=course,
                emails=emails,
                duration=args.duration,
                think=args.think,
                accept_outage=True,
            )
            time.sleep(args.first)
            faults = []
            began = time.monotonic()
            took = cluster.pg_ctl("-m", "fast", "restart")
            faults.append(("restart -m fast", began, time.monotonic(), took))
            time.sleep(args.gap)
            began = time.monotonic()
            cluster.pg_ctl("-m", "immediate", "stop")
            time.sleep(args.down)
            took = cluster.start()
            faults.append(("stop -m immediate, start", began, time.monotonic(), took))
            results = background.join()
        errors = load.report(results)
        problems = load.check(app, course, results)
    return report(args, results, faults, problems, errors)


def report(args, results, faults, problems: list[str], errors: int) -> int:
    failed = False
    print()
    for index, (name, began, back, took) in enumerate(faults):
        until = faults[index + 1][1] if index + 1 < len(faults) else results.ended
        during = outcomes_between(results, began, back + args.recover)
        lingering = last_failure_after(results, back, until)
        first_ok = first_success_after(results, back)
        recovered = lingering is None or lingering <= args.recover
        failed |= not recovered
        print(
            f"{name}: server away {back - began:.1f} s (pg_ctl {took:.1f} s); requests then: "
            f"{dict(during)}; last failure {_seconds(lingering)} after it was back, first "
            f"success {_seconds(first_ok)} after; {'recovered' if recovered else 'NOT recovered'}"
        )
    outages = sum(1 for s in results.samples if s.outcome == "outage")
    lost = sum(1 for s in results.samples if s.outcome == "lost")
    print(f"clean 503s: {outages}; errors: {errors}, of which {lost} requests got no answer")
    if failed:
        problems.append(f"the app did not recover within {args.recover:.0f} s")
    return load.verdict(
        problems, errors, f"PostgreSQL restarted twice under {args.learners} learners"
    )


def _seconds(value: float | None) -> str:
    return "none" if value is None else f"{value:.1f} s"


if __name__ == "__main__":
    sys.exit(main())
