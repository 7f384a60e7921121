"""The seeded demo database of the web tests, for the input-security tests that run the app."""

from tests.web.conftest import app_client, database_url, seeded

__all__ = ["app_client", "database_url", "seeded"]
