"""The web app (FastAPI + Jinja2): pages for people, /api/v1 for programs."""

from planwatch.web.app import create_app
from planwatch.web.serve import serve

__all__ = ["create_app", "serve"]
