"""The LRS under load: statements/s written, batched and single, GET by agent p50/p95, and a
read-back of everything written that reports any statement lost.

    python bench/lrs.py --database-url URL [--fill 1000000] [--threads 8] [--batch 50]
    python bench/lrs.py --url http://host:port/xapi --key KEY --secret SECRET

With --database-url the bench serves the app itself under gunicorn (--workers, default 2) on
that database: for PostgreSQL an empty database or schema (`?options=-csearch_path%3Dname`),
for SQLite a file path that need not exist. It applies the migrations, creates an LRS client
and stops the server at the end. With --url it loads a server already running.

The phases, each printed as it ends:
- batched: THREADS client threads POST batches of BATCH statements, COUNT statements in all;
- single: THREADS client threads POST one statement per request, SINGLE statements in all;
- reference: SINGLE GETs of /about (no database): the most requests/s this server answers
  on this machine, which bounds the single-statement figure;
- fill: batched POSTs until the store holds FILL statements (skipped if it already does);
- read-back: every statement this run wrote is read back through GET (by registration,
  following `more`), and any id missing or seen twice is reported;
- get-by-agent: QUERIES GETs of one agent's statements (`agent=`, default limit), agents
  drawn at random among the AGENTS the statements were spread over.

The client is plain standard library (http.client, one keep-alive connection per thread), so
it costs the server's two cores as little as can be. Like an LRS client, it sends a POST
answered 503 again after its Retry-After (SQLite's write lock waited for too long), up to
five times, and says how many it sent again. Prints figures; asserts nothing, but exits
with status 1 if a statement was lost or a request failed.
"""

import argparse
import base64
import contextlib
import http.client
import json
import random
import re
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from serve import app_env, flask, gunicorn, percentile

VERBS = [
    "http://adlnet.gov/expapi/verbs/experienced",
    "http://adlnet.gov/expapi/verbs/attempted",
    "http://adlnet.gov/expapi/verbs/answered",
    "http://adlnet.gov/expapi/verbs/completed",
]


@dataclass
class Target:
    host: str
    port: int
    path: str  # the xAPI root, e.g. /xapi
    authorization: str

    @classmethod
    def from_url(cls, url: str, key: str, secret: str) -> "Target":
        parts = urllib.parse.urlsplit(url)
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        return cls(parts.hostname or "127.0.0.1", parts.port or 80, parts.path.rstrip("/"), token)

    def connection(self) -> "Client":
        return Client(self)


