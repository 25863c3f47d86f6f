"""Serving the app under gunicorn for a bench: the environment, the migrations, the server.

Shared by bench/lrs.py and bench/pages.py. gunicorn runs from the repository root, so it
reads gunicorn.conf.py, the production settings; a bench's own options (given as arguments)
win over the file.
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def app_env(database_url: str, base_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production app on `database_url`, answering at `base_url`."""
    return {
        **os.environ,
        "FLASK_APP": "lms",
        "LMS_ENV": "production",
        "SECRET_KEY": os.environ.get("SECRET_KEY", uuid.uuid4().hex),
        "DATABASE_URL": database_url,
        "LMS_BASE_URL": base_url,
        **extra,
    }


def free_port() -> int:
    """A port nothing listens on now (other benches may run on this machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flask(env: dict[str, str], *args: str) -> str:
    """Run a `flask` command of the app; its standard output."""
    return subprocess.run(
        [str(BIN / "flask"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def _gunicorn_executable() -> str:
    if (BIN / "gunicorn").exists():
        return str(BIN / "gunicorn")
    if shutil.which("gunicorn") is None:
        raise SystemExit("gunicorn is not installed: pip install -e .")
    return "gunicorn"


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    port: int,
    args: Sequence[str] = (),
    *,
    wsgi_app: str = "lms:create_app()",
    ready_path: str = "/healthz",
    log: Path | None = None,
) -> Iterator[subprocess.Popen]:
    """gunicorn with gunicorn.conf.py and `args`, on 127.0.0.1:`port`, until it answers
    200 on `ready_path`; stopped (SIGTERM to its process group) on leaving."""
    output = log.open("ab") if log is not None else None
    server = subprocess.Popen(
        [_gunicorn_executable(), "--bind", f"127.0.0.1:{port}", *args, wsgi_app],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=output,
        stderr=output,
    )
    try:
        _wait_until_up(port, ready_path, server)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have stopped by itself
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        if output is not None:
            output.close()


def _wait_until_up(port: int, path: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped while starting")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
