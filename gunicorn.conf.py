"""gunicorn settings for Parcours in production: `gunicorn` from the repository root reads them.

    LMS_ENV=production SECRET_KEY=… DATABASE_URL=… LMS_BASE_URL=… gunicorn

Each can be changed without editing this file: an environment variable (below), or
GUNICORN_CMD_ARGS / command-line options, which win over the file (`gunicorn --bind :9000`).
bench/pages.py serves the app with this very file.
"""

import gc
import os

from gunicorn import glogging

from config import config_from_env

wsgi_app = "lms:create_app()"

# Behind the reverse proxy: listen on the private interface only (GUNICORN_BIND=0.0.0.0:8000
# when the proxy runs on another machine).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes give CPU parallelism (the GIL lets one thread of a process run Python at a time);
# threads overlap each request's waits on the database. Pages are mostly CPU (templates,
# ORM), so about one process per core, plus one to keep the cores busy while another waits.
# Each thread may hold a database connection: WORKERS × THREADS × servers must stay below
# PostgreSQL's max_connections (100 by default).
_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY", (_cpus or 1) + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request past 60 s (a large package import is the slowest) gets its worker restarted; on
# stop or reload, workers have 30 s to finish the requests they hold.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Longer than the proxy keeps its idle upstream connections (nginx: keepalive_timeout 60s),
# so that gunicorn never closes one the proxy is about to reuse (a 502).
keepalive = 75

# Each worker is replaced after about 20 000 requests, at different times thanks to the
# jitter, so that memory a library leaks (or fragmentation) cannot grow without bound. Not
# much fewer: a new worker builds the whole app (about a second of CPU), and the LRS alone
# can take hundreds of requests a second — at 1000, the bench spent a good part of its CPU
# starting workers.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10

# Not preloaded: each worker builds its own app after the fork, so that nothing made by
# create_app — the database engine's pool, the rate limiter's in-memory storage and its timer
# thread — is shared between processes. The master still imports the code (the log formatter
# below lives in lms), which the workers share copy-on-write; hence a code upgrade needs a
# restart, not a HUP (see docs/deployment.md).
preload_app = False

# gunicorn 24+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl),
# which two servers of the same user (a bench beside a running server) would share. Starting,
# stopping and reloading go through signals (systemd), so it is not needed. (Older gunicorn
# ignores the setting.)
control_socket_disable = True

# The heartbeat file on tmpfs: a worker blocked on a slow disk is not taken for a dead one.
# (gunicorn creates it with mkstemp, unpredictable and private: the shared folder is safe.)
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108


def pre_fork(server, worker):
    # What the master imported moves to the permanent generation: the workers' collections
    # skip it, and do not write to (copy) the pages it lives on.
    gc.freeze()


def post_worker_init(worker):
    # Likewise the app a worker just built (routes, templates, metadata): it lives as long as
    # the worker, so collections need not walk it after every few hundred allocations.
    gc.freeze()


# Logs: the app writes one line per request (lms.core.request_log), so gunicorn's access log
# stays off — it would be a second line per request. gunicorn's own messages (workers
# started, killed on timeout) go to stderr, as JSON when the app logs JSON.
accesslog = None
errorlog = "-"


class _NoAccessLog(glogging.Logger):
    """gunicorn's logger without its access log unless one is asked for (--access-logfile).
    With a logging configuration (below), gunicorn formats every request's access-log fields
    even though no handler writes them: a tenth of the CPU of a single xAPI POST."""

    def access(self, resp, req, environ, request_time) -> None:
        if self.cfg.accesslog:
            super().access(resp, req, environ, request_time)


logger_class = _NoAccessLog
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if config_from_env().LOG_FORMAT == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "lms.core.request_log.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"handlers": [], "propagate": False},
        },
        "root": {"level": loglevel.upper(), "handlers": []},
    }
