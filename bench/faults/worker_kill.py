"""Fault (b): a gunicorn worker is killed (SIGKILL) mid-request, several times, under load.
The master starts a new one; the requests in flight get no answer; nothing is half-written.

    python bench/faults/worker_kill.py --database-url URL [--learners 50] [--kills 5]

URL is an empty PostgreSQL database or schema, as for bench/load.py (the shared server is
fine: nothing is restarted). Every --every seconds, once the learners are going, the scenario
waits until a quiz submission is in flight and SIGKILLs a worker. The learners retry what got
no answer; a quiz submitted without answer is looked up afterwards in the learner's list of
attempts (stored or not, as a person would check). Then the load checks: statements ==
acknowledged actions (and attempts found stored), every stored attempt has its statements
and every `attempted` statement its attempt, replay == live.
PASS needs: every kill followed by a new worker, no error other than the dropped
connections of the killed worker, and the checks clean.
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from _common import Background, load


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    load.common_arguments(parser)
    parser.set_defaults(learners=50, duration=180, port=8768)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--every", type=float, default=20, help="seconds between kills")
    args = parser.parse_args()

    env = load.bench_env(args.database_url, f"http://127.0.0.1:{args.port}")
    app, course, emails = load.prepare(env, args.learners)
    kills = []
    server_args = load.serve_args(args.workers, args.server_threads)
    with load.gunicorn(env, args.port, server_args) as server:
        background = Background(
            port=args.port,
            course=course,
            emails=emails,
            duration=args.duration,
            think=args.think,
            ramp=args.ramp,
        )
        rng = random.Random(5)  # noqa: S311 - which worker, not a secret
        time.sleep(args.ramp)
        for _ in range(args.kills):
            time.sleep(args.every)
            in_flight = wait_for_submission(background.submissions_in_flight)
            before = worker_pids(server)
            victim = rng.choice(before)
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            replaced = wait_for_new_worker(server, before, victim)
            kills.append((victim, in_flight, replaced, killed_at))
            print(
                f"killed worker {victim} with {in_flight} quiz submission(s) in flight; "
                + (f"a new worker in {replaced:.1f} s" if replaced is not None else "NO new worker")
            )
        results = background.join()
    errors = load.report(results, failing=("error",))  # lost: the kills'
    problems = load.check(app, course, results)
    lost = [s for s in results.samples if s.outcome == "lost"]
    lost_submissions = sum(1 for s in lost if s.kind == "quiz_submit")
    print(
        f"\n{len(kills)} kills; {len(lost)} requests got no answer ({lost_submissions} quiz "
        "submissions), every one retried or looked up by its learner"
    )
    if any(replaced is None for *_, replaced, _ in kills):
        problems.append("the master did not replace a killed worker")
    if len(kills) < args.kills:
        problems.append(f"only {len(kills)} of {args.kills} kills happened")
    return load.verdict(problems, errors, f"{len(kills)} workers killed under {args.learners}")


def worker_pids(server: subprocess.Popen) -> list[int]:
    """The pids of gunicorn's workers (the master's children)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def wait_for_submission(in_flight, timeout: float = 10) -> int:
    """Wait (up to `timeout`) until a quiz submission is being answered; how many are."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = in_flight()
        if count:
            return count
        time.sleep(0.005)
    return 0


def wait_for_new_worker(
    server, before: list[int], victim: int, timeout: float = 30
) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        now = worker_pids(server)
        if victim not in now and len(now) == len(before):
            return time.monotonic() - started
        time.sleep(0.05)
    return None


if __name__ == "__main__":
    sys.exit(main())
