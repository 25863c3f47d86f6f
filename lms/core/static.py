"""Static files cached for a year by browsers and proxies, and still never stale.

`url_for('static', filename=...)` appends `?v=<hash of the file's content>`: a new version of
a file has a new URL. A request whose `v` is the file's current hash gets
`Cache-Control: public, max-age=31536000, immutable`; any other (no `v`, or the hash of an
older version from a page cached before a deployment) gets Flask's default, revalidated with
its ETag. The hash is computed once per version of a file (keyed by its mtime and size),
so editing a file in development changes its URL too.
"""

import hashlib
import threading
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
VERSION_ARG = "v"

_hashes: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


def file_version(static_folder: str, filename: str) -> str | None:
    """A short hash of the file's content, or None if there is no such file."""
    joined = safe_join(static_folder, filename)
    if joined is None:  # outside the folder
        return None
    path = Path(joined)
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    version = _hashes.get(key)
    if version is None:
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        with _lock:
            _hashes[key] = version
    return version


def register(app: Flask) -> None:
    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
            return
        version = file_version(app.static_folder, values["filename"])
        if version is not None:
            values[VERSION_ARG] = version

    @app.after_request
    def cache_versioned(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        sent = request.args.get(VERSION_ARG)
        filename = (request.view_args or {}).get("filename", "")
        if sent is not None and sent == file_version(app.static_folder, filename):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response
