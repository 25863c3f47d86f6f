"""Parcours, the LMS of accompaniment professionals. `create_app` is the app factory."""

import logging
import os
from pathlib import Path

import sqlalchemy as sa
from flask import (
    Flask,
    current_app,
    g,
    has_request_context,
    jsonify,
    make_response,
    render_template,
    request,
    session,
)
from flask_babel import gettext
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from config import ROOT, Config, ProdConfig, config_from_env, production_warnings
from lms.accounts.operations import load_user
from lms.accounts.views import bp as accounts_bp
from lms.authoring.views import bp as authoring_bp
from lms.catalog.files import size_label
from lms.catalog.views import bp as catalog_bp
from lms.certificates.keys_views import keys_bp
from lms.certificates.views import bp as certificates_bp
from lms.cli import lms_group
from lms.core import request_log, security, static, templating
from lms.core.db import ping_idle_connections
from lms.core.errors import DomainError, is_database_outage
from lms.core.health import bp as health_bp
from lms.core.i18n import N_, install_template_gettext
from lms.core.language import bp as language_bp
from lms.core.pages import bp as pages_bp
from lms.extensions import babel, csrf, db, limiter, login_manager, migrate
from lms.jobs.views import bp as jobs_bp
from lms.learning.views import bp as learning_bp
from lms.mail import hooks as mail_hooks
from lms.mail.views import bp as mail_bp
from lms.networks.access_views import bp as access_bp
from lms.networks.report_views import bp as reports_bp
from lms.networks.views import bp as networks_bp
from lms.privacy.views import bp as privacy_bp
from lms.xapi.api.alternate import AlternateRequestSyntax
from lms.xapi.api.statements import bp as xapi_bp
from lms.xapi.documents.views import bp as xapi_documents_bp
from lms.xapi.views import bp as lrs_admin_bp

logger = logging.getLogger(__name__)


