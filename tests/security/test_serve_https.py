"""Issue 14, item 9 and the start-up of ``serve --workers 2``: PLANWATCH_HTTPS=1 reaches every
worker (Secure cookies), and no worker is killed as "died" while it is still starting."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ONE_AT_A_TIME, migrated_sqlite_url

pytestmark = ONE_AT_A_TIME


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("how", ["env", "option"])
def test_https_with_two_workers_sends_secure_cookies(tmp_path: Path, how: str) -> None:
    url = migrated_sqlite_url(tmp_path / "pw.db")
    port = _free_port()
    command = [str(Path(sys.executable).with_name("planwatch")), "serve", "--db", url, "--port", str(port),
               "--workers", "2", *(["--https"] if how == "option" else [])]
    env = {**os.environ, "PLANWATCH_HTTPS": "1"} if how == "env" else {k: v for k, v in os.environ.items()
                                                                      if k != "PLANWATCH_HTTPS"}
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        cookies: list[str] = []
        while not cookies:
            try:
                # several connections: the kernel hands them to either worker
                cookies = [c for _ in range(4) for c in
                           httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).headers.get_list("set-cookie")]
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "serve --workers 2 did not start"
                time.sleep(0.3)
        assert all("secure" in [p.strip().lower() for p in c.split(";")] for c in cookies), cookies
    finally:
        server.send_signal(signal.SIGINT)
        try:
            _, log = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, log = server.communicate()
    assert "died" not in log, log
    # issue 25: the workers log as the settings say (key=value lines), one record per request, no access log
    assert re.search(r'^ts=\S+ level=info logger=planwatch.requests msg=request method=GET route=/login status=200 '
                     r'ms=[\d.]+ user=""$', log, flags=re.MULTILINE), log
    assert "GET /login HTTP/1.1" not in log, log
