"""Where mail goes: files in the instance folder (development), or an SMTP server."""

import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import Flask


class MailError(Exception):
    pass


def send(app: Flask, email: EmailMessage) -> None:
    backend = app.config["MAIL_BACKEND"]
    if backend == "file":
        _write_file(app, email)
    elif backend == "smtp":
        _send_smtp(app, email)
    else:
        raise MailError(f"unknown MAIL_BACKEND {backend!r} (file or smtp)")


def outbox_dir(app: Flask) -> Path:
    return Path(app.config.get("MAIL_FILE_DIR") or Path(app.instance_path) / "mail")


def _write_file(app: Flask, email: EmailMessage) -> None:
    folder = outbox_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    message_id = email["Message-ID"].strip("<>").replace("@", "_at_")
    (folder / f"{message_id}.eml").write_bytes(bytes(email))


def _send_smtp(app: Flask, email: EmailMessage) -> None:
    config = app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
    except smtplib.SMTPException as error:
        raise MailError(str(error)) from error