def create_app(config: type[Config] | None = None, overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config = config or config_from_env()
    if issubclass(config, ProdConfig):
        config.check()
    app.config.from_object(config)
    app.config.update(overrides or {})
    request_log.configure_logging(app)
    if issubclass(config, ProdConfig):
        for warning in production_warnings(os.environ):
            logger.warning("production configuration: %s", warning)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'parcours.sqlite3'}"
        )
    app.config["SQLALCHEMY_DATABASE_URI"] = _with_driver(app.config["SQLALCHEMY_DATABASE_URI"])

    # First, so that the request id and the start time are set before any other hook runs.
    request_log.register(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    mail_hooks.register(app)
    security.register(app)
    return app


def _with_driver(url: str) -> str:
    # DATABASE_URL as hosting platforms write it ("postgres://…") means psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    # The message is a msgid, translated when shown (a lazy string would not fit in the
    # session cookie).
    login_manager.login_message = N_("Connectez-vous pour accéder à cette page.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
            else:
                ping_idle_connections(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    login_manager.user_loader(load_user)
    app.wsgi_app = AlternateRequestSyntax(app.wsgi_app)  # xAPI requests sent as form POSTs
    if proxies := app.config["TRUSTED_PROXIES"]:
        # Behind that many proxies, the client's address (rate limits, logs), the scheme
        # (secure cookies, external URLs) and the host are those the proxies forwarded.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    # Registered after Flask-SQLAlchemy's: teardowns run in reverse, so this one goes first.
    app.teardown_appcontext(_close_session)


def _close_session(_error: BaseException | None) -> None:
    """End the request's session; a connection the server has dropped meanwhile (a restart
    between the page and its end) is discarded quietly rather than turning the page just
    rendered into a 500. Its transaction held no write: a write commits before the end."""
    try:
        db.session.remove()
    except DBAPIError as error:
        if not is_database_outage(error):
            raise
        db.session.registry.clear()  # the session is unusable; SQLAlchemy dropped the connection
        reason = str(error.orig).strip().partition("\n")[0]
        logger.warning("database connection lost at the end of a request: %s", reason)


def _select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs speak the default language
        return languages[0]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return languages[0]


def _configure_sqlite(engine: sa.Engine, busy_timeout_ms: int) -> None:
    """Make SQLite behave: foreign keys enforced, real transactions, waiting on locks.

    pysqlite's own transaction handling never emits BEGIN for SELECTs and breaks
    SAVEPOINT; SQLAlchemy's documented recipe takes over. A writing transaction starts with
    BEGIN IMMEDIATE: two writers then wait for each other (busy_timeout) instead of one
    failing when it upgrades a read lock.
    """

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        # Reading pages need no write lock (WAL lets them read beside a writer); a request
        # that may write, and every command, takes it up front.
        if has_request_context() and request.method in {"GET", "HEAD", "OPTIONS"}:
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(health_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(authoring_bp)
    app.register_blueprint(keys_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(xapi_bp)
    app.register_blueprint(xapi_documents_bp)
    app.register_blueprint(lrs_admin_bp)
    app.register_blueprint(networks_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(access_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(language_bp)
    app.register_blueprint(pages_bp)


def register_errorhandlers(app: Flask) -> None:
    def wants_json() -> bool:
        if request.path.startswith("/xapi/"):  # API clients always get JSON
            return True
        best = request.accept_mimetypes.best_match(["application/json", "text/html"])
        return best == "application/json" and not request.accept_mimetypes.accept_html

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if wants_json():
            return jsonify(error=error.message), error.status
        return render_template(
            "errors/error.html", status=error.status, message=error.message
        ), error.status

    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError):
        # Two requests raced for the same row (a double submit): the loser is told so.
        db.session.rollback()
        logger.warning("integrity error on %s %s: %s", request.method, request.path, error.orig)
        message = gettext("Cette action vient déjà d'être enregistrée. Rechargez la page.")
        if wants_json():
            return jsonify(error=message), 409
        return render_template("errors/error.html", status=409, message=message), 409

    def unavailable(message: str, retry_after: int):
        if wants_json():
            response = jsonify(error=message)
        else:
            response = make_response(
                render_template("errors/error.html", status=503, message=message)
            )
        response.status_code = 503
        response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):
        # SQLite: another request held the write lock longer than busy_timeout. Nothing was
        # stored; the client may try again (LRS clients do, on 503).
        if "database is locked" not in str(error.orig):
            return database_error(error)
        db.session.rollback()
        logger.warning("database busy on %s %s", request.method, request.path)
        return unavailable(
            gettext("La base de données est occupée. Réessayez dans un instant."), retry_after=1
        )

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        # The database server is restarting or unreachable: the transaction was lost with
        # its connection, so nothing of the request was stored. SQLAlchemy has invalidated
        # the pool; the next requests reconnect once the server is back.
        if not is_database_outage(error):
            return unexpected_error(error)
        db.session.rollback()
        # One line, no traceback: during an outage every request ends here.
        reason = str(error.orig).strip().partition("\n")[0]
        logger.warning("database unavailable on %s %s: %s", request.method, request.path, reason)
        # The page must not touch the database again: the learner loaded for this request
        # is expired by the rollback, so the page is shown as to a visitor.
        g._login_user = login_manager.anonymous_user()
        return unavailable(
            gettext(
                "Le service est momentanément indisponible (base de données injoignable). "
                "Rien n'a été enregistré : réessayez dans quelques secondes."
            ),
            retry_after=5,
        )

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        # A body past the limit, refused before it is read: say what the limit is (the
        # workshop's uploads say it of the file, see lms.authoring.views).
        limit = request.max_content_length
        if wants_json():
            message = gettext(
                "Ce que vous avez envoyé dépasse la taille maximale acceptée (%(max)s).",
                max=size_label(limit or 0),
            )
            return jsonify(error=message, max_bytes=limit, max=size_label(limit or 0)), 413
        return render_template("errors/error.html", status=413, message=None), 413

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if wants_json():
            return jsonify(error=error.description), error.code
        return render_template("errors/error.html", status=error.code, message=None), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.testing:  # let the test see the real traceback
            raise error
        return render_template("errors/error.html", status=500, message=None), 500


def register_commands(app: Flask) -> None:
    app.cli.add_command(lms_group)


def register_template_helpers(app: Flask) -> None:
    templating.register(app)
    static.register(app)
