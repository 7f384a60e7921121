"""``planwatch serve``: the app under uvicorn on one host and port."""

from __future__ import annotations

import uvicorn

from planwatch.web.app import create_app

__all__ = ["serve"]


def serve(database_url: str | None = None, host: str = "127.0.0.1", port: int = 8000, *,
          https: bool = False, secret_key: str | None = None) -> None:
    """Blocks until interrupted. Pass ``https=True`` when a proxy terminates TLS in front."""
    app = create_app(database_url, secret_key=secret_key, https=https)
    uvicorn.run(app, host=host, port=port, proxy_headers=https, log_level="info")
