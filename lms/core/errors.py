"""Domain exceptions: operations raise them, views turn them into a message and a 4xx."""


class DomainError(Exception):
    """A request the domain refuses; `status` is the HTTP status a view should answer."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):  # noqa: N818 - reads as an HTTP status
    status = 404


class Forbidden(DomainError):  # noqa: N818 - reads as an HTTP status
    status = 403


class Conflict(DomainError):  # noqa: N818 - reads as an HTTP status
    status = 409
