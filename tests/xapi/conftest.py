import base64

import pytest

from lms.xapi.clients import create_client

VERSION_HEADER = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def credentials(db_session):
    """Headers of a new LRS client with `scopes`: Basic auth and the xAPI version."""

    def make(*scopes: str) -> dict:
        client, secret = create_client("Outil externe", list(scopes))
        # Requests share the test's session, and a refused one rolls it back: the client
        # must be committed (to a savepoint; the test's transaction still ends rolled back).
        db_session.commit()
        token = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
        return {**VERSION_HEADER, "Authorization": f"Basic {token}"}

    return make