class Client:
    """One keep-alive HTTP connection to the LRS."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.connection = http.client.HTTPConnection(target.host, target.port, timeout=120)
        self.retry_after = 1.0
        self.headers = {
            "Authorization": f"Basic {target.authorization}",
            "X-Experience-API-Version": "1.0.3",
        }

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.connection.request(method, self.target.path + path, body, headers)
                response = self.connection.getresponse()
                self.retry_after = float(response.headers.get("Retry-After") or 1)
                return response.status, response.read()
            except (ConnectionError, http.client.HTTPException):
                # gunicorn's sync workers close idle keep-alive connections: reconnect once.
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


@dataclass
class Run:
    """What this run wrote, to read it back."""

    registration: str
    agents: int
    written: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    retried: int = 0  # POSTs answered 503 (busy or unavailable), sent again as told
    lock: threading.Lock = field(default_factory=threading.Lock)

    def statement(self, rng: random.Random) -> dict:
        n = rng.randrange(self.agents)
        return {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "actor": {
                "objectType": "Agent",
                "name": f"Apprenant {n}",
                "mbox": f"mailto:apprenant-{n}@bench.parcours.example",
            },
            "verb": {"id": rng.choice(VERBS), "display": {"fr-FR": "a fait"}},
            "object": {
                "id": f"https://outil.example/activites/{rng.randrange(500)}",
                "definition": {"name": {"fr-FR": "Activité d'un outil extérieur"}},
            },
            "result": {"score": {"scaled": round(rng.random(), 2)}, "success": rng.random() > 0.3},
            "context": {"registration": self.registration, "platform": "bench"},
            "timestamp": datetime.now(UTC).isoformat(),
        }


MAX_RETRIES = 5


def post_batches(target: Target, run: Run, total: int, batch: int, threads: int) -> float:
    """POST `total` statements in batches of `batch` from `threads` threads; statements/s."""
    batches = [min(batch, total - start) for start in range(0, total, batch)]
    work = iter(enumerate(batches))
    work_lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        client = target.connection()
        try:
            while True:
                with work_lock:
                    item = next(work, None)
                if item is None:
                    return
                statements = [run.statement(rng) for _ in range(item[1])]
                body = statements if batch > 1 else statements[0]
                data = json.dumps(body).encode()
                status, text = client.request("POST", "/statements", data)
                for _ in range(MAX_RETRIES):
                    if status != 503:
                        break
                    # What an LRS client does: SQLite's write lock, waited for past its
                    # timeout, or an outage; the ids are the same, so a repeat is harmless.
                    with run.lock:
                        run.retried += 1
                    time.sleep(client.retry_after)
                    status, text = client.request("POST", "/statements", data)
                with run.lock:
                    if status == 200:
                        run.written.extend(s["id"] for s in statements)
                    else:
                        run.failures.append(f"POST {status}: {text[:200]!r}")
        finally:
            client.close()

    return total / _run_threads([(worker, (random.getrandbits(64),)) for _ in range(threads)])


def _run_threads(work: list[tuple[Callable, tuple]]) -> float:
    """Run each (function, arguments) in a thread of its own; the seconds they all took."""
    started = time.perf_counter()
    pool = [threading.Thread(target=function, args=args) for function, args in work]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started


def requests_per_second(target: Target, run: Run, path: str, count: int, threads: int) -> float:
    """GET `path` (under the xAPI root) `count` times from `threads` threads; requests/s."""
    share = count // threads

    def worker() -> None:
        client = target.connection()
        try:
            for _ in range(share):
                status, text = client.request("GET", path)
                if status != 200:
                    with run.lock:
                        run.failures.append(f"GET {path} {status}: {text[:200]!r}")
        finally:
            client.close()

    return share * threads / _run_threads([(worker, ()) for _ in range(threads)])


def read_back(target: Target, run: Run) -> tuple[int, int, int]:
    """(found, missing, duplicated) among the statements this run wrote."""
    client = target.connection()
    seen: dict[str, int] = {}
    path = "/statements?" + urllib.parse.urlencode({"registration": run.registration, "limit": 500})
    try:
        while path:
            status, text = client.request("GET", path)
            if status != 200:
                run.failures.append(f"GET {status}: {text[:200]!r}")
                break
            page = json.loads(text)
            for statement in page["statements"]:
                seen[statement["id"]] = seen.get(statement["id"], 0) + 1
            more = page.get("more") or ""
            path = more[more.index("/statements") :] if more else ""
    finally:
        client.close()
    written = set(run.written)
    missing = len(written - seen.keys())
    duplicated = sum(1 for count in seen.values() if count > 1)
    return len(written & seen.keys()), missing, duplicated


def get_by_agent(target: Target, run: Run, queries: int) -> tuple[list[float], int]:
    """Latencies (ms) of `queries` GETs by agent, one client, and statements returned."""
    rng = random.Random(7)
    client = target.connection()
    latencies = []
    returned = 0
    try:
        for _ in range(queries):
            agent = json.dumps(
                {"mbox": f"mailto:apprenant-{rng.randrange(run.agents)}@bench.parcours.example"}
            )
            path = "/statements?" + urllib.parse.urlencode({"agent": agent})
            started = time.perf_counter()
            status, text = client.request("GET", path)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                run.failures.append(f"GET agent {status}: {text[:200]!r}")
                continue
            returned += len(json.loads(text)["statements"])
    finally:
        client.close()
    return latencies, returned


def stored_count(database_url: str) -> int:
    import sqlalchemy as sa

    for scheme in ("postgres://", "postgresql://"):  # as the app reads it: psycopg 3
        if database_url.startswith(scheme):
            database_url = "postgresql+psycopg://" + database_url.removeprefix(scheme)
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT count(*) FROM statements"))
    finally:
        engine.dispose()


@contextlib.contextmanager
def served(database_url: str, workers: int, threads: int, port: int) -> Iterator[Target]:
    """The app under gunicorn on `database_url`, migrated, with a fresh LRS client."""
    base_url = f"http://127.0.0.1:{port}"
    # The LRS's own figures: no log line per request (gunicorn.conf.py's other settings hold).
    env = app_env(database_url, base_url, LOG_LEVEL="WARNING")
    flask(env, "db", "upgrade")
    created = flask(env, "lms", "create-lrs-client", "--name", "bench", "--scope", "all")
    key = re.search(r"key:\s+(\S+)", created).group(1)
    secret = re.search(r"secret:\s+(\S+)", created).group(1)
    args = ["--workers", str(workers), "--threads", str(threads), "--keep-alive", "30"]
    with gunicorn(env, port, args):
        yield Target.from_url(f"{base_url}/xapi", key, secret)


def bench(target: Target, args: argparse.Namespace, database_url: str | None) -> int:
    run = Run(registration=str(uuid.uuid4()), agents=args.agents)
    print(f"server: {args.workers} gunicorn workers" if database_url else f"server: {args.url}")
    print(f"database: {_describe(database_url)}")

    rate = post_batches(target, run, args.count, args.batch, args.threads)
    print(
        f"batched: {rate:,.0f} statements/s ({args.count} in batches of {args.batch}, "
        f"{args.threads} threads)"
    )
    rate = post_batches(target, run, args.single, 1, args.threads)
    print(f"single:  {rate:,.0f} statements/s ({args.single} single POSTs, {args.threads} threads)")
    # The ceiling of any request on this server and machine, for reading the figure above:
    # a GET through the whole app (hooks, headers, JSON answer) that touches no database.
    rate = requests_per_second(target, run, "/about", args.single, args.threads)
    print(f"reference: GET /about (no database) {rate:,.0f} requests/s, {args.threads} threads")

    if database_url and args.fill:
        missing = args.fill - stored_count(database_url)
        if missing > 0:
            started = time.perf_counter()
            rate = post_batches(target, run, missing, args.fill_batch, args.threads)
            print(
                f"fill:    {missing:,} statements at {rate:,.0f}/s "
                f"in {time.perf_counter() - started:,.0f} s"
            )
    if database_url:
        print(f"stored:  {stored_count(database_url):,} statements")

    started = time.perf_counter()
    found, missing, duplicated = read_back(target, run)
    print(
        f"read-back: {found:,} of {len(run.written):,} written found, {missing} missing, "
        f"{duplicated} duplicated ({time.perf_counter() - started:,.1f} s)"
    )

    latencies, returned = get_by_agent(target, run, args.queries)
    print(
        f"get-by-agent: p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p95 {percentile(latencies, 0.95):.1f} ms, mean {statistics.mean(latencies):.1f} ms "
        f"({args.queries} queries, {returned / args.queries:.0f} statements each on average, "
        f"{args.agents} agents)"
    )

    if run.retried:
        print(f"retried: {run.retried} POSTs answered 503 (Retry-After), then sent again")
    for failure in run.failures[:10]:
        print(f"failure: {failure}")
    if run.failures or missing or duplicated:
        print(
            f"FAILED: {len(run.failures)} failed requests, {missing} lost, {duplicated} duplicated"
        )
        return 1
    return 0


def _describe(database_url: str | None) -> str:
    if database_url is None:
        return "(the server's)"
    return re.sub(r"//[^@/]*@", "//", database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="serve the app on this database")
    parser.add_argument("--url", help="or load this xAPI root, e.g. http://host:8000/xapi")
    parser.add_argument("--key")
    parser.add_argument("--secret")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--count", type=int, default=50_000, help="statements sent batched")
    parser.add_argument("--single", type=int, default=5_000, help="statements sent one by one")
    parser.add_argument("--fill", type=int, default=1_000_000, help="store size for the GETs")
    parser.add_argument("--fill-batch", type=int, default=500, help="batch size to fill")
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_000)
    args = parser.parse_args()
    if args.database_url:
        with served(args.database_url, args.workers, args.server_threads, args.port) as target:
            sys.exit(bench(target, args, args.database_url))
    if not (args.url and args.key and args.secret):
        parser.error("give --database-url, or --url with --key and --secret")
    sys.exit(bench(Target.from_url(args.url, args.key, args.secret), args, None))


if __name__ == "__main__":
    main()
