"""What the fault scenarios share: a private PostgreSQL cluster (never the shared server),
the load run in the background, and the outcome of the requests around a moment."""

import contextlib
import glob
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BENCH))
import load  # noqa: E402

DATABASE = "parcours"


@dataclass
class Cluster:
    """A PostgreSQL cluster of our own, run as the `postgres` OS user on `port`."""

    bin_dir: Path
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def pg_ctl(self, *args: str) -> float:
        """Run pg_ctl ARGS (waiting for it); seconds it took."""
        started = time.monotonic()
        # -l on every call: a (re)started server writes there, not into our pipes.
        log = str(self.data.parent / "server.log")
        self._as_postgres(
            str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", *args
        )
        return time.monotonic() - started

    def start(self) -> float:
        return self.pg_ctl(
            "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1", "start",
        )  # fmt: skip

    def _as_postgres(self, *command: str) -> None:
        done = subprocess.run(
            ["/usr/sbin/runuser", "-u", "postgres", "--", *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            cwd="/tmp",  # noqa: S108 - the postgres user cannot read our working directory
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stderr.decode()[-500:]}")


@contextlib.contextmanager
def private_cluster(port: int) -> Iterator[Cluster]:
    """A fresh cluster with a `parcours` database, stopped and deleted on exit."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    bin_dir = Path(found[-1]).parent
    data = Path(tempfile.mkdtemp(prefix="parcours-fault-pg-"))
    shutil.chown(data, "postgres", "postgres")
    cluster = Cluster(bin_dir, data / "data", port)
    try:
        cluster._as_postgres(
            str(bin_dir / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres",
            "--no-sync",
        )  # fmt: skip
        cluster.start()
        cluster._as_postgres(
            str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
            DATABASE,
        )  # fmt: skip
        yield cluster
    finally:
        with contextlib.suppress(RuntimeError):
            cluster.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


class Background:
    """run_load in a thread; `.results` once joined."""

    def __init__(self, **kwargs) -> None:
        self.results = load.Results()
        kwargs["results"] = self.results
        self.thread = threading.Thread(target=load.run_load, kwargs=kwargs, daemon=True)
        self.thread.start()

    def submissions_in_flight(self) -> int:
        return self.results.in_flight["quiz_submit"]

    def join(self) -> load.Results:
        self.thread.join()
        return self.results


def outcomes_between(results: load.Results, start: float, end: float) -> Counter:
    """Outcomes of the requests that ended between two monotonic times."""
    return Counter(s.outcome for s in results.samples if start <= s.at <= end)


def last_failure_after(results: load.Results, moment: float, until: float) -> float | None:
    """Seconds after `moment` of the last request ended before `until` that did not succeed
    (None: none)."""
    failed = [
        s.at
        for s in results.samples
        if moment <= s.at < until and s.outcome not in ("ok", "refusal")
    ]
    return max(failed) - moment if failed else None


def first_success_after(results: load.Results, moment: float) -> float | None:
    ok = [s.at for s in results.samples if s.at >= moment and s.outcome == "ok"]
    return min(ok) - moment if ok else None
