"""What the benches share: the app's environment, its `flask` commands, the app under
gunicorn (started, waited for, stopped), and percentiles."""

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def app_env(database_url: str, base_url: str, **extra: str) -> dict[str, str]:
    """The environment of the app in production on `database_url`."""
    return {
        **os.environ,
        "FLASK_APP": "lms",
        "LMS_ENV": "production",
        "SECRET_KEY": os.environ.get("SECRET_KEY", uuid.uuid4().hex),
        "DATABASE_URL": database_url,
        "LMS_BASE_URL": base_url,
        **extra,
    }


def flask(env: dict[str, str], *args: str) -> str:
    """Run `flask ARGS` in the project as production would; its output."""
    return subprocess.run(
        [str(BIN / "flask"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def sqlalchemy_url(database_url: str) -> str:
    """`database_url` as the app reads it (psycopg 3 for PostgreSQL)."""
    for scheme in ("postgres://", "postgresql://"):
        if database_url.startswith(scheme):
            return "postgresql+psycopg://" + database_url.removeprefix(scheme)
    return database_url


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], port: int, *, workers: int = 2, threads: int = 4, ready_path: str = "/"
) -> Iterator[subprocess.Popen]:
    """The app under gunicorn (gthread) on 127.0.0.1:`port`, up once `ready_path` answers
    below 500; the whole process group is stopped on exit."""
    if not (BIN / "gunicorn").exists():
        raise SystemExit("gunicorn is not installed: pip install -e .")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            *("--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads)),
            *("--bind", f"127.0.0.1:{port}", "--keep-alive", "30", "--log-level", "warning"),
            "lms:create_app()",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        wait_until_up(port, server, ready_path)
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def wait_until_up(port: int, server: subprocess.Popen, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped while starting")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            if status < 500:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s")


def worker_pids(server: subprocess.Popen) -> list[int]:
    """The pids of gunicorn's workers (the master's children)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0
