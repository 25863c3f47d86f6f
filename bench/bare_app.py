"""The app bench/pages.py serves: the real one, plus the baseline route `/bench/vide`.

The baseline is the floor of any page: built by the same factory, so a request to it crosses
the same WSGI middleware, request context, session cookie (opened on every request),
before/after-request hooks (request id and log line, mail hook, static caching) and Babel,
and renders a small template with a translated string. It does not load the user nor touch
the database: what a learner page costs above it is its own work — the user, the parcours,
the progress, the big template.
"""

from flask import Flask, render_template
from jinja2 import ChoiceLoader, DictLoader

from lms import create_app

BARE_PATH = "/bench/vide"
BARE_TEMPLATE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><p>{{ _("Catalogue") }}</p></body></html>
"""


def create_bench_app() -> Flask:
    app = create_app()
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"bench/vide.html": BARE_TEMPLATE}), app.jinja_env.loader]
    )

    @app.get(BARE_PATH)
    def bare():
        return render_template("bench/vide.html", title="Parcours")

    return app
